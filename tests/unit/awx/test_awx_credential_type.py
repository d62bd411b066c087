# -*- coding: utf-8 -*-
"""The "Azure Batch" credential type of docs/ and playbooks/awx_credential_type.yml, which creates it in AWX."""

import re

import pytest
import yaml

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import ENV_NAMES
from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT, RequestWatch
from ansible_collections.azure_batch.ops.tests.unit.awx.conftest import awx_batch_credential_env, task_results

DEFINITION = COLLECTION_ROOT / 'docs' / 'azure_batch_credential_type.yml'

# Stands in for awx.awx.credential_type, which needs an AWX server: it returns what it was given.
CREDENTIAL_TYPE_STAND_IN = '''#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(name=dict(type='str', required=True), description=dict(type='str'),
                                              kind=dict(type='str'), inputs=dict(type='dict'), injectors=dict(type='dict'),
                                              state=dict(type='str', default='present')))
    module.exit_json(changed=True, received=module.params)


if __name__ == '__main__':
    main()
'''


def _definition():
    return yaml.safe_load(DEFINITION.read_text())


def test_injectors_use_declared_inputs_and_variables_the_modules_read():
    definition = _definition()
    fields = {field['id']: field for field in definition['inputs']['fields']}
    assert definition['inputs']['required'] == ['batch_url']
    assert fields['batch_account_key'].get('secret') is True
    read_by_modules = {name for names in ENV_NAMES.values() for name in names}
    for variable, template in definition['injectors']['env'].items():
        assert variable in read_by_modules
        assert set(re.findall(r'{{\s*(\w+)\s*}}', template)) <= set(fields)


def test_shared_key_from_the_injected_env(run_module_process, emulator, azure_env, unique):
    job_id = unique('awx')
    emulator.admin.add_job(job_id, state='active')
    azure_env(awx_batch_credential_env({'batch_url': emulator.url, 'batch_account_name': emulator.account_name,
                                        'batch_account_key': emulator.account_key}))
    watch = RequestWatch(emulator)
    result = run_module_process('batch_job_terminate', {'job_id': job_id, 'ca_path': emulator.ca_path})
    assert result['changed'] is True and result['auth_source_used'] == 'shared_key'
    assert {entry['auth_scheme'] for entry in watch.batch_requests()} == {'SharedKey'}


def test_empty_inputs_inject_empty_strings_the_modules_ignore(run_module_process, azure_env):
    injected = awx_batch_credential_env({'batch_url': 'https://myaccount.westeurope.batch.azure.com'})
    assert injected['AZURE_BATCH_ACCOUNT'] == '' and injected['AZURE_BATCH_ACCESS_KEY'] == ''
    azure_env(dict(injected, PATH='/nonexistent'))
    result = run_module_process('batch_job_terminate', {'job_id': 'any'})
    assert result['failed'] is True and result['msg'].startswith('No Batch credential was found')


@pytest.mark.slow  # one ansible-playbook run, about 4 s
def test_playbook_hands_the_definition_to_awx_unchanged(run_playbook, collections_path):
    stand_in = collections_path / 'ansible_collections' / 'awx' / 'awx' / 'plugins' / 'modules' / 'credential_type.py'
    stand_in.parent.mkdir(parents=True)
    stand_in.write_text(CREDENTIAL_TYPE_STAND_IN)
    runner, stdout, events, _artifacts = run_playbook(COLLECTION_ROOT / 'playbooks' / 'awx_credential_type.yml', {})
    assert (runner.status, runner.rc) == ('successful', 0), stdout
    result, = task_results(events, 'awx.awx.credential_type')
    definition = _definition()
    assert result['received'] == {'name': definition['name'], 'description': definition['description'], 'kind': 'cloud',
                                  'inputs': definition['inputs'], 'injectors': definition['injectors'], 'state': 'present'}
    assert result['received']['injectors']['env']['AZURE_BATCH_ENDPOINT'] == '{{ batch_url }}'
