"""Job and task state machines, with a clock the test moves."""

import pytest

try:
    from ansible_collections.azure_batch.ops.tests.emulator import admin, errors, store
except ImportError:
    from tests.emulator import admin, errors, store


class Clock:  # pylint: disable=too-few-public-methods
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture(name="clock")
def fixture_clock():
    return Clock()


@pytest.fixture(name="jobs")
def fixture_jobs(clock):
    subject = store.Store(admin.Config(terminate_delay=5.0), clock)
    subject.seed([
        {"id": "Job-1", "tasks": [{"id": "running", "state": "running"}, {"id": "preparing", "state": "preparing"},
                                  {"id": "waiting", "state": "active"}, {"id": "done", "state": "completed"}]},
        {"id": "disabled", "state": "disabled"},
    ])
    return subject


def _code(call):
    with pytest.raises(errors.BatchApiError) as caught:
        call()
    return caught.value.status, caught.value.code


def test_terminate_goes_through_terminating_to_completed_after_the_delay(jobs, clock):
    before = jobs.get_job("job-1")
    clock.now += 1
    after = jobs.terminate_job("JOB-1", reason="maintenance")
    assert after.doc["id"] == "Job-1"  # looked up case-insensitively, original casing kept
    assert (after.doc["state"], after.doc["previousState"]) == ("terminating", "active")
    assert after.etag != before.etag and after.modified > before.modified
    assert "endTime" not in after.doc["executionInfo"]
    clock.now += 4.9
    assert jobs.get_job("job-1").doc["state"] == "terminating"
    clock.now += 0.2
    done = jobs.get_job("job-1").doc
    assert (done["state"], done["previousState"]) == ("completed", "terminating")
    assert done["executionInfo"]["terminateReason"] == "maintenance"
    assert done["executionInfo"]["endTime"] == done["stateTransitionTime"]
    assert jobs.get_job("job-1").etag == jobs.get_job("job-1").etag  # stable once settled


def test_completing_job_ends_started_tasks_and_leaves_active_ones(jobs, clock):
    jobs.terminate_job("job-1")
    clock.now += 10
    tasks = {snapshot.doc["id"]: snapshot.doc for snapshot in jobs.list_tasks("job-1")}
    for name in ("running", "preparing"):
        info = tasks[name]["executionInfo"]
        assert tasks[name]["state"] == "completed"
        assert info["result"] == "failure" and info["failureInfo"]["code"] == "TaskEnded"
        assert info["exitCode"] == store.TERMINATED_TASK_EXIT_CODE and "nodeInfo" in tasks[name]
    assert tasks["waiting"]["state"] == "active"
    assert tasks["done"]["executionInfo"]["result"] == "success"
    assert jobs.get_job("job-1").doc["executionInfo"]["terminateReason"] == store.DEFAULT_TERMINATE_REASON


def test_terminate_conflicts(jobs, clock):
    assert _code(lambda: jobs.terminate_job("nope")) == (404, "JobNotFound")
    jobs.terminate_job("disabled")
    assert _code(lambda: jobs.terminate_job("disabled")) == (409, "JobBeingTerminated")
    clock.now += 5
    assert _code(lambda: jobs.terminate_job("disabled")) == (409, "JobCompleted")
    jobs.set_job_state("disabled", "deleting")
    assert _code(lambda: jobs.terminate_job("disabled")) == (409, "JobBeingDeleted")


def test_force_completes_at_once(jobs):
    jobs.terminate_job("job-1", force=True)
    assert jobs.get_job("job-1").doc["state"] == "completed"


def test_task_terminate(jobs, clock):
    before = jobs.get_task("job-1", "running")
    clock.now += 1
    ended = jobs.terminate_task("job-1", "RUNNING")
    assert ended.doc["state"] == "completed" and ended.etag != before.etag
    assert ended.doc["executionInfo"]["failureInfo"]["category"] == "usererror"
    never_started = jobs.terminate_task("job-1", "waiting").doc
    assert never_started["state"] == "completed" and never_started["previousState"] == "active"
    assert "exitCode" not in never_started["executionInfo"] and "nodeInfo" not in never_started
    assert _code(lambda: jobs.terminate_task("job-1", "done")) == (409, "TaskCompleted")
    assert _code(lambda: jobs.terminate_task("job-1", "missing")) == (404, "TaskNotFound")
    assert _code(lambda: jobs.terminate_task("missing", "done")) == (404, "JobNotFound")
    jobs.set_job_state("job-1", "completed")
    assert _code(lambda: jobs.terminate_task("job-1", "preparing")) == (409, "JobCompleted")


def test_etags_are_unique_and_increasing(jobs):
    tags = [jobs.terminate_task("job-1", name).etag for name in ("running", "preparing", "waiting")]
    values = [int(tag, 16) for tag in tags]
    assert values == sorted(values) and len(set(values)) == 3
    assert all(tag.startswith("0x8D") for tag in tags)


def test_admin_terminating_state_stays_unless_told_to_complete(jobs, clock):
    jobs.set_job_state("disabled", "terminating")
    clock.now += 100
    assert jobs.get_job("disabled").doc["state"] == "terminating"
    jobs.set_job_state("disabled", "terminating", complete_after=1)
    clock.now += 1
    assert jobs.get_job("disabled").doc["state"] == "completed"


@pytest.mark.parametrize("spec", [{"id": "bad id"}, {"id": "x" * 65}, {"id": "j", "state": "running"},
                                  {"id": "j", "creationTime": "yesterday"}, {"id": "j", "tasks": [{"id": "t"}, {"id": "T"}]}])
def test_seed_refuses(jobs, spec):
    with pytest.raises(store.SeedError):
        jobs.seed([spec])


def test_admin_delete_removes_a_job_or_a_task_as_a_finished_delete_does(jobs):
    jobs.delete_task("JOB-1", "Running")
    assert [task.doc["id"] for task in jobs.list_tasks("job-1")] == ["done", "preparing", "waiting"]
    assert _code(lambda: jobs.get_task("job-1", "running")) == (404, "TaskNotFound")
    jobs.delete_job("job-1")
    assert [job.doc["id"] for job in jobs.list_jobs()] == ["disabled"]
    assert _code(lambda: jobs.get_job("job-1")) == (404, "JobNotFound")
    for call in (lambda: jobs.delete_job("job-1"), lambda: jobs.delete_task("disabled", "t")):
        with pytest.raises(store.SeedError) as refused:
            call()
        assert refused.value.status == 404
