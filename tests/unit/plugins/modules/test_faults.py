# -*- coding: utf-8 -*-
"""Both terminate modules against the emulator's injected faults: retried, bounded, and truthful about `changed`.

Every fault kind of the emulator (status 429/503/500 with and without Retry-After, connection reset,
read timeout, response lost after the change was applied) is checked on the terminate request of a
job and of a task, through the request log. Then the `changed` table: a conflict answer to the
first terminate means someone else did it; the same answer after an attempt whose outcome is
unknown means ours did.
"""

import contextlib
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate, batch_task_terminate
from ansible_collections.azure_batch.ops.tests.emulator.certs import create_certificates
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for


@contextlib.contextmanager
def injected(emulator, *rules):
    emulator.admin.set_faults(list(rules))
    try:
        yield
    finally:
        emulator.admin.clear_faults()


class Job:
    """One job (kind 'job') or one task of a job (kind 'task') on the emulator, and how to terminate it."""

    def __init__(self, emulator, unique, kind, state=None):
        self.kind = kind
        self.job_id = unique('fault')
        if kind == 'job':
            emulator.admin.add_job(self.job_id, state=state or 'active')
            self.post_path = '/jobs/%s/terminate' % self.job_id
            self.get_path = '/jobs/%s' % self.job_id
        else:
            emulator.admin.add_job(self.job_id, state='active', tasks=[{'id': 'task-1', 'state': state or 'running'}])
            self.post_path = '/jobs/%s/tasks/task-1/terminate' % self.job_id
            self.get_path = '/jobs/%s/tasks/task-1' % self.job_id
        self.emulator = emulator

    @property
    def module(self):
        return batch_job_terminate if self.kind == 'job' else batch_task_terminate

    @property
    def args(self):
        return {'job_id': self.job_id} if self.kind == 'job' else {'job_id': self.job_id, 'task_id': 'task-1'}

    @property
    def done_state(self):
        """The state right after our terminate was accepted."""
        return 'terminating' if self.kind == 'job' else 'completed'

    def post_rule(self, **rule):
        return dict(rule, method='POST', path='^%s$' % self.post_path)

    def get_rule(self, **rule):
        return dict(rule, method='GET', path='^%s$' % self.get_path)

    def posts(self):
        return [entry for entry in requests_for(self.emulator, self.post_path, 'POST') if entry['path'] == self.post_path]

    def posts_when(self, ready, seconds=3.0):
        """The logged terminate requests once ready(posts): a timed-out request is logged when it ends."""
        deadline = time.monotonic() + seconds
        posts = self.posts()
        while not ready(posts) and time.monotonic() < deadline:
            time.sleep(0.1)
            posts = self.posts()
        return posts

    def state(self):
        for job in self.emulator.admin.jobs():
            if job['id'] == self.job_id:
                return job['state'] if self.kind == 'job' else job['tasks'][0]['state']
        return None


def item_state(emulator, job_id):
    return [job['state'] for job in emulator.admin.jobs() if job['id'] == job_id][0]


@pytest.fixture(params=['job', 'task'])
def target(request, emulator, unique):
    return lambda state=None: Job(emulator, unique, request.param, state)


# Each fault kind of the emulator, on the terminate request -----------------------------------------

FAULTS = {
    '429 with Retry-After seconds': dict(kind='status', status=429, retry_after=0.2),
    '429 without Retry-After': dict(kind='status', status=429),
    '503 ServerBusy with Retry-After date': dict(kind='status', status=503, retry_after=1, retry_after_format='http-date'),
    '500 OperationTimedOut': dict(kind='status', status=500, code='OperationTimedOut'),
    '500 InternalError': dict(kind='status', status=500, code='InternalError'),
    'connection reset': dict(kind='reset'),
    'read timeout': dict(kind='timeout', delay=1.6),
    'response lost after applying': dict(kind='lost_response'),
}


@pytest.mark.parametrize('fault', sorted(FAULTS))
def test_each_fault_on_terminate_is_retried_and_reported_truthfully(run_module, emulator, target, fault):
    item = target()
    with injected(emulator, item.post_rule(times=1, **FAULTS[fault])):
        result = run_module(item.module, verbosity=3, request_timeout=1, **item.args)
    assert 'failed' not in result and 'exception' not in result, result.get('msg')
    assert result['changed'] is True and result['state'] in (item.done_state, 'completed')
    assert item.state() in (item.done_state, 'completed')
    posts = item.posts_when(lambda posts: len(posts) >= 2)
    assert len(posts) == 2 and FAULTS[fault]['kind'] in [entry['fault'] for entry in posts]
    retry = result['retry_log'][0]
    assert (retry['method'], retry['path'], retry['attempt']) == ('POST', item.post_path, 1)
    assert retry['status'] == FAULTS[fault].get('status') and retry['delay'] >= 0
    if fault == '429 with Retry-After seconds':
        assert retry['delay'] == 0.2


