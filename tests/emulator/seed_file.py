"""Jobs, tasks and job schedules for the emulator from a JSON or YAML file (the body of ``POST /_admin/seed``).

    jobs:
      - id: nightly-render
        poolId: render-pool
        tasks: [{id: frame-1, state: running}, {id: frame-2, state: active}]
    jobSchedules:
      - id: ingest-hourly
        jobs: [{id: "ingest-hourly:job-1", tasks: [{id: chunk-1, state: running}]}]
"""

import datetime
import json

SEED_KEYS = ("jobs", "jobSchedules")


class SeedFileError(ValueError):
    """The seed file cannot be read or does not describe jobs and job schedules; the message is one sentence."""


def _plain(value):
    # YAML reads an unquoted 2024-01-01T00:00:00Z as a datetime; the emulator takes the service's text form.
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, datetime.date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def load_seed(path):
    """Return (jobs, job_schedules) from path: JSON when it ends in .json, else YAML (JSON is YAML too)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise SeedFileError(f"--seed-file {path}: {exc.strerror}.") from None
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SeedFileError(f"--seed-file {path} is not valid JSON: {exc}.") from None
    else:
        try:
            import yaml  # pylint: disable=import-outside-toplevel  # PyYAML comes with ansible-core; JSON seeds need none
        except ImportError:
            raise SeedFileError(f"--seed-file {path}: reading YAML needs PyYAML (pip install pyyaml), or give a .json file.") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SeedFileError(f"--seed-file {path} is not valid YAML: {' '.join(str(exc).split())}.") from None
    data = {} if data is None else _plain(data)
    if not isinstance(data, dict) or set(data) - set(SEED_KEYS):
        raise SeedFileError(f"--seed-file {path} must be a mapping with the keys jobs and/or jobSchedules, each a list.")
    for key in SEED_KEYS:
        if not isinstance(data.get(key, []), list) or not all(isinstance(item, dict) for item in data.get(key) or []):
            raise SeedFileError(f"--seed-file {path}: {key} must be a list of mappings, each with an id.")
    return data.get("jobs") or [], data.get("jobSchedules") or []
