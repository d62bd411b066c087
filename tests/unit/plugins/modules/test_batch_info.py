# -*- coding: utf-8 -*-
"""batch_job_info and batch_task_info against the emulator: get, filter, select, paging, max_results."""

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_info, batch_job_schedule_info, batch_task_info
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for


def test_job_info_get_and_missing(run_module, emulator, unique):
    job_id = unique('job')
    emulator.admin.add_job(job_id, state='disabled')
    result = run_module(batch_job_info, job_id=job_id, select=['id', 'state'])
    assert result['changed'] is False and result['jobs'] == [{'id': job_id, 'state': 'disabled'}]
    assert run_module(batch_job_info, job_id=unique('gone'))['jobs'] == []


def test_job_info_follows_paging(run_module, emulator, unique):
    prefix = unique('page')
    ids = ['%s-%02d' % (prefix, n) for n in range(7)]
    for job_id in ids:
        emulator.admin.add_job(job_id, state='active')
    emulator.admin.config(page_size=3)
    try:
        filter_ = ' or '.join("id eq '%s'" % job_id for job_id in ids)
        result = run_module(batch_job_info, filter=filter_, select=['id'])
        limited = run_module(batch_job_info, filter=filter_, max_results=4)
    finally:
        emulator.admin.config(page_size=1000)
    assert sorted(job['id'] for job in result['jobs']) == ids
    assert len(limited['jobs']) == 4


def test_task_info_filter_and_check_mode(run_module, emulator, unique):
    job_id = unique('job')
    emulator.admin.add_job(job_id, tasks=[{'id': 'a', 'state': 'running'}, {'id': 'b', 'state': 'active'}])
    result = run_module(batch_task_info, check_mode=True, job_id=job_id, filter="state eq 'running'")
    assert [task['id'] for task in result['tasks']] == ['a'] and result['changed'] is False
    one = run_module(batch_task_info, job_id=job_id, task_id='b')
    assert one['tasks'][0]['state'] == 'active' and 'e_tag' in one['tasks'][0]
    assert all(entry['method'] == 'GET' for entry in requests_for(emulator, '/jobs/' + job_id))


def test_bad_filter_is_a_clear_failure(run_module, emulator):
    result = run_module(batch_job_info, filter="name eq 'x'")
    assert result['failed'] is True and result['status'] == 400
    assert result['msg'].startswith('Could not read the jobs: HTTP 400')
    # The sentence names what the service refused and why, not only error.values.
    reason = next(item['value'] for item in result['error']['values'] if item['key'] == 'Reason')
    assert '(query parameter $filter, reason: %s)' % reason.rstrip('.') in result['msg']


def test_filter_aliases_match_the_terminate_modules_option_names(run_module, emulator, unique):
    job_id, schedule_id = unique('alias'), unique('alias-schedule')
    emulator.admin.add_job(job_id, tasks=[{'id': 'run', 'state': 'running'}, {'id': 'prep', 'state': 'preparing'},
                                          {'id': 'queued', 'state': 'active'}])
    emulator.admin.add_job_schedule(schedule_id, jobs=[{'id': schedule_id + ':job-1'}])
    jobs = run_module(batch_job_info, job_filter="id eq '%s'" % job_id, select=['id'])
    started = run_module(batch_task_info, job_id=job_id, task_filter="state eq 'running' or state eq 'preparing'", select=['id'])
    running = run_module(batch_task_info, job_id=job_id, filter="state eq 'running'", select=['id'])
    schedules = run_module(batch_job_schedule_info, job_schedule_filter="id eq '%s'" % schedule_id, select=['id'])
    assert jobs['jobs'] == [{'id': job_id}] and schedules['job_schedules'] == [{'id': schedule_id}]
    assert sorted(task['id'] for task in started['tasks']) == ['prep', 'run']
    assert [task['id'] for task in running['tasks']] == ['run']  # state eq 'running' leaves preparing tasks out
    both = run_module(batch_job_info, job_id=job_id, job_filter="state eq 'active'")
    assert both['failed'] is True and 'mutually exclusive' in both['msg']
