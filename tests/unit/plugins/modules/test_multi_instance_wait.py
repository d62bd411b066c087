# -*- coding: utf-8 -*-
"""batch_task_terminate with wait on multi-instance tasks: it returns only once every subtask is completed."""

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate, batch_task_terminate
from ansible_collections.azure_batch.ops.tests.unit.plugins.modules.conftest import requests_for

MPI = {'numberOfInstances': 4, 'coordinationCommandLine': '/bin/true'}


@pytest.fixture
def mpi_job(emulator, unique):
    def make(*tasks):
        job_id = unique('mpi')
        emulator.admin.add_job(job_id, tasks=list(tasks))
        return job_id
    return make


@pytest.fixture
def subtask_delay(emulator):
    def set_delay(seconds):
        emulator.admin.config(subtask_delay=seconds)
    yield set_delay
    emulator.admin.config(subtask_delay=1.0)


def subtask_reads(emulator, job_id):
    return requests_for(emulator, '/jobs/%s/tasks/' % job_id, 'GET')


def test_wait_covers_the_subtasks(run_module, emulator, mpi_job, subtask_delay):
    subtask_delay(0.6)
    job_id = mpi_job({'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MPI})
    result = run_module(batch_task_terminate, job_id=job_id, task_id='mpi', wait=True, wait_timeout=20)
    assert result['changed'] is True and result['state'] == 'completed'
    assert result['subtasks'] == {'preparing': 0, 'running': 0, 'completed': 3}
    assert result['wait_seconds'] >= 0.5  # the primary completed at once; the subtasks 0.6 s later
    reads = [entry for entry in subtask_reads(emulator, job_id) if entry['path'].endswith('/subtasksinfo')]
    assert len(reads) >= 2 and all(entry['query'].get('$select') == 'id,state' for entry in reads)


def test_a_plain_task_costs_no_subtasks_request(run_module, emulator, mpi_job):
    job_id = mpi_job({'id': 'plain', 'state': 'running'}, {'id': 'other', 'state': 'running'})
    result = run_module(batch_task_terminate, job_id=job_id, task_ids=['plain', 'other'], wait=True)
    assert all('subtasks' not in item for item in result['tasks'])
    assert not [entry for entry in subtask_reads(emulator, job_id) if entry['path'].endswith('/subtasksinfo')]


def test_many_tasks_carry_their_own_counts(run_module, mpi_job, subtask_delay):
    subtask_delay(0.2)
    job_id = mpi_job({'id': 'mpi-a', 'state': 'running', 'multiInstanceSettings': MPI},
                     {'id': 'mpi-b', 'state': 'preparing', 'multiInstanceSettings': dict(MPI, numberOfInstances=2)},
                     {'id': 'plain', 'state': 'running'})
    result = run_module(batch_task_terminate, job_id=job_id, task_filter="state ne 'completed'", wait=True)
    by_id = {item['id']: item for item in result['tasks']}
    assert by_id['mpi-a']['subtasks'] == {'preparing': 0, 'running': 0, 'completed': 3}
    assert by_id['mpi-b']['subtasks'] == {'preparing': 0, 'running': 0, 'completed': 1}
    assert 'subtasks' not in by_id['plain']


def test_timeout_says_how_many_subtasks_run_and_where(run_module, emulator, mpi_job, subtask_delay):
    subtask_delay(60)
    job_id = mpi_job({'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MPI})
    result = run_module(batch_task_terminate, job_id=job_id, task_id='mpi', wait=True, wait_timeout=1)
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'].startswith("Terminated task 'mpi' of job '%s'; not completed within wait_timeout (1 s): it is "
                                    "completed, but 3 of its 3 subtasks still run, on tvmps_" % job_id)
    nodes = result['msg'].rsplit(' on ', 1)[1].split(', ')
    assert len(set(nodes)) == 3


def test_an_already_completed_multi_instance_task_is_waited_for(run_module, emulator, mpi_job, subtask_delay):
    """Someone else terminated it a moment ago: unchanged, but wait still means its subtasks have ended."""
    subtask_delay(0.5)
    job_id = mpi_job({'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MPI})
    run_module(batch_task_terminate, job_id=job_id, task_id='mpi')
    result = run_module(batch_task_terminate, job_id=job_id, task_id='mpi', wait=True, wait_timeout=20)
    assert result['changed'] is False and result['waited'] is True
    assert result['subtasks']['completed'] == 3


def test_info_returns_subtasks_on_request(run_module, mpi_job):
    from ansible_collections.azure_batch.ops.plugins.modules import batch_task_info  # pylint: disable=import-outside-toplevel
    job_id = mpi_job({'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MPI})
    result = run_module(batch_task_info, job_id=job_id, task_id='mpi', subtasks=True)
    assert [(item['id'], item['state']) for item in result['tasks'][0]['subtasks']] == [(1, 'running'), (2, 'running'), (3, 'running')]
    plain = run_module(batch_task_info, job_id=job_id, task_id='mpi')
    assert 'subtasks' not in plain['tasks'][0]


def test_job_wait_still_means_the_job_completed(run_module, emulator, mpi_job):
    job_id = mpi_job({'id': 'mpi', 'state': 'running', 'multiInstanceSettings': MPI})
    result = run_module(batch_job_terminate, job_id=job_id, wait=True, wait_timeout=20)
    assert result['state'] == 'completed' and 'subtasks' not in result
    assert not [entry for entry in subtask_reads(emulator, job_id) if entry['path'].endswith('/subtasksinfo')]
