# -*- coding: utf-8 -*-
"""BatchWatcher's logic with a scripted stand-in client: job schedules, which failures end polling and which skip a
poll, that a failed list loses no transition, parallel task lists, the poll deadline and stop(), and the $select it
sends checked against the Batch spec."""

import json
import threading
import time
from pathlib import Path

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import WATCH_SELECT, BatchWatcher, PollStopped

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


# --- no transition lost: a failed list keeps what was known and is read again ------------------------------------

def busy(what):
    return BatchError('Could not list %s: HTTP 503 ServerBusy (after 5 attempts)' % what, status=503, code='ServerBusy')


def brief(events):
    return [(e['batch']['event'], e['batch']['kind'], e['batch'].get('job_id'), e['batch'].get('task_id'),
             e['batch']['state'], e['batch']['previous_state']) for e in events]


def test_a_job_completing_while_its_task_list_fails_still_reports_its_tasks(client):
    client.jobs = [{'id': 'job-1', 'state': 'active'}]
    client.tasks = {'job-1': [{'id': 't1', 'state': 'running'}]}
    warnings = []
    watcher = watcher_for(client, warnings, tasks=True)
    assert watcher.poll() == []
    client.jobs = [{'id': 'job-1', 'state': 'completed'}]
    client.tasks = {'job-1': [{'id': 't1', 'state': 'completed'}]}
    client.fail[('tasks', 'job-1', WATCH_SELECT)] = busy('tasks')
    assert brief(watcher.poll()) == [('state_changed', 'job', 'job-1', None, 'completed', 'active')]
    assert len(warnings) == 1
    assert brief(watcher.poll()) == [('state_changed', 'task', 'job-1', 't1', 'completed', 'running')]
    client.calls.clear()
    assert watcher.poll() == []
    assert client.calls == [('jobs', None, WATCH_SELECT)]  # its last task list was read: no more


def test_a_new_jobs_failed_first_task_list_is_no_silent_baseline(client):
    watcher = watcher_for(client, tasks=True)
    assert watcher.poll() == []
    client.jobs = [{'id': 'late', 'state': 'active'}]
    client.tasks = {'late': [{'id': 't1', 'state': 'running'}, {'id': 't2', 'state': 'active'}]}
    client.fail[('tasks', 'late', WATCH_SELECT)] = busy('tasks')
    assert brief(watcher.poll()) == [('state_changed', 'job', 'late', None, 'active', None)]
    # As for a new job whose first list works: every task of it is new, previous_state null.
    assert brief(watcher.poll()) == [('state_changed', 'task', 'late', 't1', 'running', None),
                                     ('state_changed', 'task', 'late', 't2', 'active', None)]
    assert watcher.poll() == []


def test_a_baseline_task_list_that_fails_is_taken_as_baseline_later(client):
    """A job there at the first poll: its tasks were there too, so the first list that works is their baseline."""
    client.jobs = [{'id': 'job-1', 'state': 'active'}]
    client.tasks = {'job-1': [{'id': 't1', 'state': 'running'}]}
    client.fail[('tasks', 'job-1', WATCH_SELECT)] = busy('tasks')
    watcher = watcher_for(client, tasks=True)
    assert watcher.poll() == []
    assert watcher.poll() == []
    client.tasks = {'job-1': [{'id': 't1', 'state': 'completed'}]}
    assert brief(watcher.poll()) == [('state_changed', 'task', 'job-1', 't1', 'completed', 'running')]


def test_a_job_deleted_and_created_again_with_the_same_id_is_new(client):
    def job(created):
        return {'id': 'nightly', 'state': 'active', 'creationTime': iso(created), 'executionInfo': {'startTime': iso(created)}}

    def task(started):
        return {'id': 'render', 'state': 'running', 'creationTime': iso(started), 'stateTransitionTime': iso(started)}

    client.jobs = [job(NOW - 90000)]
    client.tasks = {'nightly': [task(NOW - 86000)]}
    watcher = watcher_for(client, tasks=True, running_longer_than=3600)
    assert [e[0] for e in brief(watcher.poll())] == ['running_longer_than', 'running_longer_than']
    assert watcher.poll() == []
    # Deleted and created again between two polls, with a task of the same id.
    client.jobs = [job(NOW - 7200)]
    client.tasks = {'nightly': [task(NOW - 7000)]}
    assert brief(watcher.poll()) == [
        ('state_changed', 'job', 'nightly', None, None, 'active'),
        ('state_changed', 'job', 'nightly', None, 'active', None),
        ('running_longer_than', 'job', 'nightly', None, 'active', None),
        ('state_changed', 'task', 'nightly', 'render', 'running', None),
        ('running_longer_than', 'task', 'nightly', 'render', 'running', None)]
    assert watcher.poll() == []


