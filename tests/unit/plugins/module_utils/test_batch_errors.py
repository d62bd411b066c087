# -*- coding: utf-8 -*-
"""The error parser against the real error bodies quoted in reference/recordings."""
import json

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import (
    BatchError, describe, parse_error_body, redact,
)

# Verbatim from reference/recordings/real-error-bodies-from-issues.md (nf-tower#385).
TASK_COMPLETED = ('{\n  "odata.metadata":"https://alethiomics.uksouth.batch.azure.com/$metadata#Microsoft.Azure.Batch.Protocol.'
                  'Entities.Container.errors/@Element","code":"TaskCompleted","message":{\n    "lang":"en-US","value":"The '
                  'specified task is already in a completed state.\\nRequestId:c4f5fc32-356d-47c2-a2c2-789081828db5\\nTime:'
                  '2023-03-09T11:47:41.9926741Z"\n  }\n}')


def test_real_task_completed_body():
    code, message, values = parse_error_body(TASK_COMPLETED)
    assert code == 'TaskCompleted'
    assert message == 'The specified task is already in a completed state.'
    assert values == []


def test_authentication_detail_is_redacted():
    body = json.dumps({'code': 'AuthenticationFailed', 'message': {'lang': 'en-US', 'value': 'Server failed to authenticate '
                       'the request.\nRequestId:1\nTime:2'}, 'values': [
                           {'key': 'AuthenticationErrorDetail', 'value': "The MAC signature found in the HTTP request "
                            "'c2VjcmV0c2lnbmF0dXJl' is not the same as any computed signature. Server used following string "
                            "to sign: 'POST\n\n\n0\n'."}]})
    code, _message, values = parse_error_body(body)
    assert code == 'AuthenticationFailed'
    assert 'c2VjcmV0c2lnbmF0dXJl' not in values[0]['value']
    assert "HTTP request '<redacted>'" in values[0]['value']
    assert 'POST\n' not in values[0]['value']


def test_non_json_bodies_give_short_text():
    assert parse_error_body('<html><body><h1>502 Bad Gateway</h1></body></html>') == (None, '502 Bad Gateway', [])
    assert parse_error_body('') == (None, None, [])
    code, message, _values = parse_error_body('{"code": "X", "message": {"value": "trunc')
    assert code is None and message.startswith('{"code"')
    _code, huge, _values = parse_error_body('x' * 100000)
    assert len(huge) < 400


def test_entra_errors_are_understood():
    code, message, _values = parse_error_body('{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}')
    assert code == 'invalid_client' and message.startswith('AADSTS7000215')


def test_redact_credentials_in_free_text():
    assert redact('Authorization: Bearer eyJhbGciOi.abc.def') == 'Authorization: Bearer <redacted>'
    assert redact('SharedKey acct:c2lnbmF0dXJl') == 'SharedKey <redacted>'


def test_describe_adds_the_hint():
    err = BatchError('HTTP 404 JobNotFound: The specified job does not exist.', status=404, code='JobNotFound')
    expected = ("Could not terminate job 'x': HTTP 404 JobNotFound: The specified job does not exist; "
                "set ignore_missing: true if a missing job is expected.")
    assert describe(err, "terminate job 'x'") == expected


def test_a_refused_query_parameter_is_named_with_the_service_reason():
    # The shape of a Batch 400 for a query parameter: the message does not say which one, the values do.
    body = json.dumps({'odata.metadata': 'https://acct.westeurope.batch.azure.com/$metadata#Microsoft.Azure.Batch.Protocol.'
                                         'Entities.Container.errors/@Element',
                       'code': 'InvalidQueryParameterValue',
                       'message': {'lang': 'en-US', 'value': 'Value for one of the query parameters specified in the request '
                                                             'URI is invalid.\nRequestId:1\nTime:2024-10-24T01:15:18.9955081Z'},
                       'values': [{'key': 'QueryParameterName', 'value': '$filter'},
                                  {'key': 'QueryParameterValue', 'value': "nme eq 'x'"},
                                  {'key': 'Reason', 'value': "Could not find a property named 'nme'."}]})
    code, message, values = parse_error_body(body)
    err = BatchError('HTTP 400 %s: %s' % (code, message), status=400, code=code, service_message=message, values=values)
    sentence = describe(err, 'read the jobs')
    assert sentence.startswith('Could not read the jobs: HTTP 400 InvalidQueryParameterValue: Value for one of the query '
                               "parameters specified in the request URI is invalid (query parameter $filter, reason: Could "
                               "not find a property named 'nme'); ")
    assert sentence.endswith('.') and '\n' not in sentence


def test_an_error_without_a_service_answer_has_no_null_error_block():
    detail = BatchError('Could not reach the Batch service at https://x after 1 attempt(s): refused.').detail()
    assert 'error' not in detail and 'status' not in detail
    full = BatchError('HTTP 404 JobNotFound', status=404, code='JobNotFound').detail()
    assert full['status'] == 404 and full['error'] == {'code': 'JobNotFound', 'message': None, 'values': []}
