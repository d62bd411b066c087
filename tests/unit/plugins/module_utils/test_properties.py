# -*- coding: utf-8 -*-
"""Property-based tests (hypothesis) of the id validator, the Shared Key canonicalisation and the error parser.

The Shared Key properties check our signer against the emulator's verifier, an independent
implementation written from the Batch docs, for generated paths, query strings and ocp- headers.
"""

import base64
import email.utils
import json
import string
import time
from urllib.parse import quote, urlsplit

import requests
from hypothesis import given, settings, strategies as st
from requests.structures import CaseInsensitiveDict

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import SharedKeyAuth, string_to_sign
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import MAX_TEXT, parse_error_body, redact
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError, check_id, check_ids
from ansible_collections.azure_batch.ops.tests.emulator.errors import BatchApiError
from ansible_collections.azure_batch.ops.tests.emulator.shared_key import SharedKeyVerifier

# No example database: the tests run from a copy of the tree and must not write into it.
FEW = settings(max_examples=80, deadline=None, database=None)

ID_ALPHABET = string.ascii_letters + string.digits + '-_'
ACCOUNT = 'propaccount'
KEY = base64.b64encode(b'property-based test key, 32 byte').decode('ascii')
BASE = 'https://propaccount.westeurope.batch.azure.com'
TEXT = st.text(st.characters(blacklist_categories=('Cs',)))
valid_ids = st.text(ID_ALPHABET, min_size=1, max_size=64)

# The id validator ---------------------------------------------------------------------------------------


@FEW
@given(valid_ids)
def test_valid_ids_are_accepted_and_travel_in_a_path_unchanged(value):
    assert check_id('job_id', value) == value
    assert quote(value, safe='') == value


@FEW
@given(st.one_of(TEXT, st.text(ID_ALPHABET + './?%# \\\n\x00é', max_size=80)))
def test_any_text_is_accepted_exactly_when_batch_allows_it(value):
    allowed = 1 <= len(value) <= 64 and all(ch in ID_ALPHABET for ch in value)
    try:
        accepted = check_id('task_id', value) == value
    except InputError as exc:
        accepted = False
        message = str(exc)
        assert message.startswith('task_id must be 1 to 64 letters') and '\n' not in message and len(message) < 200
    assert accepted == allowed


@FEW
@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(valid_ids), st.booleans()))
def test_values_that_are_not_text_are_refused_the_same_way(value):
    try:
        check_id('job_id', value)
    except InputError as exc:
        assert str(exc).startswith('job_id must be')
    else:
        raise AssertionError('accepted %r' % (value,))


@FEW
@given(st.lists(valid_ids, max_size=30))
def test_id_lists_lose_only_case_insensitive_duplicates(values):
    kept = check_ids('job_ids', values)
    assert [value.lower() for value in kept] == list(dict.fromkeys(value.lower() for value in values))
    assert all(value in values for value in kept)
    assert check_ids('job_ids', kept) == kept


# Shared Key canonicalisation ------------------------------------------------------------------------------

query_names = st.one_of(st.sampled_from(['api-version', 'timeout', '$filter', '$select', '$expand', 'maxresults', 'force',
                                         'TimeOut', 'API-Version']),
                        st.text(string.ascii_letters + '$-_.', min_size=1, max_size=12))
header_values = st.text(string.ascii_letters + string.digits + ' \t,;=/"', min_size=1, max_size=30).map(str.strip).filter(bool)
ocp_names = st.text(string.ascii_letters + '-', min_size=1, max_size=12).map(lambda name: 'ocp-' + name)


@st.composite
def batch_requests(draw):
    method = draw(st.sampled_from(['GET', 'POST']))
    path = '/jobs/' + draw(valid_ids) + draw(st.sampled_from(['', '/terminate', '/tasks', '/tasks/t-1/terminate']))
    query = draw(st.lists(st.tuples(query_names, TEXT.filter(lambda v: len(v) < 40)), max_size=6))
    headers = {draw(st.sampled_from(['ocp-date', 'OCP-Date', 'Ocp-Date'])): email.utils.formatdate(time.time(), usegmt=True)}
    headers.update(draw(st.dictionaries(ocp_names, header_values, max_size=3)))
    for name in draw(st.lists(st.sampled_from(['If-Match', 'If-None-Match', 'Content-Type', 'Date']), unique=True)):
        headers[name] = draw(header_values)
    data = draw(st.one_of(st.none(), st.just(b'{"terminateReason": "x"}'))) if method == 'POST' else None
    return requests.Request(method, BASE + path, params=query, headers=headers, data=data).prepare()


