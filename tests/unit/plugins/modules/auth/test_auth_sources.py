# -*- coding: utf-8 -*-
"""Every auth source end to end: a module run against the emulator with the real azure-identity.

Each case terminates three jobs (one list request reads them, then parallel terminates) and checks what the emulator saw: every Batch
request carried a Bearer token (or the Shared Key, for that source) and exactly one token was fetched
for the whole run. auth_source_used must name the source. Then auto, with each source offered together
with every source after it in the documented order, must take that source.
"""

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_info, batch_job_terminate
from ansible_collections.azure_batch.ops.tests.unit.auth_support import (
    RequestWatch, aks_workload_identity_env, cli_env, counting_az, entra_options, identity, managed_identity_env,
    write_credentials_file,
)


def _secret_options(ids):
    return {'client_id': ids['client_id'], 'secret': ids['client_secret'], 'tenant': ids['tenant_id']}


# case id -> (emulator, identity, tmp_path) -> (module options, environment, expected auth_source_used)
CASES = {
    'client_secret-options': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='client_secret', **_secret_options(ids)), {}, 'client_secret'),
    'client_secret-awx-env': lambda emu, ids, tmp: (
        {'batch_account_name': None, 'batch_account_key': None, 'auth_source': 'client_secret'},
        {'AZURE_CLIENT_ID': ids['client_id'], 'AZURE_SECRET': ids['client_secret'], 'AZURE_TENANT': ids['tenant_id'],
         'AZURE_SUBSCRIPTION_ID': '', 'AZURE_AUTHORITY_HOST': emu.identity.authority_host}, 'client_secret'),
    'client_secret-azure-identity-env': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='client_secret'),
        {'AZURE_CLIENT_ID': ids['client_id'], 'AZURE_CLIENT_SECRET': ids['client_secret'], 'AZURE_TENANT_ID': ids['tenant_id']},
        'client_secret'),
    'certificate-pem': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='certificate', client_id=ids['client_id'], tenant=ids['tenant_id'],
                      client_certificate_path=ids['client_cert_path']), {}, 'certificate'),
    'certificate-encrypted-pem': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='certificate', client_id=ids['client_id'], tenant=ids['tenant_id'],
                      client_certificate_path=ids['client_cert_encrypted_path'],
                      client_certificate_password=ids['client_cert_password']), {}, 'certificate'),
    'certificate-pfx-env': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='certificate'),
        {'AZURE_CLIENT_ID': ids['client_id'], 'AZURE_TENANT_ID': ids['tenant_id'],
         'AZURE_CLIENT_CERTIFICATE_PATH': ids['client_cert_pfx_path'],
         'AZURE_CLIENT_CERTIFICATE_PASSWORD': ids['client_cert_password']}, 'certificate'),
    'workload_identity-options': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='workload_identity', client_id=ids['client_id'], tenant=ids['tenant_id'],
                      federated_token_file=ids['federated_token_file']), {}, 'workload_identity'),
    'workload_identity-aks-env': lambda emu, ids, tmp: (
        {'batch_account_name': None, 'batch_account_key': None, 'auth_source': 'workload_identity'},
        aks_workload_identity_env(emu), 'workload_identity'),
    'msi-system-assigned': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='msi'), managed_identity_env(emu), 'msi'),
    'msi-user-assigned': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='msi', msi_client_id=ids['msi_client_id']), managed_identity_env(emu), 'msi'),
    'credential_file-service-principal': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='credential_file'), {'AZURE_CONFIG_DIR': str(tmp / 'azure')}, 'credential_file'),
    'env-awx-names': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='env'),
        {'AZURE_CLIENT_ID': ids['client_id'], 'AZURE_SECRET': ids['client_secret'], 'AZURE_TENANT': ids['tenant_id']},
        'client_secret'),
    'default-environment-credential': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='default'),
        {'AZURE_CLIENT_ID': ids['client_id'], 'AZURE_CLIENT_SECRET': ids['client_secret'], 'AZURE_TENANT_ID': ids['tenant_id']},
        'default'),
    'default-workload-identity': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='default'), aks_workload_identity_env(emu), 'default'),
    'default-managed-identity': lambda emu, ids, tmp: (
        entra_options(emu, auth_source='default'), managed_identity_env(emu), 'default'),
}


def _assert_one_bearer_run(result, watch, job_ids, expected_used):
    assert result.get('failed') is not True, result.get('msg')
    assert result['auth_source_used'] == expected_used
    assert (result['summary']['total'], result['summary']['changed']) == (3, 3)
    batch = watch.batch_requests()
    # One list reads the three jobs (id eq ... or ...), then three terminates.
    listed, posted = batch[0], batch[1:]
    assert listed['path'] == '/jobs' and all(job_id in listed['query']['$filter'] for job_id in job_ids)
    assert {entry['path'].split('/')[2] for entry in posted} == set(job_ids)
    assert [entry['auth_scheme'] for entry in batch] == ['Bearer'] * len(batch) and len(batch) == 4


