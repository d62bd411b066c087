# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client of the Batch data-plane REST API: one session, retries, paging, JSON in and out.

It knows nothing of Ansible, so scripts and tests can use it directly.
"""

import email.utils
import json
import math
import random
import socket
import time
import uuid
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter, TimeoutSauce
    from requests.structures import CaseInsensitiveDict
    from requests.utils import check_header_validity, get_encoding_from_headers, requote_uri
    from urllib3.exceptions import (  # requests' own dependency: the pool every request goes through
        ClosedPoolError, ConnectTimeoutError, DecodeError, InvalidHeader as Urllib3InvalidHeader,
        MaxRetryError, NewConnectionError, ProtocolError, ProxyError as Urllib3ProxyError, ReadTimeoutError, ResponseError,
        SSLError as Urllib3SSLError)
except ImportError:
    requests = None
    HTTPAdapter = object

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError, parse_error_body
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_time import parse_time

DEFAULT_API_VERSION = '2024-07-01.20.0'
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# After these answers to a write, the service may or may not have applied it.
OUTCOME_UNKNOWN_STATUSES = frozenset((500, 502, 504))
POST_CONTENT_TYPE = 'application/json; odata=minimalmetadata'
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
# Longest error body read: real Batch error bodies are a few hundred bytes; anything longer is not worth more.
MAX_ERROR_BODY = 1024 * 1024


class BatchResponse:
    """What a successful call returned, with the ids needed to trace it."""

    def __init__(self, status, headers, body, client_request_id, attempts, outcome_unknown):
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = headers.get('request-id')
        self.client_request_id = headers.get('client-request-id') or client_request_id
        self.etag = headers.get('ETag')
        self.last_modified = headers.get('Last-Modified')
        self.attempts = attempts
        self.outcome_unknown = outcome_unknown


class BatchClient:
    """Talks to one Batch account endpoint with one connection pool and one credential."""

    def __init__(self, batch_url, auth, api_version=DEFAULT_API_VERSION, verify=True, server_timeout=None,
                 retries=4, retry_budget=120.0, request_timeout=60.0, pool_size=16, on_event=None,
                 sleep=time.sleep, clock=time.monotonic, rng=random.random):
        if requests is None:
            raise BatchError('The Python library requests is required; install it with pip install requests.')
        self.base_url = batch_url.rstrip('/')
        self._origin = _origin(self.base_url)
        self.auth = auth
        self.api_version = api_version
        self.verify = verify
        self.ca_path = verify if isinstance(verify, str) else None  # the user's ca_path, for error hints
        self.server_timeout = server_timeout
        self.retries = retries
        self.retry_budget = retry_budget
        self.timeouts = (min(10.0, request_timeout), request_timeout)
        self.on_event = on_event or (lambda event: None)
        self._sleep, self._clock, self._rng = sleep, clock, rng
        self.session = requests.Session()
        adapter = LeanAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1), max_retries=0)
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)
        # Proxies (HTTPS_PROXY, NO_PROXY) and REQUESTS_CA_BUNDLE are read from the environment once, with requests'
        # own precedence, instead of on every request; trust_env off also keeps ~/.netrc credentials out.
        settings = self.session.merge_environment_settings(self.base_url, {}, None, verify, None)
        self.session.proxies.update(settings['proxies'])
        self.verify = settings['verify']
        self.session.trust_env = False

    def close(self):
        self.session.close()

    # Resources ---------------------------------------------------------------------------------

    def get_job(self, job_id, select=None, expand=None):
        return self.request('GET', '/jobs/%s' % _segment(job_id), query=_odata(select=select, expand=expand))

    def get_task(self, job_id, task_id, select=None, expand=None):
        return self.request('GET', '/jobs/%s/tasks/%s' % (_segment(job_id), _segment(task_id)),
                            query=_odata(select=select, expand=expand))

    def terminate_job(self, job_id, reason=None, force=None, conditions=None, client_request_id=None):
        query = {'force': 'true'} if force else None
        body = {'terminateReason': reason} if reason else None
        return self.request('POST', '/jobs/%s/terminate' % _segment(job_id), query=query, body=body,
                            headers=conditions, expected=(202,), client_request_id=client_request_id)

    def terminate_task(self, job_id, task_id, conditions=None, client_request_id=None):
        return self.request('POST', '/jobs/%s/tasks/%s/terminate' % (_segment(job_id), _segment(task_id)),
                            headers=conditions, expected=(204,), client_request_id=client_request_id)

    def get_task_counts(self, job_id):
        return self.request('GET', '/jobs/%s/taskcounts' % _segment(job_id))

    def patch_job(self, job_id, body, conditions=None, client_request_id=None):
        return self.request('PATCH', '/jobs/%s' % _segment(job_id), body=body, headers=conditions,
                            client_request_id=client_request_id)

    def patch_job_schedule(self, job_schedule_id, body, conditions=None, client_request_id=None):
        return self.request('PATCH', '/jobschedules/%s' % _segment(job_schedule_id), body=body, headers=conditions,
                            client_request_id=client_request_id)

    def disable_job(self, job_id, disable_tasks, conditions=None, client_request_id=None):
        return self.request('POST', '/jobs/%s/disable' % _segment(job_id), body={'disableTasks': disable_tasks},
                            headers=conditions, expected=(202,), client_request_id=client_request_id)

    def enable_job(self, job_id, conditions=None, client_request_id=None):
        return self.request('POST', '/jobs/%s/enable' % _segment(job_id), headers=conditions, expected=(202,),
                            client_request_id=client_request_id)

    def list_jobs(self, filter_=None, select=None, expand=None, max_results=None):
        return self._list('/jobs', filter_, select, expand, max_results)

    def list_tasks(self, job_id, filter_=None, select=None, expand=None, max_results=None):
        return self._list('/jobs/%s/tasks' % _segment(job_id), filter_, select, expand, max_results)

    def get_job_schedule(self, job_schedule_id, select=None, expand=None):
        return self.request('GET', '/jobschedules/%s' % _segment(job_schedule_id),
                            query=_odata(select=select, expand=expand))

    def terminate_job_schedule(self, job_schedule_id, force=None, conditions=None, client_request_id=None):
        query = {'force': 'true'} if force else None
        return self.request('POST', '/jobschedules/%s/terminate' % _segment(job_schedule_id), query=query,
                            headers=conditions, expected=(202,), client_request_id=client_request_id)

    def list_job_schedules(self, filter_=None, select=None, expand=None, max_results=None):
        return self._list('/jobschedules', filter_, select, expand, max_results)

    def list_jobs_of_schedule(self, job_schedule_id, filter_=None, select=None, expand=None, max_results=None):
        return self._list('/jobschedules/%s/jobs' % _segment(job_schedule_id), filter_, select, expand, max_results)

    def list_subtasks(self, job_id, task_id, select=None):
        """The subtasks of a multi-instance task (Task - List Subtasks is one page: it has no odata.nextLink)."""
        body = self.request('GET', '/jobs/%s/tasks/%s/subtasksinfo' % (_segment(job_id), _segment(task_id)),
                            query=_odata(select=select)).body or {}
        return body.get('value') or []

    def _list(self, path, filter_, select, expand, max_results):
        """Yield every item, following odata.nextLink, stopping after max_results items."""
        query = _odata(filter_=filter_, select=select, expand=expand)
        if max_results:
            query['maxresults'] = str(min(max_results, 1000))
        count = 0
        url = None
        followed = set()
        while True:
            if url is None:
                page = self.request('GET', path, query=query).body or {}
            else:
                page = self.request('GET', url, absolute=True).body or {}
            for item in page.get('value') or []:
                yield item
                count += 1
                if max_results and count >= max_results:
                    return
            url = page.get('odata.nextLink')
            if not url:
                return
            if url in followed:
                # A service (or a proxy) handing out the same page again would keep this loop going forever.
                raise BatchError('The Batch service returned a paging link it had already returned; stopped listing after %d items.'
                                 % count)
            followed.add(url)

    def wait_for(self, fetch, done, timeout, interval=0.5, max_interval=5.0):
        """Poll fetch() until done(result) or timeout seconds pass; return (result, seconds, finished)."""
        start = self._clock()
        result = fetch()
        while not done(result):
            remaining = timeout - (self._clock() - start)
            if remaining <= 0:
                return result, self._clock() - start, False
            self._sleep(min(interval, remaining))
            interval = min(interval * 1.5, max_interval)
            result = fetch()
        return result, self._clock() - start, True

    # Transport ---------------------------------------------------------------------------------

    def request(self, method, path, query=None, body=None, headers=None, expected=(200,),
                client_request_id=None, absolute=False):
        """Send one logical request, retrying transient failures; return a BatchResponse or raise BatchError."""
        url, params = self._url(path, query, absolute)
        client_request_id = client_request_id or str(uuid.uuid4())
        data = json.dumps(body).encode('utf-8') if body is not None else None
        base_headers = {'client-request-id': client_request_id, 'return-client-request-id': 'true',
                        'Accept': 'application/json'}
        if method != 'GET':
            base_headers['Content-Type'] = POST_CONTENT_TYPE
        base_headers.update({k: v for k, v in (headers or {}).items() if v})
        deadline = self._clock() + self.retry_budget
        outcome_unknown = False
        attempt = 0
        while True:
            attempt += 1
            send_headers = dict(base_headers, **{'ocp-date': email.utils.formatdate(usegmt=True)})
            response, failure = self._send(method, url, params, data, send_headers, client_request_id)
            if failure is not None:
                if _name_not_resolved(failure):
                    # A name that does not resolve is a typo or a missing DNS entry far more often than a blip:
                    # retrying only delays the answer.
                    raise BatchError('Could not resolve the host name of the Batch service at %s (%s); check batch_url '
                                     'and this host\'s DNS settings.' % (self.base_url, _reason(failure)),
                                     client_request_id=client_request_id, outcome_unknown=outcome_unknown,
                                     unreachable=True)
                outcome_unknown = outcome_unknown or (method != 'GET' and _may_have_arrived(failure))
                delay = self._backoff(attempt)
                if self._can_retry(attempt, delay, deadline):
                    self._event(method, path, attempt, delay, error=_reason(failure))
                    continue
                raise BatchError('Could not reach the Batch service at %s after %d attempt(s): %s.'
                                 % (self.base_url, attempt, _reason(failure)), client_request_id=client_request_id,
                                 outcome_unknown=outcome_unknown, unreachable=True)
            if response.status_code in expected:
                return BatchResponse(response.status_code, response.headers, _json_or_none(response),
                                     client_request_id, attempt, outcome_unknown)
            # Known before deciding to retry, so a final 500 to a POST is reported as possibly applied too.
            outcome_unknown = outcome_unknown or (method != 'GET' and response.status_code in OUTCOME_UNKNOWN_STATUSES)
            if response.status_code in RETRY_STATUSES:
                delay = _retry_after(response.headers)
                delay = self._backoff(attempt) if delay is None else delay
                if self._can_retry(attempt, delay, deadline):
                    self._event(method, path, attempt, delay, status=response.status_code)
                    response.close()
                    continue
            raise error_from_response(response, client_request_id, outcome_unknown, attempt)

    def _send(self, method, url, params, data, headers, client_request_id):
        """One HTTP exchange: (response, None), or (None, exception) for a failure worth retrying."""
        try:
            # The session's adapter is called directly: Session.request would merge cookies, hooks and settings
            # again for every request, and PreparedRequest.prepare parse and re-quote the client's own URL (CPU that
            # adds up over hundreds of parallel terminates). An adapter never follows redirects, so the
            # Authorization header cannot reach another host.
            prepared = _prepare(method, url, params, data, headers, self.auth)
            response = self.session.get_adapter(url).send(prepared, timeout=self.timeouts, verify=self.verify,
                                                          proxies=self.session.proxies)
            response.content  # pylint: disable=pointless-statement  # read it all, so the connection goes back to the pool
            return response, None
        except requests.exceptions.SSLError as exc:
            problem = _tls_problem(exc)
            if problem is None:
                return None, exc  # a connection torn down during TLS: transient
            if problem == 'protocol':
                raise BatchError('Could not open a TLS connection to %s (%s); check batch_url.'
                                 % (self.base_url, _reason(exc)), client_request_id=client_request_id) from None
            hint = ('check that ca_path %s holds the PEM certificate of the CA that signed it' % self.ca_path
                    if self.ca_path else 'set ca_path to trust a private CA')
            raise BatchError('TLS verification of %s failed (%s); %s.' % (self.base_url, _reason(exc), hint),
                             client_request_id=client_request_id) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            return None, exc
        except requests.exceptions.ContentDecodingError as exc:
            raise BatchError('The Batch service at %s sent an answer that could not be decoded: %s.'
                             % (self.base_url, _reason(exc)), client_request_id=client_request_id,
                             outcome_unknown=method != 'GET') from None
        except requests.exceptions.RequestException as exc:
            # Refused by requests before sending (a header value it will not send, say): repeating would not help.
            raise BatchError('Could not send the request to %s: %s.' % (self.base_url, _reason(exc)),
                             client_request_id=client_request_id) from None
        except OSError as exc:
            # requests raises a bare OSError, before sending anything, for a CA bundle it cannot find.
            hint = '; check ca_path' if self.ca_path else ''
            raise BatchError('Could not send the request to %s: %s%s.' % (self.base_url, exc, hint),
                             client_request_id=client_request_id) from None

    def _url(self, path, query, absolute):
        params = dict(query or {})
        if absolute:
            # odata.nextLink: follow it only to this account's origin, so the credential never leaves it.
            if _origin(path) != self._origin:
                raise BatchError('Refusing to follow a paging link to another host: %s.' % urlsplit(path).netloc)
            url = path
            given = {name.lower() for name, _value in parse_qsl(urlsplit(path).query, keep_blank_values=True)}
            if 'api-version' not in given:
                params['api-version'] = self.api_version
            if 'timeout' in given:
                return url, params  # the link keeps the first request's query: do not send timeout twice
        else:
            url = self.base_url + path
            params['api-version'] = self.api_version
        if self.server_timeout:
            params['timeout'] = str(self.server_timeout)
        return url, params

    def _backoff(self, attempt):
        """Full-jitter exponential backoff (the AWS architecture blog's "full jitter")."""
        return self._rng() * min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))

    def _can_retry(self, attempt, delay, deadline):
        if attempt > self.retries or self._clock() + delay > deadline:
            return False
        self._sleep(delay)
        return True

    def _event(self, method, path, attempt, delay, status=None, error=None):
        self.on_event({'event': 'retry', 'method': method, 'path': urlsplit(path).path, 'status': status,
                       'error': error, 'attempt': attempt, 'delay': round(delay, 3)})


