"""Fault injection, latency and the request log."""

import email.utils
import time

import pytest
import requests


def _state(http, job="job-1"):
    return http.get(f"/jobs/{job}").json()["state"]


@pytest.fixture(name="one_job")
def fixture_one_job(emu):
    emu.admin.seed([{"id": "job-1", "tasks": [{"id": "t1", "state": "running"}]}])
    return emu


def test_status_faults_with_retry_after_and_exact_bodies(one_job, http):
    one_job.admin.set_faults([
        {"method": "POST", "path": r"/terminate$", "kind": "status", "status": 429, "retry_after": 2, "times": 1},
        {"method": "POST", "path": r"/terminate$", "kind": "status", "status": 503, "retry_after": 5,
         "retry_after_format": "http-date", "times": 1},
        {"method": "POST", "path": r"/terminate$", "kind": "status", "status": 500, "code": "OperationTimedOut", "times": 1},
    ])
    throttled = http.post("/jobs/job-1/terminate")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    body = throttled.json()
    assert body["code"] == "TooManyRequests"
    assert body["message"]["value"].startswith("Request failed as server encountered too many requests. Please try again.\nRequestId:")
    busy = http.post("/jobs/job-1/terminate")
    assert busy.status_code == 503 and busy.json()["code"] == "ServerBusy"
    retry_at = email.utils.parsedate_to_datetime(busy.headers["Retry-After"]).timestamp()
    assert 2 <= retry_at - time.time() <= 7
    timed_out = http.post("/jobs/job-1/terminate")
    assert timed_out.status_code == 500 and timed_out.json()["code"] == "OperationTimedOut"
    assert timed_out.reason == "The operation could not be completed within the permitted time."
    assert _state(http) == "active"  # none of them was applied
    assert http.post("/jobs/job-1/terminate").status_code == 202  # every rule used up
    assert [rule["hits"] for rule in one_job.admin.faults()["rules"]] == [1, 1, 1]


def test_reset_drops_the_connection_and_applies_nothing(one_job, http):
    one_job.admin.set_faults([{"path": r"^/jobs/job-1/terminate$", "kind": "reset", "times": 1}])
    with pytest.raises(requests.ConnectionError):
        http.post("/jobs/job-1/terminate")
    assert _state(http) == "active"


def test_lost_response_applies_the_change(one_job, http):
    one_job.admin.set_faults([{"path": r"/tasks/t1/terminate$", "kind": "lost_response", "times": 1}])
    with pytest.raises(requests.ConnectionError):
        http.post("/jobs/job-1/tasks/t1/terminate")
    assert http.get("/jobs/job-1/tasks/t1").json()["state"] == "completed"
    assert http.post("/jobs/job-1/tasks/t1/terminate").json()["code"] == "TaskCompleted"


def test_timeout_delays_the_answer(one_job, http):
    one_job.admin.set_faults([{"method": "GET", "path": "^/jobs/job-1$", "kind": "timeout", "delay": 0.6, "times": 1}])
    with pytest.raises(requests.Timeout):
        http.session.get(f"{one_job.url}/jobs/job-1", params={"api-version": "2024-07-01.20.0"}, auth=http.auth,
                         verify=one_job.ca_path, timeout=0.2)
    assert http.get("/jobs/job-1").status_code == 200  # the rule fired once only


def test_random_faults_follow_the_seed(one_job, http):
    def run():
        one_job.admin.set_faults(random={"rate": 0.5, "seed": 7, "kinds": ["status"], "statuses": [429, 503]})
        return [http.get("/jobs").status_code for _attempt in range(20)]
    first, second = run(), run()
    assert first == second
    assert set(first) == {200, 429, 503}
    one_job.admin.clear_faults()
    assert {http.get("/jobs").status_code for _attempt in range(5)} == {200}


def test_request_log_records_batch_requests_only(one_job, http):
    one_job.admin.clear_requests()
    http.get("/jobs/job-1", headers={"client-request-id": "abc"})
    http.get("/jobs", auth=False)
    one_job.admin.set_faults([{"path": "^/jobs$", "kind": "reset", "times": 1}])
    with pytest.raises(requests.ConnectionError):
        http.get("/jobs")
    log = one_job.admin.requests()
    assert [entry["path"] for entry in log] == ["/jobs/job-1", "/jobs", "/jobs"]
    first, unauthenticated, dropped = log
    assert first["status"] == 200 and first["auth_scheme"] == "SharedKey" and first["client_request_id"] == "abc"
    assert first["query"] == {"api-version": "2024-07-01.20.0"} and first["method"] == "GET"
    assert unauthenticated["status"] == 401 and unauthenticated["code"] == "AuthenticationFailed"
    assert dropped["status"] is None and dropped["fault"] == "reset"
    assert [entry["seq"] for entry in log] == sorted(entry["seq"] for entry in log)


def test_latency_is_added_to_batch_requests(one_job, http):
    one_job.admin.config(latency_ms=150)
    started = time.monotonic()
    http.get("/jobs")
    assert time.monotonic() - started >= 0.15


@pytest.mark.parametrize("rules", [[{"kind": "explode"}], [{"kind": "status", "path": "("}], [{"kind": "status", "retry_after_format": "x"}]])
def test_bad_fault_rules_are_refused(emu, rules):
    with pytest.raises(Exception, match="400"):
        emu.admin.set_faults(rules)
