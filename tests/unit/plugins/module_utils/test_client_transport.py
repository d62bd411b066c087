# -*- coding: utf-8 -*-
"""The client's lean transport against requests' own code: the same request reaches urllib3, the same errors come back.

`_prepare` is held to `PreparedRequest.prepare`, and `LeanAdapter.send` to `HTTPAdapter.send`, on the same inputs: what
each hands to the pool's urlopen, and the requests exception (class and text) each raises for every urllib3 failure.
"""

import http.client
import io
import json

import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter

try:
    from urllib3._request_methods import RequestMethods
except ImportError:  # urllib3 1.26
    from urllib3.request import RequestMethods  # pylint: disable=no-name-in-module
from urllib3.exceptions import (ClosedPoolError, ConnectTimeoutError, MaxRetryError, NewConnectionError, ProtocolError,
                                ReadTimeoutError, ResponseError)

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import SharedKeyAuth
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import LeanAdapter, _prepare

URL = 'https://acct.westeurope.batch.azure.com'
AUTH = SharedKeyAuth('acct', 'a2V5LWtleS1rZXk=')
HEADERS = {'client-request-id': 'c1', 'return-client-request-id': 'true', 'Accept': 'application/json',
           'ocp-date': 'Tue, 01 Dec 2026 10:00:00 GMT'}

REQUESTS = [
    ('GET', URL + '/jobs/job-1', {'api-version': '2024-07-01.20.0'}, None, HEADERS),
    ('GET', URL + '/jobs/job-1/tasks', {'$filter': "id eq 'it''s' or id eq 'b'", '$select': 'id,state,eTag,lastModified',
                                        'api-version': '2024-07-01.20.0', 'timeout': '30'}, None, HEADERS),
    ('POST', URL + '/jobs/job-1/terminate', {'api-version': '2024-07-01.20.0', 'force': 'true'},
     json.dumps({'terminateReason': 'r'}).encode('utf-8'), dict(HEADERS, **{'Content-Type': 'application/json', 'If-Match': '"0x8D"'})),
    ('POST', URL + '/jobs/job-1/tasks/t-1/terminate', {'api-version': '2024-07-01.20.0'}, None,
     dict(HEADERS, **{'Content-Type': 'application/json'})),
    # A paging link as the service writes it, with and without the api-version the client would add.
    ('GET', URL + "/jobs?api-version=2024-07-01.20.0&$filter=id%20eq%20'a'&$skiptoken=YWJj", {}, None, HEADERS),
    ('GET', URL + '/jobs?$skiptoken=YWJj', {'api-version': '2024-07-01.20.0'}, None, HEADERS),
    ('GET', URL + '/jobs?api-version=2024-07-01.20.0&$skiptoken=a b%7E', {}, None, HEADERS),
]


@pytest.mark.parametrize('method, url, params, data, headers', REQUESTS)
def test_prepare_builds_what_requests_builds(method, url, params, data, headers):
    ours = _prepare(method, url, params, data, dict(headers), AUTH)
    theirs = requests.PreparedRequest()
    theirs.prepare(method=method, url=url, params=params, data=data, headers=dict(headers), auth=AUTH)
    assert (ours.method, ours.url, ours.body) == (theirs.method, theirs.url, theirs.body)
    assert dict(ours.headers) == dict(theirs.headers)
    assert ours.path_url == theirs.path_url


def test_a_header_value_with_a_line_break_is_refused_alike():
    bad = dict(HEADERS, **{'If-Match': '"x"\r\nX-Injected: 1'})
    with pytest.raises(requests.exceptions.InvalidHeader) as ours:
        _prepare('POST', URL + '/jobs/j/terminate', {}, None, bad, AUTH)
    with pytest.raises(requests.exceptions.InvalidHeader) as theirs:
        requests.PreparedRequest().prepare(method='POST', url=URL + '/jobs/j/terminate', headers=bad, auth=AUTH)
    assert str(ours.value) == str(theirs.value)


class FakePool(RequestMethods):
    """Stands for the urllib3 pool (its request() is urllib3's own): records what urlopen was given, then raises or answers."""

    def __init__(self, outcome):
        super().__init__()
        self.outcome = outcome
        self.calls = []

    def urlopen(self, method, url, **kwargs):  # pylint: disable=arguments-differ
        kwargs.update(method=method, url=url)
        timeout = kwargs.pop('timeout')
        retries = kwargs.pop('retries')
        self.calls.append(dict(kwargs, headers=dict(kwargs['headers']), timeout=(timeout.connect_timeout, timeout.read_timeout),
                               retries=(retries.total, retries.connect, retries.read, retries.redirect, retries.status)))
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        status, headers, body = self.outcome
        body = body() if isinstance(body, type) else io.BytesIO(body)  # a class: a fresh file-like body each time
        return urllib3.HTTPResponse(body=body, headers=headers, status=status, reason='Reason', preload_content=False)