@FEW
@given(batch_requests())
def test_our_signature_is_what_the_emulator_verifier_computes(prepared):
    SharedKeyAuth(ACCOUNT, KEY)(prepared)
    scheme, credentials = prepared.headers['Authorization'].split(' ', 1)
    assert scheme == 'SharedKey' and credentials.startswith(ACCOUNT + ':')
    parts = urlsplit(prepared.url)
    headers = {name.lower(): value for name, value in prepared.headers.items()}
    try:
        SharedKeyVerifier(ACCOUNT, KEY, time.time).verify(prepared.method, parts.path, parts.query, headers, credentials)
    except BatchApiError as exc:
        raise AssertionError('the verifier refused %s %s %r' % (prepared.method, prepared.url, headers)) from exc


@FEW
@given(batch_requests(), st.randoms(use_true_random=False))
def test_the_string_to_sign_ignores_header_case_and_query_order(prepared, random):
    expected = string_to_sign(prepared.method, prepared.url, prepared.headers, ACCOUNT)
    recased = CaseInsensitiveDict({''.join(random.choice((ch.upper(), ch.lower())) for ch in name): value
                                   for name, value in prepared.headers.items()})
    parts = urlsplit(prepared.url)
    pairs = parts.query.split('&') if parts.query else []
    random.shuffle(pairs)
    shuffled = parts._replace(query='&'.join(pairs)).geturl()
    assert string_to_sign(prepared.method, shuffled, recased, ACCOUNT) == expected
    lines = expected.split('\n')
    assert lines[0] == prepared.method and lines[6] == ''  # Date is blank whenever ocp-date is sent
    assert '/%s%s' % (ACCOUNT, parts.path) in lines


# The error parser ----------------------------------------------------------------------------------------

json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                           lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
                           max_leaves=20)
error_like = st.fixed_dictionaries({}, optional={
    'code': json_values, 'message': st.one_of(json_values, st.fixed_dictionaries({'lang': TEXT, 'value': json_values})),
    'values': st.one_of(json_values, st.lists(st.fixed_dictionaries({'key': json_values, 'value': json_values}), max_size=30)),
    'error': json_values, 'error_description': json_values})


def _assert_parsed_shape(parsed):
    code, message, values = parsed
    assert code is None or (isinstance(code, str) and len(code) <= MAX_TEXT + 3)
    assert message is None or (isinstance(message, str) and len(message) <= MAX_TEXT + 3)
    assert isinstance(values, list) and len(values) <= 20
    assert all(set(item) == {'key', 'value'} and all(isinstance(text, str) for text in item.values()) for item in values)


@FEW
@given(st.one_of(TEXT, st.binary().map(lambda raw: raw.decode('latin-1'))))
def test_any_text_parses_into_a_short_answer(text):
    _assert_parsed_shape(parse_error_body(text))


@FEW
@given(st.one_of(json_values, error_like))
def test_any_json_parses_into_a_short_answer(value):
    _assert_parsed_shape(parse_error_body(json.dumps(value)))


plain_words = st.text(string.ascii_letters + string.digits + ' .,()', min_size=1, max_size=200).filter(
    lambda text: text.strip() and not any(word in text.lower() for word in ('bearer', 'sharedkey', 'eyj')))


@FEW
@given(st.text(string.ascii_letters, min_size=1, max_size=40), plain_words, st.uuids())
def test_batch_error_bodies_give_their_code_and_message(code, message, request_id):
    body = {'odata.metadata': BASE + '/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element',
            'code': code, 'message': {'lang': 'en-US', 'value': '%s\nRequestId:%s\nTime:2026-11-03T03:00:00.1234567Z'
                                      % (message, request_id)}}
    assert parse_error_body(json.dumps(body)) == (code, message.strip(), [])


@FEW
@given(st.binary(min_size=32, max_size=32), st.binary(min_size=20, max_size=200), st.sampled_from(['Bearer', 'bearer', 'SharedKey']))
def test_echoed_signatures_and_tokens_never_come_back(digest, token, scheme):
    signature = base64.b64encode(digest).decode('ascii')
    jwt = 'eyJ' + base64.urlsafe_b64encode(token).decode('ascii').rstrip('=') + '.' + 'eyJzdWIiOiJ4In0.c2ln'
    detail = ("The MAC signature found in the HTTP request '%s' is not the same as any computed signature. Server used "
              "following string to sign: 'POST\n\n\n0\n\n%s'." % (signature, jwt))
    body = {'code': 'AuthenticationFailed', 'message': {'value': 'Authorization: %s %s failed' % (scheme, jwt)},
            'values': [{'key': 'AuthenticationErrorDetail', 'value': detail}, {'key': 'Token', 'value': jwt}]}
    code, message, values = parse_error_body(json.dumps(body))
    shown = [code, message] + [item['value'] for item in values]
    assert not any(secret in text for text in shown for secret in (signature, jwt, base64.b64encode(token).decode('ascii')))
    assert [redact(text) for text in shown] == shown
