# -*- coding: utf-8 -*-
"""Run a module's main() in-process against the emulator and return its JSON result."""

import contextlib
import json
import uuid
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible_collections.azure_batch.ops.plugins.module_utils import batch_auth

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 reads the arguments from basic._ANSIBLE_ARGS
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
        secrets = _SecretsSeen()
        with patch_module_args({k: v for k, v in args.items() if v is not None}), secrets.watch():
            with pytest.raises(SystemExit) as exited:
                module.main()
        result = secrets.as_the_controller_takes(json.loads(capsys.readouterr().out))
        assert bool(exited.value.code) == bool(result.get('failed')), result
        return result

    return run


class _SecretsSeen:
    """What the controller does with a module's raw result: ansible-core 2.22 and later add `_ansible_new_secrets`,
    the values the run registered for masking, which the controller removes. Here the list may hold only the
    values of no_log options and the credentials batch_auth registered (Shared Key signatures, Entra ID tokens),
    and none of them may appear anywhere in the result."""

    def __init__(self):
        self.no_log_values = set()
        self.registered = set()

    @contextlib.contextmanager
    def watch(self):
        return_formatted = basic.AnsibleModule._return_formatted
        register_secret = batch_auth.register_secret

        def seen_return_formatted(module, kwargs):
            self.no_log_values.update(module.no_log_values)
            return return_formatted(module, kwargs)

        def seen_register_secret(value):
            self.registered.add(value)
            return register_secret(value)

        with mock.patch.object(basic.AnsibleModule, '_return_formatted', seen_return_formatted), \
                mock.patch.object(batch_auth, 'register_secret', seen_register_secret):
            yield

    def as_the_controller_takes(self, raw):
        new_secrets = raw.pop('_ansible_new_secrets', [])
        unexpected = [value for value in new_secrets if value not in self.no_log_values | self.registered]
        assert not unexpected, 'registered secrets that are neither no_log values nor credentials: %d' % len(unexpected)
        shown = json.dumps(raw)
        assert not [value for value in new_secrets if value in shown], 'a registered secret is in the result'
        return raw


@pytest.fixture
def unique():
    """A fresh id prefix, so tests sharing one emulator never touch each other's jobs."""
    return lambda prefix='t': '%s-%s' % (prefix, uuid.uuid4().hex[:12])


def requests_for(emulator, fragment, method=None):
    """The emulator's logged Batch requests whose path contains fragment."""
    return [entry for entry in emulator.admin.requests()
            if fragment.lower() in entry['path'].lower() and (method is None or entry['method'] == method)]
