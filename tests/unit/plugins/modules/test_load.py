# -*- coding: utf-8 -*-
"""Load under faults: 200 jobs and 1,000 tasks terminated in bulk while 20% of Batch requests fail.

The emulator answers one in five Batch requests with a transient fault chosen at random (seeded):
429 TooManyRequests, 503 ServerBusy, 500 InternalError, a connection reset before the request is
applied, or a response lost after the request was applied. Both modules run with parallel 32 and
retries 10 (the most allowed: 0.2 ** 11 makes a request that fails every attempt practically
impossible) on an emulator without latency; the jobs with wait: true.

Every resource must end completed, every per-item result must say changed with its states, and
every injected fault must cost exactly one retry (nothing hangs or backs off without cause). The
figures, wall-clock times included, are printed (pytest -s shows them); speed itself is measured
by tests/perf, not asserted here.
Marked slow: it takes about 20 seconds on two cores.
"""

import time

import pytest

from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate, batch_task_terminate

JOBS = 200
TASKS = 1000
FAULT_RATE = 0.2
FAULTS = {'rate': FAULT_RATE, 'seed': 20261103, 'kinds': ['status', 'status', 'reset', 'lost_response'],
          'statuses': [429, 503, 500]}


@pytest.fixture
def faulty_emulator(emulator):
    """The shared emulator with random faults, no latency and a short terminate delay; restored afterwards."""
    saved = emulator.admin.config()
    emulator.admin.config(latency_ms=0, terminate_delay=0.2)
    emulator.admin.clear_requests()
    emulator.admin.set_faults(random=FAULTS)
    yield emulator
    emulator.admin.clear_faults()
    emulator.admin.config(latency_ms=saved['latency_ms'], terminate_delay=saved['terminate_delay'])


def _seed(emulator, unique):
    job_ids = [unique('load-job') for _index in range(JOBS)]
    for job_id in job_ids:
        emulator.admin.add_job(job_id, state='active')
    task_job = unique('load-tasks')
    emulator.admin.add_job(task_job, state='active',
                           tasks=[{'id': 'task-%04d' % index, 'state': 'running' if index % 2 else 'active'}
                                  for index in range(TASKS)])
    return job_ids, task_job


def _assert_every_item_terminated(items, states_before, waited):
    assert len(items) == len(states_before)
    for item in items:
        assert 'error' not in item and not item.get('failed'), item
        assert item['changed'] is True, item
        assert item['state_before'] == states_before[item['id']], item
        assert item['state'] == 'completed', item
        assert item['waited'] is waited and item['request_id'], item


@pytest.mark.slow
def test_bulk_terminate_under_twenty_percent_faults(run_module, faulty_emulator, unique):
    emulator = faulty_emulator
    # Seeding goes through the admin API, which faults never touch.
    job_ids, task_job = _seed(emulator, unique)
    started = time.monotonic()
    jobs = run_module(batch_job_terminate, verbosity=3, job_ids=job_ids, parallel=32, retries=10,
                      wait=True, wait_timeout=60)
    jobs_seconds = time.monotonic() - started
    task_ids = ['task-%04d' % index for index in range(TASKS)]
    started = time.monotonic()
    # A terminated task is completed at once (Task - Terminate answers 204), so the tasks need no waiting.
    tasks = run_module(batch_task_terminate, verbosity=3, job_id=task_job, task_ids=task_ids, parallel=32, retries=10)
    tasks_seconds = time.monotonic() - started
    log = [entry for entry in emulator.admin.requests() if not entry['path'].startswith('/_admin')]
    emulator.admin.clear_faults()

    assert 'failed' not in jobs and 'exception' not in jobs, jobs.get('msg')
    assert 'failed' not in tasks and 'exception' not in tasks, tasks.get('msg')
    assert jobs['summary'] == {'total': JOBS, 'changed': JOBS, 'unchanged': 0, 'failed': 0, 'missing': 0}
    assert tasks['summary'] == {'total': TASKS, 'changed': TASKS, 'unchanged': 0, 'failed': 0, 'missing': 0}
    _assert_every_item_terminated(jobs['jobs'], dict.fromkeys(job_ids, 'active'), waited=True)
    _assert_every_item_terminated(tasks['tasks'], {task_id: 'running' if int(task_id[-4:]) % 2 else 'active'
                                                   for task_id in task_ids}, waited=False)
    # What the service holds, read without faults.
    states = {job['id']: job for job in emulator.admin.jobs() if job['id'] in set(job_ids) | {task_job}}
    assert {states[job_id]['state'] for job_id in job_ids} == {'completed'}
    assert {task['state'] for task in states[task_job]['tasks']} == {'completed'}

    faults = [entry for entry in log if entry['fault']]
    retries = len(jobs['retry_log']) + len(tasks['retry_log'])
    assert faults and retries == len(faults)  # every injected fault cost one retry, and nothing else did
    assert 0.1 < len(faults) / len(log) < 0.3
    print('\nload: %d jobs in %.1f s, %d tasks in %.1f s; %d Batch requests, %d faults injected (%s), %d retries'
          % (JOBS, jobs_seconds, TASKS, tasks_seconds, len(log), len(faults),
             ', '.join('%s %d' % (kind, sum(1 for entry in faults if _kind(entry) == kind))
                       for kind in sorted({_kind(entry) for entry in faults})), retries))


def _kind(entry):
    return '%s %s' % (entry['fault'], entry['status']) if entry['fault'] == 'status' else entry['fault']
