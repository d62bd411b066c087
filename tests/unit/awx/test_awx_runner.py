# -*- coding: utf-8 -*-
"""The demo playbook through ansible-runner (what AWX runs), with the environment AWX's credentials inject.

A job template with the built-in Azure Resource Manager credential (a service principal) and the
"Azure Batch" credential type of docs/ (only the Batch endpoint filled in). Nothing secret may reach
runner's stdout or events; runner's own artifacts/<id>/command file does store the environment.
"""

import json
import re

import pytest

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT, RequestWatch, awx_azure_rm_env, identity
from ansible_collections.azure_batch.ops.tests.unit.awx.conftest import awx_batch_credential_env, task_results

ACCESS_TOKEN = re.compile(r'eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.')


@pytest.mark.slow  # one ansible-playbook run, about 5 s
def test_demo_with_awx_azure_credential_env(emulator, azure_env, run_playbook, unique):
    ids = identity(emulator)
    job_id, task_job_id = unique('awx-job'), unique('awx-tasks')
    emulator.admin.add_job(job_id, state='active')
    emulator.admin.add_job(task_job_id, state='active', tasks=[{'id': 'chunk-1', 'state': 'running'}])
    env = dict(awx_azure_rm_env(ids['client_id'], ids['client_secret'], ids['tenant_id']),
               **awx_batch_credential_env({'batch_url': emulator.url}))
    # Not injected by AWX: the emulator is a private Entra ID authority (an execution environment setting).
    env['AZURE_AUTHORITY_HOST'] = emulator.identity.authority_host
    watch = RequestWatch(emulator)
    runner, stdout, events, artifacts = run_playbook(
        COLLECTION_ROOT / 'playbooks' / 'demo.yml', env,
        {'batch_ca_path': emulator.ca_path, 'demo_job_id': job_id, 'demo_task_job_id': task_job_id, 'demo_task_id': 'chunk-1'})

    assert (runner.status, runner.rc) == ('successful', 0), stdout
    job, = task_results(events, 'azure_batch.ops.batch_job_terminate')
    task, = task_results(events, 'azure_batch.ops.batch_task_terminate')
    assert (job['state_before'], job['changed'], job['auth_source_used']) == ('active', True, 'client_secret')
    assert (task['state_before'], task['changed'], task['auth_source_used']) == ('running', True, 'client_secret')
    assert {entry['auth_scheme'] for entry in watch.batch_requests()} == {'Bearer'}
    assert len(watch.token_requests()) == 2  # one per module run

    shown = stdout + json.dumps(events)
    assert ids['client_secret'] not in shown and not ACCESS_TOKEN.search(shown)
    for path in artifacts.rglob('*'):
        if path.is_file() and path.name != 'command':
            assert ids['client_secret'] not in path.read_text(errors='replace'), path
    # Documented in docs/awx.md: runner keeps the job's environment, secrets included, in this file.
    assert ids['client_secret'] in (artifacts / 'command').read_text()
