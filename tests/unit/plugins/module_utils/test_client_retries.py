# -*- coding: utf-8 -*-
"""BatchClient under transient failures, throttling, redirects and answers that are not Batch JSON.

Most tests script the transport (a requests adapter that plays a list of answers and exceptions)
and give the client a fake clock, so retries, delays, budgets and the "outcome unknown" tracking
are checked exactly and without sleeping. Redirects are also checked over real sockets.
"""

import base64
import email.utils
import io
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import SharedKeyAuth
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError

ACCOUNT = 'retryacct'
KEY = base64.b64encode(b'a private account key of 32 bytes').decode('ascii')
URL = 'https://retryacct.westeurope.batch.azure.com'
REASONS = {200: 'OK', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect',
           308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
           405: 'Method Not Allowed', 408: 'Request Timeout', 409: 'Conflict', 412: 'Precondition Failed',
           413: 'Payload Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
           503: 'Service Unavailable', 504: 'Gateway Timeout'}


def answer(status, code=None, headers=None, body=None):
    """One scripted answer: a Batch error body for code, else body (bytes, str or JSON-able)."""
    if code is not None:
        body = {'odata.metadata': URL + '/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element',
                'code': code, 'message': {'lang': 'en-US', 'value': '%s happened.\nRequestId:r\nTime:t' % code}}
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode('utf-8')
    merged = {'request-id': 'rid-%d' % status}
    merged.update(headers or {})
    return status, merged, body or b''


def reset():
    return requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        'Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))


def refused():
    return requests.exceptions.ConnectionError(urllib3.exceptions.NewConnectionError(
        None, 'Failed to establish a new connection: [Errno 111] Connection refused'))


class ScriptedAdapter(HTTPAdapter):
    """Answers each request with the next step of a script: an answer() tuple, or an exception to raise."""

    def __init__(self, steps):
        super().__init__()
        self.steps = list(steps)
        self.sent = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.sent.append(request)
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        status, headers, body = step
        raw = urllib3.HTTPResponse(body=io.BytesIO(body), headers=headers, status=status, reason=REASONS.get(status),
                                   preload_content=False, decode_content=True)
        return self.build_response(request, raw)


class FakeClock:
    def __init__(self):
        self.now = 5000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def scripted_client(steps, retries=4, budget=120.0, rng=lambda: 1.0):
    clock = FakeClock()
    events = []
    client = BatchClient(URL, SharedKeyAuth(ACCOUNT, KEY), retries=retries, retry_budget=budget, on_event=events.append,
                         sleep=clock.sleep, clock=clock, rng=rng)
    adapter = ScriptedAdapter(steps)
    client.session.mount('https://', adapter)
    return client, adapter, clock, events


def call(client, method):
    if method == 'GET':
        return client.get_job('job-1')
    return client.terminate_job('job-1')


SUCCESS = {'GET': lambda: answer(200, body={'id': 'job-1', 'state': 'active'}), 'POST': lambda: answer(202)}


# Which answers are retried ------------------------------------------------------------------------

@pytest.mark.parametrize('method', ['GET', 'POST'])
@pytest.mark.parametrize('status, code', [(429, 'TooManyRequests'), (500, 'InternalError'), (500, 'OperationTimedOut'),
                                          (502, None), (503, 'ServerBusy'), (504, None)])
def test_transient_statuses_are_retried_until_success(method, status, code):
    client, adapter, clock, events = scripted_client([answer(status, code), answer(status, code), SUCCESS[method]()])
    response = call(client, method)
    assert response.status == (200 if method == 'GET' else 202) and response.attempts == 3
    assert len(adapter.sent) == 3 and len(clock.sleeps) == 2
    assert [(event['method'], event['status'], event['attempt']) for event in events] == [(method, status, 1), (method, status, 2)]


@pytest.mark.parametrize('method', ['GET', 'POST'])
@pytest.mark.parametrize('status, code', [(400, 'InvalidQueryParameterValue'), (401, None), (403, 'AuthenticationFailed'),
                                          (404, 'JobNotFound'), (405, 'UnsupportedHttpVerb'), (408, None),
                                          (409, 'JobCompleted'), (412, 'ConditionNotMet'), (413, None)])
def test_other_client_errors_are_never_retried(method, status, code):
    client, adapter, clock, events = scripted_client([answer(status, code), SUCCESS[method]()])
    with pytest.raises(BatchError) as raised:
        call(client, method)
    assert raised.value.status == status and raised.value.code == code
    assert len(adapter.sent) == 1 and clock.sleeps == [] and events == []
    assert raised.value.outcome_unknown is False


