# -*- coding: utf-8 -*-
"""Shared Key signing, checked against vectors computed with the azure-batch SDK's own signing code
(reference/batch-rest-facts.md, section 5b) and against the SDK's signer run here."""

import pytest
from requests.structures import CaseInsensitiveDict

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import (
    SharedKeyAuth, batch_scope, decode_account_key, string_to_sign,
)

# The public Azurite development key, used by the reference's worked example.
KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
DATE = 'Fri, 17 Feb 2017 00:00:00 GMT'
BASE = 'https://myaccount.eastus.batch.azure.com'


@pytest.mark.parametrize('method, path, headers, expected_sts, expected_sig', [
    ('GET', '/jobs/job-1?api-version=2024-07-01.20.0', {'ocp-date': DATE},
     'GET\n\n\n\n\n\n\n\n\n\n\n\nocp-date:%s\n/myaccount/jobs/job-1\napi-version:2024-07-01.20.0' % DATE,
     'cUA35OWdvNALKbyWD1GgmBL5hQhbWVykGuPJh00qcNs='),
    ('POST', '/jobs/job-1/terminate?api-version=2024-07-01.20.0', {'ocp-date': DATE, 'Content-Length': '0'},
     'POST\n\n\n0\n\n\n\n\n\n\n\n\nocp-date:%s\n/myaccount/jobs/job-1/terminate\napi-version:2024-07-01.20.0' % DATE,
     'ULY014oTOHNFhbG/q2lMI+J30AQnMlmYAt6s7QL/k/4='),
])
def test_reference_vectors(method, path, headers, expected_sts, expected_sig):
    headers = CaseInsensitiveDict(headers)
    assert string_to_sign(method, BASE + path, headers, 'myaccount') == expected_sts
    assert SharedKeyAuth('myaccount', KEY).signature(method, BASE + path, headers) == expected_sig


def test_empty_content_length_line_is_a_different_signature():
    """Batch signs the literal 0 for an empty POST; an empty line gives the reference's other value."""
    headers = CaseInsensitiveDict({'ocp-date': DATE, 'Content-Length': ''})
    sig = SharedKeyAuth('myaccount', KEY).signature('POST', BASE + '/jobs/job-1/terminate?api-version=2024-07-01.20.0', headers)
    assert sig == '6nzuEZdP8Z/qyUtUB4BlmkkbaIbKBnChHSn4TS8HwzE='


def test_ocp_date_blanks_the_date_line_and_headers_are_canonical():
    headers = CaseInsensitiveDict({'Date': 'Mon, 01 Jan 2024 00:00:00 GMT', 'ocp-date': DATE,
                                   'OCP-Custom': '  a   b ', 'If-Match': '0x1'})
    sts = string_to_sign('post', BASE + '/jobs/x/terminate?timeout=20&API-Version=v&force=true', headers, 'acct')
    lines = sts.split('\n')
    assert lines[0] == 'POST' and lines[6] == '' and lines[8] == '0x1'
    assert lines[12:] == ['ocp-custom:a b', 'ocp-date:' + DATE, '/acct/jobs/x/terminate',
                          'api-version:v', 'force:true', 'timeout:20']


def _sdk_signature(method, url, headers):
    """The unmodified azure-batch 15.x policy signs a request; we read back its Authorization header."""
    batch_patch = pytest.importorskip('azure.batch._patch')
    from azure.core.credentials import AzureNamedKeyCredential
    from azure.core.pipeline import PipelineRequest, PipelineContext
    from azure.core.rest import HttpRequest

    policy = batch_patch.BatchSharedKeyAuthPolicy(AzureNamedKeyCredential('myaccount', KEY))
    request = HttpRequest(method, url, headers=headers)
    policy.on_request(PipelineRequest(request, PipelineContext(None)))
    return request.headers['Authorization']


@pytest.mark.parametrize('method, path, extra', [
    ('GET', '/jobs/job-1?api-version=2024-07-01.20.0', {}),
    ('GET', '/jobs/Job_A/tasks/t-1?api-version=2024-07-01.20.0&timeout=30&$select=id,state', {}),
    ('POST', '/jobs/job-1/terminate?api-version=2024-07-01.20.0&force=true',
     {'Content-Length': '0', 'Content-Type': 'application/json; odata=minimalmetadata', 'If-Match': '0x8DCF3C953387E09'}),
    ('POST', '/jobs/j/tasks/t/terminate?api-version=2024-07-01.20.0',
     {'Content-Length': '0', 'Content-Type': 'application/json; odata=minimalmetadata',
      'If-Unmodified-Since': 'Thu, 24 Oct 2024 01:15:18 GMT', 'client-request-id': 'f5a4b5b8-8f0e-4a55-9d54-0d0e3a2f6a11'}),
])
def test_matches_the_azure_batch_sdk_signer(method, path, extra):
    headers = dict(extra, **{'ocp-date': DATE})
    ours = SharedKeyAuth('myaccount', KEY).signature(method, BASE + path, CaseInsensitiveDict(headers))
    assert _sdk_signature(method, BASE + path, headers) == 'SharedKey myaccount:' + ours


def test_auth_object_sets_the_header_and_hides_the_key():
    auth = SharedKeyAuth('myaccount', KEY)

    class Prepared:  # the parts of requests.PreparedRequest the signer reads
        method = 'GET'
        url = BASE + '/jobs/job-1?api-version=2024-07-01.20.0'
        headers = CaseInsensitiveDict({'ocp-date': DATE})

    signed = auth(Prepared())
    assert signed.headers['Authorization'] == 'SharedKey myaccount:cUA35OWdvNALKbyWD1GgmBL5hQhbWVykGuPJh00qcNs='
    assert KEY not in repr(auth)


@pytest.mark.parametrize('key', ['not base64!', '', '====', 'abc'])
def test_bad_keys_are_rejected_with_the_option_name(key):
    with pytest.raises(ValueError, match='batch_account_key'):
        decode_account_key(key)


def test_scopes_follow_the_cloud_table():
    assert batch_scope('AzureCloud') == 'https://batch.core.windows.net//.default'
    assert batch_scope('AzureChinaCloud') == 'https://batch.chinacloudapi.cn//.default'
    assert batch_scope('AzureUSGovernment') == 'https://batch.core.usgovcloudapi.net//.default'
