# -*- coding: utf-8 -*-
"""batch_task_terminate against the emulator."""

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_task_terminate as module
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for


@pytest.fixture
def job_with(emulator, unique):
    def make(*states, job_state='active'):
        job_id = unique('job')
        emulator.admin.add_job(job_id, state=job_state,
                               tasks=[{'id': 'task-%d' % index, 'state': state} for index, state in enumerate(states)])
        return job_id
    return make


def task_posts(emulator, job_id):
    return requests_for(emulator, '/jobs/%s/tasks/' % job_id, 'POST')


@pytest.mark.parametrize('state', ['active', 'preparing', 'running'])
def test_task_is_terminated_then_ok(run_module, emulator, job_with, state):
    job_id = job_with(state)
    first = run_module(module, job_id=job_id, task_id='task-0')
    assert first['changed'] is True and (first['state_before'], first['state']) == (state, 'completed')
    assert first['task']['id'] == 'task-0' and first['request_id']
    second = run_module(module, job_id=job_id, task_id='task-0')
    assert second['changed'] is False and second['state_before'] == 'completed'
    assert len(task_posts(emulator, job_id)) == 1


def test_running_task_ends_with_failure_info(run_module, emulator, job_with):
    job_id = job_with('running')
    result = run_module(module, job_id=job_id, task_id='task-0', wait=True)
    assert result['waited'] is True and result['state'] == 'completed'
    info = result['task']['execution_info']
    assert info['result'] == 'failure' and info['failure_info']['category'] in ('usererror', 'UserError')


def test_check_mode_and_diff(run_module, emulator, job_with):
    job_id = job_with('running')
    result = run_module(module, check_mode=True, diff=True, job_id=job_id, task_id='task-0')
    assert result['changed'] is True and result['diff'] == {'before': {'state': 'running'}, 'after': {'state': 'completed'}}
    assert not task_posts(emulator, job_id)


def test_missing_task_and_missing_job(run_module, job_with, unique):
    job_id = job_with('running')
    result = run_module(module, job_id=job_id, task_id='nope')
    assert result['failed'] is True and result['error']['code'] == 'TaskNotFound'
    assert "Could not read task 'nope' of job '%s'" % job_id in result['msg']
    missing_job = run_module(module, job_id=unique('gone'), task_id='nope', ignore_missing=True)
    assert missing_job['changed'] is False and missing_job['missing'] is True


def test_task_completed_conflict_is_unchanged(run_module, emulator, job_with):
    job_id = job_with('running')
    emulator.admin.set_faults([{'method': 'POST', 'path': job_id, 'kind': 'status', 'status': 409,
                                'code': 'TaskCompleted', 'times': 1}])
    try:
        result = run_module(module, job_id=job_id, task_id='task-0')
    finally:
        emulator.admin.clear_faults()
    assert result['changed'] is False and result['state'] == 'completed'


def test_filter_terminates_every_running_task_once(run_module, emulator, job_with):
    job_id = job_with('running', 'running', 'active', 'completed', 'running')
    result = run_module(module, job_id=job_id, task_filter="state eq 'running'", parallel=3, diff=True)
    assert sorted(item['id'] for item in result['tasks']) == ['task-0', 'task-1', 'task-4']
    assert result['summary'] == {'total': 3, 'changed': 3, 'unchanged': 0, 'failed': 0, 'missing': 0}
    assert sorted(entry['path'].rsplit('/', 2)[-2] for entry in task_posts(emulator, job_id)) == ['task-0', 'task-1', 'task-4']
    again = run_module(module, job_id=job_id, task_filter="state eq 'running'")
    assert again['changed'] is False and again['tasks'] == []


def test_task_ids_report_each_item(run_module, emulator, job_with):
    job_id = job_with('running', 'completed')
    result = run_module(module, job_id=job_id, task_ids=['task-0', 'TASK-1', 'task-9'], ignore_missing=True)
    assert [(item['id'], item['changed']) for item in result['tasks']] == [('task-0', True), ('TASK-1', False), ('task-9', False)]
    assert result['tasks'][2]['missing'] is True and result['summary']['missing'] == 1


def test_reads_of_many_tasks_ask_only_for_what_deciding_needs(run_module, emulator, job_with):
    """A bulk result carries no task body, so the list and the per-id reads $select what deciding and waiting need
    (the four fields and multiInstanceSettings); one id gets them all."""
    job_id = job_with('running', 'running', 'running')
    run_module(module, job_id=job_id, task_filter="id eq 'task-0'")
    run_module(module, job_id=job_id, task_ids=['task-1'])
    single = run_module(module, job_id=job_id, task_id='task-2')
    reads = [entry['query'].get('$select') for entry in requests_for(emulator, '/jobs/%s/tasks' % job_id, 'GET')]
    brief = 'id,state,eTag,lastModified,multiInstanceSettings'
    assert reads == [brief, brief, module.TASK.select]
    assert single['task']['execution_info'] is not None and single['task']['e_tag']
