#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_job_auto_terminate
short_description: Make Azure Batch jobs end by themselves
version_added: 1.2.0
description:
  - Sets how jobs end by themselves, through the Batch REST API (Job - Patch) - when all their tasks are complete
    (O(on_all_tasks_complete=terminate_job)) and/or after a wall-clock limit (O(max_wall_clock_time)) - so that finished
    jobs stop holding the account's active-job quota.
  - The service does not allow turning V(terminate_job) back to V(no_action); the module refuses that with one sentence.
  - A wall-clock limit that has already passed (the job's creation time plus the limit is in the past) makes the service
    terminate the job at once; the module refuses it unless O(allow_elapsed=true).
  - Set V(terminate_job) only after all tasks were added; a job without tasks ends at once.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_id:
    description:
      - The id of the job to change. Batch ids are case-insensitive.
      - Exactly one of O(job_id), O(job_ids) and O(job_filter) is required.
    type: str
    aliases: [id]
  job_ids:
    description:
      - Ids of jobs to change in one call; they are read with a few list requests.
    type: list
    elements: str
  job_filter:
    description:
      - An OData C($filter) selecting the jobs to change, for example V(state eq 'active').
    type: str
  allow_elapsed:
    description:
      - Set a O(max_wall_clock_time) that has already passed for a job, so that the service terminates it at once.
    type: bool
    default: false
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.auto_terminate
  - azure_batch.ops.attributes
seealso:
  - module: azure_batch.ops.batch_job_schedule_auto_terminate
  - module: azure_batch.ops.batch_job_terminate
  - name: Job - Patch (Batch REST API)
    description: The operation this module calls.
    link: https://learn.microsoft.com/rest/api/batchservice/job/patch
'''

EXAMPLES = r'''
- name: End a job by itself once the tasks a pipeline added are complete
  azure_batch.ops.batch_job_auto_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    on_all_tasks_complete: terminate_job

- name: Give every active job a two-hour limit (a limit already passed is refused)
  azure_batch.ops.batch_job_auto_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_filter: "state eq 'active'"
    max_wall_clock_time: PT2H

- name: Limit a job to 90 minutes even if that ends it at once
  azure_batch.ops.batch_job_auto_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_ids: [ingest-01, ingest-02]
    max_wall_clock_time: 5400
    allow_elapsed: true
'''

RETURN = r'''
changed:
  description: Whether any job was changed (or, in check mode, would be).
  returned: always
  type: bool
before:
  description: With O(job_id), the two values as read; C(max_wall_clock_time) is null when there is no limit.
  returned: when O(job_id) is used and the job exists
  type: dict
  sample: {on_all_tasks_complete: no_action, max_wall_clock_time: null}
after:
  description: With O(job_id), the two values after the call.
  returned: when O(job_id) is used and the job exists
  type: dict
  sample: {on_all_tasks_complete: terminate_job, max_wall_clock_time: PT2H}
reason:
  description: With O(job_id), why the job was or was not changed.
  returned: when O(job_id) is used and the job exists
  type: str
  sample: changed on_all_tasks_complete
state:
  description: With O(job_id), the job's state as read.
  returned: when O(job_id) is used
  type: str
  sample: active
jobs:
  description: One entry per job, in the order given (or listed).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The job id.
      type: str
    state:
      description: Its state as read.
      type: str
    changed:
      description: Whether it was changed.
      type: bool
    before:
      description: C(on_all_tasks_complete) and C(max_wall_clock_time) as read.
      type: dict
    after:
      description: The two values after the call.
      type: dict
    reason:
      description: Why it was or was not changed.
      type: str
    request_id:
      description: The service's C(request-id) of the last request for it.
      type: str
    missing:
      description: True when it does not exist and O(ignore_missing=true).
      type: bool
    warning:
      description: Why it was left alone, when that needs attention.
      type: str
    error:
      description: Why it failed - C(msg), C(status), C(error.code), C(error.message), C(request_id).
      type: dict
summary:
  description: Counts of the jobs handled.
  returned: always
  type: dict
  sample: {total: 3, changed: 2, unchanged: 1, failed: 0, missing: 0}
auth_source_used:
  description: The credential source used; with O(auth_source=auto) this is the one it picked. Never the secret.
  returned: always
  type: str
  sample: shared_key
retry_log:
  description: Every retried request (method, path, status or error, attempt, delay), at verbosity 3 (C(-vvv)) or more.
  returned: at -vvv
  type: list
  elements: dict
status:
  description: The HTTP status of the failed request.
  returned: on failure from the service
  type: int
error:
  description: The Batch error - C(code), C(message) and C(values).
  returned: on failure from the service
  type: dict
diff:
  description: C(before) and C(after) of the two values, in diff mode (by id with many).
  returned: in diff mode
  type: dict
'''

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_patch import PATCH_JOB
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_patch_module import run_patch_module
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_job_id

ARGUMENT_SPEC = dict(
    job_id=dict(type='str', aliases=['id']),
    job_ids=dict(type='list', elements='str'),
    job_filter=dict(type='str'),
    allow_elapsed=dict(type='bool', default=False),
)


def main():
    run_patch_module(PATCH_JOB, 'job_id', ARGUMENT_SPEC,
                     list_matching=lambda client, filter_, select: client.list_jobs(filter_, select=select),
                     list_label='list the jobs matching job_filter',
                     check=check_job_id)


if __name__ == '__main__':
    main()
