"""A local HTTPS Azure Batch service for tests, the demo and benchmarks.

    from tests.emulator import Emulator
    with Emulator(terminate_delay=0.5) as emu:
        emu.admin.seed([{"id": "job-1", "tasks": [{"id": "t1", "state": "running"}]}])
        ...  # talk to emu.url with Shared Key (emu.account_name, emu.account_key) or a Bearer token

See README.md next to this file.
"""

import base64
import binascii
import json
import os
import secrets
import shutil
import tempfile
import threading
import time

from .admin import AdminApi, Config, RequestLog
from .batch_api import BatchApi
from .certs import create_certificates
from .faults import FaultInjector
from .identity import IdentityProvider
from .server import HttpsServer, Router, server_context
from .shared_key import SharedKeyVerifier
from .store import Store

__all__ = ["Emulator"]

# emu.env() names -> IdentityProvider.describe() keys.
_IDENTITY_ENV = {
    "TENANT": "tenant_id", "CLIENT_ID": "client_id", "CLIENT_SECRET": "client_secret", "CLIENT_CERT": "client_cert_path",
    "CLIENT_CERT_ENCRYPTED": "client_cert_encrypted_path", "CLIENT_CERT_PFX": "client_cert_pfx_path",
    "CLIENT_CERT_PASSWORD": "client_cert_password", "FEDERATED_TOKEN_FILE": "federated_token_file",
    "IDENTITY_ENDPOINT": "msi_endpoint", "IDENTITY_HEADER": "identity_header", "MSI_CLIENT_ID": "msi_client_id",
    "AUTHORITY_HOST": "authority_host", "AZ_PATH": "az_path",
}


class Emulator:  # pylint: disable=too-many-instance-attributes
    """The Batch API, the admin API and the identity endpoints on one HTTPS port of 127.0.0.1."""

    def __init__(self, account_name="devaccount", account_key=None, terminate_delay=1.0,  # pylint: disable=too-many-arguments
                 latency_ms=0, state_dir=None, *, port=0, page_size=1000, state_file=None, clock=time.time,
                 identity=None, arm_api=None):
        if account_key is None:
            account_key = base64.b64encode(secrets.token_bytes(64)).decode("ascii")
        try:
            base64.b64decode(account_key, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("account_key must be base64") from exc
        self.account_name = account_name
        self.account_key = account_key
        self.port = port
        self.state_file = state_file
        self.config = Config(terminate_delay=float(terminate_delay), latency_ms=int(latency_ms), page_size=int(page_size))
        self.store = Store(self.config, clock)
        self.faults = FaultInjector()
        self.request_log = RequestLog()
        self.shared_key = SharedKeyVerifier(account_name, account_key, clock)
        self.url = None
        self.ca_path = None
        self.identity = None
        self._shared_identity = identity  # a fleet's accounts share the first account's tenant (tests/emulator/fleet.py)
        self.arm_api = arm_api
        self._state_dir = state_dir
        self._own_state_dir = None
        self._server = None
        self._thread = None
        self._admin = None

    def start(self):
        if self._server is not None:
            return self
        if self._state_dir is None:
            self._state_dir = self._own_state_dir = tempfile.mkdtemp(prefix="batch-emulator-")
        os.makedirs(self._state_dir, exist_ok=True)
        self.ca_path, cert_path, key_path = create_certificates(self._state_dir)
        self.identity = self._shared_identity or IdentityProvider(os.path.join(self._state_dir, "identity"), lambda: self.url)
        batch_api = BatchApi(self.store, self.config, self.shared_key, lambda: self.identity, lambda: self.url)
        admin_api = AdminApi(self.store, self.config, self.faults, self.request_log, lambda: self.identity)
        router = Router(batch_api, admin_api, lambda: self.identity, faults=self.faults, config=self.config,
                        request_log=self.request_log, arm_api=self.arm_api)
        self._server = HttpsServer(("127.0.0.1", self.port), server_context(cert_path, key_path), router)
        self.url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self.store.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="batch-emulator", daemon=True)
        self._thread.start()
        if self.state_file:
            self.write_state_file(self.state_file)
        return self

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._server = self._thread = None
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self._own_state_dir:
            shutil.rmtree(self._own_state_dir, ignore_errors=True)
            self._state_dir = self._own_state_dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def admin(self):
        """An AdminClient (requests-based) for this emulator's admin API."""
        if self._admin is None:
            from .admin_client import AdminClient  # pylint: disable=import-outside-toplevel  # requests only when used
            self._admin = AdminClient(self.url, self.ca_path)
        return self._admin

    def env(self):
        """BATCH_EMULATOR_* variables describing this emulator (they include its secrets)."""
        values = {"URL": self.url, "CA": self.ca_path, "ACCOUNT": self.account_name, "KEY": self.account_key}
        described = self.identity.describe() if self.identity else {}
        values.update({name: described.get(key, "") for name, key in _IDENTITY_ENV.items()})
        values["STATE_FILE"] = self.state_file or ""
        return {f"BATCH_EMULATOR_{name}": str(value) for name, value in values.items()}

    def write_state_file(self, path):
        """Write env() as JSON to path atomically (readable by the owner only)."""
        directory = os.path.dirname(os.path.abspath(path))
        descriptor, temporary = tempfile.mkstemp(prefix=".batch-emulator-", dir=directory)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(self.env(), handle, indent=2, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
