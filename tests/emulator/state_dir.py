"""A state directory that keeps an emulator's coordinates across restarts, and the environment the modules read.

``python -m tests.emulator serve --state-dir DIR`` keeps in DIR what a user's shell and playbooks point at:

    ca.pem, ca-key.pem   the CA (kept while valid, so a ca_path naming DIR/ca.pem stays valid)
    account.json         the account name and the last port
    account-key          the account's Shared Key (mode 0600)
    ca-bundle.pem        the CA bundle in use when the emulator started, plus the emulator's CA
    env.sh               the export lines printed at start (mode 0600)
    emulator.json        the BATCH_EMULATOR_* values while it runs (--state-file)

Jobs, tasks and schedules live in memory: they start from --seed-file each time.
"""

import base64
import json
import os
import secrets
import shlex
import ssl

ACCOUNT_FILE = "account.json"
KEY_FILE = "account-key"
BUNDLE_FILE = "ca-bundle.pem"
ENV_FILE = "env.sh"


def _write_private(path, text, mode=0o600):
    temporary = path + ".tmp"
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def load_account(state_dir, account_name=None, account_key=None):
    """The account (name, key, port) kept in state_dir, with the given name or key replacing the kept ones."""
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    kept = {}
    try:
        with open(os.path.join(state_dir, ACCOUNT_FILE), encoding="utf-8") as handle:
            kept = dict(json.load(handle))
    except (OSError, ValueError, TypeError):
        pass
    try:
        with open(os.path.join(state_dir, KEY_FILE), encoding="ascii") as handle:
            kept["key"] = handle.read().strip()
    except (OSError, ValueError):
        pass
    return {"name": account_name or kept.get("name") or "devaccount",
            "key": account_key or kept.get("key") or base64.b64encode(secrets.token_bytes(64)).decode("ascii"),
            "port": kept["port"] if isinstance(kept.get("port"), int) and 0 < kept["port"] < 65536 else 0}


def save_account(state_dir, name, key, port):
    _write_private(os.path.join(state_dir, KEY_FILE), key + "\n")
    _write_private(os.path.join(state_dir, ACCOUNT_FILE), json.dumps({"name": name, "port": port}, indent=2) + "\n", 0o644)


def _base_bundle(own_bundle, environ):
    """The CA bundle HTTPS clients use now: REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, certifi's, or the system's."""
    candidates = [environ.get("REQUESTS_CA_BUNDLE"), environ.get("CURL_CA_BUNDLE")]
    try:
        import certifi  # pylint: disable=import-outside-toplevel  # requests brings it; the emulator itself does not need it
        candidates.append(certifi.where())
    except ImportError:
        pass
    candidates.append(ssl.get_default_verify_paths().cafile)
    for path in candidates:
        # A REQUESTS_CA_BUNDLE exported from an earlier start names our own bundle: never stack it on itself.
        if path and os.path.isfile(path) and os.path.realpath(path) != os.path.realpath(own_bundle):
            return path
    return None


def write_bundle(directory, ca_path, environ):
    """Write directory/ca-bundle.pem: the bundle in use now plus the emulator's CA, so that pointing
    REQUESTS_CA_BUNDLE at it keeps every other HTTPS site trusted. Returns its path."""
    bundle = os.path.join(directory, BUNDLE_FILE)
    base = _base_bundle(bundle, environ)
    parts = []
    for path in filter(None, (base, ca_path)):
        with open(path, encoding="utf-8") as handle:
            parts.append(handle.read().rstrip("\n") + "\n")
    _write_private(bundle, "".join(parts), 0o644)
    return bundle


def module_env(emulator, bundle):
    """The variables the collection's modules (and requests) read, pointing at the emulator."""
    return {"AZURE_BATCH_ENDPOINT": emulator.url, "AZURE_BATCH_ACCOUNT": emulator.account_name,
            "AZURE_BATCH_ACCESS_KEY": emulator.account_key, "REQUESTS_CA_BUNDLE": bundle}


def export_lines(emulator, bundle, state_dir, extra_env=None, path_prepend=None):
    """Shell lines that export module_env() and extra_env, and put path_prepend first on PATH; the key is read
    from the state directory, not printed."""
    key_source = '"$(cat %s)"' % shlex.quote(os.path.join(state_dir, KEY_FILE))
    return [
        "export AZURE_BATCH_ENDPOINT=%s" % shlex.quote(emulator.url),
        "export AZURE_BATCH_ACCOUNT=%s" % shlex.quote(emulator.account_name),
        "export AZURE_BATCH_ACCESS_KEY=%s" % key_source,
        "export REQUESTS_CA_BUNDLE=%s" % shlex.quote(bundle),
    ] + ["export %s=%s" % (name, shlex.quote(value)) for name, value in (extra_env or {}).items()] + (
        ['export PATH=%s:"$PATH"' % shlex.quote(path_prepend)] if path_prepend else [])


def write_env_file(state_dir, lines):
    path = os.path.join(state_dir, ENV_FILE)
    _write_private(path, "# Written by python -m tests.emulator serve: source it to point the modules at the emulator.\n"
                   + "\n".join(lines) + "\n")
    return path
