"""Fixtures for the emulator's own tests: a running emulator reset before each test, and a Shared
Key signer written from the Batch docs (independent of the emulator's verifier).

Tests talk to the shared emulator over HTTP only: under ansible-test it runs in the parent process
and each test in a forked child, so its in-process objects are copies there."""

import base64
import email.utils
import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

try:
    from ansible_collections.azure_batch.ops.tests.emulator import Emulator
except ImportError:
    from tests.emulator import Emulator
    IN_COLLECTION_TREE = False
else:
    IN_COLLECTION_TREE = True

API_VERSION = "2024-07-01.20.0"
SIGNED = ("Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
          "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range")


def sign_request(method, url, headers, account, key):
    """The Authorization value for a request, per "Authenticate Requests to Azure Batch"."""
    lowered = {name.lower(): str(value) for name, value in headers.items()}
    lines = [method.upper()]
    for name in SIGNED:
        lines.append("" if name == "Date" and "ocp-date" in lowered else lowered.get(name.lower(), ""))
    text = "\n".join(lines) + "\n"
    text += "".join(f"{name}:{lowered[name]}\n" for name in sorted(n for n in lowered if n.startswith("ocp-")))
    parts = urlsplit(url)
    text += f"/{account}{parts.path}"
    query = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(name.lower(), []).append(value)
    text += "".join(f"\n{name}:{','.join(sorted(query[name]))}" for name in sorted(query))
    digest = hmac.new(base64.b64decode(key), text.encode(), hashlib.sha256).digest()
    return f"SharedKey {account}:{base64.b64encode(digest).decode()}"


class SharedKeyAuth(requests.auth.AuthBase):  # pylint: disable=too-few-public-methods
    def __init__(self, account, key):
        self.account, self.key = account, key

    def __call__(self, prepared):
        prepared.headers.setdefault("ocp-date", email.utils.formatdate(usegmt=True))
        prepared.headers["Authorization"] = sign_request(prepared.method, prepared.url, prepared.headers, self.account, self.key)
        return prepared


class BatchHttp:
    """Plain HTTP calls to the emulator's Batch API, signed with Shared Key."""

    def __init__(self, emu):
        self.emu = emu
        self.session = requests.Session()
        self.auth = SharedKeyAuth(emu.account_name, emu.account_key)

    def call(self, method, path, *, params=None, headers=None,  # pylint: disable=too-many-arguments
             api_version=API_VERSION, auth=True, **kwargs):
        query = dict(params or {})
        if api_version:
            query.setdefault("api-version", api_version)
        return self.session.request(method, self.emu.url + path, params=query, headers=headers, verify=self.emu.ca_path,
                                    auth=self.auth if auth else None, timeout=10, **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)


@pytest.fixture(name="http_for")
def fixture_http_for():
    """BatchHttp(emulator) for an emulator a test starts itself."""
    return BatchHttp


@pytest.fixture(name="sign")
def fixture_sign():
    """sign_request(method, url, headers, account, key) -> Authorization value."""
    return sign_request


if IN_COLLECTION_TREE:
    @pytest.fixture(name="running_emulator")
    def fixture_running_emulator(emulator):
        """The emulator tests/unit/conftest.py shares (started once, before ansible-test forks)."""
        return emulator
else:
    @pytest.fixture(name="running_emulator", scope="session")
    def fixture_running_emulator():
        with Emulator() as emulator:
            yield emulator


@pytest.fixture(name="emu")
def fixture_emu(running_emulator):
    """The running emulator, reset, with terminating jobs completing after 0.2 s; reset again afterwards."""
    running_emulator.admin.reset()
    running_emulator.admin.config(terminate_delay=0.2)
    yield running_emulator
    running_emulator.admin.reset()


@pytest.fixture(name="http")
def fixture_http(emu):
    client = BatchHttp(emu)
    yield client
    client.session.close()


@pytest.fixture(name="seeded")
def fixture_seeded(emu):
    emu.admin.seed([
        {"id": "Job-One", "poolId": "pool-a", "tasks": [
            {"id": "run-1", "state": "running"}, {"id": "prep-1", "state": "preparing"},
            {"id": "wait-1", "state": "active"}, {"id": "done-1", "state": "completed"}]},
        {"id": "job-disabled", "state": "disabled"},
        {"id": "job-terminating", "state": "terminating"},
        {"id": "job-completed", "state": "completed", "tasks": [{"id": "t1", "state": "active"}]},
        {"id": "job-deleting", "state": "deleting"},
    ])
    return emu
