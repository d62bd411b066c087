# -*- coding: utf-8 -*-
"""Reads of many ids: a few list requests with `id eq` filters, a GET for an id the lists did not return.

Request counts come from the emulator's request log; a GET per id (the earlier behaviour) fails every count here.
"""

from urllib.parse import quote

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils import batch_bulk_read
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_bulk_read import MAX_REQUEST_LINE, chunk_ids, id_filter
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import JOB, JOB_SCHEDULE, TASK
from ansible_collections.azure_batch.ops.plugins.modules import batch_job_schedule_terminate as schedule_module
from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate as job_module
from ansible_collections.azure_batch.ops.plugins.modules import batch_task_terminate as task_module
from ansible_collections.azure_batch.ops.tests.emulator.odata import parse_filter
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for


@pytest.fixture
def job_of(emulator, unique):
    """A job with the given number of tasks in one state; returns (job_id, task ids)."""
    def make(count, state, prefix='task-'):
        job_id = unique('bulk')
        task_ids = ['%s%04d' % (prefix, index) for index in range(count)]
        emulator.admin.add_job(job_id, tasks=[{'id': task_id, 'state': state} for task_id in task_ids])
        return job_id, task_ids
    return make


def request_line(entry):
    return '%s %s HTTP/1.1' % (entry['method'], entry['target'])


def lists_of(entries):
    return [entry for entry in entries if entry['method'] == 'GET' and entry['path'].endswith(('/tasks', '/jobs'))]


def test_completed_tasks_are_read_in_a_few_lists_and_left_alone(run_module, emulator, job_of):
    job_id, task_ids = job_of(200, 'completed')
    result = run_module(task_module, job_id=job_id, task_ids=task_ids)
    assert result['changed'] is False and result['summary']['unchanged'] == 200
    assert [item['state_before'] for item in result['tasks']] == ['completed'] * 200
    sent = requests_for(emulator, '/jobs/%s/' % job_id)
    assert 2 <= len(sent) <= 10 and sent == lists_of(sent)
    assert all(entry['query']['$select'] == TASK.brief_select for entry in sent)
    listed = set()
    for entry in sent:
        assert len(request_line(entry)) < MAX_REQUEST_LINE
        filtered = parse_filter(entry['query']['$filter'])
        listed.update(task_id for task_id in task_ids if filtered({'id': task_id}))
    assert listed == set(task_ids)


def test_check_mode_reads_200_tasks_with_lists_and_posts_nothing(run_module, emulator, job_of):
    job_id, task_ids = job_of(200, 'running')
    result = run_module(task_module, check_mode=True, diff=True, job_id=job_id, task_ids=task_ids)
    assert result['changed'] is True and result['summary']['changed'] == 200
    assert result['diff']['before'] == dict.fromkeys(task_ids, 'running')
    assert result['diff']['after'] == dict.fromkeys(task_ids, 'completed')
    sent = requests_for(emulator, '/jobs/%s/tasks' % job_id)
    assert len(sent) <= 10 and sent == lists_of(sent)


def test_500_running_tasks_cost_the_lists_and_one_post_each(run_module, emulator, job_of):
    job_id, task_ids = job_of(500, 'running')
    result = run_module(task_module, job_id=job_id, task_ids=task_ids, parallel=16)
    assert result['summary'] == {'total': 500, 'changed': 500, 'unchanged': 0, 'failed': 0, 'missing': 0}
    sent = requests_for(emulator, '/jobs/%s/tasks' % job_id)
    posts = [entry for entry in sent if entry['method'] == 'POST']
    assert len(posts) == 500 and len({entry['path'] for entry in posts}) == 500
    assert len(sent) <= 520 and len(lists_of(sent)) == len(sent) - 500
    assert {task['state'] for task in _tasks(emulator, job_id)} == {'completed'}


def test_100_active_jobs_cost_the_lists_and_one_post_each(run_module, emulator, unique):
    prefix = unique('bulkjobs')
    job_ids = ['%s-%03d' % (prefix, index) for index in range(100)]
    for job_id in job_ids:
        emulator.admin.add_job(job_id, state='active')
    result = run_module(job_module, job_ids=job_ids)
    assert result['summary']['changed'] == 100
    ours = [entry for entry in emulator.admin.requests()
            if prefix in entry['path'] or prefix in entry['query'].get('$filter', '')]
    posts = [entry for entry in ours if entry['method'] == 'POST']
    assert len(posts) == 100 and len(ours) <= 110
    assert all(entry['path'] == '/jobs' and entry['query']['$select'] == JOB.brief_select for entry in ours if entry not in posts)


