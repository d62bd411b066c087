# -*- coding: utf-8 -*-
"""batch_job_auto_terminate and batch_job_schedule_auto_terminate against the emulator."""

import datetime

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_patch import check_duration, iso_duration
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError
from ansible_collections.azure_batch.ops.plugins.modules import batch_job_auto_terminate as job_module
from ansible_collections.azure_batch.ops.plugins.modules import batch_job_schedule_auto_terminate as schedule_module
from ansible_collections.azure_batch.ops.tests.unit.emulator.conftest import BatchHttp
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for


@pytest.fixture(name='http_get')
def fixture_http_get(emulator):
    http = BatchHttp(emulator)
    yield lambda path: http.get(path).json()
    http.session.close()


def _patches(emulator, path):
    return [entry for entry in requests_for(emulator, path, 'PATCH') if entry['path'] == path]


@pytest.mark.parametrize('value, expected', [('PT2H', 'PT2H'), (5400, 'PT1H30M'), ('90', 'PT1M30S'),
                                             ('P1DT30M', 'P1DT30M'), ('pt45s', 'PT45S')])
def test_durations(value, expected):
    assert check_duration('max_wall_clock_time', value) == expected


@pytest.mark.parametrize('value', ['2 hours', 'PT', '0', 'P1Y', -5])
def test_bad_durations_name_the_option(value):
    with pytest.raises(InputError, match='max_wall_clock_time'):
        check_duration('max_wall_clock_time', value)


def test_iso_duration_of_fractions():
    assert iso_duration(1.5) == 'PT1.5S' and iso_duration(86400) == 'P1D'


def test_job_is_patched_once_then_ok_with_check_and_diff(run_module, emulator, unique):
    job_id = unique('auto')
    emulator.admin.add_job(job_id, tasks=[{'id': 't', 'state': 'running'}], constraints={'maxTaskRetryCount': 2})
    predicted = run_module(job_module, job_id=job_id, on_all_tasks_complete='terminate_job', max_wall_clock_time='PT2H',
                           check_mode=True, diff=True)
    assert predicted['changed'] is True and not _patches(emulator, '/jobs/' + job_id)
    assert predicted['diff'] == {'before': {'on_all_tasks_complete': 'no_action', 'max_wall_clock_time': None},
                                 'after': {'on_all_tasks_complete': 'terminate_job', 'max_wall_clock_time': 'PT2H'}}
    first = run_module(job_module, job_id=job_id, on_all_tasks_complete='terminate_job', max_wall_clock_time=7200)
    assert first['changed'] is True and first['after']['max_wall_clock_time'] == 'PT2H'
    assert len(_patches(emulator, '/jobs/' + job_id)) == 1
    second = run_module(job_module, job_id=job_id, on_all_tasks_complete='terminate_job', max_wall_clock_time='PT2H')
    assert second['changed'] is False and second['reason'] == 'the values are already set'
    assert len(_patches(emulator, '/jobs/' + job_id)) == 1
    refused = run_module(job_module, job_id=job_id, on_all_tasks_complete='no_action')
    assert refused['failed'] is True and 'does not allow to turn back to no_action' in refused['msg']


def test_other_constraints_are_kept(run_module, emulator, unique, http_get):
    job_id = unique('auto')
    emulator.admin.add_job(job_id, tasks=[{'id': 't', 'state': 'running'}], constraints={'maxTaskRetryCount': 2})
    run_module(job_module, job_id=job_id, max_wall_clock_time='PT3H')
    assert http_get('/jobs/' + job_id)['constraints'] == {'maxTaskRetryCount': 2, 'maxWallClockTime': 'PT3H'}


def test_elapsed_limit_is_refused_unless_allowed(run_module, emulator, unique):
    job_id = unique('auto')
    created = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3)).isoformat()
    emulator.admin.add_job(job_id, creationTime=created, tasks=[{'id': 't', 'state': 'running'}])
    refused = run_module(job_module, job_id=job_id, max_wall_clock_time='PT2H')
    assert refused['failed'] is True and 'has already passed' in refused['msg'] and 'allow_elapsed' in refused['msg']
    assert not _patches(emulator, '/jobs/' + job_id)
    allowed = run_module(job_module, job_id=job_id, max_wall_clock_time='PT2H', allow_elapsed=True)
    assert allowed['changed'] is True
    assert run_module(job_module, job_id=job_id, max_wall_clock_time='PT2H')['reason'].startswith('it is already')


def test_a_concurrent_change_is_read_again(run_module, emulator, unique):
    """The first PATCH meets 412 (a fault rule stands in for someone else's change): read again, decide again."""
    job_id = unique('auto')
    emulator.admin.add_job(job_id, tasks=[{'id': 't', 'state': 'running'}])
    emulator.admin.set_faults([{'method': 'PATCH', 'path': '/jobs/' + job_id, 'kind': 'status', 'status': 412, 'code': 'ConditionNotMet',
                                'times': 1}])
    try:
        result = run_module(job_module, job_id=job_id, on_all_tasks_complete='terminate_job')
    finally:
        emulator.admin.clear_faults()
    assert result['changed'] is True
    assert [entry['method'] for entry in requests_for(emulator, '/jobs/' + job_id)] == ['GET', 'PATCH', 'GET', 'PATCH']


def test_many_jobs_by_ids_and_filter_leave_ending_jobs_alone(run_module, emulator, unique):
    active, done, deleting = unique('auto'), unique('auto'), unique('auto')
    emulator.admin.add_job(active, tasks=[{'id': 't', 'state': 'running'}])
    emulator.admin.add_job(done, state='completed')
    emulator.admin.add_job(deleting, state='deleting')
    result = run_module(job_module, job_ids=[active, done, deleting], on_all_tasks_complete='terminate_job', diff=True)
    assert [item['changed'] for item in result['jobs']] == [True, False, False]
    assert result['jobs'][1]['reason'] == 'it is already completed'
    assert any('being deleted' in str(warning) for warning in result['warnings'])
    assert result['diff']['after'][active]['on_all_tasks_complete'] == 'terminate_job'
    listed = run_module(job_module, job_filter="id eq '%s'" % active, on_all_tasks_complete='terminate_job')
    assert listed['changed'] is False and listed['summary']['total'] == 1


def test_nothing_to_change_is_one_sentence(run_module, unique):
    result = run_module(job_module, job_id=unique('auto'))
    assert result['failed'] is True and result['msg'].startswith('Set on_all_tasks_complete, max_wall_clock_time')


def test_schedule_job_specification_is_patched_whole(run_module, emulator, unique, http_get):
    schedule_id = unique('sched')
    emulator.admin.add_job_schedule(schedule_id)
    before = http_get('/jobschedules/' + schedule_id)['jobSpecification']
    first = run_module(schedule_module, job_schedule_id=schedule_id, on_all_tasks_complete='terminate_job',
                       max_wall_clock_time='PT4H', diff=True)
    assert first['changed'] is True and first['diff']['before']['on_all_tasks_complete'] == 'no_action'
    spec = http_get('/jobschedules/' + schedule_id)['jobSpecification']
    assert spec == dict(before, onAllTasksComplete='terminatejob',
                        constraints=dict(before['constraints'], maxWallClockTime='PT4H'))
    second = run_module(schedule_module, job_schedule_ids=[schedule_id], on_all_tasks_complete='terminate_job',
                        max_wall_clock_time=14400)
    assert second['changed'] is False
    back = run_module(schedule_module, job_schedule_id=schedule_id, on_all_tasks_complete='no_action')
    assert back['changed'] is True  # a schedule's future jobs may go back to no_action
