#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_job_terminate
short_description: Terminate Azure Batch jobs, only when they still run
version_added: 1.0.0
description:
  - Terminates one job, a list of jobs, or every job matching an OData filter in an Azure Batch account, through the
    Batch REST API (Job - Terminate).
  - Reads each job first and acts only when it is V(active), V(disabling), V(disabled) or V(enabling); a job that is
    V(terminating) or V(completed) is left alone and reported unchanged, a job being deleted is reported unchanged with a warning.
  - A conflict answer from the service (C(JobCompleted), C(JobBeingTerminated)) after the read means someone else
    finished the job meanwhile; it is reported unchanged. After a request whose answer was lost, the same answer means
    this module's request took effect, and it is reported changed.
  - Terminating a job terminates its running tasks; its active tasks stay active and are never scheduled.
  - Many jobs are handled in one call with bounded parallel requests, one connection pool and one token.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_id:
    description:
      - The id of the job to terminate. Batch ids are case-insensitive.
      - Exactly one of O(job_id), O(job_ids) and O(job_filter) is required.
    type: str
    aliases: [id]
  job_ids:
    description:
      - Ids of jobs to terminate in one call.
    type: list
    elements: str
  job_filter:
    description:
      - An OData C($filter) selecting the jobs to terminate, for example V(state eq 'active').
      - Jobs listed by the filter are not read again.
    type: str
  terminate_reason:
    description:
      - The text to record as the job's C(executionInfo.terminateReason). The service default is C(UserTerminate).
    type: str
  force:
    description:
      - Terminate the job even if the nodes have not fully processed the termination. Needs O(api_version) 2024-07-01.20.0 or later.
    type: bool
    default: false
  if_tasks_complete:
    description:
      - Terminate only the jobs whose tasks are all complete, to give back the account's active-job quota that finished
        jobs still hold.
      - After the usual read, each job that could be terminated costs one Get Task Counts request (in parallel, at most
        O(parallel) at once); it is terminated only when no task is active and none is running (preparing counts as
        running).
      - A job without tasks is terminated only when it was created longer ago than O(empty_job_grace).
      - Each entry of RV(jobs) then carries C(task_counts) and C(reason).
      - Task counts "may not always be up to date" (Get Task Counts); a task added after the read is not seen.
    type: bool
    default: false
    version_added: 1.2.0
  empty_job_grace:
    description:
      - With O(if_tasks_complete=true), how many seconds after its creation a job without any task is still taken to be
        filling (a workflow engine creates a job first and adds its tasks after) and is left alone.
    type: int
    default: 3600
    version_added: 1.2.0
  if_match:
    description:
      - Terminate only if the job's current ETag is exactly this value.
      - The service's ETag is unquoted (C(0x8DCF3C953387E09)); check mode predicts no outcome, with a warning, for a quoted,
        weak (C(W/)), listed or C(*) value, as the service's reading of those is not documented.
    type: str
  if_none_match:
    description:
      - Terminate only if the job's current ETag is not this value.
    type: str
  if_modified_since:
    description:
      - Terminate only if the job was modified after this time.
      - RFC 1123 (C(Thu, 24 Oct 2024 01:15:18 GMT)) or ISO 8601 with an offset (C(2024-10-24T03:15:18.5+02:00), C(Z) for UTC);
        a time without an offset is UTC.
    type: str
  if_unmodified_since:
    description:
      - Terminate only if the job was not modified after this time.
      - RFC 1123 (C(Thu, 24 Oct 2024 01:15:18 GMT)) or ISO 8601 with an offset (C(2024-10-24T03:15:18.5+02:00), C(Z) for UTC);
        a time without an offset is UTC.
    type: str
  ignore_missing:
    description:
      - Report a job that does not exist as unchanged (with RV(jobs[].missing=true)) instead of failing.
    type: bool
    default: false
  parallel:
    description:
      - How many jobs to handle at once, 1 to 64.
    type: int
    default: 16
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.wait
  - azure_batch.ops.attributes
attributes:
  check_mode:
    description: Reads the jobs and predicts the result; sends no terminate request and never waits.
    support: full
  diff_mode:
    description: Shows the state before and after for each job.
    support: full
  idempotent:
    description: A second run finds the jobs terminating or completed and changes nothing.
    support: full
notes:
  - Each job that needs terminating costs one terminate request. O(job_ids) are read with a few list requests
    (C(id eq ...) filters, each request line under 2,048 characters); an id those lists do not return is read on its
    own before it is reported missing. O(job_filter) reads with one list request per page. O(wait=true) adds polling
    reads.
seealso:
  - module: azure_batch.ops.batch_task_terminate
  - module: azure_batch.ops.batch_job_info
  - name: Job - Terminate (Batch REST API)
    description: The operation this module calls.
    link: https://learn.microsoft.com/rest/api/batchservice/job/terminate
'''

EXAMPLES = r'''
- name: Terminate a job (Shared Key from AZURE_BATCH_ACCOUNT / AZURE_BATCH_ACCESS_KEY)
  azure_batch.ops.batch_job_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    terminate_reason: Cancelled by the operations team

- name: Terminate a job and wait until it is completed
  azure_batch.ops.batch_job_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    wait: true
    wait_timeout: 600

