# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one parser of times: the service's timestamps, HTTP dates and the times users write.

datetime.fromisoformat only takes the service's form (seven fraction digits and Z) from Python 3.11 on, so
ISO 8601 is parsed here by hand and gives the same answer on every Python the modules run on (3.9 and later).
"""

import datetime
import email.utils
import re

UTC = datetime.timezone.utc

# 2024-10-24, 2024-10-24T01:15, 2024-10-24T01:15:18.9955081Z, 2024-10-24 01:15:18,5+02:00, ...+0200, ...-05
_ISO = re.compile(r'''\A
    (?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})
    (?:[Tt\ ]
        (?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})
        (?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?
        \ ?(?P<zone>[Zz]|(?P<sign>[+-])(?P<off_hour>[0-9]{2})(?::?(?P<off_minute>[0-9]{2}))?)?
    )?\Z''', re.VERBOSE)
# RFC 1123 ("Thu, 24 Oct 2024 01:15:18 GMT"), also with a numeric zone; email.utils would read the year 0001 as 2001.
_HTTP_DATE = re.compile(r'''\A
    (?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\ *)?
    (?P<day>[0-9]{1,2})\ +(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\ +(?P<year>[0-9]{4})
    \ +(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?
    \ *(?P<zone>GMT|UTC|UT|Z|(?P<sign>[+-])(?P<off_hour>[0-9]{2})(?P<off_minute>[0-9]{2}))?\Z''', re.VERBOSE | re.IGNORECASE)
_MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')


def parse_time(value):
    """The moment a time text names, as an aware datetime in UTC; ValueError (one sentence) otherwise.

    Takes ISO 8601 with a fraction of any length (cut to microseconds) and Z, +hh:mm, +hhmm, +hh or no offset,
    and RFC 1123. A time without an offset is taken as UTC, as the service writes its times.
    """
    text = str(value).strip()
    match = _ISO.match(text)
    if match:
        parts = match.groupdict()
        month = int(parts['month'])
    else:
        match = _HTTP_DATE.match(text)
        if not match:
            raise ValueError('%r is not a date and time.' % text)
        parts = match.groupdict()
        month = _MONTHS.index(parts['month'].lower()) + 1
    fields = [int(parts['year']), month, int(parts['day'])]
    fields += [int(parts[name] or 0) for name in ('hour', 'minute', 'second')]
    fields.append(int((parts.get('fraction') or '')[:6].ljust(6, '0')))
    offset = 0
    if parts['sign']:
        hours, minutes = int(parts['off_hour']), int(parts['off_minute'] or 0)
        if hours > 23 or minutes > 59:
            raise ValueError('%r has an offset outside -23:59 to +23:59.' % text)
        offset = (hours * 60 + minutes) * (1 if parts['sign'] == '+' else -1)
    return _utc(text, fields, offset)


def format_http_date(moment):
    """RFC 1123 text of an aware datetime, as HTTP headers carry it."""
    return email.utils.format_datetime(moment.astimezone(UTC), usegmt=True)


def _utc(text, fields, offset_minutes):
    try:
        local = datetime.datetime(*fields, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError('%r is not a valid date and time (%s).' % (text, exc)) from None
    try:
        # Local time minus its offset; leaves datetime's range for year 1 with a positive offset and year 9999
        # with a negative one.
        return local - datetime.timedelta(minutes=offset_minutes)
    except OverflowError:
        raise ValueError('%r is outside the years 1 to 9999 once its offset is applied.' % text) from None
