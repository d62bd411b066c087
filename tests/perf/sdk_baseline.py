"""The baseline of the benchmark: a plain sequential script with the azure-batch 15.1.0 SDK.

It does what an operator's script would: list what matches a filter, then terminate each item,
one request after the other, without reading each item first and without waiting.

    python tests/perf/sdk_baseline.py tasks JOB_ID "state eq 'running'"
    python tests/perf/sdk_baseline.py jobs - "startswith(id,'nightly-') and state eq 'active'"
    python tests/perf/sdk_baseline.py schedules - "startswith(id,'nightly-') and state eq 'active'"

Connection from BENCH_BATCH_URL, BENCH_BATCH_ACCOUNT, BENCH_BATCH_KEY and BENCH_BATCH_CA (PEM).
Prints one JSON line: {"terminated": N, "seconds": S} (S counts the requests, not the start).
"""

from __future__ import annotations

import json
import os
import sys
import time

from azure.batch import BatchClient
from azure.batch.models._models import BatchJobTerminateOptions  # not exported by azure.batch.models in 15.1.0
from azure.core.credentials import AzureNamedKeyCredential

# begin_terminate_job returns a poller that reads the job every polling_interval seconds in a
# background thread; the baseline does not wait, so it must not poll while it runs.
NO_POLLING = 3600


def terminate_tasks(client, job_id, task_filter):
    count = 0
    for task in client.list_tasks(job_id, filter=task_filter, select=['id']):
        client.terminate_task(job_id, task.id)
        count += 1
    return count


def terminate_jobs(client, job_filter):
    count = 0
    options = BatchJobTerminateOptions(termination_reason='Terminated by the sequential SDK baseline')
    for job in client.list_jobs(filter=job_filter, select=['id']):
        client.begin_terminate_job(job.id, options=options, polling_interval=NO_POLLING)
        count += 1
    return count


def terminate_job_schedules(client, schedule_filter):
    count = 0
    for schedule in client.list_job_schedules(filter=schedule_filter, select=['id']):
        client.begin_terminate_job_schedule(schedule.id, polling_interval=NO_POLLING)
        count += 1
    return count


def main(arguments):
    kind, job_id, odata_filter = arguments
    client = BatchClient(os.environ['BENCH_BATCH_URL'],
                         AzureNamedKeyCredential(os.environ['BENCH_BATCH_ACCOUNT'], os.environ['BENCH_BATCH_KEY']),
                         connection_verify=os.environ['BENCH_BATCH_CA'])
    started = time.monotonic()
    if kind == 'tasks':
        count = terminate_tasks(client, job_id, odata_filter)
    elif kind == 'schedules':
        count = terminate_job_schedules(client, odata_filter)
    else:
        count = terminate_jobs(client, odata_filter)
    print(json.dumps({'terminated': count, 'seconds': round(time.monotonic() - started, 3)}))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
