#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_task_terminate
short_description: Terminate Azure Batch tasks, only when they still run
version_added: 1.0.0
description:
  - Terminates one task, a list of tasks, or every task of a job matching an OData filter, through the Batch REST API
    (Task - Terminate).
  - Reads each task first and acts only when it is V(active), V(preparing) or V(running); a V(completed) task is left
    alone and reported unchanged.
  - A C(TaskCompleted) conflict answer after the read means the task finished meanwhile; it is reported unchanged.
    After a request whose answer was lost, the same answer means this module's request took effect, and it is reported changed.
  - Terminating a running task ends it with C(executionInfo.result=failure) and C(failureInfo); the task becomes V(completed).
    For multi-instance tasks the service terminates the subtasks in the background.
  - With O(wait=true), a multi-instance task (one with C(multiInstanceSettings)) is waited for until every subtask is
    V(completed) too, even when the task itself was already completed; its result then carries its subtasks' counts
    by state (RV(subtasks)). Other tasks cost no subtasks request.
  - Many tasks are handled in one call with bounded parallel requests, one connection pool and one token.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_id:
    description:
      - The id of the job the tasks belong to.
    type: str
    required: true
  task_id:
    description:
      - The id of the task to terminate. Batch ids are case-insensitive.
      - Exactly one of O(task_id), O(task_ids) and O(task_filter) is required.
    type: str
    aliases: [id]
  task_ids:
    description:
      - Ids of tasks of O(job_id) to terminate in one call.
    type: list
    elements: str
  task_filter:
    description:
      - An OData C($filter) selecting the tasks of O(job_id) to terminate, for example V(state eq 'running').
      - V(state eq 'running') leaves V(preparing) tasks alone (their start task or resource files are still being set up
        on a node); to end those too, use V(state eq 'running' or state eq 'preparing'), or V(state ne 'completed') to
        include queued (V(active)) tasks as well.
      - Tasks listed by the filter are not read again.
    type: str
  if_match:
    description:
      - Terminate only if the task's current ETag is exactly this value.
      - The service's ETag is unquoted (C(0x8DCF3C953387E09)); check mode predicts no outcome, with a warning, for a quoted,
        weak (C(W/)), listed or C(*) value, as the service's reading of those is not documented.
    type: str
  if_none_match:
    description:
      - Terminate only if the task's current ETag is not this value.
    type: str
  if_modified_since:
    description:
      - Terminate only if the task was modified after this time.
      - RFC 1123 (C(Thu, 24 Oct 2024 01:15:18 GMT)) or ISO 8601 with an offset (C(2024-10-24T03:15:18.5+02:00), C(Z) for UTC);
        a time without an offset is UTC.
    type: str
  if_unmodified_since:
    description:
      - Terminate only if the task was not modified after this time.
      - RFC 1123 (C(Thu, 24 Oct 2024 01:15:18 GMT)) or ISO 8601 with an offset (C(2024-10-24T03:15:18.5+02:00), C(Z) for UTC);
        a time without an offset is UTC.
    type: str
  ignore_missing:
    description:
      - Report a task (or job) that does not exist as unchanged (with RV(tasks[].missing=true)) instead of failing.
    type: bool
    default: false
  parallel:
    description:
      - How many tasks to handle at once, 1 to 64.
    type: int
    default: 16
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.wait
  - azure_batch.ops.attributes
attributes:
  check_mode:
    description: Reads the tasks and predicts the result; sends no terminate request and never waits.
    support: full
  diff_mode:
    description: Shows the state before and after for each task.
    support: full
  idempotent:
    description: A second run finds the tasks completed and changes nothing.
    support: full
notes:
  - Each task that needs terminating costs one terminate request. O(task_ids) are read with a few list requests
    (C(id eq ...) filters, each request line under 2,048 characters); an id those lists do not return is read on its
    own before it is reported missing. O(task_filter) reads with one list request per page. O(wait=true) adds polling
    reads.
seealso:
  - module: azure_batch.ops.batch_job_terminate
  - module: azure_batch.ops.batch_task_info
  - name: Task - Terminate (Batch REST API)
    description: The operation this module calls.
    link: https://learn.microsoft.com/rest/api/batchservice/task/terminate
'''

EXAMPLES = r'''
- name: Terminate a task
  azure_batch.ops.batch_task_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    task_id: frame-0042

