"""Real clients against the emulator: the azure-batch SDK with Shared Key, and Bearer tokens."""

from datetime import timedelta

import pytest

azure_batch = pytest.importorskip("azure.batch")
# pylint: disable=wrong-import-position
from azure.batch.models import (BatchJobConstraints, BatchJobDisableOptions, BatchJobScheduleUpdateOptions,  # noqa: E402
                                BatchJobState, BatchJobUpdateOptions, BatchTaskState)
from azure.core import MatchConditions  # noqa: E402
from azure.batch.models._models import BatchJobTerminateOptions  # noqa: E402
from azure.core.credentials import AccessToken, AzureNamedKeyCredential  # noqa: E402
from azure.core.exceptions import (ClientAuthenticationError, ResourceExistsError, ResourceModifiedError,  # noqa: E402
                                   ResourceNotFoundError)


@pytest.fixture(name="client")
def fixture_client(emu):
    emu.admin.seed([{"id": "sdk-job", "tasks": [{"id": "task-a", "state": "running"}, {"id": "task-b", "state": "active"}]}])
    return azure_batch.BatchClient(emu.url, AzureNamedKeyCredential(emu.account_name, emu.account_key), connection_verify=emu.ca_path)


def test_sdk_gets_and_terminates_a_job(client):
    job = client.get_job("sdk-job")
    assert job.state == BatchJobState.ACTIVE and job.pool_info.pool_id
    poller = client.begin_terminate_job("sdk-job", options=BatchJobTerminateOptions(termination_reason="from the SDK"),
                                        polling_interval=0.05)
    poller.result(timeout=10)
    job = client.get_job("sdk-job")
    assert job.state == BatchJobState.COMPLETED
    assert job.execution_info.termination_reason == "from the SDK"
    assert client.get_task("sdk-job", "task-a").state == BatchTaskState.COMPLETED


def test_sdk_terminates_a_task_and_sees_task_completed(client):
    client.terminate_task("sdk-job", "task-b")
    assert client.get_task("sdk-job", "task-b").state == BatchTaskState.COMPLETED
    with pytest.raises(ResourceExistsError) as caught:
        client.terminate_task("sdk-job", "task-b")
    assert caught.value.error.code == "TaskCompleted"
    with pytest.raises(ResourceNotFoundError):
        client.get_job("missing-job")


def test_sdk_lists_with_filter_select_and_paging(client, emu):
    emu.admin.config(page_size=2)
    emu.admin.add_job("sdk-job-2", state="disabled")
    emu.admin.add_job("sdk-job-3")
    jobs = list(client.list_jobs(filter="state eq 'active'", select=["id", "state"]))
    assert [job.id for job in jobs] == ["sdk-job", "sdk-job-3"]
    assert all(job.url is None for job in jobs)  # not selected


class _StaticToken:  # pylint: disable=too-few-public-methods
    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        del scopes, kwargs
        return AccessToken(self.token, 2**31)


def test_bearer_tokens(emu, http):
    emu.admin.seed([{"id": "job-1"}])
    token = emu.admin.token()
    answer = http.get("/jobs/job-1", auth=False, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert emu.admin.requests()[-1]["auth_scheme"] == "Bearer"
    wrong_audience = emu.admin.token(audience="https://management.azure.com/")
    refused = http.get("/jobs/job-1", auth=False, headers={"Authorization": f"Bearer {wrong_audience}"})
    assert refused.status_code == 401 and refused.json()["code"] == "AuthenticationFailed"
    assert refused.json()["values"][0]["key"] == "AuthenticationErrorDetail"
    garbage = http.get("/jobs/job-1", auth=False, headers={"Authorization": "Bearer not.a.token"})
    assert garbage.status_code == 401
    client = azure_batch.BatchClient(emu.url, _StaticToken(token), connection_verify=emu.ca_path)
    assert client.get_job("job-1").id == "job-1"
    expired = azure_batch.BatchClient(emu.url, _StaticToken(emu.admin.token(expires_in=-10)), connection_verify=emu.ca_path)
    with pytest.raises(ClientAuthenticationError):
        expired.get_job("job-1")


def test_sdk_task_counts_update_disable_and_enable(client, emu):
    counts = client.get_job_task_counts("sdk-job")
    assert (counts.task_counts.active, counts.task_counts.running, counts.task_counts.completed) == (1, 1, 0)
    assert counts.task_slot_counts.running == 1
    etag = client.get_job("sdk-job").etag
    with pytest.raises(ResourceModifiedError):
        client.update_job("sdk-job", BatchJobUpdateOptions(all_tasks_complete_mode="terminatejob"), etag='"0x1"',
                          match_condition=MatchConditions.IfNotModified)
    client.update_job("sdk-job", BatchJobUpdateOptions(all_tasks_complete_mode="terminatejob",
                                                       constraints=BatchJobConstraints(max_wall_clock_time=timedelta(hours=2))),
                      etag=etag, match_condition=MatchConditions.IfNotModified)
    job = client.get_job("sdk-job")
    assert job.all_tasks_complete_mode == "terminatejob" and job.constraints.max_wall_clock_time == timedelta(hours=2)
    emu.admin.config(terminate_delay=0.05)
    client.begin_disable_job("sdk-job", BatchJobDisableOptions(disable_tasks="requeue"), polling_interval=0.05).result(timeout=10)
    assert client.get_job("sdk-job").state == BatchJobState.DISABLED
    assert client.get_task("sdk-job", "task-a").state == BatchTaskState.ACTIVE
    client.begin_enable_job("sdk-job", polling_interval=0.05).result(timeout=10)
    assert client.get_job("sdk-job").state == BatchJobState.ACTIVE


def test_sdk_updates_a_schedules_job_specification(client, emu):
    emu.admin.add_job_schedule("sdk-schedule")
    schedule = client.get_job_schedule("sdk-schedule")
    spec = schedule.job_specification
    spec.all_tasks_complete_mode = "terminatejob"
    spec.constraints = BatchJobConstraints(max_wall_clock_time=timedelta(minutes=90))
    client.update_job_schedule("sdk-schedule", BatchJobScheduleUpdateOptions(job_specification=spec),
                               etag=schedule.etag, match_condition=MatchConditions.IfNotModified)
    spec = client.get_job_schedule("sdk-schedule").job_specification
    assert spec.all_tasks_complete_mode == "terminatejob" and spec.constraints.max_wall_clock_time == timedelta(minutes=90)
    assert spec.pool_info.pool_id
