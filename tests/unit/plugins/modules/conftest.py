# -*- coding: utf-8 -*-
"""Run a module's main() in-process against the emulator and return its JSON result."""

import contextlib
import json
import uuid
from unittest import mock

import pytest

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the arguments from basic._ANSIBLE_ARGS
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()):
            yield

AZURE_ENV = ('AZURE_BATCH_ENDPOINT', 'AZURE_BATCH_ACCOUNT', 'AZURE_BATCH_ACCESS_KEY', 'AZURE_CLIENT_ID', 'AZURE_SECRET',
             'AZURE_CLIENT_SECRET', 'AZURE_TENANT', 'AZURE_TENANT_ID', 'AZURE_CLIENT_CERTIFICATE_PATH',
             'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_PROFILE', 'AZURE_CLOUD_ENVIRONMENT', 'AZURE_AUTHORITY_HOST',
             'IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'MSI_ENDPOINT')


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in AZURE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('AZURE_CONFIG_DIR', str(tmp_path / 'azure-config'))


@pytest.fixture
def run_module(emulator, capsys, clean_env):
    """run_module(module, check_mode=False, diff=False, **args) -> result dict with 'failed' set on failure."""

    def run(module, check_mode=False, diff=False, verbosity=0, **args):
        connection = {'batch_url': emulator.url, 'ca_path': emulator.ca_path,
                      'batch_account_name': emulator.account_name, 'batch_account_key': emulator.account_key}
        args = dict(connection, **args)
        args.update({'_ansible_check_mode': check_mode, '_ansible_diff': diff, '_ansible_verbosity': verbosity})
        with patch_module_args({k: v for k, v in args.items() if v is not None}):
            with pytest.raises(SystemExit) as exited:
                module.main()
        result = json.loads(capsys.readouterr().out)
        assert bool(exited.value.code) == bool(result.get('failed')), result
        return result

    return run


@pytest.fixture
def unique():
    """A fresh id prefix, so tests sharing one emulator never touch each other's jobs."""
    return lambda prefix='t': '%s-%s' % (prefix, uuid.uuid4().hex[:12])


def requests_for(emulator, fragment, method=None):
    """The emulator's logged Batch requests whose path contains fragment."""
    return [entry for entry in emulator.admin.requests()
            if fragment.lower() in entry['path'].lower() and (method is None or entry['method'] == method)]