def test_a_recreated_job_that_is_already_completed_reports_its_tasks(client):
    client.jobs = [{'id': 'j', 'state': 'completed', 'creationTime': iso(NOW - 900)}]
    client.tasks = {'j': [{'id': 'old', 'state': 'completed'}]}
    watcher = watcher_for(client, tasks=True)
    watcher.poll()
    client.jobs = [{'id': 'j', 'state': 'completed', 'creationTime': iso(NOW - 100)}]
    client.tasks = {'j': [{'id': 'new', 'state': 'completed'}]}
    assert brief(watcher.poll())[-1] == ('state_changed', 'task', 'j', 'new', 'completed', None)


# --- transient or fatal -----------------------------------------------------------------------------------------

def test_an_entra_id_outage_skips_the_poll(client):
    """EntraAuth marks a token endpoint that answered 5xx or could not be reached like a Batch endpoint out of reach."""
    client.jobs = [{'id': 'job-1', 'state': 'active'}]
    warnings = []
    watcher = watcher_for(client, warnings)
    watcher.poll()
    client.fail[('jobs', None, WATCH_SELECT)] = BatchError(
        'Could not get a Microsoft Entra ID token for scope https://batch.core.windows.net//.default with auth_source '
        'client_secret: Authentication failed: HTTP Error: 503', unreachable=True)
    assert watcher.poll() == [] and len(warnings) == 1 and warnings[0].endswith('Polling goes on.')
    client.jobs = [{'id': 'job-1', 'state': 'disabled'}]
    assert brief(watcher.poll()) == [('state_changed', 'job', 'job-1', None, 'disabled', 'active')]


def test_a_filter_too_long_for_a_url_ends_polling(client):
    client.fail[('jobs', "startswith(id,'x')", WATCH_SELECT)] = BatchError('HTTP 414 RequestUriTooLong', status=414)
    with pytest.raises(BatchError) as raised:
        watcher_for(client, job_filter="startswith(id,'x')").poll()
    assert str(raised.value) == ('Could not list the jobs: HTTP 414 RequestUriTooLong; job_filter is too long for the '
                                 'URL of a request: shorten it.')


@pytest.mark.parametrize('status', [408, 429, 500, 503])
def test_transient_statuses_skip_the_poll(client, status):
    client.fail[('jobs', None, WATCH_SELECT)] = BatchError('HTTP %d' % status, status=status)
    assert watcher_for(client).poll() == []


# --- parallel task lists, poll deadline, stop -------------------------------------------------------------------

class SlowClient(FakeClient):
    """Task lists that take a while (or until released), counting how many run at once."""

    def __init__(self):
        super().__init__()
        self.running = self.most = 0
        self.lock = threading.Lock()
        self.held = {}  # job id -> threading.Event the list waits for
        self._sleep = time.sleep

    def list_tasks(self, job_id, select=None):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            self.held.get(job_id, threading.Event()).wait(5 if job_id in self.held else 0.05)
            return super().list_tasks(job_id, select)
        finally:
            with self.lock:
                self.running -= 1


def test_task_lists_are_read_in_parallel_up_to_parallelism():
    client = SlowClient()
    client.jobs = [{'id': 'job-%d' % n, 'state': 'active'} for n in range(20)]
    client.tasks = {'job-%d' % n: [{'id': 't', 'state': 'running'}] for n in range(20)}
    watcher = watcher_for(client, tasks=True, parallelism=4)
    watcher.poll()
    assert client.most == 4
    assert sorted(call[1] for call in client.calls if call[0] == 'tasks') == sorted('job-%d' % n for n in range(20))
    watcher.close()


def test_a_task_list_past_the_poll_timeout_is_read_next_poll():
    client = SlowClient()
    client.jobs = [{'id': 'fast', 'state': 'active'}, {'id': 'slow', 'state': 'active'}]
    client.tasks = {'fast': [{'id': 't', 'state': 'running'}], 'slow': [{'id': 't', 'state': 'running'}]}
    warnings = []
    watcher = watcher_for(client, warnings, tasks=True, poll_timeout=0.5)
    watcher.poll()
    client.tasks = {'fast': [{'id': 't', 'state': 'completed'}], 'slow': [{'id': 't', 'state': 'completed'}]}
    client.held['slow'] = threading.Event()
    assert brief(watcher.poll()) == [('state_changed', 'task', 'fast', 't', 'completed', 'running')]
    assert warnings == ['The poll took longer than poll_timeout (0.5 s): the tasks of 1 job(s) (slow) are listed again '
                        'at the next poll. Polling goes on.']
    client.held.pop('slow').set()
    assert brief(watcher.poll()) == [('state_changed', 'task', 'slow', 't', 'completed', 'running')]
    watcher.close()


def test_stop_ends_a_poll_waiting_to_retry():
    client = SlowClient()

    def list_jobs(filter_=None, select=None):
        client._sleep(60)  # pylint: disable=protected-access  # the client's back-off before a retry
        return iter([])

    client.list_jobs = list_jobs
    watcher = watcher_for(client)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(_run(watcher.poll)))
    thread.start()
    time.sleep(0.2)
    watcher.stop()
    thread.join(2)
    assert not thread.is_alive() and outcome == [PollStopped]


def _run(call):
    try:
        call()
    except PollStopped:
        return PollStopped
    return None