@pytest.mark.parametrize('failure', [reset, refused, lambda: requests.exceptions.ReadTimeout('Read timed out. (read timeout=60)'),
                                     lambda: requests.exceptions.ConnectTimeout('Connection to host timed out'),
                                     lambda: requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead'),
                                     lambda: requests.exceptions.SSLError('EOF occurred in violation of protocol (_ssl.c:2427)')])
def test_connection_failures_are_retried(failure):
    client, adapter, _clock, events = scripted_client([failure(), SUCCESS['GET']()])
    assert call(client, 'GET').status == 200
    assert len(adapter.sent) == 2 and events[0]['status'] is None and events[0]['error']


def unresolved_urllib3():
    """What urllib3 2 raises for a host name that does not resolve."""
    try:
        raise socket.gaierror(-2, 'Name or service not known')
    except socket.gaierror as exc:
        try:
            cause = urllib3.exceptions.NameResolutionError('retryacct.westeurope.batch.azure.com', None, exc)
        except AttributeError:  # urllib3 1.26 has no NameResolutionError
            cause = urllib3.exceptions.NewConnectionError(None, 'Failed to establish a new connection: %s' % exc)
        cause.__cause__ = exc
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, '/jobs/job-1', cause))


def unresolved_urllib3_1():
    """What urllib3 1.26 raises: a NewConnectionError raised while handling the gaierror."""
    try:
        try:
            raise socket.gaierror(-2, 'Name or service not known')
        except socket.gaierror as exc:
            raise urllib3.exceptions.NewConnectionError(None, 'Failed to establish a new connection: %s' % exc)
    except urllib3.exceptions.NewConnectionError as cause:
        return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, '/jobs/job-1', cause))


@pytest.mark.parametrize('method', ['GET', 'POST'])
@pytest.mark.parametrize('failure', [unresolved_urllib3, unresolved_urllib3_1])
def test_a_host_name_that_does_not_resolve_fails_at_once(method, failure):
    client, adapter, clock, events = scripted_client([failure(), SUCCESS[method]()])
    with pytest.raises(BatchError) as raised:
        call(client, method)
    assert len(adapter.sent) == 1 and clock.sleeps == [] and events == []
    message = str(raised.value)
    assert message.startswith('Could not resolve the host name of the Batch service at %s (' % URL)
    assert message.endswith("check batch_url and this host's DNS settings.") and '\n' not in message
    assert raised.value.outcome_unknown is False


def test_a_host_name_that_does_not_resolve_over_real_sockets():
    events = []
    client = BatchClient('https://acct.name-that-does-not-resolve.invalid', SharedKeyAuth(ACCOUNT, KEY), retries=4,
                         on_event=events.append)
    with pytest.raises(BatchError, match='^Could not resolve the host name of the Batch service at '
                                         'https://acct.name-that-does-not-resolve.invalid '):
        client.get_job('job-1')
    assert events == []  # not retried


# How long it waits ----------------------------------------------------------------------------------

@pytest.mark.parametrize('headers, expected', [
    ({'Retry-After': '7'}, 7.0),
    ({'Retry-After': '0'}, 0.0),
    ({'Retry-After': '2.5'}, 2.5),
    ({'Retry-After': '-3'}, 0.0),
    ({'retry-after-ms': '1500'}, 1.5),
    ({'x-ms-retry-after-ms': '250', 'Retry-After': '9'}, 0.25),
    ({'Retry-After': 'soon'}, 0.5),   # not a number or a date: the backoff decides
    ({'Retry-After': 'nan'}, 0.5),    # float() reads these, but they are no delay
    ({'Retry-After': 'inf'}, 0.5),
    ({'retry-after-ms': 'NaN', 'Retry-After': '2'}, 2.0),
])
def test_retry_after_is_honoured(headers, expected):
    client, _adapter, clock, events = scripted_client([answer(429, 'TooManyRequests', headers), SUCCESS['POST']()])
    call(client, 'POST')
    assert clock.sleeps == [pytest.approx(expected)] and events[0]['delay'] == pytest.approx(expected, abs=0.001)


def test_retry_after_as_an_http_date():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    client, _adapter, clock, _events = scripted_client([answer(503, 'ServerBusy', {'Retry-After': when}), SUCCESS['GET']()])
    call(client, 'GET')
    assert 28.0 <= clock.sleeps[0] <= 30.5


