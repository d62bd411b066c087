"""The Batch API over HTTPS: shapes and headers as in the spec examples and recordings, errors, lists."""

import email.utils
import re
import time

import pytest

ETAG = re.compile(r"^0x8D[0-9A-F]{13}$")
ISO7 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _error(answer, status, code):
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code
    assert body["odata.metadata"].endswith("/$metadata#Microsoft.Azure.Batch.Protocol.Entities.Container.errors/@Element")
    text, request_id, when = body["message"]["value"].split("\n")
    assert body["message"]["lang"] == "en-US"
    assert request_id == f"RequestId:{answer.headers['request-id']}" and ISO7.match(when.removeprefix("Time:"))
    assert answer.reason == text  # the HTTP reason phrase is the message
    assert answer.headers["Content-Type"] == "application/json;odata=minimalmetadata"
    return body


def test_get_job_looks_like_the_recorded_answer(seeded, http):
    answer = http.get("/jobs/job-one")
    assert answer.status_code == 200
    job = answer.json()
    assert list(job)[:3] == ["odata.metadata", "id", "url"]
    assert job["odata.metadata"] == f"{seeded.url}/$metadata#jobs/@Element"
    assert job["id"] == "Job-One" and job["url"] == f"{seeded.url}/jobs/Job-One"
    assert ETAG.match(job["eTag"]) and answer.headers["ETag"] == job["eTag"]
    assert all(ISO7.match(job[key]) for key in ("lastModified", "creationTime", "stateTransitionTime"))
    assert job["state"] == "active" and "previousState" not in job
    assert job["poolInfo"] == {"poolId": "pool-a"} and job["executionInfo"]["poolId"] == "pool-a"
    assert job["constraints"]["maxWallClockTime"] == "P10675199DT2H48M5.4775807S"
    assert (job["onAllTasksComplete"], job["onTaskFailure"]) == ("noaction", "noaction")
    headers = answer.headers
    assert email.utils.parsedate_to_datetime(headers["Last-Modified"]) and headers["Last-Modified"].endswith(" GMT")
    assert UUID.match(headers["request-id"]) and headers["DataServiceVersion"] == "3.0"
    assert headers["Content-Type"] == "application/json;odata=minimalmetadata"
    assert headers["Server"] == "Microsoft-HTTPAPI/2.0" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "client-request-id" not in headers


def test_client_request_id_is_echoed_only_when_asked(seeded, http):
    del seeded
    asked = http.get("/jobs/job-one",
                     headers={"client-request-id": "9C4D50EE-2D56-4CD3-8152-34347DC9F2B0", "return-client-request-id": "true"})
    assert asked.headers["client-request-id"] == "9C4D50EE-2D56-4CD3-8152-34347DC9F2B0"
    not_asked = http.get("/jobs/job-one", headers={"client-request-id": "9C4D50EE-2D56-4CD3-8152-34347DC9F2B0"})
    assert "client-request-id" not in not_asked.headers


def test_job_terminate_then_completion(seeded, http):
    before = http.get("/jobs/Job-One").json()
    answer = http.post("/jobs/JOB-ONE/terminate", json={"terminateReason": "nightly cleanup"})
    assert answer.status_code == 202 and answer.content == b""
    assert ETAG.match(answer.headers["ETag"]) and answer.headers["ETag"] != before["eTag"]
    assert answer.headers["DataServiceId"] == f"{seeded.url}/jobs/Job-One/terminate"
    assert answer.headers["Last-Modified"].endswith(" GMT")
    terminating = http.get("/jobs/job-one").json()
    assert terminating["state"] == "terminating" and terminating["eTag"] == answer.headers["ETag"]
    assert _error(http.post("/jobs/job-one/terminate"), 409, "JobBeingTerminated")
    time.sleep(0.25)
    job = http.get("/jobs/job-one").json()
    assert job["state"] == "completed" and job["executionInfo"]["terminateReason"] == "nightly cleanup"
    body = _error(http.post("/jobs/job-one/terminate"), 409, "JobCompleted")
    assert body["message"]["value"].startswith("The specified job is already in a completed state.")
    tasks = {task["id"]: task for task in http.get("/jobs/job-one/tasks").json()["value"]}
    assert tasks["run-1"]["executionInfo"]["failureInfo"]["code"] == "TaskEnded"
    assert tasks["wait-1"]["state"] == "active"


