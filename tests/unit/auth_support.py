# -*- coding: utf-8 -*-
"""What the auth tests share: the emulator's identities as module options and environment, a clean Azure
environment, AWX's injected variables, a collections path and the emulator's request log.

Plain helpers, importable from the module tests and from the controller tests (tests/unit/awx).
"""

import os
import stat
from pathlib import Path

COLLECTION_ROOT = Path(__file__).resolve().parents[2]
TOKEN_PATHS = ('/oauth2/v2.0/token', '/msi/token')
# Everything the modules, azure-identity or the emulator's az stand-in read from the environment.
AZURE_ENV = ('AZURE_BATCH_ENDPOINT', 'AZURE_BATCH_ACCOUNT', 'AZURE_BATCH_ACCESS_KEY', 'AZURE_CLIENT_ID', 'AZURE_SECRET',
             'AZURE_CLIENT_SECRET', 'AZURE_TENANT', 'AZURE_TENANT_ID', 'AZURE_CLIENT_CERTIFICATE_PATH',
             'AZURE_CLIENT_CERTIFICATE_PASSWORD', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_PROFILE', 'AZURE_CLOUD_ENVIRONMENT',
             'AZURE_AUTHORITY_HOST', 'AZURE_SUBSCRIPTION_ID', 'AZURE_USERNAME', 'AZURE_PASSWORD', 'AZURE_REGIONAL_AUTHORITY_NAME',
             'AZURE_TOKEN_CREDENTIALS', 'AZURE_POD_IDENTITY_AUTHORITY_HOST', 'IDENTITY_ENDPOINT', 'IDENTITY_HEADER',
             'IDENTITY_SERVER_THUMBPRINT', 'IMDS_ENDPOINT', 'MSI_ENDPOINT', 'MSI_SECRET',
             'BATCH_EMULATOR_URL', 'BATCH_EMULATOR_CA', 'BATCH_EMULATOR_TENANT', 'BATCH_EMULATOR_AZ_LOGGED_OUT')
# run_module signs with the emulator's Shared Key unless these are cleared.
WITHOUT_SHARED_KEY = {'batch_account_name': None, 'batch_account_key': None}


def clear_azure_env(monkeypatch, tmp_path):
    """Unset every Azure variable and point AZURE_CONFIG_DIR at an empty directory; return a setter for new ones."""
    for name in AZURE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('AZURE_CONFIG_DIR', str(tmp_path / 'azure-config'))

    def set_env(values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    return set_env


def identity(emulator):
    """The emulator's tenant, app, certificates, federated token, managed identity endpoint and az stand-in."""
    described = emulator.identity.describe()
    described['client_secret'] = emulator.identity.client_secret
    return described


def entra_options(emulator, **options):
    """Module options for an Entra ID source against the emulator: no Shared Key, the emulator as authority."""
    return dict(WITHOUT_SHARED_KEY, authority_host=emulator.identity.authority_host, **options)


def managed_identity_env(emulator):
    """What App Service / Container Apps set for a managed identity (azure-identity reads them)."""
    found = identity(emulator)
    return {'IDENTITY_ENDPOINT': found['msi_endpoint'], 'IDENTITY_HEADER': found['identity_header']}


def cli_env(emulator, az_dir=None):
    """PATH with the az stand-in (or az_dir) first, and what the stand-in needs to reach the emulator."""
    found = identity(emulator)
    return {'PATH': (az_dir or found['az_path']) + os.pathsep + os.environ.get('PATH', ''),
            'BATCH_EMULATOR_URL': emulator.url, 'BATCH_EMULATOR_CA': emulator.ca_path,
            'BATCH_EMULATOR_TENANT': found['tenant_id']}


def aks_workload_identity_env(emulator):
    """What the AKS workload identity webhook injects into a pod (AWX container groups on AKS)."""
    found = identity(emulator)
    return {'AZURE_CLIENT_ID': found['client_id'], 'AZURE_TENANT_ID': found['tenant_id'],
            'AZURE_FEDERATED_TOKEN_FILE': found['federated_token_file'], 'AZURE_AUTHORITY_HOST': emulator.identity.authority_host}


def awx_azure_rm_env(client_id, secret, tenant, subscription=''):
    """The variables AWX's built-in Microsoft Azure Resource Manager credential injects for a service principal.

    As AWX's injector writes them: AZURE_SUBSCRIPTION_ID always (empty when not given), and no Batch URL.
    """
    return {'AZURE_SUBSCRIPTION_ID': subscription, 'AZURE_CLIENT_ID': client_id, 'AZURE_SECRET': secret, 'AZURE_TENANT': tenant}


def counting_az(directory, emulator):
    """An az in directory that records each call in directory/az-calls, then runs the emulator's stand-in."""
    calls = directory / 'az-calls'
    script = directory / 'az'
    script.write_text('#!/bin/sh\necho "$1 $2" >> "%s"\nexec "%s" "$@"\n' % (calls, os.path.join(identity(emulator)['az_path'], 'az')))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return calls


def write_credentials_file(config_dir, profiles):
    """An ~/.azure/credentials file (INI) with the given {profile: {key: value}} in config_dir."""
    config_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, values in profiles.items():
        lines.append('[%s]' % name)
        lines.extend('%s=%s' % pair for pair in values.items())
    (config_dir / 'credentials').write_text('\n'.join(lines) + '\n')


def make_collections_path(tmp_path):
    """A fresh collections path holding only this collection, for ansible, ansible-runner and ansible-builder."""
    namespace = tmp_path / 'collections' / 'ansible_collections' / 'azure_batch'
    namespace.mkdir(parents=True)
    (namespace / 'ops').symlink_to(COLLECTION_ROOT, target_is_directory=True)
    return tmp_path / 'collections'


class RequestWatch:
    """The emulator's requests logged after this watch was made (log sequence numbers keep growing across clears)."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.after = max((entry['seq'] for entry in emulator.admin.requests()), default=0)

    def entries(self):
        return [entry for entry in self.emulator.admin.requests() if entry['seq'] > self.after]

    def token_requests(self):
        return [entry for entry in self.entries() if entry['path'].endswith(TOKEN_PATHS)]

    def batch_requests(self):
        return [entry for entry in self.entries() if entry['path'].startswith('/jobs')]
