# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error type of the collection and the parser of Batch error bodies.

A BatchError never holds a secret: the service echoes a Shared Key signature inside
AuthenticationErrorDetail, so every text taken from a response passes through redact().
"""

import json
import re

# Longest text kept from any one field of an error body (an HTML page from a proxy, a runaway message).
MAX_TEXT = 300
MAX_VALUES = 20
# How much of a body that is not JSON is searched for text: the start of a page says what it is.
MAX_SCANNED = 65536

_QUOTED_SIGNATURE = re.compile(r"(found in the HTTP request ')[^']*('|$)")
_STRING_TO_SIGN = re.compile(r"(Server used following string to sign: ')[\s\S]*?('\.?$|$)")
_BEARER_OR_KEY = re.compile(r"((?:Bearer|SharedKey)\s+)[A-Za-z0-9._:+/=-]+", re.IGNORECASE)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_SERVICE_SUFFIX = re.compile(r"\s*RequestId:\S*\s*Time:\S*\s*$")
_INVISIBLE_HTML = re.compile(r"<(script|style)\b[^>]*>[\s\S]*?</\1\s*>|<!--[\s\S]*?-->", re.IGNORECASE)


def redact(text):
    """Remove signatures, strings-to-sign and credentials the service may echo back."""
    if not text:
        return text
    text = _QUOTED_SIGNATURE.sub(r"\1<redacted>\2", text)
    text = _STRING_TO_SIGN.sub(r"\1<redacted>\2", text)
    text = _BEARER_OR_KEY.sub(r"\1<redacted>", text)
    return _JWT.sub("<redacted>", text)


class BatchError(Exception):
    """A failed call to the Batch service (or to reach it), described for a person and a program."""

    def __init__(self, message, status=None, code=None, service_message=None, values=None,
                 request_id=None, client_request_id=None, outcome_unknown=False, unreachable=False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.service_message = service_message
        self.values = values or []
        self.request_id = request_id
        self.client_request_id = client_request_id
        # True when an earlier attempt of the same request may have been applied by the service
        # (its answer was lost); the runner needs it to report `changed` truthfully.
        self.outcome_unknown = outcome_unknown
        # True when no answer came at all (connection errors until the retries ran out): worth trying again later.
        self.unreachable = unreachable

    def detail(self):
        """The structured fields returned with a failure; status and error only when the service answered."""
        detail = {'request_id': self.request_id, 'client_request_id': self.client_request_id}
        if self.status is not None:
            detail['status'] = self.status
        if self.code or self.service_message or self.values:
            detail['error'] = {'code': self.code, 'message': self.service_message, 'values': self.values}
        return detail

    def __str__(self):
        return self.message


def parse_error_body(text):
    """Return (code, message, values) from a Batch OData error body; tolerate anything else."""
    if not text:
        return None, None, []
    try:
        body = json.loads(text)
    except ValueError:
        return None, _plain_text_excerpt(text), []
    if not isinstance(body, dict):
        return None, _plain_text_excerpt(text), []
    if isinstance(body.get('error'), dict):
        # The Azure Resource Manager shape {"error": {"code", "message"}}, as gateways in front of Batch answer.
        body = body['error']
    # Entra ID token errors use error/error_description instead of code/message.
    code = body.get('code') or body.get('error')
    message = body.get('message')
    if isinstance(message, dict):
        message = message.get('value')
    if message is None:
        message = body.get('error_description')
    values = []
    listed = body.get('values')
    for item in listed[:MAX_VALUES] if isinstance(listed, list) else []:
        if isinstance(item, dict):
            values.append({'key': _shorten(str(item.get('key'))), 'value': _shorten(redact(str(item.get('value'))))})
    return (_shorten(str(code)) if code is not None else None,
            _shorten(redact(_strip_service_suffix(str(message)))) if message is not None else None,
            values)


def _strip_service_suffix(message):
    """Batch appends "\\nRequestId:...\\nTime:..." to every message; the request id is reported apart."""
    return _SERVICE_SUFFIX.sub('', message).strip()


def _plain_text_excerpt(text):
    text = _INVISIBLE_HTML.sub(' ', text[:MAX_SCANNED])
    text = re.sub(r'<[^>]*>', ' ', text)
    text = ' '.join(text.split())
    # Redact first: a cut could leave half a signature that the patterns no longer recognise.
    return _shorten(redact(text)) or None


def _shorten(text):
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + '...'


# Code (or HTTP status) -> what the user can do about it, appended to the failure sentence.
_HINTS = {
    'JobNotFound': 'set ignore_missing: true if a missing job is expected',
    'TaskNotFound': 'set ignore_missing: true if a missing task is expected',
    'ConditionNotMet': 'the if_match / if_none_match / if_modified_since / if_unmodified_since condition was not met, so the service refused the request',
    'AuthenticationFailed': 'check batch_account_name and batch_account_key (or the Entra ID identity and its role on the account) and batch_url',
    'InvalidAuthenticationInfo': 'check the credential options and batch_url',
    'MissingRequiredQueryParameter': 'check api_version',
    'InvalidQueryParameterValue': 'check api_version, server_timeout and the filter',
    'UnsupportedQueryParameter': 'check api_version; force needs 2024-07-01.20.0 or later',
    401: 'the Entra ID token was rejected: check tenant, cloud_environment and the identity\'s role on the Batch account',
    403: 'the credential is not allowed to do this: check the credential and its role on the Batch account',
    429: 'the account is throttled: retry later or lower parallel',
    503: 'the service is busy: retry later',
}


def describe(err, action):
    """One sentence for a failure: what we tried, what the service said, what to do."""
    # A 401 is a rejected bearer token; its status says more than the shared AuthenticationFailed code.
    hint = _HINTS.get(err.status) if err.status == 401 else (_HINTS.get(err.code) or _HINTS.get(err.status))
    sentence = 'Could not %s: %s' % (action, err.message.rstrip('.'))
    named = _named_values(err.values)
    if named:
        sentence += ' (%s)' % named
    detail = next((item['value'] for item in err.values if item.get('key') == 'AuthenticationErrorDetail'), None)
    if detail and err.status == 401:
        sentence += ' (%s)' % detail.rstrip('.')
    if hint:
        sentence += '; ' + hint
    return sentence + '.'


# Keys of error.values that say which part of the request the service refused, and why (a 400 names them, the
# message does not: "Value for one of the query parameters specified in the request URI is invalid.").
_NAMING_KEYS = (('QueryParameterName', 'query parameter %s'), ('HeaderName', 'header %s'), ('PropertyName', 'property %s'),
                ('Reason', 'reason: %s'))


def _named_values(values):
    found = {item.get('key'): item.get('value') for item in values or () if item.get('value')}
    return ', '.join(form % found[key].rstrip('.') for key, form in _NAMING_KEYS if key in found)
