"""Several emulated Batch accounts and the Azure Resource Manager calls that list them.

    from tests.emulator.fleet import Fleet
    with Fleet(accounts=3, subscriptions=2) as fleet:
        fleet.arm_url, fleet.ca_path, fleet.identity.describe()   # what the inventory plugin needs
        fleet.accounts[0].url, fleet.accounts[0].account_key, fleet.accounts[0].admin.seed([...])

Each account is an Emulator of its own (its own port, state, Shared Key and request log); they share
the first account's Microsoft Entra tenant, so one client secret gets a Batch token for all of them and
a management token for the ARM routes, which the first account's port serves (tests/emulator/arm_api.py).
``ca_path`` trusts every account.

In a process of its own: ``python -m tests.emulator.fleet --accounts 10 --state-file F [--seed-file S]``
(until SIGTERM), or FleetProcess(...) with the same attributes, for tests that fork and for benchmarks.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from . import Emulator
from .arm_api import ArmApi, new_subscription_id
from .process import stop_process

LOCATIONS = ("westeurope", "eastus", "japaneast")
DEFAULT_QUOTAS = {"dedicatedCoreQuota": 20, "lowPriorityCoreQuota": 100, "poolQuota": 20, "activeJobAndJobScheduleQuota": 100}


def default_specs(count, subscriptions):
    """Account specs acct01..acctNN spread over the subscriptions and three locations, tagged env=prod|dev;
    every fifth account (acct05, acct10, ...) allocates pools in the user's subscription."""
    return [{"name": f"acct{index + 1:02d}", "subscription": index % subscriptions, "location": LOCATIONS[index % len(LOCATIONS)],
             "resource_group": f"batch-{LOCATIONS[index % len(LOCATIONS)]}",
             "pool_allocation_mode": "UserSubscription" if (index + 1) % 5 == 0 else "BatchService",
             "tags": {"env": "prod" if index % 2 == 0 else "dev", "team": "render"}} for index in range(count)]


def _endpoint_of(emulator):
    """ARM's accountEndpoint: the Batch URL without its scheme."""
    return lambda: emulator.url[len("https://"):]


class Fleet:  # pylint: disable=too-many-instance-attributes
    """N emulated Batch accounts in one process; the first also serves ARM and the Entra tenant."""

    def __init__(self, accounts=3, subscriptions=1, terminate_delay=1.0, latency_ms=0, arm_page_size=2,  # pylint: disable=too-many-arguments
                 state_dir=None, page_size=1000):
        self.specs = accounts if isinstance(accounts, list) else default_specs(int(accounts), max(1, int(subscriptions)))
        self.subscription_count = max([spec.get("subscription", 0) for spec in self.specs] + [0]) + 1
        self._settings = {"terminate_delay": terminate_delay, "latency_ms": latency_ms, "page_size": page_size}
        self._own_dir = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="batch-fleet-")
        self.arm = None
        self.accounts = []
        self.subscription_ids = []
        self.arm_url = self.ca_path = self.identity = None
        self._arm_page_size = arm_page_size

    def start(self):
        first = None
        for spec in self.specs:
            directory = os.path.join(self.state_dir, spec["name"])
            if first is None:
                self.arm = ArmApi(lambda: first.identity, lambda: first.url, lambda: first.identity.tenant_id, self._arm_page_size)
                first = Emulator(spec["name"], spec.get("key"), state_dir=directory, arm_api=self.arm, **self._settings)
                emulator = first.start()
                self.identity = first.identity
                extra = self.subscription_count - 1
                self.subscription_ids = [self.identity.subscription_id] + [new_subscription_id() for _number in range(extra)]
                for number, subscription_id in enumerate(self.subscription_ids):
                    self.arm.add_subscription(subscription_id, f"Batch emulator {number + 1}")
            else:
                emulator = Emulator(spec["name"], spec.get("key"), state_dir=directory, identity=first.identity,
                                    **self._settings).start()
            self.accounts.append(emulator)
            self.arm.add_account({
                "name": spec["name"], "subscription_id": self.subscription_ids[spec.get("subscription", 0)],
                "resource_group": spec.get("resource_group", "batch"), "location": spec.get("location", "westeurope"),
                "tags": spec.get("tags") or {}, "pool_allocation_mode": spec.get("pool_allocation_mode", "BatchService"),
                "quotas": dict(DEFAULT_QUOTAS, **(spec.get("quotas") or {})),
                "endpoint": _endpoint_of(emulator)})
        self.arm_url = first.url
        self.ca_path = os.path.join(self.state_dir, "fleet-ca.pem")
        with open(self.ca_path, "wb") as bundle:
            for emulator in self.accounts:
                with open(emulator.ca_path, "rb") as handle:
                    bundle.write(handle.read())
        return self

    def stop(self):
        for emulator in reversed(self.accounts):
            emulator.stop()
        self.accounts = []
        if self._own_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def describe(self):
        """JSON-ready: the ARM URL, the CA bundle, the tenant's credentials and each account (they include secrets)."""
        return {"arm_url": self.arm_url, "ca_path": self.ca_path, "identity": self.identity.describe(),
                "subscription_ids": self.subscription_ids,
                "accounts": [{"name": emu.account_name, "url": emu.url, "key": emu.account_key, "ca_path": emu.ca_path}
                             for emu in self.accounts]}