def _origin(url):
    """(scheme, host, port) with the scheme's default port filled in: https://h:443/ and https://h/ are one origin."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or '').lower(), port or {'https': 443, 'http': 80}.get(scheme)


def _prepare(method, url, params, data, headers, auth):
    """The PreparedRequest that PreparedRequest.prepare builds for these arguments, without its general-purpose steps.

    The client only ever sends an https URL it built (or a paging link of its own host), a JSON body as bytes, and
    str headers, so parsing, IDNA-encoding and re-quoting its own URL on every request buys nothing.
    """
    for header in headers.items():
        check_header_validity(header)  # a value with a line break is refused, as prepare() refuses it
    query = urlencode(params) if params else ''
    if '?' in url:
        url = requote_uri(url)  # a paging link comes from the service: re-quoted as prepare() would
        url = url + '&' + query if query else url
    elif query:
        url = url + '?' + query
    prepared = requests.PreparedRequest()
    prepared.method = method
    prepared.url = url
    prepared.headers = CaseInsensitiveDict(headers)
    prepared.body = data
    prepared.hooks = {'response': []}
    prepared._cookies = None  # pylint: disable=protected-access
    if data is not None:
        prepared.headers['Content-Length'] = str(len(data))
    elif method not in ('GET', 'HEAD'):
        prepared.headers['Content-Length'] = '0'
    return auth(prepared) if auth is not None else prepared


class LeanAnswer:
    """The parts of a requests Response the client reads, from a urllib3 response read to its end."""

    def __init__(self, raw, content):
        self.status_code = raw.status
        self.headers = raw.headers  # case-insensitive, like requests' headers
        self.reason = raw.reason
        self.content = content

    @property
    def encoding(self):
        return get_encoding_from_headers(self.headers)

    def json(self):
        return json.loads(self.content)

    def close(self):
        """Nothing to release: the body was read in full, which returned the connection to the pool."""


class LeanAdapter(HTTPAdapter):
    """HTTPAdapter.send without what this client never uses: one pool for its one host, the body read at once.

    What reaches urllib3 (method, URL, headers, body, redirect=False, retries, timeouts, the pool's TLS and proxy
    settings) and the requests exception raised for each urllib3 failure are those of HTTPAdapter.send
    (requests 2.32); the saving is the pool looked up and its certificate settings applied once, and no
    requests Response built around each answer.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pools = {}

    def send(self, request, **settings):
        """HTTPAdapter.send(request, stream, timeout, verify, cert, proxies), as BatchClient calls it: by keyword."""
        timeout, verify = settings.get('timeout'), settings.get('verify', True)
        cert, proxies = settings.get('cert'), settings.get('proxies')
        key = (urlsplit(request.url).netloc, verify)
        conn = self._pools.get(key)
        if conn is None:
            conn = self.get_connection_with_tls_context(request, verify, proxies=proxies, cert=cert)
            self.cert_verify(conn, request.url, verify, cert)  # an OSError for a CA bundle that is not there
            self._pools[key] = conn
        connect, read = timeout
        try:
            # The pool's request() hands these, unchanged, to the same low-level call HTTPAdapter.send makes.
            raw = conn.request(request.method, self.request_url(request, proxies), body=request.body,
                               headers=request.headers, redirect=False, assert_same_host=False, preload_content=False,
                               decode_content=False, retries=self.max_retries,
                               timeout=TimeoutSauce(connect=connect, read=read), chunked=False)
        except (ProtocolError, OSError) as err:
            raise requests.exceptions.ConnectionError(err, request=request)
        except MaxRetryError as err:
            if isinstance(err.reason, ConnectTimeoutError) and not isinstance(err.reason, NewConnectionError):
                raise requests.exceptions.ConnectTimeout(err, request=request)
            if isinstance(err.reason, ResponseError):
                raise requests.exceptions.RetryError(err, request=request)
            if isinstance(err.reason, Urllib3ProxyError):
                raise requests.exceptions.ProxyError(err, request=request)
            if isinstance(err.reason, Urllib3SSLError):
                raise requests.exceptions.SSLError(err, request=request)
            raise requests.exceptions.ConnectionError(err, request=request)
        except ClosedPoolError as err:
            raise requests.exceptions.ConnectionError(err, request=request)
        except Urllib3ProxyError as err:
            raise requests.exceptions.ProxyError(err)
        except Urllib3SSLError as err:
            raise requests.exceptions.SSLError(err, request=request)
        except ReadTimeoutError as err:
            raise requests.exceptions.ReadTimeout(err, request=request)
        except Urllib3InvalidHeader as err:
            raise requests.exceptions.InvalidHeader(err, request=request)
        return LeanAnswer(raw, _read_body(raw, request))