def test_job_schedules_named_by_id_are_read_in_lists_too(run_module, emulator, unique):
    prefix = unique('bulkschedules')
    done = ['%s-done-%02d' % (prefix, index) for index in range(30)]
    active = ['%s-active-%02d' % (prefix, index) for index in range(30)]
    for schedule_id in done:
        emulator.admin.add_job_schedule(schedule_id, 'completed')
    for schedule_id in active:
        emulator.admin.add_job_schedule(schedule_id, 'active')

    def ours():
        return [entry for entry in emulator.admin.requests()
                if prefix in entry['path'] or prefix in entry['query'].get('$filter', '')]

    emulator.admin.clear_requests()
    result = run_module(schedule_module, job_schedule_ids=done)
    assert result['summary']['unchanged'] == 30 and not result['changed']
    assert 1 <= len(ours()) <= 3 and all(entry['method'] == 'GET' and entry['path'] == '/jobschedules' for entry in ours())
    assert all(entry['query']['$select'] == JOB_SCHEDULE.brief_select for entry in ours())
    emulator.admin.clear_requests()
    result = run_module(schedule_module, job_schedule_ids=active)
    assert result['summary']['changed'] == 30
    posts = [entry for entry in ours() if entry['method'] == 'POST']
    assert len(posts) == 30 and len(ours()) <= 33


def test_an_id_the_lists_did_not_return_is_read_before_it_is_called_missing(run_module, emulator, job_of, monkeypatch):
    """Were `$filter` case-sensitive, 'TASK-0001' would not be listed; a GET (case-insensitive) still finds it."""
    job_id, _task_ids = job_of(3, 'running')
    path_of, list_call = batch_bulk_read.LISTS['task']

    def case_sensitive_list(client, target, filter_, select):
        asked = set(parse_literals(filter_))
        return [task for task in list_call(client, target, filter_, select) if task['id'] in asked]

    monkeypatch.setitem(batch_bulk_read.LISTS, 'task', (path_of, case_sensitive_list))
    result = run_module(task_module, job_id=job_id, task_ids=['task-0000', 'TASK-0001', 'nope'], ignore_missing=True)
    assert [(item['id'], item['changed'], item.get('missing', False)) for item in result['tasks']] == [
        ('task-0000', True, False), ('TASK-0001', True, False), ('nope', False, True)]
    gets = [entry['path'].rsplit('/', 1)[1] for entry in requests_for(emulator, '/jobs/%s/tasks/' % job_id, 'GET')]
    assert sorted(gets) == ['TASK-0001', 'nope']
    assert len(lists_of(requests_for(emulator, '/jobs/%s/tasks' % job_id))) == 1


def test_a_failed_list_leaves_every_id_to_its_own_read(run_module, emulator, job_of):
    job_id, task_ids = job_of(3, 'running')
    emulator.admin.set_faults([{'method': 'GET', 'path': '^/jobs/%s/tasks$' % job_id, 'kind': 'status',
                                'status': 403, 'code': 'Forbidden', 'times': 1}])
    try:
        result = run_module(task_module, job_id=job_id, task_ids=task_ids)
    finally:
        emulator.admin.clear_faults()
    assert result['summary']['changed'] == 3
    gets = requests_for(emulator, '/jobs/%s/tasks/' % job_id, 'GET')
    assert sorted(entry['path'].rsplit('/', 1)[1] for entry in gets) == task_ids


def test_long_ids_are_split_into_request_lines_under_2048_characters(run_module, emulator, job_of):
    job_id, task_ids = job_of(300, 'completed', prefix='t' * 60)
    run_module(task_module, job_id=job_id, task_ids=task_ids)
    lists = lists_of(requests_for(emulator, '/jobs/%s/tasks' % job_id))
    lengths = [len(request_line(entry)) for entry in lists]
    assert len(lists) > 5 and len(requests_for(emulator, '/jobs/%s/tasks/' % job_id)) == 0
    assert max(lengths) < MAX_REQUEST_LINE
    # Full chunks use most of the line: no more lists than needed.
    assert all(length > MAX_REQUEST_LINE - batch_bulk_read.ROOM_FOR_PAGING - 100 for length in lengths[:-1])


def test_quotes_in_ids_are_doubled_and_each_chunk_fits():
    text = id_filter(["it's", 'plain', "''"])
    assert text == "id eq 'it''s' or id eq 'plain' or id eq ''''''"
    matches = parse_filter(text)
    assert matches({'id': "it's"}) and matches({'id': "''"}) and not matches({'id': 'its'})
    ids = ["o'%03d" % index for index in range(100)]
    chunks = chunk_ids(ids, 500)
    assert [value for chunk in chunks for value in chunk] == ids
    assert all(len(_encoded(id_filter(chunk))) <= 500 for chunk in chunks)
    assert all(len(_encoded(id_filter(chunk + [ids[0]]))) > 500 for chunk in chunks[:-1])


def _encoded(text):
    # As the query string carries it (urlencode: quote_plus), written out independently here.
    return quote(text, safe='').replace('%20', '+')


def parse_literals(filter_):
    """The ids named by an `id eq '...' or ...` filter (OData doubles a quote inside a string literal)."""
    return [part.split("'", 1)[1][:-1].replace("''", "'") for part in filter_.split(' or ')]


def _tasks(emulator, job_id):
    return next(job for job in emulator.admin.jobs() if job['id'] == job_id)['tasks']