@pytest.mark.parametrize("job, status, code", [("job-deleting", 409, "JobBeingDeleted"), ("no-such-job", 404, "JobNotFound")])
def test_job_terminate_errors(seeded, http, job, status, code):
    del seeded
    _error(http.post(f"/jobs/{job}/terminate"), status, code)


def test_task_get_and_terminate(seeded, http):
    task = http.get("/jobs/job-one/tasks/RUN-1").json()
    assert task["odata.metadata"] == f"{seeded.url}/$metadata#tasks/@Element"
    assert task["id"] == "run-1" and task["url"] == f"{seeded.url}/jobs/Job-One/tasks/run-1"
    assert task["executionInfo"]["retryCount"] == 0 and "nodeInfo" in task
    answer = http.post("/jobs/job-one/tasks/run-1/terminate")
    assert answer.status_code == 204 and answer.content == b"" and ETAG.match(answer.headers["ETag"])
    assert answer.headers["DataServiceId"].endswith("/tasks/run-1/terminate")
    ended = http.get("/jobs/job-one/tasks/run-1").json()
    assert ended["state"] == "completed" and ended["executionInfo"]["result"] == "failure"
    body = _error(http.post("/jobs/job-one/tasks/run-1/terminate"), 409, "TaskCompleted")
    assert body["message"]["value"].startswith("The specified task is already in a completed state.")
    _error(http.post("/jobs/job-one/tasks/nope/terminate"), 404, "TaskNotFound")
    _error(http.post("/jobs/nope/tasks/run-1/terminate"), 404, "JobNotFound")


def test_url_encoded_ids(seeded, http):
    del seeded
    assert http.get("/jobs/%4Aob-One").json()["id"] == "Job-One"


def test_api_version_rules(seeded, http):
    del seeded
    body = _error(http.get("/jobs", api_version=None), 400, "MissingRequiredQueryParameter")
    assert body["values"] == [{"key": "QueryParameterName", "value": "api-version"}]
    body = _error(http.get("/jobs", api_version="2099-01-01.99.0"), 400, "InvalidQueryParameterValue")
    assert {"key": "QueryParameterValue", "value": "2099-01-01.99.0"} in body["values"]
    for version in ("2024-02-01.19.0", "2024-07-01.20.0", "2025-06-01.21.0"):
        assert http.get("/jobs", api_version=version).status_code == 200
    _error(http.post("/jobs/job-one/terminate", params={"force": "true"}, api_version="2024-02-01.19.0"), 400,
           "UnsupportedQueryParameter")
    _error(http.post("/jobs/job-one/terminate", params={"force": "maybe"}), 400, "InvalidQueryParameterValue")
    _error(http.get("/jobs", params={"timeout": "0"}), 400, "InvalidQueryParameterValue")
    assert http.get("/jobs", params={"timeOut": "30"}, api_version="2025-06-01.21.0").status_code == 200
    assert http.post("/jobs/job-one/terminate", params={"force": "true", "timeout": "30"}).status_code == 202
    assert http.get("/jobs/job-one").json()["state"] == "completed"


def test_unknown_routes_and_verbs(seeded, http):
    del seeded
    _error(http.get("/pools"), 400, "InvalidUri")
    _error(http.call("DELETE", "/jobs/job-one"), 405, "UnsupportedHttpVerb")
    _error(http.post("/jobs/job-one/terminate", data=b"{not json", headers={"Content-Type": "application/json"}),
           400, "InvalidRequestBody")


