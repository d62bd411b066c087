# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The four HTTP conditional headers: from module options to headers, and evaluated locally for check mode."""

import datetime
import email.utils

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError, check_header_value

OPTION_HEADERS = (
    ('if_match', 'If-Match'),
    ('if_none_match', 'If-None-Match'),
    ('if_modified_since', 'If-Modified-Since'),
    ('if_unmodified_since', 'If-Unmodified-Since'),
)
DATE_OPTIONS = ('if_modified_since', 'if_unmodified_since')


def parse_time(value):
    """An aware datetime from RFC 1123 ("Tue, 24 Oct 2024 01:15:18 GMT") or ISO 8601 text; ValueError otherwise."""
    text = str(value).strip()
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None:
        iso = text.replace('Z', '+00:00')
        # Batch writes seven fractional digits; datetime takes at most six.
        if '.' in iso:
            head, _sep, tail = iso.partition('.')
            digits = ''.join(ch for ch in tail if ch.isdigit())
            iso = head + '.' + digits[:6].ljust(6, '0') + tail[len(digits):]
        parsed = datetime.datetime.fromisoformat(iso)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def headers_from_options(params):
    """Conditional headers for the options that are set; dates are sent in RFC 1123 form."""
    headers = {}
    for option, header in OPTION_HEADERS:
        value = params.get(option)
        if not value:
            continue
        check_header_value(option, value)
        if option in DATE_OPTIONS:
            try:
                moment = parse_time(value)
            except ValueError:
                raise InputError('%s must be a date and time such as "Thu, 24 Oct 2024 01:15:18 GMT" or '
                                 '"2024-10-24T01:15:18Z"; got %r.' % (option, value)) from None
            value = email.utils.format_datetime(moment.astimezone(datetime.timezone.utc), usegmt=True)
        headers[header] = value
    return headers


def conditions_met(headers, etag, last_modified):
    """Whether a write with these headers would pass, given the resource's ETag and lastModified."""
    if 'If-Match' in headers and headers['If-Match'] not in ('*', etag):
        return False
    if 'If-None-Match' in headers and headers['If-None-Match'] in ('*', etag):
        return False
    modified = parse_time(last_modified) if last_modified else None
    if modified is not None:
        modified = modified.replace(microsecond=0)
        if 'If-Modified-Since' in headers and modified <= parse_time(headers['If-Modified-Since']):
            return False
        if 'If-Unmodified-Since' in headers and modified > parse_time(headers['If-Unmodified-Since']):
            return False
    return True
