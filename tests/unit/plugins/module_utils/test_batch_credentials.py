# -*- coding: utf-8 -*-
"""Credential resolution: the documented auto order, env names (AWX's and azure-identity's), partial credentials."""
import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import CredentialError, resolve

KEY = 'c2VjcmV0LWtleS1mb3ItdGVzdHM='
SP_ENV = {'AZURE_CLIENT_ID': 'app', 'AZURE_SECRET': 's3cret', 'AZURE_TENANT': 'tid'}


def _resolve(params=None, environ=None, home='/nonexistent'):
    return resolve(dict({'auth_source': 'auto'}, **(params or {})), environ=dict({'PATH': ''}, **(environ or {})), home=home)


def test_shared_key_from_options_wins_over_environment_service_principal():
    plan = _resolve({'batch_account_name': 'acct', 'batch_account_key': KEY}, SP_ENV)
    assert plan.used == 'shared_key' and plan.values['batch_account_name'] == 'acct'


@pytest.mark.parametrize('environ', [
    SP_ENV,
    {'AZURE_CLIENT_ID': 'app', 'AZURE_CLIENT_SECRET': 's3cret', 'AZURE_TENANT_ID': 'tid'},
])
def test_awx_and_azure_identity_names_give_a_client_secret(environ):
    plan = _resolve(environ=environ)
    assert plan.used == 'client_secret'
    assert plan.values == {'client_id': 'app', 'secret': 's3cret', 'tenant': 'tid', 'client_certificate_password': None}


def test_empty_environment_values_count_as_unset():
    plan = _resolve(environ={'AZURE_BATCH_ACCOUNT': '', 'AZURE_BATCH_ACCESS_KEY': '', 'AZURE_SECRET': '',
                             'AZURE_CLIENT_SECRET': 's3cret', 'AZURE_CLIENT_ID': 'app', 'AZURE_TENANT': '',
                             'AZURE_TENANT_ID': 'tid'})
    assert plan.used == 'client_secret' and plan.values['secret'] == 's3cret' and plan.values['tenant'] == 'tid'


def test_auto_order_certificate_then_workload_then_msi_then_cli(tmp_path):
    base = {'AZURE_CLIENT_ID': 'app', 'AZURE_TENANT_ID': 'tid'}
    assert _resolve(environ=dict(base, AZURE_CLIENT_CERTIFICATE_PATH='/c.pem')).used == 'certificate'
    assert _resolve(environ=dict(base, AZURE_FEDERATED_TOKEN_FILE='/t')).used == 'workload_identity'
    assert _resolve(environ={'IDENTITY_ENDPOINT': 'https://127.0.0.1/msi', 'IDENTITY_HEADER': 'h'}).used == 'msi'
    az = tmp_path / 'az'
    az.write_text('#!/bin/sh\n')
    az.chmod(0o755)
    assert _resolve(environ={'PATH': str(tmp_path)}).used == 'cli'


def test_credentials_file_profile(tmp_path):
    (tmp_path / '.azure').mkdir()
    (tmp_path / '.azure' / 'credentials').write_text(
        '[default]\nclient_id=app\nsecret=s3cret\ntenant=tid\n[batch]\nbatch_account_name=acct\nbatch_account_key=%s\n' % KEY)
    plan = _resolve(home=str(tmp_path))
    assert plan.used == 'credential_file' and plan.source == 'client_secret'
    plan = resolve({'auth_source': 'credential_file', 'profile': 'batch'}, environ={}, home=str(tmp_path))
    assert plan.source == 'shared_key' and plan.values['batch_account_name'] == 'acct'
    with pytest.raises(CredentialError, match=r'needs profile \[nope\]'):
        resolve({'auth_source': 'credential_file', 'profile': 'nope'}, environ={}, home=str(tmp_path))


def test_nothing_found_lists_the_ways():
    with pytest.raises(CredentialError, match='^No Batch credential was found: set batch_account_name'):
        _resolve()


def test_partial_shared_key_names_what_is_missing():
    with pytest.raises(CredentialError) as err:
        _resolve({'batch_account_name': 'acct'})
    assert str(err.value) == ('auth_source auto found a partial shared_key credential; it also needs batch_account_key '
                              '(or env AZURE_BATCH_ACCESS_KEY).')


def test_explicit_source_names_missing_options_and_variables():
    with pytest.raises(CredentialError) as err:
        resolve({'auth_source': 'client_secret', 'client_id': 'app'}, environ={})
    assert str(err.value) == ('auth_source client_secret needs secret (or env AZURE_SECRET or AZURE_CLIENT_SECRET) '
                              'and tenant (or env AZURE_TENANT or AZURE_TENANT_ID).')


def test_env_source_ignores_options():
    with pytest.raises(CredentialError, match='^auth_source env found no complete credential'):
        resolve({'auth_source': 'env', 'batch_account_name': 'a', 'batch_account_key': KEY}, environ={})
    assert resolve({'auth_source': 'env'}, environ=SP_ENV).source == 'client_secret'


def test_bad_key_and_cloud_are_one_sentence():
    with pytest.raises(CredentialError, match='^batch_account_key is not valid base64'):
        _resolve({'batch_account_name': 'acct', 'batch_account_key': 'not-a-key!'})
    with pytest.raises(CredentialError, match='^cloud_environment must be one of AzureChinaCloud, AzureCloud, AzureUSGovernment'):
        _resolve({'cloud_environment': 'AzureMars'})


def test_cloud_environment_sets_authority_and_scope():
    plan = _resolve({'cloud_environment': 'AzureChinaCloud'}, SP_ENV)
    assert plan.authority_host == 'https://login.chinacloudapi.cn'
    assert plan.build().scope == 'https://batch.chinacloudapi.cn//.default'
    assert _resolve(environ=dict(SP_ENV, AZURE_AUTHORITY_HOST='https://127.0.0.1:9')).authority_host == 'https://127.0.0.1:9'


def test_ca_path_and_validate_certs():
    assert _resolve({'ca_path': '/ca.pem'}, SP_ENV).verify == '/ca.pem'
    assert _resolve({'validate_certs': False, 'ca_path': '/ca.pem'}, SP_ENV).verify is False
    assert _resolve({}, SP_ENV).verify is True