- name: Terminate several jobs with a service principal, accepting ones already deleted
  azure_batch.ops.batch_job_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    auth_source: client_secret
    client_id: "{{ sp_client_id }}"
    secret: "{{ sp_secret }}"
    tenant: "{{ sp_tenant }}"
    job_ids: [ingest-01, ingest-02, ingest-03]
    ignore_missing: true

- name: Terminate every active job created before a cut-off, with a managed identity
  azure_batch.ops.batch_job_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    auth_source: msi
    job_filter: "state eq 'active' and creationTime lt DateTime'2026-11-01T00:00:00Z'"
    parallel: 32

- name: Give back the active-job quota of jobs whose tasks have all finished
  azure_batch.ops.batch_job_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_filter: "state eq 'active'"
    if_tasks_complete: true
    empty_job_grace: 7200

- name: Terminate only if nobody changed the job since it was read
  azure_batch.ops.batch_job_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    if_match: "{{ job_info.jobs[0].e_tag }}"
'''

RETURN = r'''
changed:
  description: Whether any job was terminated (or, in check mode, would be).
  returned: always
  type: bool
state_before:
  description: The job's state when it was read, with O(job_id).
  returned: when O(job_id) is used
  type: str
  sample: active
state:
  description:
    - The job's state after the call, with O(job_id). V(terminating) right after a terminate request, V(completed) after waiting.
    - Null when the job does not exist and O(ignore_missing=true).
  returned: when O(job_id) is used
  type: str
  sample: terminating
job:
  description:
    - The job after the call, with snake_case keys, with O(job_id).
    - Without O(wait), it is the job as read, with C(state), C(previous_state) and C(e_tag) updated from the terminate answer.
  returned: when O(job_id) is used and the job exists
  type: dict
  sample: {id: nightly-render, state: terminating, previous_state: active, e_tag: '0x8DCF3C954A84EB0'}
request_id:
  description: The service's C(request-id) of the terminate request (or of the read, if nothing was sent).
  returned: when O(job_id) is used
  type: str
client_request_id:
  description: The C(client-request-id) of that request.
  returned: when O(job_id) is used
  type: str
task_counts:
  description: With O(job_id) and O(if_tasks_complete=true), the job's task counts, when its state allowed terminating it.
  returned: when O(job_id) and O(if_tasks_complete=true) are used
  type: dict
  sample: {active: 0, running: 0, completed: 12, succeeded: 11, failed: 1}
  version_added: 1.2.0
reason:
  description: With O(job_id) and O(if_tasks_complete=true), why the job was or was not terminated.
  returned: when O(job_id) and O(if_tasks_complete=true) are used
  type: str
  sample: 'tasks are not complete: 2 active, 1 running'
  version_added: 1.2.0
missing:
  description: True when the job does not exist and O(ignore_missing=true).
  returned: when O(job_id) is used and the job does not exist
  type: bool
waited:
  description: Whether the module waited for a job to complete.
  returned: always
  type: bool
wait_seconds:
  description: How long it waited, in seconds (the longest wait for many jobs).
  returned: always
  type: float
jobs:
  description: One entry per job, in the order given (or listed).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The job id.
      type: str
    state_before:
      description: The state read before acting.
      type: str
    state:
      description: The state after the call.
      type: str
    changed:
      description: Whether this job was terminated.
      type: bool
    request_id:
      description: The service's C(request-id) of the last request for this job; null when a list request was its only read.
      type: str
    client_request_id:
      description: The C(client-request-id) of that request.
      type: str
    missing:
      description: True when the job does not exist and O(ignore_missing=true).
      type: bool
    warning:
      description: Why the job was left alone, when that needs attention (for example it is being deleted).
      type: str
    task_counts:
      description: With O(if_tasks_complete=true), the job's task counts (C(active), C(running), C(completed),
        C(succeeded), C(failed)) for a job whose state allowed terminating it.
      type: dict
      sample: {active: 0, running: 0, completed: 12, succeeded: 11, failed: 1}
      version_added: 1.2.0
    reason:
      description: With O(if_tasks_complete=true), why the job was or was not terminated.
      type: str
      sample: all 12 tasks are complete
      version_added: 1.2.0
    error:
      description: Why this job failed - C(msg), C(status), C(error.code), C(error.message), C(error.values), C(request_id).
      type: dict
    failed:
      description: True when this job failed.
      type: bool
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

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import JOB, JOB_IF_TASKS_COMPLETE, Target
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate_module import TerminateModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_job_id, check_range

ARGUMENT_SPEC = dict(
    job_id=dict(type='str', aliases=['id']),
    job_ids=dict(type='list', elements='str'),
    job_filter=dict(type='str'),
    terminate_reason=dict(type='str'),
    force=dict(type='bool', default=False),
    if_tasks_complete=dict(type='bool', default=False),
    empty_job_grace=dict(type='int', default=3600),
)


def main():
    module = TerminateModule(JOB, 'job_id', ARGUMENT_SPEC, check=check_job_id)
    module.batch.validate(check_range, 'empty_job_grace', module.params['empty_job_grace'], 0)
    kind = JOB_IF_TASKS_COMPLETE if module.params['if_tasks_complete'] else JOB
    module.run(new_target=lambda job_id, resource=None: Target(kind, job_id, resource=resource),
               list_matching=lambda filter_, select: module.batch.client.list_jobs(filter_, select=select),
               list_label='list the jobs matching job_filter', kind=kind)


if __name__ == '__main__':
    main()