class _RemoteAccount:  # pylint: disable=too-few-public-methods
    """One account of a fleet served by another process: url, account_name, account_key, ca_path, admin."""

    def __init__(self, described):
        self.url, self.account_name, self.account_key = described["url"], described["name"], described["key"]
        self.ca_path = described["ca_path"]
        self._admin = None

    @property
    def admin(self):
        if self._admin is None:
            from .admin_client import AdminClient  # pylint: disable=import-outside-toplevel
            self._admin = AdminClient(self.url, self.ca_path)
        return self._admin


class _RemoteIdentity:  # pylint: disable=too-few-public-methods
    def __init__(self, described):
        self._described = described
        self.authority_host = described["authority_host"]
        self.tenant_id, self.client_id, self.client_secret = described["tenant_id"], described["client_id"], described["client_secret"]

    def describe(self):
        return dict(self._described)


class FleetProcess:  # pylint: disable=too-many-instance-attributes
    """A Fleet served by ``python -m tests.emulator.fleet`` in a process of its own, with the same attributes."""

    def __init__(self, accounts=3, subscriptions=1, terminate_delay=1.0, latency_ms=0, arm_page_size=2):  # pylint: disable=too-many-arguments
        self.state_dir = tempfile.mkdtemp(prefix="batch-fleet-process-")
        self.state_file = os.path.join(self.state_dir, "fleet.json")
        self.command = [sys.executable, "-m", "tests.emulator.fleet", "--accounts", str(accounts),
                        "--subscriptions", str(subscriptions), "--terminate-delay", str(terminate_delay),
                        "--latency-ms", str(latency_ms), "--arm-page-size", str(arm_page_size),
                        "--state-dir", os.path.join(self.state_dir, "fleet"), "--state-file", self.state_file]
        self.process = None
        self.arm_url = self.ca_path = self.identity = None
        self.accounts, self.subscription_ids = [], []

    def start(self, timeout=120):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(self.state_dir, "fleet.log"), "wb") as log:
            self.process = subprocess.Popen(self.command, cwd=root, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.state_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("The fleet emulator did not start: " + " ".join(self.command))
            time.sleep(0.05)
        with open(self.state_file, encoding="utf-8") as handle:
            described = json.load(handle)
        self.arm_url, self.ca_path = described["arm_url"], described["ca_path"]
        self.identity = _RemoteIdentity(described["identity"])
        self.subscription_ids = described["subscription_ids"]
        self.accounts = [_RemoteAccount(account) for account in described["accounts"]]
        return self

    def stop(self):
        stop_process(self.process)
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.emulator.fleet", description="Several emulated Batch accounts and ARM.")
    parser.add_argument("--accounts", type=int, default=3)
    parser.add_argument("--subscriptions", type=int, default=1)
    parser.add_argument("--terminate-delay", type=float, default=1.0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--arm-page-size", type=int, default=2)
    parser.add_argument("--state-dir", help="certificates and identity files (default: a temporary directory)")
    parser.add_argument("--state-file", required=True, help="JSON of Fleet.describe(), written once ready (mode 0600)")
    parser.add_argument("--seed-file", help="JSON like POST /_admin/seed, given to every account")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    fleet = Fleet(args.accounts, args.subscriptions, args.terminate_delay, args.latency_ms, args.arm_page_size,
                  state_dir=args.state_dir).start()
    try:
        if args.seed_file:
            with open(args.seed_file, encoding="utf-8") as handle:
                jobs = json.load(handle).get("jobs") or []
            for emulator in fleet.accounts:
                emulator.store.seed(jobs)
        temporary = args.state_file + ".tmp"
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
            json.dump(fleet.describe(), handle, indent=2)
        os.replace(temporary, args.state_file)
        print(f"Batch fleet emulator: {len(fleet.accounts)} accounts, ARM at {fleet.arm_url}", file=sys.stderr, flush=True)
        stop.wait()
    finally:
        fleet.stop()
        try:
            os.unlink(args.state_file)
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
