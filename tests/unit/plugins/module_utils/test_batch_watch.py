# -*- coding: utf-8 -*-
"""BatchWatcher's logic with a stand-in client: job schedules (the emulator has no /jobschedules yet), which
failures end polling and which skip a poll, and the $select it sends checked against the Batch spec."""

import json
from pathlib import Path

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import WATCH_SELECT, BatchWatcher

# The project's reference copy of the Batch spec sits in shared/ beside the checkout (the tests run from a copy of
# the collection under build/, so look upwards).
SPEC = next((folder / 'shared' / 'reference' / 'batch-openapi' / '2024-02-01.19.0' / 'BatchService.json'
             for folder in Path(__file__).resolve().parents
             if (folder / 'shared' / 'reference' / 'batch-openapi').is_dir()), None)
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def iso(epoch):
    import datetime  # pylint: disable=import-outside-toplevel
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.0000000Z')


class FakeClient:
    """Answers list calls from what a test put in `jobs`, `tasks` and `schedules`, or raises what it put in `fail`."""

    def __init__(self):
        self.jobs, self.tasks, self.schedules = [], {}, []
        self.fail = {}
        self.calls = []

    def _answer(self, what, items):
        self.calls.append(what)
        error = self.fail.pop(what, None)
        if error is not None:
            raise error
        return iter([dict(item) for item in items])

    def list_jobs(self, filter_=None, select=None):
        return self._answer(('jobs', filter_, select), self.jobs)

    def list_tasks(self, job_id, select=None):
        return self._answer(('tasks', job_id, select), self.tasks.get(job_id, []))

    def list_job_schedules(self, select=None):
        return self._answer(('schedules', select), self.schedules)


def schedule(schedule_id, state, changed=NOW - 10, **fields):
    return dict({'id': schedule_id, 'state': state, 'stateTransitionTime': iso(changed), 'creationTime': iso(NOW - 86400),
                 'executionInfo': {'nextRunTime': iso(NOW + 3600), 'recentJob': {'id': schedule_id + ':job-1'}}}, **fields)


@pytest.fixture
def client():
    return FakeClient()


def watcher_for(client, warnings=None, **options):
    return BatchWatcher(client, clock=lambda: NOW, warn=(warnings.append if warnings is not None else None), **options)


def test_job_schedules_baseline_then_one_event_per_transition(client):
    client.schedules = [schedule('nightly', 'active'), schedule('weekly', 'disabled')]
    watcher = watcher_for(client, job_schedules=True)
    assert watcher.poll() == []
    client.schedules = [schedule('nightly', 'terminating', changed=NOW - 4), schedule('weekly', 'disabled')]
    events = watcher.poll()
    assert [event['batch'] for event in events] == [{
        'event': 'state_changed', 'kind': 'job_schedule', 'job_schedule_id': 'nightly', 'state': 'terminating',
        'previous_state': 'active', 'seconds': 4.0,
        'resource': {'id': 'nightly', 'state': 'terminating', 'state_transition_time': iso(NOW - 4),
                     'creation_time': iso(NOW - 86400),
                     'execution_info': {'next_run_time': iso(NOW + 3600), 'recent_job': {'id': 'nightly:job-1'}}}}]
    assert watcher.poll() == []


def test_job_schedule_that_disappears_or_appears(client):
    client.schedules = [schedule('nightly', 'completed')]
    watcher = watcher_for(client, job_schedules=True)
    watcher.poll()
    client.schedules = [schedule('hourly', 'active')]
    events = [event['batch'] for event in watcher.poll()]
    assert [(e['job_schedule_id'], e['state'], e['previous_state'], e['seconds']) for e in events] == [
        ('hourly', 'active', None, 10.0), ('nightly', None, 'completed', None)]
    assert events[1]['resource'] is None


def test_schedule_ids_compare_case_insensitively(client):
    """Batch ids are case-insensitive: the same schedule listed with other casing is not a new one."""
    client.schedules = [schedule('Nightly', 'active')]
    watcher = watcher_for(client, job_schedules=True)
    watcher.poll()
    client.schedules = [schedule('nightly', 'active')]
    assert watcher.poll() == []


def test_one_list_request_per_kind_with_select(client):
    client.jobs = [{'id': 'job-1', 'state': 'active'}]
    client.tasks = {'job-1': [{'id': 't1', 'state': 'running'}]}
    watcher = watcher_for(client, job_filter="startswith(id,'job-')", tasks=True, job_schedules=True)
    watcher.poll()
    assert client.calls == [('jobs', "startswith(id,'job-')", WATCH_SELECT), ('tasks', 'job-1', WATCH_SELECT),
                            ('schedules', WATCH_SELECT)]


@pytest.mark.parametrize('definition', ['CloudJob', 'CloudTask', 'CloudJobSchedule'])
def test_select_names_properties_of_each_kind_in_the_spec(definition):
    if SPEC is None:
        pytest.skip('the Batch OpenAPI reference is not next to this checkout')
    properties = json.loads(SPEC.read_text())['definitions'][definition]['properties']
    assert set(WATCH_SELECT.split(',')) <= set(properties)