def _read_body(raw, request):
    """The whole body, decoded; urllib3's failures raised as requests' Response.content raises them."""
    try:
        return raw.read(decode_content=True)
    except ProtocolError as err:
        raise requests.exceptions.ChunkedEncodingError(err)
    except DecodeError as err:
        raise requests.exceptions.ContentDecodingError(err)
    except ReadTimeoutError as err:
        raise requests.exceptions.ConnectionError(err)
    except Urllib3SSLError as err:
        raise requests.exceptions.SSLError(err, request=request)
    finally:
        raw.release_conn()


def error_from_response(response, client_request_id=None, outcome_unknown=False, attempts=1):
    """The BatchError for an unexpected answer; any body (Batch JSON, a proxy's HTML page, nothing) gives one sentence."""
    code, message, values = parse_error_body(_bounded_text(response))
    request_id = response.headers.get('request-id')
    summary = 'HTTP %d' % response.status_code
    if 300 <= response.status_code < 400:
        summary += ' redirect to %s, which is not followed (the credential must not leave batch_url); check batch_url' % (
            _location(response.headers.get('Location')))
    else:
        if code:
            summary += ' ' + code
        if message:
            summary += ': ' + message
        elif not code:
            summary += ' (%s)' % (response.reason or 'no error body')
        if not code and request_id:
            # Not a Batch error body (a proxy or gateway answered, or it was cut short): the request id helps support.
            summary += ', request-id %s' % request_id
    if attempts > 1:
        summary += ' (after %d attempts)' % attempts
    return BatchError(summary, status=response.status_code, code=code, service_message=message, values=values,
                      request_id=request_id,
                      client_request_id=response.headers.get('client-request-id') or client_request_id,
                      outcome_unknown=outcome_unknown)