@pytest.mark.parametrize('fault', ['429 without Retry-After', '500 InternalError', 'connection reset', 'response lost after applying'])
def test_faults_on_the_read_are_retried(run_module, emulator, target, fault):
    item = target()
    with injected(emulator, item.get_rule(times=2, **FAULTS[fault])):
        result = run_module(item.module, verbosity=3, **item.args)
    assert result['changed'] is True and result['state_before'] in ('active', 'running')
    assert [entry['method'] for entry in result['retry_log']] == ['GET', 'GET'] and len(item.posts()) == 1


def test_retry_log_only_from_verbosity_three(run_module, emulator, target):
    item = target()
    with injected(emulator, item.post_rule(times=1, kind='status', status=503, retry_after=0)):
        quiet = run_module(item.module, verbosity=2, **item.args)
    assert quiet['changed'] is True and 'retry_log' not in quiet


# changed: someone else, or our own lost request ----------------------------------------------------

CONFLICT = {'job': ('JobCompleted', 'completed'), 'task': ('TaskCompleted', 'completed')}


def test_conflict_to_the_first_terminate_means_someone_else_did_it(run_module, emulator, target):
    item = target()
    code, state = CONFLICT[item.kind]
    with injected(emulator, item.post_rule(times=1, kind='status', status=409, code=code)):
        result = run_module(item.module, **item.args)
    assert result['changed'] is False and result['state'] == state and 'failed' not in result
    assert len(item.posts()) == 1


@pytest.mark.parametrize('first', ['429', '503'])
def test_conflict_after_throttling_still_means_someone_else(run_module, emulator, target, first):
    item = target()
    code, _state = CONFLICT[item.kind]
    with injected(emulator, item.post_rule(times=1, kind='status', status=int(first), retry_after=0),
                  item.post_rule(times=1, kind='status', status=409, code=code)):
        result = run_module(item.module, **item.args)
    assert result['changed'] is False and len(item.posts()) == 2


@pytest.mark.parametrize('first', ['lost_response', '500', 'timeout'])
def test_conflict_after_an_unknown_outcome_means_ours_took_effect(run_module, emulator, target, first):
    item = target()
    rules = {'lost_response': [item.post_rule(times=1, kind='lost_response')],
             '500': [item.post_rule(times=1, kind='status', status=500, code='InternalError'),
                     item.post_rule(times=1, kind='status', status=409, code=CONFLICT[item.kind][0])],
             'timeout': [item.post_rule(times=1, kind='timeout', delay=1.6),
                         item.post_rule(times=1, kind='status', status=409, code=CONFLICT[item.kind][0])]}[first]
    with injected(emulator, *rules):
        result = run_module(item.module, request_timeout=1, **item.args)
    assert result['changed'] is True and 'failed' not in result, result
    assert result['state'] in (item.done_state, 'completed')
    if first == 'lost_response':
        assert [entry['code'] for entry in item.posts()][1] in ('JobBeingTerminated', 'JobCompleted', 'TaskCompleted')


def test_every_answer_lost_is_confirmed_by_a_read(run_module, emulator, target):
    item = target()
    with injected(emulator, item.post_rule(kind='lost_response')):
        result = run_module(item.module, retries=2, **item.args)
    assert result['changed'] is True and 'failed' not in result and result['state'] in (item.done_state, 'completed')
    assert len(item.posts()) == 3


def test_every_attempt_reset_fails_and_does_not_claim_to_know(run_module, emulator, target):
    item = target()
    with injected(emulator, item.post_rule(kind='reset')):
        result = run_module(item.module, retries=2, **item.args)
    assert result['failed'] is True and result['changed'] is False
    assert 'after 3 attempt(s)' in result['msg'] and result['msg'].endswith(
        'the service may have applied it: read the %s before trying again.' % item.kind)
    assert item.state() in ('active', 'running') and len(item.posts()) == 3


