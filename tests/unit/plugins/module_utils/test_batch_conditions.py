# -*- coding: utf-8 -*-
import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_conditions import (
    conditions_met, headers_from_options, parse_time,
)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError

# From the recorded GET job (reference/recordings, azure-cli): header and body forms of one moment.
ETAG = '0x8DCF3C953387E09'
LAST_MODIFIED = '2024-10-24T01:15:18.9955081Z'


def test_seven_digit_fractions_and_rfc1123_agree():
    assert parse_time(LAST_MODIFIED).replace(microsecond=0) == parse_time('Thu, 24 Oct 2024 01:15:18 GMT')


def test_dates_are_sent_in_rfc1123():
    headers = headers_from_options({'if_unmodified_since': '2024-10-24T01:15:18Z', 'if_match': ETAG})
    assert headers == {'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT', 'If-Match': ETAG}


def test_bad_dates_name_the_option():
    with pytest.raises(InputError, match='^if_modified_since must be a date'):
        headers_from_options({'if_modified_since': 'yesterday'})


@pytest.mark.parametrize('headers, met', [
    ({'If-Match': ETAG}, True),
    ({'If-Match': '0x1'}, False),
    ({'If-Match': '*'}, None),
    ({'If-None-Match': ETAG}, False),
    ({'If-None-Match': '0x1'}, True),
    ({'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT'}, True),
    ({'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT'}, False),
    ({'If-Modified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT'}, True),
    ({'If-Modified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT'}, False),
])
def test_local_evaluation(headers, met):
    assert conditions_met(headers, ETAG, LAST_MODIFIED) is met


@pytest.mark.parametrize('value, sent', [
    # The offset's digits were taken for more of the fraction, and the time was sent without its offset.
    ('2024-10-24T03:15:18.5+02:00', 'Thu, 24 Oct 2024 01:15:18 GMT'),
    ('2024-10-23T20:15:18.123-05:00', 'Thu, 24 Oct 2024 01:15:18 GMT'),
    # Python 3.9 and 3.10 datetime.fromisoformat takes neither Z nor seven fraction digits.
    ('2024-10-24T01:15:18.9955081Z', 'Thu, 24 Oct 2024 01:15:18 GMT'),
    ('2024-10-24T01:15:18Z', 'Thu, 24 Oct 2024 01:15:18 GMT'),
    ('Thu, 24 Oct 2024 03:15:18 +0200', 'Thu, 24 Oct 2024 01:15:18 GMT'),
])
def test_user_times_keep_their_offset(value, sent):
    assert headers_from_options({'if_unmodified_since': value}) == {'If-Unmodified-Since': sent}


@pytest.mark.parametrize('value', ['0001-01-01T00:00:00+01:00', '9999-12-31T23:30:00-01:00', 'Mon, 01 Jan 0001 00:00:00 +0100'])
def test_times_out_of_range_are_one_sentence(value):
    with pytest.raises(InputError, match='^if_modified_since must be a date and time .*years 1 to 9999'):
        headers_from_options({'if_modified_since': value})


@pytest.mark.parametrize('option', ['if_match', 'if_none_match'])
@pytest.mark.parametrize('value', ['0x8D\u20ac1', '\U0001f4a5', '0x8DCF3C953387E09\u0100'])
def test_etags_http_cannot_carry_are_one_sentence(option, value):
    with pytest.raises(InputError, match='^%s must be Latin-1 text' % option):
        headers_from_options({option: value})


def test_the_service_timestamp_parses_on_every_python():
    # With no fraction cut, 3.9/3.10 raised "Invalid isoformat string" here, in check mode's prediction.
    assert conditions_met({'If-Modified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT'}, ETAG, LAST_MODIFIED) is True


@pytest.mark.parametrize('headers, met', [
    # HTTP forms of the ETag (RFC 9110): whether Batch reads quotes, lists, W/ or * is not documented, so check mode
    # predicts nothing for them rather than a 412 the service may not give.
    ({'If-Match': '"%s"' % ETAG}, None),
    ({'If-Match': '0x1, %s' % ETAG}, None),
    ({'If-Match': '"0x1", "%s"' % ETAG}, None),
    ({'If-Match': 'W/"%s"' % ETAG}, None),
    ({'If-Match': ETAG.lower()}, None),
    ({'If-None-Match': '"%s"' % ETAG}, None),
    ({'If-None-Match': 'W/"%s"' % ETAG}, None),
    ({'If-None-Match': '0x1, %s' % ETAG}, None),
    ({'If-None-Match': '*'}, None),
    # No reading of these matches the ETag: certain.
    ({'If-Match': '"0x1", W/"0x2"'}, False),
    ({'If-Match': '0x1, 0x2'}, False),
    ({'If-None-Match': '"0x1", W/"0x2"'}, True),
    # Of a pair Batch accepts, the ETag condition wins (reference: "Specifying conditional headers").
    ({'If-Match': ETAG, 'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT'}, True),
    ({'If-None-Match': '0x1', 'If-Modified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT'}, True),
    # Other pairs the service refuses with a 400: no prediction.
    ({'If-Match': ETAG, 'If-None-Match': '0x1'}, None),
    ({'If-Modified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT', 'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT'}, None),
])
def test_etag_forms_never_predict_a_412_the_service_may_not_give(headers, met):
    assert conditions_met(headers, ETAG, LAST_MODIFIED) is met


def test_why_is_given_when_nothing_is_predicted():
    from ansible_collections.azure_batch.ops.plugins.module_utils.batch_conditions import predict

    met, why = predict({'If-Match': '"%s"' % ETAG}, ETAG, LAST_MODIFIED)
    assert met is None and 'If-Match' in why and ETAG in why


@pytest.mark.parametrize('last_modified', [None, '', 'not a time'])
def test_a_resource_without_a_readable_last_modified_predicts_nothing(last_modified):
    assert conditions_met({'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT'}, ETAG, last_modified) is None
