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
    ({'If-Match': '*'}, True),
    ({'If-None-Match': ETAG}, False),
    ({'If-None-Match': '0x1'}, True),
    ({'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT'}, True),
    ({'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT'}, False),
    ({'If-Modified-Since': 'Thu, 24 Oct 2024 01:15:17 GMT'}, True),
    ({'If-Modified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT'}, False),
])
def test_local_evaluation(headers, met):
    assert conditions_met(headers, ETAG, LAST_MODIFIED) is met