- name: Terminate every running task of a job and wait for them
  azure_batch.ops.batch_task_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    task_filter: "state eq 'running'"
    wait: true

- name: Stop a four-instance MPI task and return only once its subtasks have ended on every node
  azure_batch.ops.batch_task_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: mpi-simulation
    task_id: solver
    wait: true
    wait_timeout: 900
  register: solver

- name: Show the subtasks' states
  ansible.builtin.debug:
    var: solver.subtasks

- name: Terminate some tasks with a workload identity (AKS), ignoring ones already gone
  azure_batch.ops.batch_task_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    auth_source: workload_identity
    job_id: nightly-render
    task_ids: [frame-0001, frame-0002]
    ignore_missing: true
'''

RETURN = r'''
changed:
  description: Whether any task was terminated (or, in check mode, would be).
  returned: always
  type: bool
state_before:
  description: The task's state when it was read, with O(task_id).
  returned: when O(task_id) is used
  type: str
  sample: running
state:
  description:
    - The task's state after the call, with O(task_id); V(completed) after a terminate request.
    - Null when the task does not exist and O(ignore_missing=true).
  returned: when O(task_id) is used
  type: str
  sample: completed
task:
  description:
    - The task after the call, with snake_case keys, with O(task_id).
    - Without O(wait), it is the task as read, with C(state), C(previous_state) and C(e_tag) updated from the terminate answer.
  returned: when O(task_id) is used and the task exists
  type: dict
  sample: {id: frame-0042, state: completed, previous_state: running}
request_id:
  description: The service's C(request-id) of the terminate request (or of the read, if nothing was sent).
  returned: when O(task_id) is used
  type: str
client_request_id:
  description: The C(client-request-id) of that request.
  returned: when O(task_id) is used
  type: str
missing:
  description: True when the task does not exist and O(ignore_missing=true).
  returned: when O(task_id) is used and the task does not exist
  type: bool
subtasks:
  description: For a multi-instance task, how many of its subtasks are in each state, as the wait last read them.
  returned: with O(task_id) and O(wait=true), for a multi-instance task
  type: dict
  sample: {preparing: 0, running: 0, completed: 3}
waited:
  description: Whether the module waited for a task to complete.
  returned: always
  type: bool
wait_seconds:
  description: How long it waited, in seconds (the longest wait for many tasks).
  returned: always
  type: float
tasks:
  description: One entry per task, in the order given (or listed).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    job_id:
      description: The job id.
      type: str
    state_before:
      description: The state read before acting.
      type: str
    state:
      description: The state after the call.
      type: str
    changed:
      description: Whether this task was terminated.
      type: bool
    request_id:
      description: The service's C(request-id) of the last request for this task; null when a list request was its only read.
      type: str
    client_request_id:
      description: The C(client-request-id) of that request.
      type: str
    missing:
      description: True when the task does not exist and O(ignore_missing=true).
      type: bool
    subtasks:
      description: For a multi-instance task, with O(wait=true), its subtasks' counts by state.
      type: dict
    warning:
      description: Why the task was left alone, when that needs attention.
      type: str
    error:
      description: Why this task failed - C(msg), C(status), C(error.code), C(error.message), C(error.values), C(request_id).
      type: dict
    failed:
      description: True when this task failed.
      type: bool
summary:
  description: Counts of the tasks handled.
  returned: always
  type: dict
  sample: {total: 500, changed: 498, unchanged: 2, failed: 0, missing: 0}
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

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import TASK, Target
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate_module import TerminateModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_job_id

ARGUMENT_SPEC = dict(
    job_id=dict(type='str', required=True),
    task_id=dict(type='str', aliases=['id']),
    task_ids=dict(type='list', elements='str'),
    task_filter=dict(type='str'),
)


def main():
    module = TerminateModule(TASK, 'task_id', ARGUMENT_SPEC)
    job_id = module.batch.validate(check_job_id, 'job_id', module.params['job_id'])
    module.run(new_target=lambda task_id, resource=None: Target(TASK, job_id, task_id, resource),
               list_matching=lambda filter_, select: module.batch.client.list_tasks(job_id, filter_, select=select),
               list_label="list the tasks of job '%s' matching task_filter" % job_id,
               list_missing_codes=('JobNotFound',))


if __name__ == '__main__':
    main()
