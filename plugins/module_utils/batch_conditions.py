# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The four HTTP conditional headers: from module options to headers, and predicted locally for check mode."""

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_time import format_http_date, parse_time
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError, check_header_value

OPTION_HEADERS = (
    ('if_match', 'If-Match'),
    ('if_none_match', 'If-None-Match'),
    ('if_modified_since', 'If-Modified-Since'),
    ('if_unmodified_since', 'If-Unmodified-Since'),
)
DATE_OPTIONS = ('if_modified_since', 'if_unmodified_since')
# Batch evaluates one condition: of these pairs the first wins, any other pair is refused with a 400
# ("Specifying conditional headers", reference/batch-rest-facts.md section 2).
WINNING_PAIRS = {frozenset(('If-Match', 'If-Unmodified-Since')): 'If-Match',
                 frozenset(('If-None-Match', 'If-Modified-Since')): 'If-None-Match'}


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
                value = format_http_date(parse_time(value))
            except ValueError as exc:
                raise InputError('%s must be a date and time such as "Thu, 24 Oct 2024 01:15:18 GMT" or '
                                 '"2024-10-24T01:15:18Z" (an offset such as +02:00 may follow); %s'
                                 % (option, exc)) from None
        headers[header] = value
    return headers


def predict(headers, etag, last_modified):
    """Whether a write with these headers would pass, given the resource's ETag and lastModified: (outcome, why).

    outcome is True or False where the service's answer is certain, None where it is not (why then says what
    is unsure). A failure is only predicted where the service certainly answers 412.
    """
    present = [header for _option, header in OPTION_HEADERS if headers.get(header)]
    if len(present) > 1:
        winner = WINNING_PAIRS.get(frozenset(present))
        if winner is None:
            return None, 'the service accepts only one condition (or the pairs If-Match with If-Unmodified-Since ' \
                         'and If-None-Match with If-Modified-Since); it may refuse %s together' % ' and '.join(present)
        present = [winner]
    if not present:
        return True, None
    header = present[0]
    value = headers[header]
    if header in ('If-Match', 'If-None-Match'):
        matched, why = _etag_matches(value, etag, weak=header == 'If-None-Match')
        if matched is None:
            return None, '%s: %s %s' % (header, value, why)
        return matched == (header == 'If-Match'), None
    try:
        # Batch compares whole seconds, as HTTP dates carry no fraction.
        modified = parse_time(last_modified).replace(microsecond=0)
    except ValueError:
        return None, 'the lastModified of the resource as read, %r, is not a time' % (last_modified,)
    since = parse_time(value)
    return (modified > since) if header == 'If-Modified-Since' else (modified <= since), None


def conditions_met(headers, etag, last_modified):
    """True, False, or None when the service's answer cannot be predicted."""
    return predict(headers, etag, last_modified)[0]


def _etag_matches(value, etag, weak):
    """Whether an If-Match / If-None-Match value matches the ETag: True, False or (None, why) when unsure.

    Batch writes its ETag unquoted (0x8DCF3C953387E09) and documents that If-Match must "exactly match" it.
    RFC 9110 would read quoted tags, lists, W/ and *; whether Batch does is not documented, so those forms are
    certain only where no reading of them can match (a list of other tags).
    """
    if not etag:
        return None, 'cannot be compared: the resource as read has no ETag'
    if value == etag:
        return True, None
    tags = [tag.strip() for tag in value.split(',')]
    if '*' in tags:
        return None, 'uses *, and whether the Batch service reads * as HTTP does is not documented'
    for tag in tags:
        opaque = tag[2:] if tag[:2] in ('W/', 'w/') else tag
        opaque = opaque[1:-1] if len(opaque) >= 2 and opaque[0] == opaque[-1] == '"' else opaque
        if opaque.lower() == etag.strip('"').lower():
            if not weak and tag[:2] in ('W/', 'w/'):
                # RFC 9110: a weak tag never matches in If-Match; the service's rule is not documented.
                return None, 'names the ETag as a weak tag, which HTTP never matches for If-Match'
            return None, 'names the ETag %s in a form (quoted, in a list or in other letter case) the Batch ' \
                         'service may or may not accept' % etag
    return False, None