def test_conditional_headers(seeded, http):
    del seeded
    job = http.get("/jobs/job-one")
    etag, modified = job.headers["ETag"], job.headers["Last-Modified"]
    assert http.get("/jobs/job-one", headers={"If-None-Match": etag}).status_code == 304
    assert http.get("/jobs/job-one", headers={"If-Modified-Since": modified}).status_code == 304
    _error(http.get("/jobs/job-one", headers={"If-Match": "0x8D0000000000000"}), 412, "ConditionNotMet")
    assert http.get("/jobs/job-one", headers={"If-Match": etag}).status_code == 200
    assert http.get("/jobs/job-one", headers={"If-None-Match": etag, "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 304
    _error(http.get("/jobs/job-one", headers={"If-Match": etag, "If-None-Match": etag}), 400, "MultipleConditionHeadersNotSupported")
    _error(http.get("/jobs/job-one", headers={"If-Modified-Since": "yesterday"}), 400, "InvalidHeaderValue")
    long_ago = "Mon, 01 Jan 2001 00:00:00 GMT"
    body = _error(http.post("/jobs/job-one/terminate", headers={"If-Unmodified-Since": long_ago}), 412, "ConditionNotMet")
    assert body["message"]["value"].startswith("The condition specified using HTTP conditional header(s) is not met.")
    _error(http.post("/jobs/job-one/terminate", headers={"If-None-Match": etag}), 412, "ConditionNotMet")
    assert http.get("/jobs/job-one").json()["state"] == "active"
    assert http.post("/jobs/job-one/terminate", headers={"If-Match": f'"{etag}"'}).status_code == 202
    task_etag = http.get("/jobs/job-one/tasks/run-1").headers["ETag"]
    _error(http.post("/jobs/job-one/tasks/run-1/terminate", headers={"If-Match": etag}), 412, "ConditionNotMet")
    assert http.post("/jobs/job-one/tasks/run-1/terminate", headers={"If-Match": task_etag}).status_code == 204


def test_select_and_expand(seeded, http):
    del seeded
    job = http.get("/jobs/job-one", params={"$select": "id,state"}).json()
    assert job == {"odata.metadata": job["odata.metadata"], "id": "Job-One", "state": "active"}
    _error(http.get("/jobs/job-one", params={"$select": "id,bogus"}), 400, "InvalidQueryParameterValue")
    stats = http.get("/jobs/job-one", params={"$expand": "stats"}).json()["stats"]
    assert stats["numSucceededTasks"] == 0 and stats["wallClockTime"] == "PT0S"
    _error(http.get("/jobs/job-one", params={"$expand": "tasks"}), 400, "InvalidQueryParameterValue")


def test_list_filter_select_and_paging(emu, http):
    emu.admin.seed([{"id": f"job-{number:03d}", "state": "active" if number % 3 else "disabled"} for number in range(25)])
    listed = http.get("/jobs").json()
    assert listed["odata.metadata"] == f"{emu.url}/$metadata#jobs" and "odata.nextLink" not in listed
    assert [job["id"] for job in listed["value"]] == [f"job-{number:03d}" for number in range(25)]
    seen, link, pages = [], None, 0
    first = http.get("/jobs", params={"$filter": "state eq 'active'", "$select": "id,state", "maxresults": "4"})
    answer = first
    while True:
        page = answer.json()
        pages += 1
        seen += [(job["id"], job["state"]) for job in page["value"]]
        assert all(set(job) == {"id", "state"} for job in page["value"])
        link = page.get("odata.nextLink")
        if not link:
            break
        assert link.startswith(f"{emu.url}/jobs?") and "maxresults=4" in link and "%24skiptoken=" not in link
        answer = http.session.get(link, auth=http.auth, verify=emu.ca_path, timeout=10)
    expected = [f"job-{number:03d}" for number in range(25) if number % 3]
    assert [job_id for job_id, state in seen] == expected and {state for job_id, state in seen} == {"active"}
    assert pages == 4  # 16 active jobs, 4 a page, no empty last page
    emu.admin.config(page_size=10)
    assert len(http.get("/jobs").json()["value"]) == 10
    body = _error(http.get("/jobs", params={"$filter": "state gt 'active'"}), 400, "InvalidQueryParameterValue")
    assert {"key": "QueryParameterName", "value": "$filter"} in body["values"]
    _error(http.get("/jobs", params={"maxresults": "1001"}), 400, "OutOfRangeQueryParameterValue")
    _error(http.get("/jobs", params={"$skiptoken": "!!"}), 400, "InvalidQueryParameterValue")


def test_task_list_filter(seeded, http):
    del seeded
    running = http.get("/jobs/job-one/tasks", params={"$filter": "state eq 'running' or state eq 'preparing'"}).json()
    assert sorted(task["id"] for task in running["value"]) == ["prep-1", "run-1"]
    assert running["odata.metadata"].endswith("/$metadata#tasks")
    _error(http.get("/jobs/nope/tasks"), 404, "JobNotFound")
