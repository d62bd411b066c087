# -*- coding: utf-8 -*-
"""batch_job_terminate if_tasks_complete: task counts decide, a new empty job is spared, check/diff, requests."""

import datetime

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate as module
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for

DONE = [{'id': 'a', 'state': 'completed'}, {'id': 'b', 'state': 'completed', 'result': 'failure'}]


def _ago(hours):
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=hours)).isoformat()


def _jobs(emulator, unique, *specs):
    ids = []
    for state, tasks, fields in specs:
        ids.append(unique('reclaim'))
        emulator.admin.add_job(ids[-1], state=state, tasks=tasks, **fields)
    return ids


def test_only_jobs_whose_tasks_are_complete_are_terminated(run_module, emulator, unique):
    finished, running, waiting, new_empty, old_empty, done = _jobs(
        emulator, unique,
        ('active', DONE, {}), ('active', DONE + [{'id': 'r', 'state': 'preparing'}], {}),
        ('disabled', [{'id': 'w', 'state': 'active'}], {}), ('active', [], {}),
        ('active', [], {'creationTime': _ago(2)}), ('completed', DONE, {}))
    ids = [finished, running, waiting, new_empty, old_empty, done]
    result = run_module(module, job_ids=ids, if_tasks_complete=True, diff=True)
    by_id = {item['id']: item for item in result['jobs']}
    assert [by_id[job_id]['changed'] for job_id in ids] == [True, False, False, False, True, False]
    assert by_id[finished]['task_counts'] == {'active': 0, 'running': 0, 'completed': 2, 'succeeded': 1, 'failed': 1}
    assert by_id[finished]['reason'] == 'all 2 tasks are complete'
    assert by_id[running]['reason'] == 'tasks are not complete: 0 active, 1 running'
    assert by_id[waiting]['reason'] == 'tasks are not complete: 1 active, 0 running'
    assert 'less than empty_job_grace (3600 s)' in by_id[new_empty]['reason']
    assert 'more than empty_job_grace' in by_id[old_empty]['reason']
    assert by_id[done]['reason'] == 'the job is already completed' and 'task_counts' not in by_id[done]
    assert result['diff']['after'][finished] == 'terminating' and result['diff']['after'][running] == 'active'
    # One task counts request per job that could be terminated; a terminate only for the finished ones.
    for job_id in ids:
        counts = requests_for(emulator, '/jobs/%s/taskcounts' % job_id, 'GET')
        assert len(counts) == (0 if job_id == done else 1)
        assert len(requests_for(emulator, '/jobs/%s/terminate' % job_id, 'POST')) == int(job_id in (finished, old_empty))


def test_grace_and_check_mode_for_one_job(run_module, emulator, unique):
    empty, = _jobs(emulator, unique, ('active', [], {'creationTime': _ago(0.5)}))
    spared = run_module(module, job_id=empty, if_tasks_complete=True)
    assert spared['changed'] is False and spared['task_counts']['completed'] == 0 and 'less than' in spared['reason']
    predicted = run_module(module, job_id=empty, if_tasks_complete=True, empty_job_grace=600, check_mode=True, diff=True)
    assert predicted['changed'] is True and predicted['diff']['after'] == {'state': 'terminating'}
    assert not requests_for(emulator, '/jobs/%s/terminate' % empty, 'POST')
    done = run_module(module, job_id=empty, if_tasks_complete=True, empty_job_grace=600)
    assert done['changed'] is True and done['state'] == 'terminating'
    again = run_module(module, job_id=empty, if_tasks_complete=True, empty_job_grace=600)
    assert again['changed'] is False and again['reason'].startswith('the job is already')


def test_filter_and_a_bad_grace(run_module, emulator, unique):
    finished, running = _jobs(emulator, unique, ('active', DONE, {}), ('active', [{'id': 'r', 'state': 'running'}], {}))
    job_filter = "id eq '%s' or id eq '%s'" % (finished, running)
    result = run_module(module, job_filter=job_filter, if_tasks_complete=True, parallel=2)
    assert {item['id']: item['changed'] for item in result['jobs']} == {finished: True, running: False}
    assert result['summary']['changed'] == 1
    bad = run_module(module, job_id=running, if_tasks_complete=True, empty_job_grace=-1)
    assert bad['failed'] is True and 'empty_job_grace' in bad['msg']
