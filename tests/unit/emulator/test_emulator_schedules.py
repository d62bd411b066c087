"""Job schedules and multi-instance subtasks in the emulator, read by the azure-batch SDK (an outside client) and
checked against the spec (reference/batch-openapi: JobSchedule_*, Job_ListFromJobSchedule, Task_ListSubtasks)."""

import json
import pathlib
import time

import pytest

azure_batch = pytest.importorskip("azure.batch")
# pylint: disable=wrong-import-position
from azure.batch.models import BatchJobScheduleState, BatchJobState, BatchSubtaskState  # noqa: E402
from azure.core.credentials import AzureNamedKeyCredential  # noqa: E402
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError  # noqa: E402

# The saved spec sits beside the project's checkout (../shared/reference), outside the collection.
SPEC = next((parent / "shared/reference/batch-openapi/2024-02-01.19.0/BatchService.json"
             for parent in pathlib.Path(__file__).resolve().parents
             if (parent / "shared/reference/batch-openapi").is_dir()), pathlib.Path("/nonexistent"))


@pytest.fixture(name="client")
def fixture_client(emu):
    emu.admin.seed([], job_schedules=[
        {"id": "nightly", "jobs": [{"id": "nightly:job-1", "state": "completed"},
                                   {"id": "nightly:job-2", "tasks": [{"id": "t1", "state": "running"}]}]},
        {"id": "weekly", "state": "disabled"},
        {"id": "old", "state": "completed"},
    ])
    return azure_batch.BatchClient(emu.url, AzureNamedKeyCredential(emu.account_name, emu.account_key),
                                   connection_verify=emu.ca_path)


def test_sdk_terminates_a_schedule_and_its_current_job(client):
    schedule = client.get_job_schedule("nightly")
    assert schedule.state == BatchJobScheduleState.ACTIVE
    assert schedule.execution_info.recent_job.id == "nightly:job-2"
    client.begin_terminate_job_schedule("nightly", polling_interval=0.05).result(timeout=10)
    schedule = client.get_job_schedule("nightly")
    assert schedule.state == BatchJobScheduleState.COMPLETED and schedule.execution_info.end_time
    job = client.get_job("nightly:job-2")
    assert job.state == BatchJobState.COMPLETED
    # "TerminateJobSchedule - the Job ran as part of a schedule, and the schedule terminated" (reference section 8).
    assert job.execution_info.termination_reason == "TerminateJobSchedule"
    assert client.get_task("nightly:job-2", "t1").state == "completed"
    assert job.execution_info.end_time <= schedule.execution_info.end_time  # the schedule completes after its job
    with pytest.raises(ResourceExistsError) as caught:
        client.begin_terminate_job_schedule("nightly", polling_interval=0.05).result(timeout=10)
    assert caught.value.error.code == "JobScheduleCompleted"


def test_sdk_lists_schedules_and_the_jobs_of_one(client):
    active = list(client.list_job_schedules(filter="state ne 'completed'", select=["id", "state"]))
    assert [(item.id, item.state) for item in active] == [("nightly", "active"), ("weekly", "disabled")]
    assert all(item.url is None for item in active)
    jobs = list(client.list_jobs_from_schedule("nightly"))
    assert [job.id for job in jobs] == ["nightly:job-1", "nightly:job-2"]
    assert list(client.list_jobs_from_schedule("weekly")) == []


def test_sdk_sees_schedule_errors(client, http):
    with pytest.raises(ResourceNotFoundError) as caught:
        client.get_job_schedule("nope")
    assert caught.value.error.code == "JobScheduleNotFound"
    client.begin_terminate_job_schedule("weekly", polling_interval=0.05)  # disabled schedules terminate
    answer = http.post("/jobschedules/weekly/terminate")
    assert answer.status_code == 409 and answer.json()["code"] in ("JobScheduleBeingTerminated", "JobScheduleCompleted")
    # force arrived with 2024-07-01.20.0 (reference section 8); an older api-version refuses it.
    refused = http.post("/jobschedules/nightly/terminate", params={"force": "true"}, api_version="2024-02-01.19.0")
    assert refused.status_code == 400 and refused.json()["code"] == "UnsupportedQueryParameter"
    stale = http.post("/jobschedules/nightly/terminate", headers={"If-Match": "0x8D0000000000000"})
    assert stale.status_code == 412 and stale.json()["code"] == "ConditionNotMet"
    with pytest.raises(HttpResponseError):
        list(client.list_job_schedules(filter="nosuch eq 'x'"))


def test_sdk_force_completes_a_schedule_at_once(client):
    client.begin_terminate_job_schedule("nightly", force=True, polling_interval=0.05).result(timeout=5)
    assert client.get_job_schedule("nightly").state == BatchJobScheduleState.COMPLETED
    assert client.get_job("nightly:job-2").state == BatchJobState.COMPLETED


def test_sdk_lists_subtasks_that_end_after_their_primary(client, emu):
    emu.admin.config(subtask_delay=0.5)
    emu.admin.add_job("mpi", tasks=[
        {"id": "mpi-4", "state": "running",
         "multiInstanceSettings": {"numberOfInstances": 4, "coordinationCommandLine": "/bin/true"}},
        {"id": "plain", "state": "running"}])
    subtasks = list(client.list_subtasks("mpi", "mpi-4"))
    assert [(item.id, item.state) for item in subtasks] == [(1, "running"), (2, "running"), (3, "running")]
    assert all(item.node_info.node_id for item in subtasks)
    assert list(client.list_subtasks("mpi", "plain")) == []  # "If the Task is not a multi-instance Task ... empty"
    client.terminate_task("mpi", "mpi-4")
    assert client.get_task("mpi", "mpi-4").state == "completed"
    brief = list(client.list_subtasks("mpi", "mpi-4", select=["id", "state"]))
    assert {item.state for item in brief} == {BatchSubtaskState.RUNNING} and brief[0].node_info is None
    wait_for_subtasks(client, "mpi", "mpi-4")
    ended = list(client.list_subtasks("mpi", "mpi-4"))
    assert all(item.state == BatchSubtaskState.COMPLETED and item.result == "failure" for item in ended)
    assert all(item.previous_state == BatchSubtaskState.RUNNING for item in ended)


def wait_for_subtasks(client, job_id, task_id, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(item.state == "completed" for item in client.list_subtasks(job_id, task_id, select=["id", "state"])):
            return
        time.sleep(0.1)
    raise AssertionError("subtasks did not complete")


@pytest.mark.skipif(not SPEC.is_file(), reason="the reference spec is outside the collection tree")
def test_emulator_properties_are_the_specs():
    """$select is checked against the properties the spec defines for CloudJobSchedule and SubtaskInformation."""
    from ansible_collections.azure_batch.ops.tests.emulator.odata import (  # pylint: disable=import-outside-toplevel
        JOB_SCHEDULE_PROPERTIES, SUBTASK_PROPERTIES)
    definitions = json.loads(SPEC.read_text(encoding="utf-8"))["definitions"]
    assert JOB_SCHEDULE_PROPERTIES == set(definitions["CloudJobSchedule"]["properties"])
    assert SUBTASK_PROPERTIES == set(definitions["SubtaskInformation"]["properties"])
    assert set(definitions["JobScheduleState"]["enum"]) == {"active", "completed", "disabled", "terminating", "deleting"}