@pytest.mark.parametrize('rng, expected', [
    (lambda: 1.0, [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]),
    (lambda: 0.25, [0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 7.5, 7.5]),
    (lambda: 0.0, [0.0] * 8),
])
def test_backoff_is_full_jitter_capped(rng, expected):
    client, _adapter, clock, _events = scripted_client([reset()] * 8 + [SUCCESS['GET']()], retries=10, budget=1000.0, rng=rng)
    call(client, 'GET')
    assert clock.sleeps == pytest.approx(expected)


@pytest.mark.parametrize('retries', [0, 1, 4])
def test_attempts_are_bounded_by_retries(retries):
    client, adapter, _clock, _events = scripted_client([answer(503, 'ServerBusy')] * 12, retries=retries)
    with pytest.raises(BatchError) as raised:
        call(client, 'GET')
    assert len(adapter.sent) == retries + 1 and raised.value.status == 503
    assert ('after %d attempts' % (retries + 1) in str(raised.value)) == (retries > 0)


def test_attempts_are_bounded_by_the_time_budget():
    client, adapter, clock, _events = scripted_client([answer(429, 'TooManyRequests', {'Retry-After': '6'})] * 5, budget=10.0)
    with pytest.raises(BatchError) as raised:
        call(client, 'POST')
    assert clock.sleeps == [6.0] and len(adapter.sent) == 2 and 'after 2 attempts' in str(raised.value)
    client, adapter, clock, _events = scripted_client([answer(429, 'TooManyRequests', {'Retry-After': '3600'}), SUCCESS['GET']()])
    with pytest.raises(BatchError):
        call(client, 'GET')
    assert clock.sleeps == [] and len(adapter.sent) == 1


def test_connection_failures_are_bounded_too():
    client, adapter, _clock, _events = scripted_client([reset()] * 6, retries=3)
    with pytest.raises(BatchError) as raised:
        call(client, 'GET')
    assert len(adapter.sent) == 4
    assert str(raised.value).startswith('Could not reach the Batch service at %s after 4 attempt(s): ' % URL)


# Whether a failed write may have been applied ---------------------------------------------------------

@pytest.mark.parametrize('method, first, unknown', [
    ('POST', reset, True),
    ('POST', lambda: requests.exceptions.ReadTimeout('Read timed out.'), True),
    ('POST', lambda: answer(500, 'OperationTimedOut'), True),
    ('POST', lambda: answer(500, 'InternalError'), True),
    ('POST', lambda: answer(502), True),
    ('POST', lambda: answer(504), True),
    ('POST', lambda: answer(429, 'TooManyRequests'), False),
    ('POST', lambda: answer(503, 'ServerBusy'), False),
    ('POST', refused, False),
    ('POST', lambda: requests.exceptions.ConnectTimeout('connect timeout'), False),
    ('GET', reset, False),
    ('GET', lambda: answer(500, 'InternalError'), False),
])
def test_a_conflict_after_a_lost_answer_carries_outcome_unknown(method, first, unknown):
    final = answer(409, 'JobBeingTerminated') if method == 'POST' else answer(404, 'JobNotFound')
    client, _adapter, _clock, _events = scripted_client([first(), final])
    with pytest.raises(BatchError) as raised:
        call(client, method)
    assert raised.value.outcome_unknown is unknown


def test_success_after_a_lost_answer_says_so():
    client, _adapter, _clock, _events = scripted_client([reset(), SUCCESS['POST']()])
    assert call(client, 'POST').outcome_unknown is True
    client, _adapter, _clock, _events = scripted_client([SUCCESS['POST']()])
    assert call(client, 'POST').outcome_unknown is False


def test_a_final_server_error_to_a_write_is_outcome_unknown():
    client, _adapter, _clock, _events = scripted_client([answer(500, 'OperationTimedOut')], retries=0)
    with pytest.raises(BatchError) as raised:
        call(client, 'POST')
    assert raised.value.outcome_unknown is True and raised.value.status == 500


# What the retries show --------------------------------------------------------------------------------

