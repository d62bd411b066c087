#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_job_disable
short_description: Disable or enable Azure Batch jobs
version_added: 1.2.0
description:
  - Disables jobs so that none of their tasks is started (O(state=disabled)), or enables them again (O(state=enabled)),
    through the Batch REST API (Job - Disable, Job - Enable). Jobs by id, a list of ids or an OData filter.
  - Reads each job first. For O(state=disabled) a V(disabling) or V(disabled) job is left alone, for O(state=enabled)
    an V(enabling) or V(active) job. A job that is V(terminating), V(completed) or being deleted is left alone and
    reported unchanged with a warning.
  - O(disable_tasks) says what happens to the tasks that run now - V(requeue) ends them and puts them back to be run
    when the job is enabled, V(terminate) ends them for good (they complete with a failure), V(wait) lets them finish.
  - O(wait=true) waits until the job is V(disabled) (or V(active)); with O(disable_tasks=terminate) also until no task
    of the job runs (Get Task Counts). With O(disable_tasks=wait) the job stays V(disabling) until its running tasks
    finish.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_id:
    description:
      - The id of the job. Batch ids are case-insensitive.
      - Exactly one of O(job_id), O(job_ids) and O(job_filter) is required.
    type: str
    aliases: [id]
  job_ids:
    description:
      - Ids of jobs to disable or enable in one call.
    type: list
    elements: str
  job_filter:
    description:
      - An OData C($filter) selecting the jobs, for example V(state eq 'active').
    type: str
  state:
    description:
      - V(disabled) to disable the jobs, V(enabled) to enable them.
    type: str
    choices: [disabled, enabled]
    default: disabled
  disable_tasks:
    description:
      - With O(state=disabled), what happens to the tasks of the job that run now (the service's C(disableTasks)).
    type: str
    choices: [requeue, terminate, wait]
    default: requeue
  if_match:
    description:
      - Act only if the job's current ETag is exactly this value.
    type: str
  if_none_match:
    description:
      - Act only if the job's current ETag is not this value.
    type: str
  if_modified_since:
    description:
      - Act only if the job was modified after this time (RFC 1123 or ISO 8601).
    type: str
  if_unmodified_since:
    description:
      - Act only if the job was not modified after this time (RFC 1123 or ISO 8601).
    type: str
  ignore_missing:
    description:
      - Report a job that does not exist as unchanged (with C(missing=true) in its RV(jobs) entry) instead of failing.
    type: bool
    default: false
  parallel:
    description:
      - How many jobs to handle at once, 1 to 64.
    type: int
    default: 16
  wait:
    description:
      - Wait until each job is V(disabled) (O(state=disabled)) or V(active) (O(state=enabled)); with
        O(disable_tasks=terminate) also until none of its tasks runs. Never waits in check mode.
    type: bool
    default: false
  wait_timeout:
    description:
      - How long to wait, in seconds, when O(wait=true). On timeout the module fails and still reports what it changed.
    type: int
    default: 300
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.attributes
attributes:
  check_mode:
    description: Reads the jobs and predicts the result; sends no disable or enable request and never waits.
    support: full
  diff_mode:
    description: Shows the state before and after for each job.
    support: full
  idempotent:
    description: A second run finds the jobs disabling or disabled (enabling or active) and changes nothing.
    support: full
seealso:
  - module: azure_batch.ops.batch_job_terminate
  - name: Job - Disable (Batch REST API)
    description: The operation this module calls for O(state=disabled).
    link: https://learn.microsoft.com/rest/api/batchservice/job/disable
'''

EXAMPLES = r'''
- name: Stop a job's running tasks for good and start no more, then wait until none runs
  azure_batch.ops.batch_job_disable:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    disable_tasks: terminate
    wait: true

- name: Pause every active job, letting running tasks finish
  azure_batch.ops.batch_job_disable:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_filter: "state eq 'active'"
    disable_tasks: wait

- name: Resume them
  azure_batch.ops.batch_job_disable:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_filter: "state eq 'disabled'"
    state: enabled
'''

RETURN = r'''
changed:
  description: Whether any job was disabled or enabled (or, in check mode, would be).
  returned: always
  type: bool
state_before:
  description: The job's state when it was read, with O(job_id).
  returned: when O(job_id) is used
  type: str
  sample: active
state:
  description: The job's state after the call, with O(job_id) - V(disabling) or V(enabling) right after the request,
    V(disabled) or V(active) after waiting.
  returned: when O(job_id) is used
  type: str
  sample: disabling
task_counts:
  description: With O(wait=true) and O(disable_tasks=terminate), the job's task counts when the wait ended.
  returned: when O(job_id) is used and that wait happened
  type: dict
  sample: {active: 2, running: 0, completed: 5, succeeded: 3, failed: 2}
job:
  description: The job after the call, with snake_case keys, with O(job_id).
  returned: when O(job_id) is used and the job exists
  type: dict
request_id:
  description: The service's C(request-id) of the disable or enable request (or of the read, if nothing was sent).
  returned: when O(job_id) is used
  type: str
client_request_id:
  description: The C(client-request-id) of that request.
  returned: when O(job_id) is used
  type: str
waited:
  description: Whether the module waited.
  returned: always
  type: bool
wait_seconds:
  description: How long it waited, in seconds (the longest wait for many jobs).
  returned: always
  type: float
jobs:
  description: One entry per job, in the order given (or listed) - C(id), C(state_before), C(state), C(changed),
    C(request_id), C(client_request_id), C(missing), C(warning), C(error), C(failed).
  returned: always
  type: list
  elements: dict
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
  description: The state before and after, in diff mode.
  returned: in diff mode
  type: dict
'''

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_conditions import headers_from_options
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_disable import (
    DISABLE_TASKS, JOB_DISABLE, JOB_ENABLE, DisableRunner)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import Target
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate_module import TerminateModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_job_id

ARGUMENT_SPEC = dict(
    job_id=dict(type='str', aliases=['id']),
    job_ids=dict(type='list', elements='str'),
    job_filter=dict(type='str'),
    state=dict(type='str', choices=['disabled', 'enabled'], default='disabled'),
    disable_tasks=dict(type='str', choices=list(DISABLE_TASKS), default='requeue'),
)


def main():
    module = TerminateModule(JOB_DISABLE, 'job_id', ARGUMENT_SPEC, check=check_job_id)
    batch, params = module.batch, module.params
    kind = JOB_DISABLE if params['state'] == 'disabled' else JOB_ENABLE
    conditions = batch.validate(headers_from_options, params)
    module.run(new_target=lambda job_id, resource=None: Target(kind, job_id, resource=resource),
               list_matching=lambda filter_, select: batch.client.list_jobs(filter_, select=select),
               list_label='list the jobs matching job_filter', kind=kind,
               runner=lambda **shared: DisableRunner(
                   batch.client, disable_tasks=params['disable_tasks'] if kind is JOB_DISABLE else None,
                   conditions=conditions, wait=params['wait'], wait_timeout=params['wait_timeout'], **shared))


if __name__ == '__main__':
    main()
