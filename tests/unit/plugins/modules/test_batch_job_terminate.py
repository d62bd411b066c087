# -*- coding: utf-8 -*-
"""batch_job_terminate against the emulator: the state table, check/diff mode, wait, errors, bulk."""

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate as module
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for


@pytest.fixture
def job(emulator, unique):
    def make(state='active', tasks=None):
        job_id = unique('job')
        emulator.admin.add_job(job_id, state=state, tasks=tasks or [])
        return job_id
    return make


def posts(emulator, job_id):
    return requests_for(emulator, '/jobs/%s/terminate' % job_id, 'POST')


@pytest.mark.parametrize('state', ['active', 'disabling', 'disabled', 'enabling'])
def test_running_job_is_terminated_then_ok(run_module, emulator, job, state):
    job_id = job(state)
    first = run_module(module, job_id=job_id, terminate_reason='maintenance')
    assert first['changed'] is True
    assert (first['state_before'], first['state']) == (state, 'terminating')
    assert first['job']['id'] == job_id and first['job']['previous_state'] == state
    assert first['request_id'] and first['client_request_id']
    assert first['auth_source_used'] == 'shared_key'
    second = run_module(module, job_id=job_id)
    assert second['changed'] is False and second['state_before'] in ('terminating', 'completed')
    assert len(posts(emulator, job_id)) == 1
    # One read and one terminate for a change, one read for no change.
    assert len(requests_for(emulator, '/jobs/' + job_id)) == 3


@pytest.mark.parametrize('state', ['terminating', 'completed'])
def test_finished_job_is_left_alone(run_module, emulator, job, state):
    job_id = job(state)
    result = run_module(module, job_id=job_id)
    assert result['changed'] is False and result['state'] == state
    assert not posts(emulator, job_id)


def test_deleting_job_warns(run_module, emulator, job):
    job_id = job('deleting')
    result = run_module(module, job_id=job_id)
    assert result['changed'] is False
    assert any('being deleted' in str(warning) for warning in result['warnings'])
    assert not posts(emulator, job_id)


def test_check_mode_only_reads(run_module, emulator, job):
    job_id = job('active')
    result = run_module(module, check_mode=True, diff=True, job_id=job_id, wait=True)
    assert result['changed'] is True and result['state'] == 'terminating' and result['waited'] is False
    assert result['diff'] == {'before': {'state': 'active'}, 'after': {'state': 'terminating'}}
    assert [entry['method'] for entry in requests_for(emulator, '/jobs/' + job_id)] == ['GET']


def test_wait_ends_completed_with_the_reason(run_module, emulator, job):
    job_id = job('active', tasks=[{'id': 'run', 'state': 'running'}, {'id': 'queued', 'state': 'active'}])
    result = run_module(module, job_id=job_id, wait=True, wait_timeout=30, terminate_reason='cost cap')
    assert result['changed'] is True and result['waited'] is True and result['state'] == 'completed'
    assert result['job']['execution_info']['terminate_reason'] == 'cost cap'
    tasks = {task['id']: task for task in emulator.admin.jobs() if task['id'] == job_id}
    assert tasks  # the job is known to the admin API


def test_wait_timeout_fails_but_reports_the_change(run_module, emulator, job):
    job_id = job('active')
    emulator.admin.config(terminate_delay=30)
    try:
        result = run_module(module, job_id=job_id, wait=True, wait_timeout=1)
    finally:
        emulator.admin.config(terminate_delay=1.0)
    assert result['failed'] is True and result['changed'] is True
    # The terminate was accepted: only the wait fell short, and the sentence says so.
    assert result['msg'] == "Terminated job '%s'; not completed within wait_timeout (1 s): it is 'terminating'." % job_id
    assert 'Could not' not in result['msg']
    assert 'error' not in result and 'status' not in result  # no service error: no all-null error block


def test_missing_job_fails_clearly_or_is_ignored(run_module, unique):
    job_id = unique('gone')
    result = run_module(module, job_id=job_id)
    assert result['failed'] is True and result['status'] == 404 and result['error']['code'] == 'JobNotFound'
    assert result['msg'] == ("Could not read job '%s': HTTP 404 JobNotFound: The specified job does not exist; "
                             "set ignore_missing: true if a missing job is expected." % job_id)
    ignored = run_module(module, job_id=job_id, ignore_missing=True)
    assert ignored['changed'] is False and ignored['missing'] is True and ignored['state'] is None


def test_ids_are_case_insensitive(run_module, emulator, job):
    job_id = job('active')
    result = run_module(module, job_id=job_id.upper())
    assert result['changed'] is True and result['job']['id'] == job_id


@pytest.mark.parametrize('code, state', [('JobCompleted', 'completed'), ('JobBeingTerminated', 'terminating')])
def test_race_conflict_means_someone_else_did_it(run_module, emulator, job, code, state):
    job_id = job('active')
    emulator.admin.set_faults([{'method': 'POST', 'path': job_id, 'kind': 'status', 'status': 409, 'code': code, 'times': 1}])
    try:
        result = run_module(module, job_id=job_id)
    finally:
        emulator.admin.clear_faults()
    assert result['changed'] is False and result['state'] == state and 'failed' not in result


