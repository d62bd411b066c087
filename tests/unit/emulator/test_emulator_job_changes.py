"""Task counts, Job - Patch, Job - Disable / Enable and Job Schedule - Patch of the emulator, over HTTP."""

import datetime
import time


def _patch(http, path, body, **kwargs):
    return http.call("PATCH", path, json=body, **kwargs)


def test_task_counts_count_preparing_as_running_and_split_completed_by_result(http, seeded):
    seeded.admin.add_tasks("Job-One", [{"id": "bad-1", "state": "completed", "result": "failure", "requiredSlots": 2}])
    answer = http.get("/jobs/job-one/taskcounts")
    assert answer.status_code == 200
    body = answer.json()
    assert body["taskCounts"] == {"active": 1, "running": 2, "completed": 2, "succeeded": 1, "failed": 1}
    assert body["taskSlotCounts"] == {"active": 1, "running": 2, "completed": 3, "succeeded": 1, "failed": 2}
    assert http.get("/jobs/nope/taskcounts").json()["code"] == "JobNotFound"


def test_patch_changes_only_what_it_names_and_honours_if_match(http, emu):
    emu.admin.seed([{"id": "job-p", "priority": 5, "tasks": [{"id": "t", "state": "running"}]}])
    etag = http.get("/jobs/job-p").headers["ETag"]
    stale = _patch(http, "/jobs/job-p", {"onAllTasksComplete": "terminatejob"}, headers={"If-Match": '"0x1"'})
    assert stale.status_code == 412 and stale.json()["code"] == "ConditionNotMet"
    answer = _patch(http, "/jobs/job-p", {"onAllTasksComplete": "terminatejob", "constraints": {"maxWallClockTime": "PT2H"}},
                    headers={"If-Match": etag})
    assert answer.status_code == 200 and answer.headers["ETag"] != etag
    job = http.get("/jobs/job-p").json()
    assert (job["priority"], job["onAllTasksComplete"], job["constraints"]) == (5, "terminatejob", {"maxWallClockTime": "PT2H"})
    assert job["state"] == "active"  # a task still runs
    back = _patch(http, "/jobs/job-p", {"onAllTasksComplete": "noaction"})
    assert back.status_code == 400 and back.json()["code"] == "InvalidPropertyValue"
    bad = _patch(http, "/jobs/job-p", {"constraints": {"maxWallClockTime": "two hours"}})
    assert bad.status_code == 400


def test_terminatejob_ends_the_job_when_its_last_task_completes(http, emu):
    emu.admin.seed([{"id": "job-a", "tasks": [{"id": "t", "state": "running"}]},
                    {"id": "job-empty"}])
    _patch(http, "/jobs/job-a", {"onAllTasksComplete": "terminatejob"})
    emu.admin.set_task_state("job-a", "t", "completed")
    assert http.get("/jobs/job-a").json()["state"] == "terminating"
    _patch(http, "/jobs/job-empty", {"onAllTasksComplete": "terminatejob"})  # no task: all are complete
    time.sleep(0.3)
    for job_id in ("job-a", "job-empty"):
        job = http.get(f"/jobs/{job_id}").json()
        assert job["state"] == "completed" and job["executionInfo"]["terminateReason"] == "AllTasksComplete"
    refused = _patch(http, "/jobs/job-a", {"priority": 1})
    assert refused.status_code == 409 and refused.json()["code"] == "JobCompleted"


def test_a_passed_wall_clock_limit_terminates_the_job(http, emu):
    created = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3)).isoformat()
    emu.admin.seed([{"id": "job-old", "creationTime": created, "tasks": [{"id": "t", "state": "running"}]}])
    _patch(http, "/jobs/job-old", {"constraints": {"maxWallClockTime": "PT2H", "maxTaskRetryCount": 1}})
    job = http.get("/jobs/job-old").json()
    assert job["state"] == "completed"  # due an hour ago: terminating and its delay are over
    assert job["executionInfo"]["terminateReason"] == "MaxWallClockTimeExpiry"
    assert http.get("/jobs/job-old/tasks/t").json()["state"] == "completed"


def test_disable_requeue_terminate_and_wait(http, emu):
    tasks = [{"id": "run", "state": "running"}, {"id": "wait", "state": "active"}]
    emu.admin.seed([{"id": f"job-{mode}", "tasks": tasks} for mode in ("requeue", "terminate", "wait")])
    for mode in ("requeue", "terminate", "wait"):
        answer = http.post(f"/jobs/job-{mode}/disable", json={"disableTasks": mode})
        assert answer.status_code == 202 and answer.headers["DataServiceId"].endswith("/disable")
        assert http.get(f"/jobs/job-{mode}").json()["state"] == "disabling"
    assert http.get("/jobs/job-requeue/tasks/run").json()["state"] == "active"
    assert http.get("/jobs/job-requeue/tasks/run").json()["executionInfo"]["requeueCount"] == 1
    ended = http.get("/jobs/job-terminate/tasks/run").json()
    assert ended["state"] == "completed" and ended["executionInfo"]["failureInfo"]["code"] == "TaskEnded"
    time.sleep(0.3)
    assert http.get("/jobs/job-requeue").json()["state"] == "disabled"
    assert http.get("/jobs/job-terminate").json()["state"] == "disabled"
    assert http.get("/jobs/job-wait").json()["state"] == "disabling"  # its running task is left to finish
    emu.admin.set_task_state("job-wait", "run", "completed")
    assert http.get("/jobs/job-wait").json()["state"] == "disabled"
    assert http.post("/jobs/job-wait/disable", json={"disableTasks": "wait"}).status_code == 202
    assert http.post("/jobs/job-wait/disable", json={"disableTasks": "later"}).json()["code"] == "InvalidPropertyValue"
    assert http.post("/jobs/job-wait/disable").json()["code"] == "MissingRequiredProperty"


def test_enable_and_the_conflicts(http, emu):
    emu.admin.seed([{"id": "job-d", "state": "disabled"}, {"id": "job-c", "state": "completed"}])
    assert http.post("/jobs/job-d/enable").status_code == 202
    assert http.get("/jobs/job-d").json()["state"] == "enabling"
    refused = http.post("/jobs/job-d/disable", json={"disableTasks": "wait"})
    assert refused.status_code == 409 and refused.json()["code"] == "JobNotActive"
    time.sleep(0.3)
    assert http.get("/jobs/job-d").json()["state"] == "active"
    assert http.post("/jobs/job-d/enable").status_code == 202  # already active
    assert http.post("/jobs/job-c/disable", json={"disableTasks": "wait"}).json()["code"] == "JobCompleted"
    assert http.post("/jobs/job-c/enable").json()["code"] == "JobCompleted"


def test_schedule_patch_replaces_the_job_specification(http, emu):
    emu.admin.add_job_schedule("sched-1")
    spec = http.get("/jobschedules/sched-1").json()["jobSpecification"]
    etag = http.get("/jobschedules/sched-1").headers["ETag"]
    spec = dict(spec, onAllTasksComplete="terminatejob", constraints={"maxWallClockTime": "PT1H", "maxTaskRetryCount": 0})
    assert _patch(http, "/jobschedules/sched-1", {"jobSpecification": spec}, headers={"If-Match": '"0x1"'}).status_code == 412
    assert _patch(http, "/jobschedules/sched-1", {"jobSpecification": spec}, headers={"If-Match": etag}).status_code == 200
    assert http.get("/jobschedules/sched-1").json()["jobSpecification"] == spec
    missing_pool = _patch(http, "/jobschedules/sched-1", {"jobSpecification": {"onAllTasksComplete": "noaction"}})
    assert missing_pool.status_code == 400
