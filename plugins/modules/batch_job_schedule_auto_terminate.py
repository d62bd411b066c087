#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_job_schedule_auto_terminate
short_description: Make the jobs of Azure Batch job schedules end by themselves
version_added: 1.2.0
description:
  - Sets, in the job specification of job schedules, how their jobs end by themselves, through the Batch REST API
    (Job Schedule - Patch) - when all their tasks are complete (O(on_all_tasks_complete=terminate_job)) and/or after a
    wall-clock limit (O(max_wall_clock_time)).
  - The change applies to the jobs the schedule creates from then on; a job it already created keeps its settings (use
    M(azure_batch.ops.batch_job_auto_terminate) for it).
  - The service replaces the whole job specification, so the module sends back the one it read with only the two
    values changed, conditional on the ETag read.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_schedule_id:
    description:
      - The id of the job schedule to change. Batch ids are case-insensitive.
      - Exactly one of O(job_schedule_id), O(job_schedule_ids) and O(job_schedule_filter) is required.
    type: str
    aliases: [id]
  job_schedule_ids:
    description:
      - Ids of job schedules to change in one call; they are read with a few list requests.
    type: list
    elements: str
  job_schedule_filter:
    description:
      - An OData C($filter) selecting the job schedules to change, for example V(state eq 'active').
    type: str
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.auto_terminate
  - azure_batch.ops.attributes
seealso:
  - module: azure_batch.ops.batch_job_auto_terminate
  - module: azure_batch.ops.batch_job_schedule_terminate
  - name: Job Schedule - Patch (Batch REST API)
    description: The operation this module calls.
    link: https://learn.microsoft.com/rest/api/batchservice/job-schedule/patch
'''

EXAMPLES = r'''
- name: Every future job of a schedule ends when its tasks are complete, after four hours at most
  azure_batch.ops.batch_job_schedule_auto_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_schedule_id: nightly
    on_all_tasks_complete: terminate_job
    max_wall_clock_time: PT4H

- name: The same for every active schedule, in check mode first
  azure_batch.ops.batch_job_schedule_auto_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_schedule_filter: "state eq 'active'"
    on_all_tasks_complete: terminate_job
  check_mode: true
'''

RETURN = r'''
changed:
  description: Whether any job schedule was changed (or, in check mode, would be).
  returned: always
  type: bool
before:
  description: With O(job_schedule_id), the two values as read; C(max_wall_clock_time) is null when there is no limit.
  returned: when O(job_schedule_id) is used and the job schedule exists
  type: dict
  sample: {on_all_tasks_complete: no_action, max_wall_clock_time: null}
after:
  description: With O(job_schedule_id), the two values after the call.
  returned: when O(job_schedule_id) is used and the job schedule exists
  type: dict
  sample: {on_all_tasks_complete: terminate_job, max_wall_clock_time: PT2H}
reason:
  description: With O(job_schedule_id), why the job schedule was or was not changed.
  returned: when O(job_schedule_id) is used and the job schedule exists
  type: str
  sample: changed on_all_tasks_complete
state:
  description: With O(job_schedule_id), the job schedule's state as read.
  returned: when O(job_schedule_id) is used
  type: str
  sample: active
job_schedules:
  description: One entry per job schedule, in the order given (or listed).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The job schedule id.
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
  description: Counts of the job schedules handled.
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

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_patch import PATCH_JOB_SCHEDULE
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_patch_module import run_patch_module

ARGUMENT_SPEC = dict(
    job_schedule_id=dict(type='str', aliases=['id']),
    job_schedule_ids=dict(type='list', elements='str'),
    job_schedule_filter=dict(type='str'),
)


def main():
    run_patch_module(PATCH_JOB_SCHEDULE, 'job_schedule_id', ARGUMENT_SPEC,
                     list_matching=lambda client, filter_, select: client.list_job_schedules(filter_, select=select),
                     list_label='list the job schedules matching job_schedule_filter')


if __name__ == '__main__':
    main()
