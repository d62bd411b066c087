# -*- coding: utf-8 -*-
"""The event source azure_batch.ops.batch_events against the emulator: its main() as ansible-rulebook runs it
(pytest-asyncio), and its watcher poll by poll with the collection's own client."""

import asyncio
import datetime
import json
import logging
import re
import sys
import threading
import time
import uuid

import pytest
import yaml

from ansible_collections.azure_batch.ops.extensions.eda.plugins.event_source import batch_events
from ansible_collections.azure_batch.ops.plugins.doc_fragments.auth import ModuleDocFragment
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import SharedKeyAuth
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import WATCH_SELECT, BatchWatcher
from ansible_collections.azure_batch.ops.tests.emulator.certs import create_certificates
from ansible_collections.azure_batch.ops.tests.unit.auth_support import (
    COLLECTION_ROOT, RequestWatch, awx_azure_rm_env, clear_azure_env, identity,
)

WAIT = 30  # seconds a test waits for an event before it fails


@pytest.fixture
def prefix():
    return 'eda-%s-' % uuid.uuid4().hex[:10]


@pytest.fixture
def connection(emulator, monkeypatch, tmp_path):
    """Source arguments for the emulator, with every Azure variable of the test process cleared."""
    clear_azure_env(monkeypatch, tmp_path)
    return {'batch_url': emulator.url, 'ca_path': emulator.ca_path,
            'batch_account_name': emulator.account_name, 'batch_account_key': emulator.account_key}


@pytest.fixture
def watcher_for(emulator, prefix):
    clients = []

    def make(**options):
        client = BatchClient(emulator.url, SharedKeyAuth(emulator.account_name, emulator.account_key),
                             verify=emulator.ca_path, rng=lambda: 0.0)
        clients.append(client)
        options.setdefault('job_filter', "startswith(id,'%s')" % prefix)
        return BatchWatcher(client, **options)

    yield make
    for client in clients:
        client.close()


def ago(seconds):
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds)
    return when.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def brief(events):
    return [(e['batch']['event'], e['batch']['kind'], e['batch'].get('job_id'), e['batch'].get('task_id'),
             e['batch']['state'], e['batch']['previous_state']) for e in events]


# --- one poll after another -------------------------------------------------------------------------------------

def test_baseline_then_one_event_per_transition(emulator, watcher_for, prefix):
    admin = emulator.admin
    admin.add_job(prefix + 'a', 'active')
    admin.add_job(prefix + 'b', 'disabled')
    watcher = watcher_for()
    assert watcher.poll() == []
    admin.set_job_state(prefix + 'a', 'terminating')
    events = watcher.poll()
    assert brief(events) == [('state_changed', 'job', prefix + 'a', None, 'terminating', 'active')]
    resource = events[0]['batch']['resource']
    assert sorted(resource) == ['creation_time', 'execution_info', 'id', 'state', 'state_transition_time']
    assert 0 <= events[0]['batch']['seconds'] < 60
    assert watcher.poll() == []
    admin.set_job_state(prefix + 'a', 'completed')
    admin.set_job_state(prefix + 'b', 'active')
    assert brief(watcher.poll()) == [('state_changed', 'job', prefix + 'a', None, 'completed', 'terminating'),
                                     ('state_changed', 'job', prefix + 'b', None, 'active', 'disabled')]
    assert watcher.poll() == []


def test_terminate_through_the_api_is_seen_once(emulator, watcher_for, prefix):
    """A terminate sent by the collection's client (as batch_job_terminate sends it) gives one event per state."""
    emulator.admin.add_job(prefix + 'run', 'active')
    watcher = watcher_for()
    watcher.poll()
    watcher.client.terminate_job(prefix + 'run', force=True)  # the emulator completes a forced terminate at once
    events = watcher.poll()
    assert brief(events) == [('state_changed', 'job', prefix + 'run', None, 'completed', 'active')]
    assert events[0]['batch']['resource']['execution_info']['terminate_reason'] == 'UserTerminate'
    assert watcher.poll() == []


