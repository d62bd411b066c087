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
      - Tasks listed by the filter are not read again.
    type: str
  if_match:
    description:
      - Terminate only if the task's current ETag is exactly this value.
    type: str
  if_none_match:
    description:
      - Terminate only if the task's current ETag is not this value.
    type: str
  if_modified_since:
    description:
      - Terminate only if the task was modified after this time (RFC 1123 or ISO 8601).
    type: str
  if_unmodified_since:
    description:
      - Terminate only if the task was not modified after this time (RFC 1123 or ISO 8601).
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

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_bulk_read import read_in_bulk
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_conditions import headers_from_options
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_module import BatchModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import (
    TASK, Target, TerminateRunner,
)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_id, check_ids, check_range

ARGUMENT_SPEC = dict(
    job_id=dict(type='str', required=True),
    task_id=dict(type='str', aliases=['id']),
    task_ids=dict(type='list', elements='str'),
    task_filter=dict(type='str'),
    if_match=dict(type='str'),
    if_none_match=dict(type='str'),
    if_modified_since=dict(type='str'),
    if_unmodified_since=dict(type='str'),
    ignore_missing=dict(type='bool', default=False),
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=300),
    parallel=dict(type='int', default=16),
)


def main():
    batch = BatchModule(ARGUMENT_SPEC, supports_check_mode=True,
                        mutually_exclusive=[('task_id', 'task_ids', 'task_filter')],
                        required_one_of=[('task_id', 'task_ids', 'task_filter')])
    params = batch.params
    job_id = batch.validate(check_id, 'job_id', params['job_id'])
    if params['task_id'] is not None:
        batch.validate(check_id, 'task_id', params['task_id'])
    task_ids = batch.validate(check_ids, 'task_ids', params['task_ids']) if params['task_ids'] is not None else None
    batch.validate(check_range, 'wait_timeout', params['wait_timeout'], 1)
    batch.validate(check_range, 'parallel', params['parallel'], 1, 64)
    conditions = batch.validate(headers_from_options, params)
    single = params['task_id'] is not None  # one id: the result carries the resource itself

    if params['task_filter'] is not None:
        try:
            targets = [Target(TASK, job_id, task['id'], resource=task)
                       for task in batch.client.list_tasks(job_id, params['task_filter'], select=TASK.brief_select)]
        except BatchError as err:
            if not (params['ignore_missing'] and err.code == 'JobNotFound'):
                batch.fail_from_error(err, "list the tasks of job '%s' matching task_filter" % job_id)
            targets = []
    else:
        targets = [Target(TASK, job_id, task_id) for task_id in task_ids or [params['task_id']]]
        read_in_bulk(batch.client, targets, params['parallel'])

    runner = TerminateRunner(batch.client, check_mode=batch.check_mode, conditions=conditions,
                             ignore_missing=params['ignore_missing'], wait=params['wait'],
                             wait_timeout=params['wait_timeout'], parallel=params['parallel'],
                             client_request_id=params['client_request_id'], whole_resources=single)
    batch.exit_with_results(TASK, runner.run(targets), single=single)


if __name__ == '__main__':
    main()