def send_through(adapter_class, outcome, monkeypatch):
    """(what urlopen got, the answer read in full or the exception raised) for one request through adapter_class."""
    pool = FakePool(outcome)
    monkeypatch.setattr(adapter_class, 'get_connection_with_tls_context', lambda self, *args, **kwargs: pool)
    adapter = adapter_class(max_retries=0)
    method, url, params, data, headers = REQUESTS[2]
    request = _prepare(method, url, params, data, dict(headers), AUTH)
    try:
        answer = adapter.send(request, timeout=(10.0, 60.0), verify=True, proxies={})
        content = answer.content
    except requests.exceptions.RequestException as exc:
        return pool.calls, (type(exc), str(exc))
    return pool.calls, (answer.status_code, dict(answer.headers), content, answer.encoding, answer.reason, answer.json())


FAILURES = {
    'reset': ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')),
    'refused': MaxRetryError(None, '/jobs/job-1/terminate', NewConnectionError(None, 'Failed to establish a new connection: [Errno 111] Connection refused')),
    'connect timeout': MaxRetryError(None, '/jobs/job-1/terminate', ConnectTimeoutError(None, 'Connection to host timed out')),
    'certificate': MaxRetryError(None, '/jobs/job-1/terminate', urllib3.exceptions.SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed')),
    'proxy': MaxRetryError(None, '/jobs/job-1/terminate', urllib3.exceptions.ProxyError('Unable to connect to proxy', OSError('refused'))),
    'retries': MaxRetryError(None, '/jobs/job-1/terminate', ResponseError('too many 503 error responses')),
    'read timeout': ReadTimeoutError(None, '/jobs/job-1/terminate', 'Read timed out. (read timeout=60.0)'),
    'tls torn down': urllib3.exceptions.SSLError('EOF occurred in violation of protocol (_ssl.c:2427)'),
    'closed pool': ClosedPoolError(None, 'Pool is closed.'),
    'os error': OSError('Network is unreachable'),
    'bad header': urllib3.exceptions.InvalidHeader('Invalid header'),
    'proxy outside a retry': urllib3.exceptions.ProxyError('Unable to connect to proxy', OSError('refused')),
}


@pytest.mark.parametrize('name', sorted(FAILURES))
def test_each_urllib3_failure_becomes_the_requests_error_requests_raises(name, monkeypatch):
    ours_calls, ours = send_through(LeanAdapter, FAILURES[name], monkeypatch)
    theirs_calls, theirs = send_through(HTTPAdapter, FAILURES[name], monkeypatch)
    assert ours == theirs and isinstance(ours[0], type) and issubclass(ours[0], requests.exceptions.RequestException)
    assert ours_calls == theirs_calls


@pytest.mark.parametrize('outcome', [
    (202, {'request-id': 'r1', 'Content-Type': 'application/json;odata=minimalmetadata'}, b'{"odata.metadata": "m"}'),
    (404, {'request-id': 'r2', 'Content-Type': 'application/json; charset=utf-8'}, b'{"odata.error": {"code": "JobNotFound"}}'),
    (503, {'Content-Type': 'text/plain'}, b'null'),
])
def test_answers_read_alike(outcome, monkeypatch):
    ours_calls, ours = send_through(LeanAdapter, outcome, monkeypatch)
    theirs_calls, theirs = send_through(HTTPAdapter, outcome, monkeypatch)
    assert ours == theirs and ours_calls == theirs_calls
    call = ours_calls[0]
    assert call['redirect'] is False and call['retries'] == (0, None, False, None, None) and call['timeout'] == (10.0, 60.0)


class CutShort(io.BytesIO):
    """A body whose connection closes before Content-Length bytes came."""

    def read(self, *args):
        raise http.client.IncompleteRead(b'{"cut": ', 92)

    read1 = readinto = read


@pytest.mark.parametrize('headers, body, error', [
    ({'Content-Length': '100'}, CutShort, requests.exceptions.ChunkedEncodingError),
    ({'Content-Encoding': 'gzip'}, b'not gzip at all', requests.exceptions.ContentDecodingError),
])
def test_a_broken_body_raises_what_reading_a_requests_response_raises(headers, body, error, monkeypatch):
    _calls, ours = send_through(LeanAdapter, (200, headers, body), monkeypatch)
    _calls, theirs = send_through(HTTPAdapter, (200, headers, body), monkeypatch)
    assert ours == theirs and ours[0] is error