def test_retry_events_name_the_request_and_never_a_secret():
    steps = [answer(429, 'TooManyRequests', {'Retry-After': '1'}), reset(), answer(503, 'ServerBusy'), SUCCESS['POST']()]
    client, adapter, _clock, events = scripted_client(steps)
    client.terminate_job('job-1', reason='nightly stop', force=True)
    assert [sorted(event) for event in events] == [['attempt', 'delay', 'error', 'event', 'method', 'path', 'status']] * 3
    assert [(event['path'], event['attempt'], event['status']) for event in events] == [
        ('/jobs/job-1/terminate', 1, 429), ('/jobs/job-1/terminate', 2, None), ('/jobs/job-1/terminate', 3, 503)]
    assert events[0]['delay'] == 1.0 and 'reset' in events[1]['error'].lower()
    signatures = [request.headers['Authorization'] for request in adapter.sent]
    assert all(value.startswith('SharedKey %s:' % ACCOUNT) for value in signatures)
    shown = json.dumps(events)
    for secret in signatures + [KEY, 'SharedKey', 'api-version', 'Authorization']:
        assert secret not in shown


# Redirects --------------------------------------------------------------------------------------------

@pytest.mark.parametrize('status', [301, 302, 307, 308])
def test_redirects_are_refused_with_one_clear_sentence(status):
    location = 'https://elsewhere.example.net/jobs/job-1/terminate?sig=c2VjcmV0&api-version=2024-07-01.20.0'
    client, adapter, _clock, events = scripted_client([answer(status, headers={'Location': location}), SUCCESS['POST']()])
    with pytest.raises(BatchError) as raised:
        call(client, 'POST')
    message = str(raised.value)
    assert len(adapter.sent) == 1 and events == [] and raised.value.status == status
    assert message.startswith('HTTP %d redirect to https://elsewhere.example.net/jobs/job-1/terminate, which is not followed' % status)
    assert 'batch_url' in message and 'sig=' not in message and 'c2VjcmV0' not in message


class _Recorder(BaseHTTPRequestHandler):
    """Records every request; answers with the server's `answer(handler)`."""

    def do_GET(self):  # pylint: disable=invalid-name
        self.server.seen.append({'path': self.path, 'authorization': self.headers.get('Authorization')})
        status, headers = self.server.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', '0')
        self.end_headers()

    do_POST = do_GET

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture
def http_server():
    started = []

    def start(status, headers=None):
        server = ThreadingHTTPServer(('127.0.0.1', 0), _Recorder)
        server.seen, server.answer = [], (status, headers or {})
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        started.append(server)
        return server, 'http://127.0.0.1:%d' % server.server_address[1]

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize('status', [302, 307, 308])
def test_a_redirect_never_carries_the_authorization_header_anywhere(http_server, status):
    other, other_url = http_server(200)
    service, service_url = http_server(status, {'Location': other_url + '/jobs/job-1/terminate'})
    client = BatchClient(service_url, SharedKeyAuth(ACCOUNT, KEY), retries=3)
    for method in ('GET', 'POST'):
        with pytest.raises(BatchError) as raised:
            call(client, method)
        assert raised.value.status == status and 'not followed' in str(raised.value)
    assert other.seen == []
    assert len(service.seen) == 2 and all(seen['authorization'].startswith('SharedKey %s:' % ACCOUNT) for seen in service.seen)


def test_a_paging_link_to_another_host_is_refused():
    page = {'value': [{'id': 'job-1'}], 'odata.nextLink': 'https://elsewhere.example.net/jobs?$skiptoken=x'}
    client, adapter, _clock, _events = scripted_client([answer(200, body=page), SUCCESS['GET']()])
    listed = []
    with pytest.raises(BatchError) as raised:
        for job in client.list_jobs():
            listed.append(job['id'])
    assert listed == ['job-1'] and len(adapter.sent) == 1 and 'elsewhere.example.net' in str(raised.value)


def test_a_paging_link_that_comes_back_stops_the_listing():
    page = {'value': [{'id': 'job-1'}], 'odata.nextLink': URL + '/jobs?$skiptoken=same'}
    client, adapter, _clock, _events = scripted_client([answer(200, body=page)] * 3)
    with pytest.raises(BatchError) as raised:
        list(client.list_jobs())
    assert len(adapter.sent) == 2 and 'already returned' in str(raised.value)


# Answers that are not Batch JSON ----------------------------------------------------------------------

NGINX = ('<html><head><title>502 Bad Gateway</title><style>body { width: 35em; }</style></head><body><center>'
         '<h1>502 Bad Gateway</h1></center><hr><center>nginx</center><script>var x = "noise";</script></body></html>')


