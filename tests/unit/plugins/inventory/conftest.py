# -*- coding: utf-8 -*-
"""The `fleet` fixture: five emulated Batch accounts in two subscriptions, served by one process of their own.

Started by this process before any test forks (ansible-test runs each test in a forked child), as the
root conftest starts the single-account emulator, and stopped at the end of the session.
"""

import json
import os
import subprocess
import sys

import pytest
import requests

from ansible_collections.azure_batch.ops.tests.unit.auth_support import clear_azure_env, make_collections_path

_RUNNING = []
ACCOUNTS = 5
SUBSCRIPTIONS = 2


def _fleet():
    if not _RUNNING:
        from ansible_collections.azure_batch.ops.tests.emulator.fleet import FleetProcess  # pylint: disable=import-outside-toplevel

        _RUNNING.append(FleetProcess(accounts=ACCOUNTS, subscriptions=SUBSCRIPTIONS, terminate_delay=0.2).start())
    return _RUNNING[0]


def pytest_collection_modifyitems(items):
    if any('fleet' in item.fixturenames for item in items):
        _fleet()


def pytest_sessionfinish():
    while _RUNNING:
        _RUNNING.pop().stop()


@pytest.fixture
def fleet():
    """The fleet with everyone reading every subscription and no faults (as each test starts)."""
    running = _fleet()
    requests.delete(running.arm_url + '/_fleet/readers', verify=running.ca_path, timeout=30).raise_for_status()
    running.accounts[0].admin.clear_faults()
    return running


@pytest.fixture
def fleet_env(fleet, monkeypatch, tmp_path):
    """The environment of an ansible run with the fleet tenant's client secret (AWX's Azure credential names)."""
    clear_azure_env(monkeypatch, tmp_path)
    described = fleet.identity.describe()
    env = dict(os.environ, AZURE_CLIENT_ID=described['client_id'], AZURE_SECRET=described['client_secret'],
               AZURE_TENANT=described['tenant_id'], AZURE_AUTHORITY_HOST=fleet.identity.authority_host,
               ANSIBLE_COLLECTIONS_PATH=str(make_collections_path(tmp_path)), ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_NOCOLOR='true', ANSIBLE_FORCE_COLOR='false')
    return env


@pytest.fixture
def write_inventory(fleet, tmp_path):
    """write(**options) -> the path of a batch_accounts inventory file for the fleet."""
    def write(name='fleet.batch_accounts.yml', **options):
        config = dict({'plugin': 'azure_batch.ops.batch_accounts', 'arm_endpoint': fleet.arm_url, 'ca_path': fleet.ca_path},
                      **options)
        path = tmp_path / name
        path.write_text(json.dumps(config))  # JSON is YAML
        return path
    return write


def ansible_cli(tool, args, env, timeout=300):
    """Run ansible-inventory / ansible-playbook of the ansible-core running the tests (ansible-test puts none on PATH)."""
    code = 'import sys; from ansible.cli.%s import main; sys.argv[0] = "ansible-%s"; main()' % (tool, tool)
    return subprocess.run([sys.executable, '-c', code] + list(args), env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
