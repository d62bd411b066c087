# -*- coding: utf-8 -*-
"""Auth failures against the emulator: one sentence naming what is missing or refused, never a secret."""

import json
import re

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_info
from ansible_collections.azure_batch.ops.tests.emulator import Emulator
from ansible_collections.azure_batch.ops.tests.unit.auth_support import (
    WITHOUT_SHARED_KEY, RequestWatch, cli_env, entra_options, identity, managed_identity_env,
)

ONE_SENTENCE = re.compile(r'[^\n]+[.)]')


def _failed(result):
    assert result.get('failed') is True, result
    assert ONE_SENTENCE.fullmatch(result['msg']), result['msg']
    return result['msg']


MISSING = {
    'shared_key': ({'batch_account_key': None}, 'auth_source shared_key needs batch_account_key (or env AZURE_BATCH_ACCESS_KEY).'),
    'client_secret': ({'client_id': 'app', 'secret': 'typed-but-no-tenant'},
                      'auth_source client_secret needs tenant (or env AZURE_TENANT or AZURE_TENANT_ID).'),
    'certificate': ({'client_id': 'app', 'tenant': 'tid'},
                    'auth_source certificate needs client_certificate_path (or env AZURE_CLIENT_CERTIFICATE_PATH).'),
    'workload_identity': ({'tenant': 'tid'}, 'auth_source workload_identity needs client_id (or env AZURE_CLIENT_ID) and '
                          'federated_token_file (or env AZURE_FEDERATED_TOKEN_FILE).'),
    'env': ({}, 'auth_source env found no complete credential in the environment: set AZURE_BATCH_ACCOUNT and AZURE_BATCH_ACCESS_KEY'),
    'credential_file': ({'profile': 'ops'}, 'auth_source credential_file needs profile [ops] in '),
    'cli': ({}, 'auth_source cli needs the Azure CLI: az was not found on PATH'),
    'auto': ({'batch_account_key': None}, 'auth_source auto found a partial shared_key credential; it also needs batch_account_key '
             '(or env AZURE_BATCH_ACCESS_KEY).'),
}


@pytest.mark.parametrize('source', sorted(MISSING))
def test_missing_credential_is_one_sentence_naming_options_and_env(source, run_module, emulator, auth_env, monkeypatch):
    options, expected = MISSING[source]
    monkeypatch.setenv('PATH', '/nonexistent')  # no az, and the module needs no other program
    if source not in ('shared_key', 'auto'):
        options = dict(WITHOUT_SHARED_KEY, **options)
    watch = RequestWatch(emulator)
    result = run_module(batch_job_info, auth_source=source, **options)
    assert _failed(result).startswith(expected)
    assert 'typed-but-no-tenant' not in json.dumps(result)
    assert not watch.entries()  # nothing was sent


def test_no_credential_at_all_lists_the_ways(run_module, auth_env, monkeypatch):
    monkeypatch.setenv('PATH', '/nonexistent')
    msg = _failed(run_module(batch_job_info, **WITHOUT_SHARED_KEY))
    assert msg.startswith('No Batch credential was found: set batch_account_name and batch_account_key (env AZURE_BATCH_ACCOUNT, '
                          'AZURE_BATCH_ACCESS_KEY), or client_id, secret and tenant (env AZURE_CLIENT_ID, AZURE_SECRET, AZURE_TENANT)')


def test_wrong_client_secret_names_the_aadsts_code_and_hides_the_secret(run_module, emulator, auth_env):
    ids = identity(emulator)
    wrong = 'Wr0ng~' + ids['client_secret'][::-1]
    watch = RequestWatch(emulator)
    options = entra_options(emulator, auth_source='client_secret', client_id=ids['client_id'], secret=wrong, tenant=ids['tenant_id'])
    result = run_module(batch_job_info, **options)
    msg = _failed(result)
    assert 'with auth_source client_secret: AADSTS7000215: Invalid client secret provided.' in msg
    assert 'Trace ID' not in msg and 'Correlation ID' not in msg
    assert wrong not in json.dumps(result) and ids['client_secret'] not in json.dumps(result)
    assert len(watch.token_requests()) == 1 and not watch.batch_requests()


def test_unknown_user_assigned_identity(run_module, emulator, auth_env):
    auth_env(managed_identity_env(emulator))
    msg = _failed(run_module(batch_job_info, **entra_options(emulator, auth_source='msi', msi_client_id='0badc0de-0000-4000-8000-000000000000')))
    assert 'with auth_source msi:' in msg and 'Unable to load the proper Managed Identity' in msg


@pytest.mark.slow  # azure-identity retries the unreachable endpoint for about 5 s
def test_managed_identity_without_an_endpoint_says_what_it_needs(run_module, emulator, auth_env):
    # No IDENTITY_ENDPOINT: azure-identity asks the VM instance metadata service, here a closed local port.
    auth_env({'AZURE_POD_IDENTITY_AUTHORITY_HOST': 'http://127.0.0.1:9'})
    msg = _failed(run_module(batch_job_info, **entra_options(emulator, auth_source='msi')))
    assert msg.endswith('a managed identity needs IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service, Container Apps) '
                        'or the instance metadata service of an Azure VM.')


@pytest.mark.slow  # azure-identity retries the failed TLS handshake for about 5 s
def test_managed_identity_trusts_ca_path_only(run_module, emulator, auth_env):
    # The machine's bundle does not hold the emulator's CA, so success needs ca_path to reach msal's
    # managed identity client (azure-identity's connection_verify); without it the token request fails on TLS.
    auth_env(managed_identity_env(emulator))
    msg = _failed(run_module(batch_job_info, **entra_options(emulator, auth_source='msi', ca_path=None)))
    assert 'with auth_source msi:' in msg and 'CERTIFICATE_VERIFY_FAILED' in msg


def test_logged_out_cli(run_module, emulator, auth_env):
    auth_env(dict(cli_env(emulator), BATCH_EMULATOR_AZ_LOGGED_OUT='1'))
    msg = _failed(run_module(batch_job_info, **entra_options(emulator, auth_source='cli')))
    assert "Please run 'az login'" in msg
    assert msg.endswith('run az login as the user that runs the module, or choose another auth_source.')


def test_token_of_another_cloud_is_refused_with_a_clear_401(run_module, auth_env):
    # An account in the public cloud, a playbook that says AzureChinaCloud: Entra ID issues a token for
    # https://batch.chinacloudapi.cn/ and the Batch service refuses it.
    with Emulator() as public_only:
        public_only.identity.accepted_audiences = {'https://batch.core.windows.net/'}
        ids = identity(public_only)
        result = run_module(batch_job_info, batch_url=public_only.url, ca_path=public_only.ca_path,
                            **entra_options(public_only, auth_source='client_secret', client_id=ids['client_id'],
                                            secret=ids['client_secret'], tenant=ids['tenant_id'],
                                            cloud_environment='AzureChinaCloud'))
        logged = public_only.admin.requests()
    msg = _failed(result)
    assert result['status'] == 401 and result['error']['code'] == 'AuthenticationFailed'
    assert msg.startswith('Could not read the jobs: HTTP 401 AuthenticationFailed: ') and 'cloud_environment' in msg
    # The service's reason is in the sentence, not only in the structured fields.
    assert "audience 'https://batch.chinacloudapi.cn/' is not an Azure Batch resource" in msg
    assert "audience 'https://batch.chinacloudapi.cn/' is not an Azure Batch resource" in json.dumps(result['error'])
    assert [entry['status'] for entry in logged if entry['path'].startswith('/jobs')] == [401]