def test_tasks_of_watched_jobs(emulator, watcher_for, prefix):
    admin = emulator.admin
    admin.add_job(prefix + 'p', 'active', tasks=[{'id': 'render', 'state': 'running'}, {'id': 'merge', 'state': 'active'}])
    admin.add_job(prefix + 'old', 'completed', tasks=[{'id': 'x', 'state': 'completed'}])
    watcher = watcher_for(tasks=True)
    assert watcher.poll() == []
    admin.set_task_state(prefix + 'p', 'render', 'completed', result='failure', exitCode=3)
    admin.add_tasks(prefix + 'p', [{'id': 'retry', 'state': 'active'}])
    events = watcher.poll()
    assert brief(events) == [('state_changed', 'task', prefix + 'p', 'render', 'completed', 'running'),
                             ('state_changed', 'task', prefix + 'p', 'retry', 'active', None)]
    info = events[0]['batch']['resource']['execution_info']
    assert (info['result'], info['exit_code'], info['failure_info']['category']) == ('failure', 3, 'usererror')
    # A job that completes gets one last task list, so its tasks' ends are seen; then its tasks are no longer listed.
    admin.set_job_state(prefix + 'p', 'completed')
    admin.set_task_state(prefix + 'p', 'merge', 'completed')
    assert brief(watcher.poll()) == [('state_changed', 'job', prefix + 'p', None, 'completed', 'active'),
                                     ('state_changed', 'task', prefix + 'p', 'merge', 'completed', 'active')]
    emulator.admin.clear_requests()
    assert watcher.poll() == []
    assert [entry['path'] for entry in emulator.admin.requests()] == ['/jobs']


def test_a_new_job_brings_its_tasks_as_new(emulator, watcher_for, prefix):
    watcher = watcher_for(tasks=True)
    assert watcher.poll() == []
    emulator.admin.add_job(prefix + 'late', 'active', tasks=[{'id': 't1', 'state': 'running'}])
    assert brief(watcher.poll()) == [('state_changed', 'job', prefix + 'late', None, 'active', None),
                                     ('state_changed', 'task', prefix + 'late', 't1', 'running', None)]


def test_resources_that_disappear(emulator, watcher_for, prefix):
    admin = emulator.admin
    admin.add_job(prefix + 'keep', 'active', tasks=[{'id': 'a', 'state': 'running'}, {'id': 'b', 'state': 'running'}])
    admin.add_job(prefix + 'gone', 'completed', tasks=[{'id': 'c', 'state': 'completed'}])
    watcher = watcher_for(tasks=True)
    watcher.poll()
    admin.delete_task(prefix + 'keep', 'b')
    admin.delete_job(prefix + 'gone')
    events = watcher.poll()
    assert brief(events) == [('state_changed', 'job', prefix + 'gone', None, None, 'completed'),
                             ('state_changed', 'task', prefix + 'keep', 'b', None, 'running')]
    assert [(e['batch']['seconds'], e['batch']['resource']) for e in events] == [(None, None), (None, None)]
    assert watcher.poll() == []


def test_a_job_that_leaves_the_filter_counts_as_gone(emulator, watcher_for, prefix):
    emulator.admin.add_job(prefix + 'j', 'active')
    watcher = watcher_for(job_filter="startswith(id,'%s') and state eq 'active'" % prefix)
    watcher.poll()
    emulator.admin.set_job_state(prefix + 'j', 'terminating')
    assert brief(watcher.poll()) == [('state_changed', 'job', prefix + 'j', None, None, 'active')]


def test_running_longer_than(emulator, watcher_for, prefix):
    admin = emulator.admin
    admin.add_job(prefix + 'overdue', 'active', creationTime=ago(7200),
                  tasks=[{'id': 'long', 'state': 'running', 'stateTransitionTime': ago(5400)},
                         {'id': 'short', 'state': 'running', 'stateTransitionTime': ago(30)},
                         {'id': 'waiting', 'state': 'active', 'creationTime': ago(7200)}])
    admin.add_job(prefix + 'fresh', 'active', creationTime=ago(60))
    admin.add_job(prefix + 'ending', 'terminating', creationTime=ago(7200))
    watcher = watcher_for(tasks=True, running_longer_than=3600)
    events = watcher.poll()
    assert brief(events) == [('running_longer_than', 'job', prefix + 'overdue', None, 'active', None),
                             ('running_longer_than', 'task', prefix + 'overdue', 'long', 'running', None)]
    # The emulator starts a job when it is created; seconds count from executionInfo.startTime / stateTransitionTime.
    assert 7200 <= events[0]['batch']['seconds'] < 7200 + WAIT
    assert 5400 <= events[1]['batch']['seconds'] < 5400 + WAIT
    assert watcher.poll() == []
    emulator.admin.set_job_state(prefix + 'overdue', 'disabled')
    assert brief(watcher.poll()) == [('state_changed', 'job', prefix + 'overdue', None, 'disabled', 'active')]