def test_lost_answers_and_no_way_to_read_say_the_outcome_is_unknown(run_module, emulator, unique):
    job_id = unique('fault')
    emulator.admin.add_job(job_id, state='active')
    with injected(emulator, {'method': 'POST', 'path': '^/jobs/%s/terminate$' % job_id, 'kind': 'lost_response'},
                  {'method': 'GET', 'path': '^/jobs/%s$' % job_id, 'kind': 'status', 'status': 503, 'retry_after': 0}):
        result = run_module(batch_job_terminate, retries=1, job_filter="id eq '%s'" % job_id)
    assert result['failed'] is True
    assert result['msg'].startswith("Could not finish 1 of 1 jobs: Could not terminate job '%s': Could not reach" % job_id)
    assert result['msg'].endswith('the service may have applied it: read the job before trying again.')
    assert item_state(emulator, job_id) in ('terminating', 'completed')


def test_if_match_after_a_lost_answer_is_confirmed_not_refused(run_module, emulator, unique):
    job_id = unique('fault')
    emulator.admin.add_job(job_id, state='active')
    etag = run_module(batch_job_terminate, check_mode=True, job_id=job_id)['job']['e_tag']
    with injected(emulator, {'method': 'POST', 'path': '^/jobs/%s/terminate$' % job_id, 'kind': 'lost_response', 'times': 1}):
        result = run_module(batch_job_terminate, job_id=job_id, if_match=etag)
    posts = requests_for(emulator, '/jobs/%s/terminate' % job_id, 'POST')
    assert [entry['code'] for entry in posts] == [None, 'ConditionNotMet']
    assert result['changed'] is True and result['state'] in ('terminating', 'completed') and 'failed' not in result


# Bounded: give up with one sentence, status and request id ----------------------------------------

def test_persistent_throttling_gives_up_after_the_retries(run_module, emulator, target):
    item = target()
    with injected(emulator, item.post_rule(kind='status', status=429, retry_after=0.05)):
        result = run_module(item.module, retries=2, **item.args)
    assert result['failed'] is True and result['changed'] is False and 'exception' not in result
    assert result['status'] == 429 and result['error']['code'] == 'TooManyRequests' and result['request_id']
    assert 'HTTP 429 TooManyRequests' in result['msg'] and '(after 3 attempts)' in result['msg']
    assert result['msg'].endswith('the account is throttled: retry later or lower parallel.')
    assert len(item.posts()) == 3


def test_a_client_error_is_not_retried(run_module, emulator, target):
    item = target()
    with injected(emulator, item.post_rule(kind='status', status=400, code='InvalidHeaderValue')):
        result = run_module(item.module, verbosity=3, **item.args)
    assert result['failed'] is True and result['status'] == 400 and result['retry_log'] == []
    assert len(item.posts()) == 1


# Transport: TLS and redirects -----------------------------------------------------------------------

def test_tls_is_verified_by_default(run_module, emulator, target):
    item = target()
    emulator.admin.clear_requests()
    result = run_module(item.module, ca_path=None, **item.args)
    assert result['failed'] is True and 'exception' not in result
    assert 'TLS verification of %s failed' % emulator.url in result['msg'] and 'set ca_path to trust a private CA' in result['msg']
    assert emulator.admin.requests() == []


def test_validate_certs_false_warns_and_ca_path_trusts_a_private_ca(run_module, target):
    item = target()
    unverified = run_module(item.module, ca_path=None, validate_certs=False, check_mode=True, **item.args)
    assert unverified['changed'] is True
    assert any('validate_certs is false' in str(warning) for warning in unverified['warnings'])
    verified = run_module(item.module, **item.args)
    assert verified['changed'] is True and 'failed' not in verified


class _Redirect(BaseHTTPRequestHandler):
    def do_GET(self):  # pylint: disable=invalid-name
        self.server.seen.append(self.headers.get('Authorization'))
        self.send_response(307)
        self.send_header('Location', self.server.location + self.path)
        self.send_header('Content-Length', '0')
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture
def redirecting_service(emulator, tmp_path):
    """An HTTPS server that answers every request with a 307 to the emulator (another host:port)."""
    ca_path, cert_path, key_path = create_certificates(str(tmp_path))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Redirect)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.seen, server.location = [], emulator.url
    threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
    yield server, 'https://127.0.0.1:%d' % server.server_address[1], ca_path
    server.shutdown()
    server.server_close()


def test_a_redirect_fails_clearly_and_never_reaches_the_other_host(run_module, emulator, target, redirecting_service):
    item = target()
    server, url, ca_path = redirecting_service
    emulator.admin.clear_requests()
    result = run_module(item.module, batch_url=url, ca_path=ca_path, **item.args)
    assert result['failed'] is True and result['status'] == 307 and 'exception' not in result
    assert 'HTTP 307 redirect to %s' % emulator.url in result['msg'] and 'not followed' in result['msg']
    assert len(server.seen) == 1 and server.seen[0].startswith('SharedKey %s:' % emulator.account_name)
    assert emulator.admin.requests() == []
