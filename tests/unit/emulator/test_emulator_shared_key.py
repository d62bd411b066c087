"""Shared Key verification against the worked examples in the reference facts (section 5b)."""

import email.utils
import time

import pytest
import requests

try:
    from ansible_collections.azure_batch.ops.tests.emulator import Emulator, shared_key
except ImportError:
    from tests.emulator import Emulator, shared_key

ACCOUNT = "myaccount"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
OCP_DATE = "Fri, 17 Feb 2017 00:00:00 GMT"
GET_SIGNATURE = "cUA35OWdvNALKbyWD1GgmBL5hQhbWVykGuPJh00qcNs="
POST_SIGNATURE = "ULY014oTOHNFhbG/q2lMI+J30AQnMlmYAt6s7QL/k/4="
POST_SIGNATURE_EMPTY_LENGTH = "6nzuEZdP8Z/qyUtUB4BlmkkbaIbKBnChHSn4TS8HwzE="
QUERY = "api-version=2024-07-01.20.0"


def test_get_vector():
    text = shared_key.string_to_sign("GET", {"ocp-date": OCP_DATE}, shared_key.canonicalized_resource(ACCOUNT, "/jobs/job-1", QUERY))
    assert text == "GET\n\n\n\n\n\n\n\n\n\n\n\nocp-date:Fri, 17 Feb 2017 00:00:00 GMT\n/myaccount/jobs/job-1\napi-version:2024-07-01.20.0"
    assert shared_key.signature(KEY, text) == GET_SIGNATURE


def test_post_vector_signs_content_length_zero():
    resource = shared_key.canonicalized_resource(ACCOUNT, "/jobs/job-1/terminate", QUERY)
    text = shared_key.string_to_sign("POST", {"ocp-date": OCP_DATE, "content-length": "0"}, resource)
    assert text.startswith("POST\n\n\n0\n")
    assert shared_key.signature(KEY, text) == POST_SIGNATURE
    absent = shared_key.string_to_sign("POST", {"ocp-date": OCP_DATE}, resource)
    assert shared_key.signature(KEY, absent) == POST_SIGNATURE_EMPTY_LENGTH


def test_ocp_date_blanks_date_line_and_headers_are_canonicalized():
    headers = {"date": "Thu, 01 Jan 2026 00:00:00 GMT", "ocp-date": OCP_DATE, "ocp-custom": "  a   b  "}
    text = shared_key.string_to_sign("get", headers, "/a/jobs")
    lines = text.split("\n")
    assert lines[0] == "GET" and lines[6] == ""
    assert "ocp-custom:a b\nocp-date:" + OCP_DATE in text
    only_date = shared_key.string_to_sign("GET", {"date": "Thu, 01 Jan 2026 00:00:00 GMT"}, "/a/jobs")
    assert only_date.split("\n")[6] == "Thu, 01 Jan 2026 00:00:00 GMT"


def test_resource_lowercases_decodes_and_sorts_query():
    resource = shared_key.canonicalized_resource("acct", "/jobs", "timeOut=20&api-version=1&%24filter=state+eq+%27active%27&b=2&b=1")
    assert resource == "/acct/jobs\n$filter:state eq 'active'\napi-version:1\nb:1,2\ntimeout:20"


@pytest.fixture(name="vector_emulator")
def fixture_vector_emulator():
    frozen = email.utils.parsedate_to_datetime(OCP_DATE).timestamp() + 60
    with Emulator(account_name=ACCOUNT, account_key=KEY, clock=lambda: frozen) as emu:
        yield emu


def _raw(emu, method, path, authorization, **headers):
    headers = {"ocp-date": OCP_DATE, "Authorization": authorization, **headers}
    return requests.request(method, f"{emu.url}{path}?{QUERY}", headers=headers, verify=emu.ca_path, timeout=10)


def test_emulator_accepts_the_worked_example_over_http(vector_emulator):
    answer = _raw(vector_emulator, "GET", "/jobs/job-1", f"SharedKey {ACCOUNT}:{GET_SIGNATURE}")
    assert answer.status_code == 404 and answer.json()["code"] == "JobNotFound"  # authenticated, then not found
    answer = _raw(vector_emulator, "POST", "/jobs/job-1/terminate", f"SharedKey {ACCOUNT}:{POST_SIGNATURE}")
    assert answer.status_code == 404 and answer.json()["code"] == "JobNotFound"


def test_emulator_refuses_an_empty_content_length_signature(vector_emulator):
    answer = _raw(vector_emulator, "POST", "/jobs/job-1/terminate", f"SharedKey {ACCOUNT}:{POST_SIGNATURE_EMPTY_LENGTH}")
    assert answer.status_code == 403
    body = answer.json()
    assert body["code"] == "AuthenticationFailed"
    assert answer.reason.startswith("Server failed to authenticate the request.")
    (detail,) = body["values"]
    assert detail["key"] == "AuthenticationErrorDetail"
    assert f"'{POST_SIGNATURE_EMPTY_LENGTH}'" in detail["value"]
    assert "POST\n\n\n0\n" in detail["value"]


def test_wrong_key_and_stale_date(http, sign):
    emu = http.emu
    url = f"{emu.url}/jobs?api-version=2024-07-01.20.0"
    other_key = "QUJD" * 16
    headers = {"ocp-date": email.utils.formatdate(usegmt=True)}
    headers["Authorization"] = sign("GET", url, headers, emu.account_name, other_key)
    assert requests.get(url, headers=headers, verify=emu.ca_path, timeout=10).status_code == 403
    stale = {"ocp-date": email.utils.formatdate(time.time() - 16 * 60, usegmt=True)}
    stale["Authorization"] = sign("GET", url, stale, emu.account_name, emu.account_key)
    answer = requests.get(url, headers=stale, verify=emu.ca_path, timeout=10)
    assert answer.status_code == 403 and "too old" in answer.json()["values"][0]["value"]
    fresh = {"Date": email.utils.formatdate(time.time() - 10 * 60, usegmt=True)}
    fresh["Authorization"] = sign("GET", url, fresh, emu.account_name, emu.account_key)
    assert requests.get(url, headers=fresh, verify=emu.ca_path, timeout=10).status_code == 200


def test_missing_or_malformed_authorization(http):
    missing = http.get("/jobs", auth=False)
    assert missing.status_code == 401 and missing.json()["code"] == "AuthenticationFailed"
    malformed = http.get("/jobs", auth=False, headers={"Authorization": "Basic abc"})
    assert malformed.status_code == 400 and malformed.json()["code"] == "InvalidAuthenticationInfo"


def test_sdk_style_mixed_case_query_name_is_accepted(http):
    emu = http.emu
    url = f"{emu.url}/jobs?api-version=2025-06-01&timeOut=30"
    headers = {"ocp-date": email.utils.formatdate(usegmt=True)}
    # What azure-batch 15.x signs: the query name as sent.
    text = shared_key.string_to_sign("GET", {"ocp-date": headers["ocp-date"]},
                                     f"/{emu.account_name}/jobs\napi-version:2025-06-01\ntimeOut:30")
    headers["Authorization"] = f"SharedKey {emu.account_name}:{shared_key.signature(emu.account_key, text)}"
    assert requests.get(url, headers=headers, verify=emu.ca_path, timeout=10).status_code == 200