def test_a_poll_is_one_list_per_kind_with_select(emulator, watcher_for, prefix):
    admin = emulator.admin
    for index in range(3):
        admin.add_job('%s%d' % (prefix, index), 'active', tasks=[{'id': 't%d' % n, 'state': 'running'} for n in range(5)])
    admin.add_job(prefix + 'done', 'completed', tasks=[{'id': 't', 'state': 'completed'}])
    admin.config(page_size=2)
    try:
        watcher = watcher_for(tasks=True)
        admin.clear_requests()
        watcher.poll()
        logged = admin.requests()
    finally:
        admin.config(page_size=1000)
    paths = [entry['path'] for entry in logged]
    # 4 jobs in pages of 2, then 5 tasks (3 pages) for each of the 3 jobs that are not completed (in parallel, so in
    # any order); no GET per resource.
    assert paths[:2] == ['/jobs'] * 2
    assert sorted(paths[2:]) == sum((['/jobs/%s%d/tasks' % (prefix, i)] * 3 for i in range(3)), [])
    # Every page asks for the same five properties (the emulator's paging links keep the query).
    assert all(entry['query'].get('$select') == WATCH_SELECT for entry in logged), [entry['query'] for entry in logged]


def test_job_schedules_from_the_emulator(emulator, watcher_for, prefix):
    """Schedules as the emulator serves them (checked against the spec and the azure-batch SDK): a baseline, one event
    per transition with the schedule's own keys, and one /jobschedules list per poll with the brief $select."""
    admin = emulator.admin
    schedule = prefix + 'nightly'
    admin.add_job_schedule(schedule, 'active', jobs=[{'id': schedule + ':job-1', 'state': 'active'}])

    def mine(events):
        return [(e['batch']['event'], e['batch']['kind'], e['batch'].get('job_schedule_id'), e['batch']['state'],
                 e['batch']['previous_state']) for e in events if e['batch']['kind'] == 'job_schedule'
                and e['batch']['job_schedule_id'].startswith(prefix)]

    watcher = watcher_for(job_schedules=True)
    admin.clear_requests()
    assert mine(watcher.poll()) == []
    assert [entry['path'] for entry in admin.requests()] == ['/jobs', '/jobschedules']
    assert all(entry['query'].get('$select') == WATCH_SELECT for entry in admin.requests())
    admin.set_job_schedule_state(schedule, 'disabled')
    events = watcher.poll()
    assert mine(events) == [('state_changed', 'job_schedule', schedule, 'disabled', 'active')]
    event = next(e['batch'] for e in events if e['batch']['kind'] == 'job_schedule' and e['batch']['job_schedule_id'] == schedule)
    assert 'job_id' not in event and event['resource']['id'] == schedule
    assert event['resource']['execution_info']['recent_job']['id'] == schedule + ':job-1'
    assert mine(watcher.poll()) == []


