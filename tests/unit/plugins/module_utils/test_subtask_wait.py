# -*- coding: utf-8 -*-
"""The runner's wait for multi-instance tasks and schedules, with a scripted service and a fake clock: what it reads,
when it stops, what it reports."""

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient, BatchResponse
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import (
    JOB_SCHEDULE, TASK, Target, TerminateRunner,
)

MULTI = {'numberOfInstances': 3}


class ScriptedClient(BatchClient):
    """A BatchClient whose reads answer from scripts (one answer per call, the last repeated) and whose clock only
    moves when it sleeps."""

    def __init__(self, tasks=(), subtasks=(), schedules=(), jobs=()):
        self.now = 0.0
        super().__init__('https://account.region.batch.azure.com', auth=None, sleep=self._advance, clock=lambda: self.now)
        self.scripts = {'task': list(tasks), 'subtasks': list(subtasks), 'schedule': list(schedules), 'job': list(jobs)}
        self.calls = []

    def _advance(self, seconds):
        self.now += seconds

    def _next(self, name, call):
        self.calls.append(call)
        script = self.scripts[name]
        return script.pop(0) if len(script) > 1 else script[0]

    def get_task(self, job_id, task_id, select=None, expand=None):
        return _response(self._next('task', ('get_task', task_id, select)))

    def terminate_task(self, job_id, task_id, conditions=None, client_request_id=None):
        self.calls.append(('terminate_task', task_id))
        return _response(None)

    def list_subtasks(self, job_id, task_id, select=None):
        return [{'id': number + 1, 'state': state, 'nodeInfo': {'nodeId': 'node-%d' % (number + 1)}}
                for number, state in enumerate(self._next('subtasks', ('list_subtasks', task_id, select)))]

    def get_job_schedule(self, job_schedule_id, select=None, expand=None):
        return _response(self._next('schedule', ('get_job_schedule', job_schedule_id, select)))

    def get_job(self, job_id, select=None, expand=None):
        return _response(self._next('job', ('get_job', job_id, select)))


def _response(body):
    return BatchResponse(200, {'request-id': 'r'}, body, 'c', 1, False)


def run(client, target, **options):
    return TerminateRunner(client, wait=True, **options).run([target])[0]


def test_subtasks_are_polled_until_every_one_completed():
    client = ScriptedClient(
        tasks=[{'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MULTI},
               {'id': 'mpi', 'state': 'completed', 'multiInstanceSettings': MULTI}],
        subtasks=[['running', 'running'], ['completed', 'running'], ['completed', 'completed']])
    result = run(client, Target(TASK, 'job', 'mpi'), wait_timeout=60)
    assert result['changed'] is True and result['state'] == 'completed' and not result.get('failed')
    assert result['subtasks'] == {'preparing': 0, 'running': 0, 'completed': 2}
    assert [call[2] for call in client.calls if call[0] == 'list_subtasks'] == ['id,state'] * 3
    assert 0 < result['wait_seconds'] < 60


def test_a_plain_task_never_lists_subtasks():
    client = ScriptedClient(tasks=[{'id': 't', 'state': 'running'}, {'id': 't', 'state': 'completed'}],
                            subtasks=[['running']])
    result = run(client, Target(TASK, 'job', 't'), wait_timeout=60)
    assert result['state'] == 'completed' and 'subtasks' not in result
    assert not [call for call in client.calls if call[0] == 'list_subtasks']


def test_wait_timeout_bounds_the_whole_wait_and_names_the_nodes():
    client = ScriptedClient(
        tasks=[{'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MULTI},
               {'id': 'mpi', 'state': 'completed', 'multiInstanceSettings': MULTI}],
        subtasks=[['completed', 'running']])
    result = run(client, Target(TASK, 'job', 'mpi'), wait_timeout=10)
    assert result['failed'] is True and result['changed'] is True
    assert 10 <= result['wait_seconds'] < 11 and client.now < 11
    assert result['subtasks'] == {'preparing': 0, 'running': 1, 'completed': 1}
    assert result['error']['msg'] == ("Terminated task 'mpi' of job 'job'; not completed within wait_timeout (10 s): it is "
                                      "completed, but 1 of its 2 subtasks still run, on node-2.")
    assert client.calls[-1] == ('list_subtasks', 'mpi', 'id,state,nodeInfo')  # the nodes are read once, at the end


def test_many_tasks_are_polled_with_what_tells_a_multi_instance_task():
    client = ScriptedClient(tasks=[{'id': 'mpi', 'state': 'completed', 'multiInstanceSettings': MULTI}],
                            subtasks=[['completed', 'completed']])
    listed = Target(TASK, 'job', 'mpi', resource={'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MULTI})
    result = TerminateRunner(client, wait=True, whole_resources=False).run([listed])[0]
    assert result['subtasks']['completed'] == 2
    assert [call[2] for call in client.calls if call[0] == 'get_task'] == [TASK.wait_select]
    assert 'multiInstanceSettings' in TASK.wait_select


def test_a_schedule_waits_for_its_current_job_and_reports_both():
    recent = {'recentJob': {'id': 'nightly:job-3'}}
    client = ScriptedClient(
        schedules=[{'id': 'nightly', 'state': 'terminating', 'executionInfo': recent},
                   {'id': 'nightly', 'state': 'completed', 'executionInfo': recent}],
        jobs=[{'id': 'nightly:job-3', 'state': 'terminating'}, {'id': 'nightly:job-3', 'state': 'completed'}])
    listed = Target(JOB_SCHEDULE, 'nightly', resource={'id': 'nightly', 'state': 'terminating'})
    result = TerminateRunner(client, wait=True, whole_resources=False, wait_timeout=60).run([listed])[0]
    assert result['changed'] is False and result['state'] == 'completed'
    assert result['recent_job'] == {'id': 'nightly:job-3', 'state': 'completed'}
    schedule_reads = [call for call in client.calls if call[0] == 'get_job_schedule']
    assert schedule_reads[0][2] == JOB_SCHEDULE.wait_select and 'executionInfo' in JOB_SCHEDULE.wait_select
    # The job is read only once the schedule is completed.
    assert [call[0] for call in client.calls] == ['get_job_schedule', 'get_job_schedule', 'get_job',
                                                  'get_job_schedule', 'get_job']
