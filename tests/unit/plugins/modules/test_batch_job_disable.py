# -*- coding: utf-8 -*-
"""batch_job_disable against the emulator: both state tables, disable_tasks, wait, check/diff, warnings."""

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_disable as module
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for

TASKS = [{'id': 'run', 'state': 'running'}, {'id': 'queued', 'state': 'active'}]


@pytest.fixture
def job(emulator, unique):
    def make(state='active', tasks=None):
        job_id = unique('dis')
        emulator.admin.add_job(job_id, state=state, tasks=TASKS if tasks is None else tasks)
        return job_id
    return make


def _posts(emulator, job_id, action):
    return requests_for(emulator, '/jobs/%s/%s' % (job_id, action), 'POST')


def test_disable_then_ok_then_enable(run_module, emulator, job):
    job_id = job()
    predicted = run_module(module, job_id=job_id, check_mode=True, diff=True)
    assert predicted['changed'] is True and predicted['diff'] == {'before': {'state': 'active'}, 'after': {'state': 'disabling'}}
    assert not _posts(emulator, job_id, 'disable')
    first = run_module(module, job_id=job_id, disable_tasks='requeue')
    assert first['changed'] is True and (first['state_before'], first['state']) == ('active', 'disabling')
    second = run_module(module, job_id=job_id, disable_tasks='requeue', wait=True, wait_timeout=30)
    assert second['changed'] is False and second['state_before'] in ('disabling', 'disabled')
    assert second['state'] == 'disabled'
    assert len(_posts(emulator, job_id, 'disable')) == 1
    enabled = run_module(module, job_id=job_id, state='enabled', wait=True, wait_timeout=30)
    assert enabled['changed'] is True and enabled['state'] == 'active' and enabled['waited'] is True
    again = run_module(module, job_id=job_id, state='enabled')
    assert again['changed'] is False and len(_posts(emulator, job_id, 'enable')) == 1


def test_disable_terminate_waits_until_disabled_and_no_task_runs(run_module, emulator, job):
    job_id = job(tasks=TASKS + [{'id': 'prep', 'state': 'preparing'}])
    result = run_module(module, job_id=job_id, disable_tasks='terminate', wait=True, wait_timeout=30)
    assert result['changed'] is True and result['state'] == 'disabled' and result['waited'] is True
    assert result['task_counts']['running'] == 0 and result['task_counts']['active'] == 1
    assert result['task_counts']['failed'] == 2


def test_disable_wait_times_out_while_a_task_runs(run_module, emulator, job):
    job_id = job()
    result = run_module(module, job_id=job_id, disable_tasks='wait', wait=True, wait_timeout=1)
    assert result['failed'] is True and result['changed'] is True
    assert "not disabled within wait_timeout (1 s): it is 'disabling'" in result['msg'] and result['state'] == 'disabling'
    emulator.admin.set_task_state(job_id, 'run', 'completed')
    assert run_module(module, job_id=job_id, wait=True, wait_timeout=30)['state'] == 'disabled'


@pytest.mark.parametrize('state', ['terminating', 'completed', 'deleting'])
@pytest.mark.parametrize('wanted', ['disabled', 'enabled'])
def test_ending_jobs_are_ok_with_a_warning(run_module, emulator, job, state, wanted):
    job_id = job(state, tasks=[])
    result = run_module(module, job_id=job_id, state=wanted, wait=True)
    assert result['changed'] is False and result['waited'] is False
    assert any('it was not %s' % wanted in str(warning) for warning in result['warnings'])
    assert not _posts(emulator, job_id, 'disable') and not _posts(emulator, job_id, 'enable')


def test_many_jobs_by_filter(run_module, emulator, job):
    active, disabled = job(), job('disabled')
    result = run_module(module, job_filter="id eq '%s' or id eq '%s'" % (active, disabled), parallel=2, diff=True)
    assert {item['id']: item['changed'] for item in result['jobs']} == {active: True, disabled: False}
    assert result['diff']['after'] == {active: 'disabling', disabled: 'disabled'}


def test_enabling_job_refused_by_the_service_fails_with_its_code(run_module, job):
    result = run_module(module, job_id=job('enabling'))
    assert result['failed'] is True and result['error']['code'] == 'JobNotActive' and 'disable job' in result['msg']
