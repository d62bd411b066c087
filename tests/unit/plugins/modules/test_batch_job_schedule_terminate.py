# -*- coding: utf-8 -*-
"""batch_job_schedule_terminate against the emulator: the schedule state table, races, waiting for the current job."""

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import (
    JOB_SCHEDULE, TERMINATE, UNCHANGED, UNCHANGED_WARN,
)
from ansible_collections.azure_batch.ops.plugins.modules import batch_job_schedule_terminate as module
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for


@pytest.fixture
def schedule(emulator, unique):
    """schedule(state, job_state=None) -> the id of a new schedule, with one job in job_state if given."""
    def make(state='active', job_state=None, schedule_id=None):
        schedule_id = schedule_id or unique('sched')
        jobs = [{'id': schedule_id + ':job-1', 'state': job_state,
                 'tasks': [{'id': 'task-1', 'state': 'running'}]}] if job_state else []
        emulator.admin.add_job_schedule(schedule_id, state=state, jobs=jobs)
        return schedule_id
    return make


def posts(emulator, schedule_id):
    return requests_for(emulator, '/jobschedules/%s/terminate' % schedule_id, 'POST')


def test_state_table_is_the_documented_one():
    """JobScheduleState (spec): active, completed, disabled, terminating, deleting; each has one decision."""
    assert JOB_SCHEDULE.states == {'active': TERMINATE, 'disabled': TERMINATE, 'terminating': UNCHANGED,
                                   'completed': UNCHANGED, 'deleting': UNCHANGED_WARN}
    assert JOB_SCHEDULE.conflicts['JobScheduleBeingDeleted'][0] == UNCHANGED_WARN


@pytest.mark.parametrize('state, changed, warned', [
    ('active', True, False), ('disabled', True, False), ('terminating', False, False),
    ('completed', False, False), ('deleting', False, True)])
def test_each_state_decides_once(run_module, emulator, schedule, state, changed, warned):
    schedule_id = schedule(state)
    result = run_module(module, job_schedule_id=schedule_id)
    assert result['changed'] is changed and result['state_before'] == state
    assert len(posts(emulator, schedule_id)) == (1 if changed else 0)
    assert bool(result['job_schedules'][0].get('warning')) is warned
    if changed:
        assert result['state'] == 'terminating' and result['job_schedule']['id'] == schedule_id
        again = run_module(module, id=schedule_id)
        assert again['changed'] is False and len(posts(emulator, schedule_id)) == 1


def test_wait_reports_the_schedule_and_its_job_completed(run_module, emulator, schedule):
    schedule_id = schedule('active', job_state='active')
    result = run_module(module, job_schedule_id=schedule_id, wait=True, wait_timeout=30)
    assert result['changed'] is True and result['waited'] is True and result['state'] == 'completed'
    assert result['recent_job'] == {'id': schedule_id + ':job-1', 'state': 'completed'}
    job = emulator.admin.jobs()
    assert [item['state'] for item in job if item['id'] == schedule_id + ':job-1'] == ['completed']


def test_wait_timeout_names_the_job_still_running(run_module, emulator, schedule, unique):
    """A schedule found completed while its job still terminates (read in full, so its recentJob is known)."""
    schedule_id = schedule('terminating', job_state='terminating')
    emulator.admin.set_job_schedule_state(schedule_id, 'completed')
    result = run_module(module, job_schedule_id=schedule_id, wait=True, wait_timeout=1)
    assert result['failed'] is True and result['changed'] is False
    assert result['recent_job'] == {'id': schedule_id + ':job-1', 'state': 'terminating'}
    assert result['msg'] == ("Job schedule '%s' still runs after wait_timeout (1 s): it is completed, but its job "
                             "'%s:job-1' is 'terminating'." % (schedule_id, schedule_id))
    assert 'error' not in result and 'status' not in result  # no service error: no all-null error block


def test_check_mode_sends_no_terminate(run_module, emulator, schedule):
    schedule_id = schedule('active', job_state='active')
    result = run_module(module, check_mode=True, diff=True, job_schedule_id=schedule_id, wait=True)
    assert result['changed'] is True and result['waited'] is False
    assert result['diff'] == {'before': {'state': 'active'}, 'after': {'state': 'terminating'}}
    assert not posts(emulator, schedule_id)