def test_retries_are_logged_without_secrets_and_polling_goes_on(emulator, watcher_for, prefix, caplog):
    emulator.admin.add_job(prefix + 'r', 'active')
    messages = []
    watcher = watcher_for(warn=messages.append)
    watcher.client.on_event = batch_events._log_retry  # pylint: disable=protected-access
    watcher.poll()
    emulator.admin.set_faults([{'method': 'GET', 'path': '^/jobs$', 'kind': 'status', 'status': 503, 'times': 2}])
    emulator.admin.set_job_state(prefix + 'r', 'disabled')
    with caplog.at_level(logging.DEBUG):
        events = watcher.poll()
    assert brief(events) == [('state_changed', 'job', prefix + 'r', None, 'disabled', 'active')]
    retries = [r.getMessage() for r in caplog.records if r.name == 'azure_batch.ops.batch_events']
    assert retries == ['Batch GET /jobs: HTTP 503; retry 1 in 0.0 s.', 'Batch GET /jobs: HTTP 503; retry 2 in 0.0 s.']
    # Retries used up: the poll is skipped with one warning, the next poll carries on from the last one that worked.
    watcher.client.retries = 1
    emulator.admin.set_faults([{'method': 'GET', 'path': '^/jobs$', 'kind': 'status', 'status': 503, 'times': 2}])
    emulator.admin.set_job_state(prefix + 'r', 'enabling')
    with caplog.at_level(logging.DEBUG):
        assert watcher.poll() == []
    assert len(messages) == 1 and messages[0].startswith('Could not list the jobs: HTTP 503 ServerBusy')
    assert messages[0].endswith('(after 2 attempts); the service is busy: retry later. Polling goes on.')
    assert brief(watcher.poll()) == [('state_changed', 'job', prefix + 'r', None, 'enabling', 'disabled')]
    assert emulator.account_key not in caplog.text


# --- main() as ansible-rulebook runs it ---------------------------------------------------------------------------

async def _next_events(queue, count):
    return [await asyncio.wait_for(queue.get(), WAIT) for _index in range(count)]


async def _stop(task):
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
async def test_main_puts_events_on_the_queue(emulator, connection, prefix):
    admin = emulator.admin
    admin.add_job(prefix + 'm', 'active', creationTime=ago(600), tasks=[{'id': 't', 'state': 'running'}])
    queue = asyncio.Queue()
    args = dict(connection, interval=1, tasks=True, running_longer_than=300, job_filter="startswith(id,'%s')" % prefix,
                eda_feedback_queue=asyncio.Queue())
    task = asyncio.create_task(batch_events.main(queue, args))
    try:
        (overdue,) = await _next_events(queue, 1)
        assert brief([overdue]) == [('running_longer_than', 'job', prefix + 'm', None, 'active', None)]
        await asyncio.to_thread(admin.set_task_state, prefix + 'm', 't', 'completed', result='failure')
        (failed,) = await _next_events(queue, 1)
        assert brief([failed]) == [('state_changed', 'task', prefix + 'm', 't', 'completed', 'running')]
        assert failed['batch']['resource']['execution_info']['result'] == 'failure'
    finally:
        await _stop(task)
    assert queue.empty()


@pytest.mark.asyncio
async def test_main_keeps_the_event_loop_free_while_it_polls(emulator, connection, prefix):
    """The client blocks for the whole request; with 400 ms of latency the loop must keep running other tasks."""
    emulator.admin.add_job(prefix + 'slow', 'active', creationTime=ago(600))
    ticks = []

    async def ticker():
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    queue = asyncio.Queue()
    emulator.admin.config(latency_ms=400)
    ticking = asyncio.create_task(ticker())
    source = asyncio.create_task(batch_events.main(queue, dict(connection, running_longer_than=60,
                                                               job_filter="startswith(id,'%s')" % prefix)))
    try:
        started = time.monotonic()
        await _next_events(queue, 1)
        polled = time.monotonic()
    finally:
        await _stop(source)
        await _stop(ticking)
        emulator.admin.config(latency_ms=0)
    during = [tick for tick in ticks if started < tick < polled]
    # A poll run on the loop itself would leave no tick between its start and its event.
    assert polled - started >= 0.4 and len(during) >= 5, (polled - started, len(during))


