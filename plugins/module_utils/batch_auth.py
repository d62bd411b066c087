# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request signers for the Batch service: Shared Key and Microsoft Entra ID bearer tokens.

Both are requests auth objects. azure-identity is imported only when an Entra ID credential is
built, so a Shared Key run never pays for it.
"""

import base64
import binascii
import hashlib
import hmac
import itertools
import re
import threading
import time

from urllib.parse import urlsplit, parse_qsl

try:
    from requests.auth import AuthBase
except ImportError:
    AuthBase = object

try:
    from ansible.module_utils.secrets import register_secret
except ImportError:  # ansible-core before 2.22 masks only the no_log arguments
    def register_secret(value):
        return value

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError, redact

# Cloud name -> (Entra ID authority host, Batch resource). Sources: azure-cli cloud.py batch_resource_id
# and the sovereign cloud docs (see reference/batch-rest-facts.md, section 5a).
CLOUDS = {
    'AzureCloud': ('https://login.microsoftonline.com', 'https://batch.core.windows.net/'),
    'AzureChinaCloud': ('https://login.chinacloudapi.cn', 'https://batch.chinacloudapi.cn/'),
    'AzureUSGovernment': ('https://login.microsoftonline.us', 'https://batch.core.usgovcloudapi.net/'),
}

# The headers whose values are lines of the Shared Key string to sign, in order.
_SIGNED_HEADERS = (
    'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-MD5', 'Content-Type', 'Date',
    'If-Modified-Since', 'If-Match', 'If-None-Match', 'If-Unmodified-Since', 'Range',
)

# "AADSTS7000215: Invalid client secret provided. ..." up to the end of its line.
_AADSTS_LINE = re.compile(r'AADSTS\d+:[^\r\n]*')

_OUTAGE_STATUS = re.compile(r'\bHTTP Error: (429|5[0-9][0-9])\b')
# Refresh a bearer token this many seconds before it expires.
_TOKEN_REFRESH_MARGIN = 300

# A module run registers the signatures it makes for masking (the controller then hides them in any output). A process
# that signs more requests than this, such as a long-running event source, registers no more of them: the registry
# keeps every value for the life of the process (about 1 kB each), and a signature authorizes one request for minutes.
_MAX_REGISTERED_SIGNATURES = 5000
_signatures_signed = itertools.count()


def batch_scope(cloud_environment):
    """The token scope of the Batch resource, in the form the azure-batch SDK uses ("...//.default")."""
    return CLOUDS[cloud_environment][1] + '/.default'


def decode_account_key(key):
    """Return the raw bytes of a base64 account key; raise ValueError with a clear reason."""
    try:
        raw = base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError('batch_account_key is not valid base64; copy the primary or secondary key of the Batch account.') from None
    if not raw:
        raise ValueError('batch_account_key is empty.')
    return raw


def string_to_sign(method, url, headers, account_name):
    """The Shared Key string to sign of one request (Batch docs, "Authenticate requests to Batch").

    `headers` is a case-insensitive mapping. Content-Length is signed exactly as sent: Batch, unlike
    Storage, signs "0" for an empty POST. When ocp-date is sent the Date line stays empty.
    """
    lines = [method.upper()]
    for name in _SIGNED_HEADERS:
        value = headers.get(name)
        if name == 'Date' and headers.get('ocp-date'):
            value = None
        lines.append('' if value is None else str(value))
    return '\n'.join(lines) + '\n' + _canonical_headers(headers) + _canonical_resource(url, account_name)


def _canonical_headers(headers):
    ocp = []
    for name, value in headers.items():
        lowered = name.lower()
        if lowered.startswith('ocp-'):
            ocp.append((lowered, ' '.join(str(value).split())))
    return ''.join('%s:%s\n' % pair for pair in sorted(ocp))


def _canonical_resource(url, account_name):
    parts = urlsplit(url)
    resource = '/' + account_name + (parts.path or '/')
    grouped = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        grouped.setdefault(name.lower(), []).append(value)
    for name in sorted(grouped):
        resource += '\n%s:%s' % (name, ','.join(sorted(grouped[name])))
    return resource


class SharedKeyAuth(AuthBase):
    """Signs each request with the account key (HMAC-SHA256 over the string to sign)."""

    def __init__(self, account_name, account_key):
        self.account_name = account_name
        self._key = decode_account_key(account_key)

    def signature(self, method, url, headers):
        digest = hmac.new(self._key, string_to_sign(method, url, headers, self.account_name).encode('utf-8'),
                          hashlib.sha256).digest()
        signature = base64.b64encode(digest).decode('ascii')
        if next(_signatures_signed) < _MAX_REGISTERED_SIGNATURES:
            register_secret(signature)
        return signature

    def __call__(self, request):
        request.headers['Authorization'] = 'SharedKey %s:%s' % (
            self.account_name, self.signature(request.method, request.url, request.headers))
        return request

    def __repr__(self):
        return 'SharedKeyAuth(account_name=%r)' % self.account_name


class EntraAuth(AuthBase):
    """Adds an Entra ID bearer token, fetched once per module run and shared by every thread."""

    def __init__(self, credential_factory, scope, source, hint=None):
        self._factory = credential_factory
        self._hint = hint
        self._credential = None
        self.scope = scope
        self.source = source
        self._token = None
        self._expires_on = 0
        self._lock = threading.Lock()

    def token(self):
        with self._lock:
            if self._token is None or self._expires_on - _TOKEN_REFRESH_MARGIN < time.time():
                self._token, self._expires_on = self._fetch()
            return self._token

    def _fetch(self):
        try:
            if self._credential is None:
                self._credential = self._factory()
            access = self._credential.get_token(self.scope)
        except BatchError:
            raise
        except Exception as exc:  # azure-identity raises several types; all mean "no token"
            reason = _token_error_summary(redact(str(exc)))
            if self._hint and 'AADSTS' not in reason:
                reason = '%s; %s.' % (reason.rstrip('.'), self._hint)
            # An outage of the token endpoint is marked like a Batch endpoint out of reach: worth trying again later.
            raise BatchError('Could not get a Microsoft Entra ID token for scope %s with auth_source %s: %s'
                             % (self.scope, self.source, reason), unreachable=_token_outage(exc))
        return register_secret(access.token), access.expires_on

    def __call__(self, request):
        request.headers['Authorization'] = 'Bearer ' + self.token()
        return request

    def __repr__(self):
        return 'EntraAuth(source=%r, scope=%r)' % (self.source, self.scope)


def _token_outage(exc):
    """True when Entra ID (or the identity endpoint) was out of reach or answered 429 or 5xx, rather than rejecting
    the credential. azure-identity wraps both in ClientAuthenticationError; the cause tells them apart."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if any(kind.__name__ in ('ServiceRequestError', 'ServiceResponseError') for kind in type(exc).__mro__):
            return True
        status = getattr(getattr(exc, 'response', None), 'status_code', None) or getattr(exc, 'status_code', None)
        if isinstance(status, int) and (status == 429 or status >= 500):
            return True
        if 'AADSTS' not in str(exc) and _OUTAGE_STATUS.search(str(exc)):
            return True  # MSAL's MsalServiceError('HTTP Error: 503') has no status attribute
        exc = exc.__cause__ or exc.__context__
    return False


def _token_error_summary(text):
    """The AADSTS line when Entra ID answered (without its trace and correlation ids), else the first lines."""
    found = _AADSTS_LINE.search(text)
    return found.group(0).strip() if found else _first_lines(text)


def _first_lines(text, limit=3):
    """azure-identity messages can run to many lines of troubleshooting links; keep the substance."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return ' '.join(lines[:limit])