def test_schedule_list_failure_keeps_jobs_going(client):
    client.jobs = [{'id': 'job-1', 'state': 'active'}]
    client.schedules = [schedule('nightly', 'active')]
    warnings = []
    watcher = watcher_for(client, warnings, job_schedules=True)
    watcher.poll()
    client.jobs = [{'id': 'job-1', 'state': 'completed'}]
    client.fail[('schedules', WATCH_SELECT)] = BatchError('HTTP 503 ServerBusy: busy (after 5 attempts)', status=503,
                                                          code='ServerBusy')
    events = watcher.poll()
    assert [(e['batch']['kind'], e['batch']['state']) for e in events] == [('job', 'completed')]
    assert warnings == ['Could not list the job schedules: HTTP 503 ServerBusy: busy (after 5 attempts); '
                        'the service is busy: retry later. Polling goes on.']
    # The failed poll did not count as "every schedule disappeared".
    client.schedules = [schedule('nightly', 'completed')]
    assert [(e['batch']['kind'], e['batch']['previous_state']) for e in watcher.poll()] == [('job_schedule', 'active')]


@pytest.mark.parametrize('error', [
    BatchError('HTTP 500 InternalError', status=500, code='InternalError'),
    BatchError('HTTP 429 TooManyRequests', status=429, code='TooManyRequests'),
    BatchError('Could not reach the Batch service at https://a.b after 5 attempt(s): refused.', unreachable=True),
], ids=['500', '429', 'unreachable'])
def test_transient_failure_skips_the_poll(client, error):
    client.jobs = [{'id': 'job-1', 'state': 'active'}]
    warnings = []
    watcher = watcher_for(client, warnings)
    watcher.poll()
    client.fail[('jobs', None, WATCH_SELECT)] = error
    assert watcher.poll() == []
    assert len(warnings) == 1 and warnings[0].startswith('Could not list the jobs: ') and warnings[0].endswith('Polling goes on.')
    client.jobs = [{'id': 'job-1', 'state': 'terminating'}]
    assert [e['batch']['previous_state'] for e in watcher.poll()] == ['active']


@pytest.mark.parametrize('error, expected', [
    (BatchError('HTTP 403 AuthenticationFailed: Server failed to authenticate the request.', status=403,
                code='AuthenticationFailed'),
     'Could not list the jobs: HTTP 403 AuthenticationFailed: Server failed to authenticate the request; check '
     'batch_account_name and batch_account_key (or the Entra ID identity and its role on the account) and batch_url.'),
    (BatchError("HTTP 400 InvalidQueryParameterValue: The value for one of the query parameters specified in the "
                "request URI is invalid.", status=400, code='InvalidQueryParameterValue'),
     'Could not list the jobs: HTTP 400 InvalidQueryParameterValue: The value for one of the query parameters '
     'specified in the request URI is invalid; check api_version, server_timeout and the filter.'),
    (BatchError('Could not get a Microsoft Entra ID token for scope https://batch.core.windows.net//.default with '
                'auth_source client_secret: AADSTS7000215: Invalid client secret provided.'),
     'Could not list the jobs: Could not get a Microsoft Entra ID token for scope https://batch.core.windows.net//.default '
     'with auth_source client_secret: AADSTS7000215: Invalid client secret provided.'),
], ids=['403', '400', 'token'])
def test_lasting_failure_ends_polling_with_one_sentence(client, error, expected):
    client.fail[('jobs', None, WATCH_SELECT)] = error
    with pytest.raises(BatchError) as raised:
        watcher_for(client).poll()
    assert str(raised.value) == expected
    assert raised.value.status == error.status


def test_a_job_gone_between_the_two_lists_is_skipped(client):
    client.jobs = [{'id': 'job-1', 'state': 'active'}, {'id': 'job-2', 'state': 'active'}]
    client.tasks = {'job-1': [{'id': 't1', 'state': 'running'}], 'job-2': [{'id': 't1', 'state': 'running'}]}
    warnings = []
    watcher = watcher_for(client, warnings, tasks=True)
    watcher.poll()
    client.tasks['job-2'] = [{'id': 't1', 'state': 'completed'}]
    client.fail[('tasks', 'job-1', WATCH_SELECT)] = BatchError('HTTP 404 JobNotFound', status=404, code='JobNotFound')
    assert [(e['batch']['job_id'], e['batch']['state']) for e in watcher.poll()] == [('job-2', 'completed')]
    assert warnings == []


def test_running_longer_than_fires_once_even_at_the_baseline(client):
    client.jobs = [{'id': 'old', 'state': 'disabled', 'executionInfo': {'startTime': iso(NOW - 7200)}},
                   {'id': 'young', 'state': 'active', 'executionInfo': {'startTime': iso(NOW - 60)}},
                   {'id': 'done', 'state': 'terminating', 'executionInfo': {'startTime': iso(NOW - 7200)}}]
    watcher = watcher_for(client, running_longer_than=3600)
    events = [event['batch'] for event in watcher.poll()]
    assert [(e['event'], e['job_id'], e['seconds']) for e in events] == [('running_longer_than', 'old', 7200.0)]
    assert watcher.poll() == []