@pytest.mark.parametrize('code, changed, state', [
    ('JobScheduleCompleted', False, 'completed'), ('JobScheduleBeingTerminated', False, 'terminating'),
    ('JobScheduleBeingDeleted', False, 'deleting')])
def test_a_race_after_the_read_is_ok(run_module, emulator, schedule, code, changed, state):
    schedule_id = schedule('active')
    emulator.admin.set_faults([{'method': 'POST', 'path': schedule_id, 'kind': 'status', 'status': 409,
                                'code': code, 'times': 1}])
    try:
        result = run_module(module, job_schedule_id=schedule_id)
    finally:
        emulator.admin.clear_faults()
    assert result['changed'] is changed and result['state'] == state
    assert bool(result['job_schedules'][0].get('warning')) is (code == 'JobScheduleBeingDeleted')


def test_missing_fails_clearly_or_is_ignored(run_module, unique):
    schedule_id = unique('gone')
    result = run_module(module, job_schedule_id=schedule_id)
    assert result['failed'] is True and result['error']['code'] == 'JobScheduleNotFound'
    assert "Could not read job schedule '%s'" % schedule_id in result['msg']
    ignored = run_module(module, job_schedule_id=schedule_id, ignore_missing=True)
    assert ignored['changed'] is False and ignored['missing'] is True and ignored['state'] is None


def test_force_and_conditions_reach_the_service(run_module, emulator, schedule):
    schedule_id = schedule('active', job_state='active')
    stale = run_module(module, job_schedule_id=schedule_id, if_match='0x8D0000000000000')
    assert stale['failed'] is True and stale['status'] == 412
    result = run_module(module, job_schedule_id=schedule_id, force=True, wait=True, wait_timeout=10)
    assert result['state'] == 'completed' and result['recent_job']['state'] == 'completed'
    sent = posts(emulator, schedule_id)
    assert sent[-1]['query'].get('force') == 'true' and 'force' not in sent[0]['query']


def test_filter_terminates_each_matching_schedule(run_module, emulator, schedule, unique):
    prefix = unique('group')
    ids = [schedule(state, schedule_id='%s-%d' % (prefix, index))
           for index, state in enumerate(('active', 'disabled', 'completed'))]
    result = run_module(module, job_schedule_filter="startswith(id,'%s') and state ne 'completed'" % prefix)
    assert sorted(item['id'] for item in result['job_schedules']) == sorted(ids[:2])
    assert result['summary']['changed'] == 2


def test_bad_input_is_refused_before_any_request(run_module, emulator):
    before = len(emulator.admin.requests())
    result = run_module(module, job_schedule_id='bad id!')
    assert result['failed'] is True and result['msg'].startswith('job_schedule_id must be 1 to 64')
    assert len(emulator.admin.requests()) == before


def test_info_reads_one_schedule_its_jobs_or_a_filtered_list(run_module, schedule):
    from ansible_collections.azure_batch.ops.plugins.modules import batch_job_schedule_info as info  # pylint: disable=import-outside-toplevel
    schedule_id = schedule('active', job_state='active')
    one = run_module(info, job_schedule_id=schedule_id, jobs=True, jobs_select=['id', 'state'])
    assert one['changed'] is False and one['job_schedules'][0]['execution_info']['recent_job']['id'] == schedule_id + ':job-1'
    assert one['jobs'] == [{'id': schedule_id + ':job-1', 'state': 'active'}]
    listed = run_module(info, filter="id eq '%s'" % schedule_id, select=['id', 'state'])
    assert listed['job_schedules'] == [{'id': schedule_id, 'state': 'active'}] and 'jobs' not in listed
    missing = run_module(info, job_schedule_id=schedule_id + 'x', jobs=True)
    assert missing['job_schedules'] == [] and missing['jobs'] == []
    refused = run_module(info, jobs=True)
    assert refused['failed'] is True and 'job_schedule_id' in refused['msg']


def test_a_deleting_schedule_is_not_waited_for(run_module, emulator, schedule):
    schedule_id = schedule('deleting', job_state='active')
    result = run_module(module, job_schedule_id=schedule_id, wait=True, wait_timeout=1)
    assert result['changed'] is False and result['waited'] is False and result['state'] == 'deleting'
    assert not requests_for(emulator, '/jobs/%s:job-1' % schedule_id) + requests_for(emulator, '/jobs/%s%%3Ajob-1' % schedule_id)
