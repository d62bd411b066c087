# -*- coding: utf-8 -*-
"""The one time parser, on every Python the modules run on (3.9 to 3.13)."""
import datetime

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_time import format_http_date, parse_time

UTC = datetime.timezone.utc


def at(*fields):
    return datetime.datetime(*fields, tzinfo=UTC)


@pytest.mark.parametrize('text, moment', [
    # The service's own forms (reference: recorded GET job): seven fraction digits and Z, and RFC 1123.
    ('2024-10-24T01:15:18.9955081Z', at(2024, 10, 24, 1, 15, 18, 995508)),
    ('Thu, 24 Oct 2024 01:15:18 GMT', at(2024, 10, 24, 1, 15, 18)),
    # Users' ISO 8601: any fraction length, Z, +hh:mm, -hh:mm, +hhmm, +hh, no offset (UTC).
    ('2024-10-24T01:15:18Z', at(2024, 10, 24, 1, 15, 18)),
    ('2024-10-24T01:15:18z', at(2024, 10, 24, 1, 15, 18)),
    ('2024-10-24T01:15:18.5Z', at(2024, 10, 24, 1, 15, 18, 500000)),
    ('2024-10-24T01:15:18.12Z', at(2024, 10, 24, 1, 15, 18, 120000)),
    ('2024-10-24T01:15:18.1234567891+00:00', at(2024, 10, 24, 1, 15, 18, 123456)),
    ('2024-10-24T03:15:18.9955081+02:00', at(2024, 10, 24, 1, 15, 18, 995508)),
    ('2024-10-23T20:15:18.5-05:00', at(2024, 10, 24, 1, 15, 18, 500000)),
    ('2024-10-24T03:45:18,25+0230', at(2024, 10, 24, 1, 15, 18, 250000)),
    ('2024-10-24T03:15:18+02', at(2024, 10, 24, 1, 15, 18)),
    ('2024-10-24T03:15:18 +02:00', at(2024, 10, 24, 1, 15, 18)),
    ('2024-10-24 01:15:18', at(2024, 10, 24, 1, 15, 18)),
    ('2024-10-24T01:15', at(2024, 10, 24, 1, 15)),
    ('2024-10-24', at(2024, 10, 24)),
    ('  2024-10-24T01:15:18Z  ', at(2024, 10, 24, 1, 15, 18)),
    # RFC 1123 variants.
    ('24 Oct 2024 01:15:18 GMT', at(2024, 10, 24, 1, 15, 18)),
    ('Thu, 24 Oct 2024 03:15:18 +0200', at(2024, 10, 24, 1, 15, 18)),
    ('Thu, 24 Oct 2024 01:15:18 UTC', at(2024, 10, 24, 1, 15, 18)),
    # The edges of datetime's range, inside it once the offset is applied.
    ('0001-01-01T00:00:00-01:00', at(1, 1, 1, 1)),
    ('9999-12-31T23:59:59.9999999+01:00', at(9999, 12, 31, 22, 59, 59, 999999)),
])
def test_parses_to_utc(text, moment):
    parsed = parse_time(text)
    assert parsed == moment
    assert parsed.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize('text', [
    'yesterday', '', '2024-10-24T01:15:18+', '2024-10-24T01:15:18+2', '2024-10-24T01:15:18+24:00', '2024-10-24T01:15:18+02:60',
    '2024-13-45T00:00:00Z', '2024-02-30', '2024-10-24T25:00:00Z', '2024-10-24T01:15:60Z', '2024-10-24T01:15:18.Z',
    '24-10-2024', '2024-10-24T01:15:18Zjunk', 'Thu, 24 Foo 2024 01:15:18 GMT', 'Thu, 24 Oct 24 01:15:18 GMT',
    # Unicode digits are digits to int() but not in a time.
    '\u0662\u0660\u0662\u0664-10-24T01:15:18Z',
    # Outside datetime's range once the offset is applied.
    '0001-01-01T00:00:00+01:00', '0001-01-01T00:30:00.5+00:31', '9999-12-31T23:30:00-01:00',
    'Mon, 01 Jan 0001 00:00:00 +0100', 'Fri, 31 Dec 9999 23:59:59 -0001',
])
def test_refuses_with_one_sentence(text):
    with pytest.raises(ValueError) as info:
        parse_time(text)
    assert info.type is ValueError  # not OverflowError, which callers would not catch
    assert '\n' not in str(info.value)


def test_formats_http_dates_from_any_offset():
    assert format_http_date(parse_time('2024-10-24T03:15:18.9+02:00')) == 'Thu, 24 Oct 2024 01:15:18 GMT'


def test_the_batch_time_and_its_http_date_agree():
    assert parse_time('2024-10-24T01:15:18.9955081Z').replace(microsecond=0) == parse_time('Thu, 24 Oct 2024 01:15:18 GMT')
