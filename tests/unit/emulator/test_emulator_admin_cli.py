"""The admin API, the command line and concurrency."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import requests

try:
    from ansible_collections.azure_batch.ops.tests.emulator import Emulator
    from ansible_collections.azure_batch.ops.tests.emulator.admin_client import AdminError
    PACKAGE = "ansible_collections.azure_batch.ops.tests.emulator"
except ImportError:
    from tests.emulator import Emulator
    from tests.emulator.admin_client import AdminError
    PACKAGE = "tests.emulator"

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# The directory the package is imported from; a child process needs it on PYTHONPATH (ansible-test puts
# ansible_collections on the path of its own process only).
IMPORT_ROOT = str(pathlib.Path(sys.modules[Emulator.__module__].__file__).parents[len(PACKAGE.split("."))])


def test_admin_state_changes(emu, http):
    emu.admin.add_job("job-a", tasks=[{"id": "t1"}])
    emu.admin.add_tasks("JOB-A", [{"id": "t2", "state": "running"}, {"id": "t3", "state": "completed", "result": "failure"}])
    emu.admin.set_task_state("job-a", "t1", "running")
    emu.admin.set_job_state("job-a", "disabled")
    assert emu.admin.jobs() == [{"id": "job-a", "state": "disabled", "tasks": [
        {"id": "t1", "state": "running"}, {"id": "t2", "state": "running"}, {"id": "t3", "state": "completed"}]}]
    job = http.get("/jobs/job-a").json()
    assert (job["state"], job["previousState"]) == ("disabled", "active")
    failed = http.get("/jobs/job-a/tasks/t3").json()["executionInfo"]
    assert failed["result"] == "failure" and failed["exitCode"] == 1
    with pytest.raises(AdminError) as exists:
        emu.admin.add_job("Job-A")
    assert exists.value.status == 409
    with pytest.raises(AdminError) as missing:
        emu.admin.set_job_state("nope", "active")
    assert missing.value.status == 404
    with pytest.raises(AdminError) as invalid:
        emu.admin.set_job_state("job-a", "paused")
    assert invalid.value.status == 400


def test_admin_config_and_reset(emu, http):
    assert emu.admin.config(page_size=5, latency_ms=0)["page_size"] == 5
    with pytest.raises(AdminError):
        emu.admin.config(page_size=5000)
    with pytest.raises(AdminError):
        emu.admin.config(colour="blue")
    emu.admin.seed([{"id": "job-1"}])
    http.get("/jobs")
    emu.admin.set_faults([{"kind": "reset", "path": "^/nothing$"}])
    emu.admin.reset()
    assert emu.admin.jobs() == [] and emu.admin.requests() == []
    assert emu.admin.faults() == {"rules": [], "random": None}
    assert emu.admin.config()["page_size"] == 1000
    assert requests.get(f"{emu.url}/_admin/nothing", verify=emu.ca_path, timeout=10).status_code == 404


def test_env_names_everything_a_client_needs(emu):
    env = emu.env()
    assert env["BATCH_EMULATOR_URL"] == emu.url and os.path.exists(env["BATCH_EMULATOR_CA"])
    assert env["BATCH_EMULATOR_ACCOUNT"] == emu.account_name and env["BATCH_EMULATOR_KEY"] == emu.account_key
    for name in ("TENANT", "CLIENT_ID", "CLIENT_SECRET", "CLIENT_CERT", "FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT",
                 "IDENTITY_HEADER"):
        assert env[f"BATCH_EMULATOR_{name}"], name
    assert env["BATCH_EMULATOR_IDENTITY_ENDPOINT"].startswith(emu.url)


def _cli(*args):
    python_path = os.pathsep.join(filter(None, [IMPORT_ROOT, os.environ.get("PYTHONPATH")]))
    return [sys.executable, "-m", PACKAGE, *args], {"cwd": REPO_ROOT, "env": {**os.environ, "PYTHONPATH": python_path}}


def test_cli_run_seeds_exports_and_returns_the_exit_code(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"jobs": [{"id": "cli-job", "tasks": [{"id": "t1", "state": "running"}]}]}))
    probe = ("import json, os, sys, requests\n"
             "url, ca = os.environ['BATCH_EMULATOR_URL'], os.environ['BATCH_EMULATOR_CA']\n"
             "jobs = requests.get(url + '/_admin/jobs', verify=ca, timeout=10).json()['jobs']\n"
             "print(json.dumps(jobs))\n"
             "sys.exit(7)\n")
    command, options = _cli("run", "--seed-file", str(seed), "--", sys.executable, "-c", probe)
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, **options)
    assert finished.returncode == 7, finished.stderr
    assert json.loads(finished.stdout) == [{"id": "cli-job", "state": "active", "tasks": [{"id": "t1", "state": "running"}]}]


def test_cli_serve_writes_the_state_file_and_stops_on_sigterm(tmp_path):
    state_file = tmp_path / "state.json"
    command, options = _cli("serve", "--state-file", str(state_file), "--latency-ms", "1", "--account-name", "cliacct")
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, **options) as server:
        deadline = time.monotonic() + 30
        while not state_file.exists() and time.monotonic() < deadline and server.poll() is None:
            time.sleep(0.05)
        assert state_file.exists(), server.stderr.read() if server.poll() is not None else "no state file after 30 s"
        state = json.loads(state_file.read_text())
        assert oct(state_file.stat().st_mode & 0o777) == "0o600"
        assert state["BATCH_EMULATOR_ACCOUNT"] == "cliacct" and state["BATCH_EMULATOR_STATE_FILE"] == str(state_file)
        answer = requests.get(state["BATCH_EMULATOR_URL"] + "/_admin/config", verify=state["BATCH_EMULATOR_CA"], timeout=10)
        assert answer.json()["latency_ms"] == 1
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        assert state["BATCH_EMULATOR_KEY"] not in server.stderr.read()
    assert not state_file.exists()