@pytest.mark.asyncio
@pytest.mark.parametrize('args, message', [
    ({'interval': 0}, 'azure_batch.ops.batch_events: interval must be at least 1; got 0.0.'),
    # ansible-core words its type errors a little differently from one version to the next.
    ({'interval': 'often'}, re.compile(r"azure_batch\.ops\.batch_events: argument 'interval' is of type .*str.* and we "
                                       r"were unable to convert to float: .*\.$")),
    ({'running_longer_than': -5}, 'azure_batch.ops.batch_events: running_longer_than must be at least 1; got -5.'),
    ({'auth_source': 'password'}, 'azure_batch.ops.batch_events: value of auth_source must be one of: auto, shared_key, '
                                  'env, client_secret, certificate, msi, workload_identity, cli, credential_file, '
                                  'default, got: password.'),
    ({'batch_url': 'http://batch.example.com'}, "azure_batch.ops.batch_events: batch_url must be "
                                                "https://<account>.<region>.batch.azure.com; it must use https "
                                                "(got 'http://batch.example.com')."),
    ({'batch_account_key': None, 'batch_account_name': None},
     'azure_batch.ops.batch_events: No Batch credential was found: set batch_account_name and batch_account_key (env '
     'AZURE_BATCH_ACCOUNT, AZURE_BATCH_ACCESS_KEY), or client_id, secret and tenant (env AZURE_CLIENT_ID, AZURE_SECRET, '
     'AZURE_TENANT), or choose another auth_source such as msi, workload_identity or cli.'),
    ({'batch_account_key': 'not base64!'}, 'azure_batch.ops.batch_events: batch_account_key is not valid base64; copy '
                                           'the primary or secondary key of the Batch account.'),
    ({'client_request_id': '9f3c1c9e-4e2b-4c8e-9a53-5b1f0f6f2f6e'}, 'azure_batch.ops.batch_events: unknown option '
     'client_request_id (the options are %s).' % ', '.join(sorted(batch_events.argument_spec()))),
    ({'interval': float('nan')}, 'azure_batch.ops.batch_events: interval must be a number at least 1; got nan.'),
    ({'interval': float('inf')}, 'azure_batch.ops.batch_events: interval must be a number at least 1; got inf.'),
    ({'request_timeout': float('nan')},
     'azure_batch.ops.batch_events: request_timeout must be a number from 1 to 600; got nan.'),
    ({'poll_timeout': float('-inf')}, 'azure_batch.ops.batch_events: poll_timeout must be a number at least 1; got -inf.'),
    ({'parallelism': 0}, 'azure_batch.ops.batch_events: parallelism must be from 1 to 64; got 0.'),
    ({'state_file': '/nonexistent-dir/state.json'}, "azure_batch.ops.batch_events: state_file must name a file in an "
                                                    "existing directory the source can write to; got "
                                                    "'/nonexistent-dir/state.json'."),
], ids=['interval-0', 'interval-text', 'running-negative', 'auth-source', 'http', 'no-credential',
        'bad-key', 'module-only-option', 'interval-nan', 'interval-inf', 'request-timeout-nan', 'poll-timeout-inf',
        'parallelism-0', 'state-file-dir'])
async def test_bad_arguments_end_the_source_before_any_request(emulator, connection, args, message):
    emulator.admin.clear_requests()
    with pytest.raises(batch_events.SourceArgumentError) as raised:
        await batch_events.main(asyncio.Queue(), {k: v for k, v in dict(connection, **args).items() if v is not None})
    if isinstance(message, str):
        assert str(raised.value) == message
    else:
        assert message.fullmatch(str(raised.value)), str(raised.value)
    assert emulator.admin.requests() == []


@pytest.mark.asyncio
async def test_environment_fallbacks_are_the_modules(emulator, connection, monkeypatch, prefix):
    """AZURE_BATCH_ENDPOINT, AZURE_BATCH_ACCOUNT and AZURE_BATCH_ACCESS_KEY, as an EDA credential injects them."""
    monkeypatch.setenv('AZURE_BATCH_ENDPOINT', emulator.url)
    monkeypatch.setenv('AZURE_BATCH_ACCOUNT', emulator.account_name)
    monkeypatch.setenv('AZURE_BATCH_ACCESS_KEY', emulator.account_key)
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', emulator.ca_path)
    emulator.admin.add_job(prefix + 'env', 'active', creationTime=ago(600))
    queue = asyncio.Queue()
    task = asyncio.create_task(batch_events.main(queue, {'running_longer_than': 60,
                                                         'job_filter': "startswith(id,'%s')" % prefix}))
    try:
        assert brief(await _next_events(queue, 1)) == [('running_longer_than', 'job', prefix + 'env', None, 'active', None)]
    finally:
        await _stop(task)


