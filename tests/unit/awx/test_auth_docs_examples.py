# -*- coding: utf-8 -*-
"""The playbooks of docs/auth.md run against the emulator, through ansible-runner, in one environment that
has what each of them expects (AWX's Azure credential, AKS workload identity, a managed identity endpoint,
az on PATH, a credentials file). Only ca_path is added, so that the emulator's certificate is trusted.
"""

import re

import pytest
import yaml

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import AUTH_SOURCES
from ansible_collections.azure_batch.ops.tests.unit.auth_support import (
    COLLECTION_ROOT, awx_azure_rm_env, cli_env, identity, managed_identity_env, write_credentials_file,
)
from ansible_collections.azure_batch.ops.tests.unit.awx.conftest import task_results

GROUP = 'group/azure_batch.ops.batch'
YAML_BLOCK = re.compile(r'^```yaml\n(.*?)^```', re.MULTILINE | re.DOTALL)
# With the environment below, auto and env find AWX's service principal first.
FOUND_IN_THIS_ENVIRONMENT = {'auto': 'client_secret', 'env': 'client_secret'}


def _example_plays():
    text = (COLLECTION_ROOT / 'docs' / 'auth.md').read_text()
    return [play for block in YAML_BLOCK.findall(text) for play in yaml.safe_load(block)]


def _declared_source(play):
    return play.get('module_defaults', {}).get(GROUP, {}).get('auth_source', 'auto')


def _environment(emulator, ids, tmp_path):
    write_credentials_file(tmp_path / 'azure', {'batch': {'client_id': ids['client_id'], 'secret': ids['client_secret'],
                                                          'tenant': ids['tenant_id']}})
    env = dict(awx_azure_rm_env(ids['client_id'], ids['client_secret'], ids['tenant_id']),
               AZURE_BATCH_ENDPOINT=emulator.url, AZURE_CONFIG_DIR=str(tmp_path / 'azure'),
               AZURE_TENANT_ID=ids['tenant_id'], AZURE_FEDERATED_TOKEN_FILE=ids['federated_token_file'],
               AZURE_AUTHORITY_HOST=emulator.identity.authority_host, **managed_identity_env(emulator))
    env.update(cli_env(emulator))
    return env


def test_there_is_an_example_for_every_source():
    assert {_declared_source(play) for play in _example_plays()} == set(AUTH_SOURCES)


@pytest.mark.slow  # one ansible-playbook run of a dozen plays, about 8 s
def test_examples_run_with_the_source_they_show(emulator, azure_env, run_playbook, tmp_path):
    ids = identity(emulator)
    plays = _example_plays()
    for play in plays:
        play.setdefault('module_defaults', {}).setdefault(GROUP, {})['ca_path'] = emulator.ca_path
    playbook = tmp_path / 'auth_examples.yml'
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    extravars = {'batch_url': emulator.url, 'batch_account_name': emulator.account_name, 'batch_account_key': emulator.account_key,
                 'azure_client_id': ids['client_id'], 'azure_client_secret': ids['client_secret'], 'azure_tenant_id': ids['tenant_id'],
                 'azure_certificate_path': ids['client_cert_encrypted_path'], 'azure_certificate_password': ids['client_cert_password'],
                 'azure_msi_client_id': ids['msi_client_id']}

    runner, stdout, events, _artifacts = run_playbook(playbook, _environment(emulator, ids, tmp_path), extravars)

    assert (runner.status, runner.rc) == ('successful', 0), stdout
    results = task_results(events, 'azure_batch.ops.batch_job_info')
    expected = [FOUND_IN_THIS_ENVIRONMENT.get(_declared_source(play), _declared_source(play))
                for play in plays for task in play['tasks'] if 'azure_batch.ops.batch_job_info' in task]
    assert [result['auth_source_used'] for result in results] == expected
    assert ids['client_secret'] not in stdout