@pytest.mark.parametrize('case', sorted(CASES))
def test_source_terminates_jobs_with_one_bearer_token(case, run_module, emulator, auth_env, tmp_path, three_jobs):
    ids = identity(emulator)
    options, env, expected_used = CASES[case](emulator, ids, tmp_path)
    if case.startswith('credential_file'):
        write_credentials_file(tmp_path / 'azure', {'default': _secret_options(ids)})
    auth_env(env)
    watch = RequestWatch(emulator)
    result = run_module(batch_job_terminate, job_ids=three_jobs, parallel=3, **options)
    _assert_one_bearer_run(result, watch, three_jobs, expected_used)
    assert len(watch.token_requests()) == 1, watch.token_requests()


def test_cli_runs_az_once_for_a_parallel_run(run_module, emulator, auth_env, tmp_path, three_jobs):
    calls = counting_az(tmp_path, emulator)
    auth_env(cli_env(emulator, az_dir=str(tmp_path)))
    watch = RequestWatch(emulator)
    result = run_module(batch_job_terminate, job_ids=three_jobs, parallel=3, **entra_options(emulator, auth_source='cli'))
    _assert_one_bearer_run(result, watch, three_jobs, 'cli')
    assert calls.read_text().splitlines() == ['account get-access-token']
    assert not watch.token_requests()  # the stand-in gets its token from the admin API, not the token endpoint


def test_credential_file_shared_key_profile(run_module, emulator, auth_env, tmp_path, unique):
    job_id = unique('auth')
    emulator.admin.add_job(job_id, state='active')
    write_credentials_file(tmp_path / 'azure', {'batch': {'batch_account_name': emulator.account_name,
                                                          'batch_account_key': emulator.account_key}})
    auth_env({'AZURE_CONFIG_DIR': str(tmp_path / 'azure'), 'AZURE_PROFILE': 'batch'})
    watch = RequestWatch(emulator)
    result = run_module(batch_job_terminate, job_id=job_id, **entra_options(emulator, auth_source='credential_file'))
    assert result['changed'] is True and result['auth_source_used'] == 'credential_file'
    assert {entry['auth_scheme'] for entry in watch.batch_requests()} == {'SharedKey'}
    assert not watch.token_requests()


def test_shared_key_from_awx_style_env_never_asks_for_a_token(run_module, emulator, auth_env, unique):
    job_id = unique('auth')
    emulator.admin.add_job(job_id, state='active')
    auth_env({'AZURE_BATCH_ENDPOINT': emulator.url, 'AZURE_BATCH_ACCOUNT': emulator.account_name,
              'AZURE_BATCH_ACCESS_KEY': emulator.account_key,
              # An Azure Stack cloud of AWX's Azure credential means nothing to Shared Key.
              'AZURE_CLOUD_ENVIRONMENT': 'https://management.local.azurestack.external/'})
    watch = RequestWatch(emulator)
    result = run_module(batch_job_terminate, job_id=job_id, batch_url=None, batch_account_name=None, batch_account_key=None)
    assert result['changed'] is True and result['auth_source_used'] == 'shared_key'
    assert {entry['auth_scheme'] for entry in watch.batch_requests()} == {'SharedKey'}
    assert not watch.token_requests()


def _auto_candidates(emulator, ids, tmp_path):
    """What makes each source available to auto, in the documented order."""
    write_credentials_file(tmp_path / 'azure', {'default': _secret_options(ids)})
    return [
        ('shared_key', {'AZURE_BATCH_ACCOUNT': emulator.account_name, 'AZURE_BATCH_ACCESS_KEY': emulator.account_key}),
        ('client_secret', {'AZURE_SECRET': ids['client_secret']}),
        ('certificate', {'AZURE_CLIENT_CERTIFICATE_PATH': ids['client_cert_pfx_path'],
                         'AZURE_CLIENT_CERTIFICATE_PASSWORD': ids['client_cert_password']}),
        ('workload_identity', {'AZURE_FEDERATED_TOKEN_FILE': ids['federated_token_file']}),
        ('credential_file', {'AZURE_CONFIG_DIR': str(tmp_path / 'azure')}),
        ('msi', managed_identity_env(emulator)),
        ('cli', cli_env(emulator)),
    ]


@pytest.mark.parametrize('position', range(7))
def test_auto_takes_the_first_available_source_in_order(position, run_module, emulator, auth_env, tmp_path):
    ids = identity(emulator)
    candidates = _auto_candidates(emulator, ids, tmp_path)
    expected = candidates[position][0]
    auth_env({'AZURE_CLIENT_ID': ids['client_id'], 'AZURE_TENANT_ID': ids['tenant_id'], 'PATH': '/nonexistent'})
    for available in candidates[position:]:
        auth_env(available[1])
    watch = RequestWatch(emulator)
    result = run_module(batch_job_info, max_results=1, **entra_options(emulator))
    assert result.get('failed') is not True, result.get('msg')
    assert result['auth_source_used'] == expected
    assert [entry['auth_scheme'] for entry in watch.batch_requests()] == ['SharedKey' if expected == 'shared_key' else 'Bearer']