@pytest.mark.asyncio
async def test_entra_id_from_the_variables_awx_and_eda_credentials_inject(emulator, connection, monkeypatch, prefix, caplog):
    """A service principal from AZURE_CLIENT_ID, AZURE_SECRET and AZURE_TENANT: one token for every poll, and neither
    the secret nor the token in any log record, at DEBUG (azure-identity, urllib3 and the source log there)."""
    found = identity(emulator)
    for name, value in awx_azure_rm_env(found['client_id'], found['client_secret'], found['tenant_id']).items():
        monkeypatch.setenv(name, value)
    emulator.admin.add_job(prefix + 'entra', 'active', creationTime=ago(600))
    watch = RequestWatch(emulator)
    queue = asyncio.Queue()
    args = {'batch_url': emulator.url, 'ca_path': emulator.ca_path, 'authority_host': emulator.identity.authority_host,
            'interval': 1, 'running_longer_than': 60, 'job_filter': "startswith(id,'%s')" % prefix}
    with caplog.at_level(logging.DEBUG):
        task = asyncio.create_task(batch_events.main(queue, args))
        try:
            assert brief(await _next_events(queue, 1)) == [
                ('running_longer_than', 'job', prefix + 'entra', None, 'active', None)]
            await asyncio.to_thread(emulator.admin.set_job_state, prefix + 'entra', 'disabled')
            assert brief(await _next_events(queue, 1)) == [
                ('state_changed', 'job', prefix + 'entra', None, 'disabled', 'active')]
        finally:
            await _stop(task)
    assert len(watch.token_requests()) == 1 and len(watch.batch_requests()) >= 2
    assert all(entry['auth_scheme'] == 'Bearer' for entry in watch.batch_requests())
    logged = caplog.text
    assert any(record.name.startswith('azure') for record in caplog.records)  # the debug logs were captured
    assert found['client_secret'] not in logged and 'eyJ' not in logged


@pytest.mark.asyncio
async def test_a_rejected_key_ends_the_source_with_one_sentence(emulator, connection, caplog):
    wrong_key = 'd3Jvbmcta2V5LW9mLXRoZS1yaWdodC1sZW5ndGgtZm9yLWEtYmF0Y2gtYWNjb3VudA=='
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(BatchError) as raised:
            await asyncio.wait_for(batch_events.main(asyncio.Queue(), dict(connection, batch_account_key=wrong_key)), WAIT)
    message = str(raised.value)
    assert message.startswith('Could not list the jobs: HTTP 403 AuthenticationFailed: ')
    assert message.endswith('; check batch_account_name and batch_account_key (or the Entra ID identity and its role '
                            'on the account) and batch_url.')
    assert '\n' not in message and wrong_key not in message and wrong_key not in caplog.text


@pytest.mark.asyncio
async def test_a_ca_that_does_not_sign_the_endpoint_ends_the_source(emulator, connection, tmp_path):
    other_ca, _server, _key = create_certificates(str(tmp_path))  # a CA of its own, which signed nothing the emulator serves
    with pytest.raises(BatchError) as raised:
        await asyncio.wait_for(batch_events.main(asyncio.Queue(), dict(connection, ca_path=str(other_ca))), WAIT)
    assert str(raised.value).startswith('Could not list the jobs: TLS verification of %s failed' % emulator.url)


@pytest.mark.asyncio
async def test_cancelling_the_source_stops_its_poll_within_two_seconds(emulator, connection, prefix):
    """The activation is cancelled while a list request hangs (the emulator answers 30 s late): no thread may go on
    polling for the rest of the request timeout."""
    emulator.admin.add_job(prefix + 'x', 'active')
    emulator.admin.set_faults([{'method': 'GET', 'path': '^/jobs$', 'kind': 'timeout', 'delay': 30}])
    task = asyncio.create_task(batch_events.main(asyncio.Queue(), dict(connection, job_filter="startswith(id,'%s')" % prefix)))
    try:
        await asyncio.sleep(1.0)
        assert _polling_threads(), 'the poll should be waiting for the list'
        await _stop(task)
        stopped = time.monotonic()
        while _polling_threads() and time.monotonic() - stopped < 2.0:
            await asyncio.sleep(0.05)
        assert not _polling_threads(), _polling_threads()
    finally:
        emulator.admin.clear_faults()