def _bounded_text(response):
    """At most MAX_ERROR_BODY bytes of the body as text, without requests' charset guessing over huge bodies."""
    content = response.content or b''
    return content[:MAX_ERROR_BODY].decode(response.encoding or 'utf-8', errors='replace')


def _location(value):
    """Where a redirect points, without its query string (it may carry a token)."""
    if not value:
        return 'nowhere (no Location header)'
    parts = urlsplit(value)
    return '%s://%s%s' % (parts.scheme, parts.netloc.rpartition('@')[2], parts.path) if parts.netloc else parts.path


def _segment(value):
    return quote(str(value), safe='')


def _odata(filter_=None, select=None, expand=None):
    query = {}
    if filter_:
        query['$filter'] = filter_
    if select:
        query['$select'] = select if isinstance(select, str) else ','.join(select)
    if expand:
        query['$expand'] = expand if isinstance(expand, str) else ','.join(expand)
    return query


def _json_or_none(response):
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise BatchError('The Batch service answered HTTP %d with a body that is not JSON.' % response.status_code,
                         status=response.status_code, request_id=response.headers.get('request-id')) from None


def _retry_after(headers):
    """Seconds to wait from Retry-After (seconds or HTTP-date) or the millisecond variants; None if absent."""
    for name in ('retry-after-ms', 'x-ms-retry-after-ms'):
        if headers.get(name):
            seconds = _finite(headers[name])
            if seconds is not None:
                return max(0.0, seconds / 1000.0)
    value = headers.get('Retry-After')
    if not value:
        return None
    seconds = _finite(value)
    if seconds is not None:
        return max(0.0, seconds)
    try:
        when = parse_time(value)
    except ValueError:
        return None
    return max(0.0, when.timestamp() - time.time())


