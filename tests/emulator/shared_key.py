"""Shared Key verification as the Batch docs describe it ("Authenticate Requests to Azure Batch").

StringToSign = VERB, Content-Encoding, Content-Language, Content-Length (as sent: "0" stays "0",
absent gives an empty line), Content-MD5, Content-Type, Date (empty when ocp-date is sent),
If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since, Range, each followed by a newline,
then the canonicalized ocp- headers and the canonicalized resource.
"""

import base64
import binascii
import hashlib
import hmac
import re

from .errors import BatchApiError, detail
from .wire import http_date, parse_http_date, split_query

SIGNED_HEADERS = ("content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
                  "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range")
MAX_CLOCK_SKEW_SECONDS = 15 * 60
_WHITESPACE = re.compile(r"\s+")


def canonicalized_headers(headers):
    """``name:value\\n`` for every ocp- header, names lowercased and sorted, whitespace collapsed."""
    lines = []
    for name in sorted(key.lower() for key in headers if key.lower().startswith("ocp-")):
        value = _WHITESPACE.sub(" ", str(headers[name])).strip()
        lines.append(f"{name}:{value}\n")
    return "".join(lines)


def canonicalized_resource(account, raw_path, raw_query):
    """``/account/path`` then ``\\nname:value`` per query parameter: names lowercased, decoded,
    sorted; several values of one name sorted and joined with commas."""
    values = {}
    for name, value in split_query(raw_query):
        values.setdefault(name.lower(), []).append(value)
    resource = f"/{account}{raw_path}"
    for name in sorted(values):
        resource += f"\n{name}:{','.join(sorted(values[name]))}"
    return resource


def sdk_canonicalized_resource(account, raw_path, raw_query):
    """The resource as the azure-batch Python SDK (14.x, 15.x) signs it: query names kept as sent
    (so ``timeOut`` stays mixed case), first value only, empty values skipped."""
    values = {}
    for name, value in split_query(raw_query):
        values.setdefault(name, value)
    resource = f"/{account}{raw_path}"
    for name in sorted(values):
        if values[name]:
            resource += f"\n{name}:{values[name]}"
    return resource


def string_to_sign(method, headers, resource):
    """The string the signature covers; ``headers`` maps lowercase names to values."""
    lines = [method.upper()]
    for name in SIGNED_HEADERS:
        if name == "date" and "ocp-date" in headers:
            lines.append("")
        else:
            lines.append(str(headers.get(name, "")))
    return "\n".join(lines) + "\n" + canonicalized_headers(headers) + resource


def signature(account_key, text):
    digest = hmac.new(base64.b64decode(account_key), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class SharedKeyVerifier:  # pylint: disable=too-few-public-methods
    """Checks ``Authorization: SharedKey account:signature`` and the request date."""

    def __init__(self, account_name, account_key, clock):
        self.account_name = account_name
        self.account_key = account_key
        self.clock = clock

    def verify(self, method, raw_path, raw_query, headers, credentials):
        account, _colon, sent_signature = credentials.partition(":")
        if not account or not sent_signature:
            raise BatchApiError("InvalidAuthenticationInfo")
        self._check_date(headers)
        documented = string_to_sign(method, headers, canonicalized_resource(self.account_name, raw_path, raw_query))
        candidates = [documented]
        sdk_form = string_to_sign(method, headers, sdk_canonicalized_resource(self.account_name, raw_path, raw_query))
        if sdk_form != documented:
            # Unverified whether the service lowercases query names; the azure-batch SDK does not
            # (it sends timeOut), and it works against the service, so accept its form too.
            candidates.append(sdk_form)
        if account == self.account_name and any(_same(sent_signature, signature(self.account_key, text)) for text in candidates):
            return
        # The service echoes the signature it was sent and the string it signed (so does this).
        raise BatchApiError("AuthenticationFailed", [detail(
            "AuthenticationErrorDetail",
            f"The MAC signature found in the HTTP request '{sent_signature}' is not the same as any computed signature. "
            f"Server used following string to sign: '{documented}'.")])

    def _check_date(self, headers):
        sent = headers.get("ocp-date") or headers.get("date")
        if not sent:
            # Detail text as Azure Storage words it (unverified for Batch).
            raise BatchApiError("AuthenticationFailed", [detail("AuthenticationErrorDetail", "Request date header not specified.")])
        when = parse_http_date(sent)
        if when is None:
            raise BatchApiError("InvalidHeaderValue", [detail("HeaderName", "ocp-date" if "ocp-date" in headers else "Date"),
                                                       detail("HeaderValue", sent)])
        if abs(self.clock() - when) > MAX_CLOCK_SKEW_SECONDS:
            raise BatchApiError("AuthenticationFailed", [detail(
                "AuthenticationErrorDetail",
                f"Request date header too old: '{sent}'; the server time is '{http_date(self.clock())}'.")])


def _same(sent, expected):
    try:
        return hmac.compare_digest(base64.b64decode(sent, validate=True), base64.b64decode(expected))
    except (binascii.Error, ValueError):
        return False