def _polling_threads():
    """Names of the threads whose stack is inside BatchWatcher.poll."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():  # pylint: disable=protected-access
        while frame is not None:
            if frame.f_code.co_name == 'poll' and frame.f_code.co_filename.endswith('batch_watch.py'):
                found.append(names.get(ident, ident))
                break
            frame = frame.f_back
    return found


async def _first_polls(queue, task, state_file, count=1):
    """Wait until the source has saved its state count times (its polls done)."""
    deadline = time.monotonic() + WAIT
    saved = []
    while len(saved) < count:
        assert time.monotonic() < deadline and not task.done(), 'the source saved no state'
        if state_file.exists():
            stamp = state_file.stat().st_mtime_ns
            if not saved or saved[-1] != stamp:
                saved.append(stamp)
        await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_a_restarted_source_reports_what_changed_while_it_was_down(emulator, connection, prefix, tmp_path, caplog):
    admin = emulator.admin
    admin.add_job(prefix + 'a', 'active', tasks=[{'id': 't1', 'state': 'running'}])
    admin.add_job(prefix + 'b', 'active')
    state_file = tmp_path / 'batch_events.json'
    args = dict(connection, interval=1, tasks=True, job_filter="startswith(id,'%s')" % prefix, state_file=str(state_file))
    queue = asyncio.Queue()
    task = asyncio.create_task(batch_events.main(queue, args))
    try:
        await _first_polls(queue, task, state_file)
    finally:
        await _stop(task)
    assert queue.empty()  # the baseline
    assert state_file.stat().st_mode & 0o777 == 0o600
    assert json.loads(state_file.read_text())['version'] == 1
    # While the source is down:
    await asyncio.to_thread(admin.set_task_state, prefix + 'a', 't1', 'completed', result='failure', exitCode=1)
    await asyncio.to_thread(admin.set_job_state, prefix + 'b', 'disabled')
    await asyncio.to_thread(admin.add_job, prefix + 'c', 'active', tasks=[{'id': 'n1', 'state': 'active'}])
    task = asyncio.create_task(batch_events.main(queue, args))
    try:
        events = await _next_events(queue, 4)
        await _first_polls(queue, task, state_file, 2)
    finally:
        await _stop(task)
    assert sorted(brief(events), key=str) == sorted([
        ('state_changed', 'job', prefix + 'b', None, 'disabled', 'active'),
        ('state_changed', 'job', prefix + 'c', None, 'active', None),
        ('state_changed', 'task', prefix + 'a', 't1', 'completed', 'running'),
        ('state_changed', 'task', prefix + 'c', 'n1', 'active', None)], key=str)
    assert queue.empty()  # exactly once: the polls after the restart found nothing more
    # Another filter: the saved knowledge is not used, the first poll is a new baseline, and the log says so.
    await asyncio.to_thread(admin.set_job_state, prefix + 'b', 'active')
    with caplog.at_level(logging.INFO):
        task = asyncio.create_task(batch_events.main(queue, dict(args, job_filter="startswith(id,'%sb')" % prefix)))
        try:
            await _first_polls(queue, task, state_file, 2)
        finally:
            await _stop(task)
    assert queue.empty()
    assert 'was saved with another batch_url, job_filter' in caplog.text


@pytest.mark.asyncio
async def test_an_entra_id_outage_does_not_end_the_source(emulator, connection, monkeypatch, prefix, caplog):
    """The token endpoint answers 503, then drops connections: the source warns and goes on, and once Entra ID is
    back the event comes."""
    found = identity(emulator)
    emulator.admin.add_job(prefix + 'entra', 'active', creationTime=ago(600))
    token_path = '/oauth2/v2.0/token$'
    emulator.admin.set_faults([{'path': token_path, 'kind': 'status', 'status': 503, 'times': 4},
                               {'path': token_path, 'kind': 'reset', 'times': 50}])
    args = {'batch_url': emulator.url, 'ca_path': emulator.ca_path, 'authority_host': emulator.identity.authority_host,
            'auth_source': 'client_secret', 'client_id': found['client_id'], 'secret': found['client_secret'],
            'tenant': found['tenant_id'], 'interval': 1, 'running_longer_than': 60,
            'job_filter': "startswith(id,'%s')" % prefix}
    queue = asyncio.Queue()
    with caplog.at_level(logging.WARNING):
        task = asyncio.create_task(batch_events.main(queue, args))
        try:
            deadline = time.monotonic() + WAIT
            while caplog.text.count('Could not get a Microsoft Entra ID token') < 2:
                assert time.monotonic() < deadline and not task.done(), caplog.text
                await asyncio.sleep(0.1)
            await asyncio.to_thread(emulator.admin.clear_faults)
            assert brief(await _next_events(queue, 1)) == [
                ('running_longer_than', 'job', prefix + 'entra', None, 'active', None)]
        finally:
            if not task.done():
                await _stop(task)
            emulator.admin.clear_faults()
    assert 'Polling goes on.' in caplog.text and found['client_secret'] not in caplog.text


def test_paging_links_carry_the_server_timeout_once(emulator, watcher_for, prefix):
    admin = emulator.admin
    for index in range(5):
        admin.add_job('%s%d' % (prefix, index), 'active')
    admin.config(page_size=2)
    try:
        watcher = watcher_for()
        watcher.client.server_timeout = 20
        admin.clear_requests()
        watcher.poll()
        logged = admin.requests()
    finally:
        admin.config(page_size=1000)
    assert len(logged) == 3
    assert all(entry['target'].count('timeout=') == 1 for entry in logged), [entry['target'] for entry in logged]


@pytest.mark.parametrize('base, link', [
    ('https://acct.westeurope.batch.azure.com', 'https://acct.westeurope.batch.azure.com:443/jobs?$skiptoken=a'),
    ('https://acct.westeurope.batch.azure.com:443', 'https://ACCT.westeurope.batch.azure.com/jobs?$skiptoken=a'),
])
def test_paging_links_to_the_same_origin_are_followed(base, link):
    client = BatchClient(base, SharedKeyAuth('acct', 'a2V5'))
    try:
        url, params = client._url(link, None, True)  # pylint: disable=protected-access
    finally:
        client.close()
    assert url == link and params == {'api-version': client.api_version}


@pytest.mark.parametrize('link', ['https://other.batch.azure.com/jobs', 'http://acct.westeurope.batch.azure.com/jobs',
                                  'https://acct.westeurope.batch.azure.com:8443/jobs'])
def test_paging_links_to_another_origin_are_refused(link):
    client = BatchClient('https://acct.westeurope.batch.azure.com', SharedKeyAuth('acct', 'a2V5'))
    try:
        with pytest.raises(BatchError, match='Refusing to follow a paging link to another host'):
            client._url(link, None, True)  # pylint: disable=protected-access
    finally:
        client.close()


# --- what ships with the source -----------------------------------------------------------------------------------

def test_documentation_lists_every_option():
    documented = yaml.safe_load(batch_events.DOCUMENTATION)
    fragment = yaml.safe_load(_auth_fragment())['options']
    assert documented['extends_documentation_fragment'] == ['azure_batch.ops.auth']
    options = set(documented['options']) | set(fragment)
    assert options - set(batch_events.NOT_SOURCE_OPTIONS) == set(batch_events.argument_spec())
    for name, spec in documented['options'].items():
        assert spec['type'] == batch_events.SOURCE_OPTIONS[name]['type'], name
        assert spec.get('default') == batch_events.SOURCE_OPTIONS[name].get('default'), name
    assert (COLLECTION_ROOT / 'extensions' / 'eda' / 'plugins' / 'event_source' / 'batch_events.py').is_file()


def test_an_empty_job_filter_watches_every_job(connection):
    options, _url, _credentials = batch_events.check_arguments(dict(connection, job_filter='  '))
    assert options['job_filter'] is None


def test_examples_are_rulebooks_of_this_source():
    for play in yaml.safe_load(batch_events.EXAMPLES):
        (source,) = play['sources']
        assert list(source) == ['azure_batch.ops.batch_events']
        batch_events.check_arguments(dict(source['azure_batch.ops.batch_events'], batch_url='https://a.westeurope.batch.azure.com',
                                          batch_account_name='a', batch_account_key='a2V5'), environ={})


def _auth_fragment():
    return ModuleDocFragment.DOCUMENTATION