def _finite(text):
    """The number a header holds, or None: "nan" and "inf" parse as floats but mean nothing as a delay."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _name_not_resolved(exc):
    """Whether a connection failed because the host name did not resolve (socket.gaierror, urllib3's
    NameResolutionError), anywhere in the chain of causes requests and urllib3 wrap it in."""
    seen, pending = set(), [exc]
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, socket.gaierror) or type(item).__name__ == 'NameResolutionError':
            return True
        pending.extend([getattr(item, 'reason', None), item.__cause__, item.__context__])
        pending.extend(arg for arg in getattr(item, 'args', ()) if isinstance(arg, BaseException))
    return False


def _reason(exc):
    """The innermost readable cause of a requests exception, without URLs' query strings."""
    text = str(exc)
    for marker in ("(Caused by ", "Caused by "):
        if marker in text:
            text = text.split(marker, 1)[1]
            if text.endswith(')'):
                text = text[:-1]
            break
    return text.strip() or exc.__class__.__name__


_CERTIFICATE_PROBLEMS = ('CERTIFICATE_VERIFY_FAILED', 'SSLCertVerificationError', "doesn't match", 'mismatch', '[X509:', '[PEM:')
_PROTOCOL_PROBLEMS = ('WRONG_VERSION_NUMBER', 'UNKNOWN_PROTOCOL', 'UNSUPPORTED_PROTOCOL', 'NO_PROTOCOLS_AVAILABLE')


def _tls_problem(exc):
    """'certificate' or 'protocol' when an SSLError is a lasting TLS problem; None for a connection torn down."""
    text = repr(exc)
    if any(marker in text for marker in _CERTIFICATE_PROBLEMS):
        return 'certificate'
    if any(marker in text for marker in _PROTOCOL_PROBLEMS):
        return 'protocol'
    return None


def _may_have_arrived(exc):
    """False only when the request certainly never reached the server (connection refused or connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    text = repr(exc)
    return 'NewConnectionError' not in text and 'NameResolutionError' not in text