def test_if_match_mismatch_fails_without_change(run_module, emulator, job):
    job_id = job('active')
    result = run_module(module, job_id=job_id, if_match='0x8D0000000000000')
    assert result['failed'] is True and result['status'] == 412 and result['error']['code'] == 'ConditionNotMet'
    assert 'if_match' in result['msg']
    predicted = run_module(module, check_mode=True, job_id=job_id, if_match='0x8D0000000000000')
    assert predicted['failed'] is True and 'ConditionNotMet' in predicted['msg']
    read = run_module(module, check_mode=True, job_id=job_id)
    matched = run_module(module, job_id=job_id, if_match=read['job']['e_tag'])
    assert matched['changed'] is True


@pytest.mark.parametrize('form', ['"%s"', 'W/"%s"', '0x1, %s'])
def test_check_mode_predicts_no_412_for_etag_forms_the_service_may_accept(run_module, emulator, job, form):
    job_id = job('active')
    etag = run_module(module, check_mode=True, job_id=job_id)['job']['e_tag']
    predicted = run_module(module, check_mode=True, job_id=job_id, if_match=form % etag)
    assert 'failed' not in predicted and predicted['changed'] is True
    assert any('cannot predict' in str(warning) and 'If-Match' in str(warning) for warning in predicted['warnings'])
    assert posts(emulator, job_id) == []


def test_force_is_sent_as_a_query_parameter(run_module, emulator, job):
    job_id = job('active')
    run_module(module, job_id=job_id, force=True)
    assert posts(emulator, job_id)[0]['query'].get('force') == 'true'


def test_client_request_id_is_used_and_returned(run_module, emulator, job):
    job_id = job('active')
    crid = '6f1f2f4e-3b7a-4c55-9d8e-2a1b3c4d5e6f'
    result = run_module(module, job_id=job_id, client_request_id=crid)
    assert result['client_request_id'] == crid
    assert posts(emulator, job_id)[0]['client_request_id'] == crid


def test_wrong_key_gives_authentication_failed_without_the_signature(run_module, emulator, job):
    job_id = job('active')
    result = run_module(module, job_id=job_id, batch_account_key='d3Jvbmcta2V5LW9mLXRoZS1yaWdodC1sZW5ndGg=')
    assert result['failed'] is True and result['status'] == 403 and result['error']['code'] == 'AuthenticationFailed'
    assert 'batch_account_key' in result['msg']
    assert 'SharedKey ' not in str(result) and "HTTP request '<redacted>'" in str(result['error']['values'])


def test_bulk_ids_with_a_missing_one_fail_and_report_every_item(run_module, emulator, job, unique):
    active, done, gone = job('active'), job('completed'), unique('gone')
    result = run_module(module, job_ids=[active, done, gone], diff=True)
    assert result['failed'] is True and result['changed'] is True
    assert [item['id'] for item in result['jobs']] == [active, done, gone]
    assert [item['changed'] for item in result['jobs']] == [True, False, False]
    assert result['jobs'][2]['error']['error']['code'] == 'JobNotFound'
    assert result['summary'] == {'total': 3, 'changed': 1, 'unchanged': 1, 'failed': 1, 'missing': 0}
    assert result['msg'].startswith('Could not finish 1 of 3 jobs: ')
    assert result['diff']['before'] == {active: 'active', done: 'completed', gone: None}


def test_bulk_filter_lists_once_and_terminates_the_matches(run_module, emulator, job, unique):
    ids = [job('active') for _index in range(5)] + [job('completed')]
    id_filter = ' or '.join("id eq '%s'" % job_id for job_id in ids)
    result = run_module(module, job_filter="(%s) and state eq 'active'" % id_filter, parallel=4)
    assert sorted(item['id'] for item in result['jobs']) == sorted(ids[:5])
    assert result['summary']['changed'] == 5 and result['changed'] is True
    for job_id in ids[:5]:
        assert [entry['method'] for entry in requests_for(emulator, '/jobs/' + job_id)] == ['POST']


def test_reads_of_many_jobs_ask_only_for_what_deciding_needs(run_module, emulator, job):
    """A bulk result carries no job body, so the list and the per-id reads $select four fields; one id gets them all."""
    first, second, third = job(), job(), job()
    run_module(module, job_filter="id eq '%s'" % first)
    run_module(module, job_ids=[second])
    single = run_module(module, job_id=third)
    lists = [entry['query'].get('$select') for entry in requests_for(emulator, '/jobs', 'GET')
             if entry['path'] == '/jobs' and first in entry['query'].get('$filter', '')]
    gets = [entry['query'].get('$select') for entry in requests_for(emulator, '/jobs/', 'GET')
            if entry['path'] in ('/jobs/' + second, '/jobs/' + third)]
    brief = 'id,state,eTag,lastModified'
    assert lists == [brief] and gets == [brief, module.JOB.select]
    assert single['job']['pool_info'] is not None and single['job']['e_tag']