@pytest.mark.parametrize('status, headers, body, expected', [
    (502, {'Content-Type': 'text/html'}, NGINX, '502 Bad Gateway 502 Bad Gateway nginx'),
    (503, {}, b'', '(Service Unavailable)'),
    (500, {'Content-Type': 'application/json'}, '{"code": "InternalError", "message": {"value": "Trunc', '{"code": "InternalError"'),
    (502, {'Content-Type': 'text/html'}, '<html><body>' + 'x' * (4 * 1024 * 1024) + '</body></html>', 'xxxxxxxx...'),
    (500, {'Content-Type': 'application/json'}, {'code': 'InternalError', 'message': {'value': 'y' * 1000000}}, 'InternalError: yyyy'),
    (502, {'Content-Type': 'application/octet-stream'}, bytes(range(256)) * 10, 'HTTP 502'),
    (500, {'Content-Type': 'application/json'}, ['not', 'an', 'object'], '["not", "an", "object"]'),
    (500, {'Content-Type': 'application/json'}, {'code': 'X', 'values': 5}, 'HTTP 500 X'),
    (502, {'Content-Type': 'application/json'}, {'error': {'code': 'GatewayTimeout', 'message': 'The gateway did not answer.'}},
     'HTTP 502 GatewayTimeout: The gateway did not answer.'),
    (400, {'Content-Type': 'text/plain; charset=utf-16'}, 'bad request'.encode('utf-16'), 'bad request'),
])
def test_error_bodies_that_are_not_batch_json_still_give_one_clear_sentence(status, headers, body, expected):
    client, _adapter, _clock, _events = scripted_client([answer(status, headers=headers, body=body)], retries=0)
    with pytest.raises(BatchError) as raised:
        call(client, 'POST')
    message = str(raised.value)
    assert message.startswith('HTTP %d' % status) and expected in message
    assert raised.value.status == status and raised.value.request_id == 'rid-%d' % status
    if raised.value.code is None:
        assert 'request-id rid-%d' % status in message
    assert len(message) < 700 and '\n' not in message and '<' not in message.replace('<redacted>', '')


def test_a_success_whose_body_is_not_json_is_a_clear_failure():
    client, _adapter, _clock, _events = scripted_client([answer(200, headers={'Content-Type': 'text/html'}, body='<html>login</html>')])
    with pytest.raises(BatchError) as raised:
        call(client, 'GET')
    assert raised.value.status == 200 and raised.value.request_id == 'rid-200' and 'not JSON' in str(raised.value)


def test_an_answer_that_cannot_be_decoded_is_a_clear_failure():
    garbage = answer(200, headers={'Content-Encoding': 'gzip', 'Content-Type': 'application/json'}, body=b'not gzip at all')
    client, _adapter, _clock, _events = scripted_client([garbage])
    with pytest.raises(BatchError) as raised:
        call(client, 'GET')
    assert 'could not be decoded' in str(raised.value)


def test_a_header_requests_refuses_is_a_clear_failure_before_sending():
    client, adapter, _clock, _events = scripted_client([SUCCESS['POST']()])
    with pytest.raises(BatchError) as raised:
        client.terminate_job('job-1', conditions={'If-Match': '"x"\r\nX-Injected: 1'})
    assert adapter.sent == [] and str(raised.value).startswith('Could not send the request to %s: ' % URL)


# TLS --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, retried, expected', [
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate", False, 'set ca_path to trust a private CA'),
    ("SSLCertVerificationError(\"hostname 'x' doesn't match 'y'\")", False, 'TLS verification of'),
    ('[SSL: WRONG_VERSION_NUMBER] wrong version number', False, 'check batch_url'),
    ('[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol', True, None),
])
def test_tls_failures_are_told_apart_from_dropped_connections(text, retried, expected):
    client, adapter, _clock, _events = scripted_client([requests.exceptions.SSLError(text), SUCCESS['GET']()])
    if retried:
        assert call(client, 'GET').status == 200 and len(adapter.sent) == 2
        return
    with pytest.raises(BatchError) as raised:
        call(client, 'GET')
    assert len(adapter.sent) == 1 and expected in str(raised.value)


def test_a_missing_ca_file_names_ca_path_and_sends_nothing(tmp_path):
    client = BatchClient(URL, SharedKeyAuth(ACCOUNT, KEY), verify=str(tmp_path / 'missing-ca.pem'))
    with pytest.raises(BatchError) as raised:
        call(client, 'GET')
    assert 'check ca_path' in str(raised.value) and 'missing-ca.pem' in str(raised.value)
