#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_job_schedule_terminate
short_description: Terminate Azure Batch job schedules, only when they still run
version_added: 1.1.0
description:
  - Terminates one job schedule, a list of them, or every schedule matching an OData filter in an Azure Batch account,
    through the Batch REST API (Job Schedule - Terminate). A terminated schedule creates no more jobs.
  - Terminating a schedule terminates its active job too; that job ends with C(executionInfo.terminateReason) set to
    C(TerminateJobSchedule), and the schedule completes after it.
  - Reads each schedule first and acts only when it is V(active) or V(disabled); a schedule that is V(terminating) or
    V(completed) is left alone and reported unchanged, a schedule being deleted is reported unchanged with a warning.
  - A conflict answer from the service (C(JobScheduleCompleted), C(JobScheduleBeingTerminated)) after the read means
    someone else finished the schedule meanwhile; it is reported unchanged. After a request whose answer was lost, the
    same answer means this module's request took effect, and it is reported changed.
  - Many schedules are handled in one call with bounded parallel requests, one connection pool and one token.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_schedule_id:
    description:
      - The id of the job schedule to terminate. Batch ids are case-insensitive.
      - Exactly one of O(job_schedule_id), O(job_schedule_ids) and O(job_schedule_filter) is required.
    type: str
    aliases: [id]
  job_schedule_ids:
    description:
      - Ids of job schedules to terminate in one call.
    type: list
    elements: str
  job_schedule_filter:
    description:
      - An OData C($filter) selecting the job schedules to terminate, for example V(state eq 'active').
      - Schedules listed by the filter are not read again.
    type: str
  force:
    description:
      - Terminate the schedule even if the nodes have not fully processed the termination. Needs O(api_version)
        2024-07-01.20.0 or later.
    type: bool
    default: false
  if_match:
    description:
      - Terminate only if the schedule's current ETag is exactly this value.
      - The service's ETag is unquoted (C(0x8DCF3C953387E09)); check mode predicts no outcome, with a warning, for a quoted,
        weak (C(W/)), listed or C(*) value, as the service's reading of those is not documented.
    type: str
  if_none_match:
    description:
      - Terminate only if the schedule's current ETag is not this value.
    type: str
  if_modified_since:
    description:
      - Terminate only if the schedule was modified after this time.
      - RFC 1123 (C(Thu, 24 Oct 2024 01:15:18 GMT)) or ISO 8601 with an offset (C(2024-10-24T03:15:18.5+02:00), C(Z) for UTC);
        a time without an offset is UTC.
    type: str
  if_unmodified_since:
    description:
      - Terminate only if the schedule was not modified after this time.
      - RFC 1123 (C(Thu, 24 Oct 2024 01:15:18 GMT)) or ISO 8601 with an offset (C(2024-10-24T03:15:18.5+02:00), C(Z) for UTC);
        a time without an offset is UTC.
    type: str
  ignore_missing:
    description:
      - Report a job schedule that does not exist as unchanged (with RV(job_schedules[].missing=true)) instead of failing.
    type: bool
    default: false
  parallel:
    description:
      - How many job schedules to handle at once, 1 to 64.
    type: int
    default: 16
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.wait
  - azure_batch.ops.attributes
attributes:
  check_mode:
    description: Reads the job schedules and predicts the result; sends no terminate request and never waits.
    support: full
  diff_mode:
    description: Shows the state before and after for each job schedule.
    support: full
  idempotent:
    description: A second run finds the schedules terminating or completed and changes nothing.
    support: full
notes:
  - Each schedule costs one read and, when it needs terminating, one terminate request; O(job_schedule_filter) replaces
    the reads with one list request per page. O(wait=true) adds polling reads of the schedule and, once it is
    completed, of its current job.
seealso:
  - module: azure_batch.ops.batch_job_schedule_info
  - module: azure_batch.ops.batch_job_terminate
  - name: Job Schedule - Terminate (Batch REST API)
    description: The operation this module calls.
    link: https://learn.microsoft.com/rest/api/batchservice/job-schedule/terminate
'''

EXAMPLES = r'''
- name: Stop a schedule, so that it creates no more jobs, and wait until its current job has ended too
  azure_batch.ops.batch_job_schedule_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_schedule_id: nightly-render
    wait: true
    wait_timeout: 600
  register: stopped

- name: Show which job the schedule was running
  ansible.builtin.debug:
    msg: "{{ stopped.recent_job.id }} is {{ stopped.recent_job.state }}"

- name: Terminate several schedules with a managed identity, accepting ones already deleted
  azure_batch.ops.batch_job_schedule_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    auth_source: msi
    job_schedule_ids: [ingest-hourly, ingest-daily]
    ignore_missing: true

- name: Terminate every active schedule whose id starts with "test-"
  azure_batch.ops.batch_job_schedule_terminate:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_schedule_filter: "state eq 'active' and startswith(id, 'test-')"
'''

RETURN = r'''
changed:
  description: Whether any job schedule was terminated (or, in check mode, would be).
  returned: always
  type: bool
state_before:
  description: The schedule's state when it was read, with O(job_schedule_id).
  returned: when O(job_schedule_id) is used
  type: str
  sample: active
state:
  description:
    - The schedule's state after the call, with O(job_schedule_id). V(terminating) right after a terminate request,
      V(completed) after waiting.
    - Null when the schedule does not exist and O(ignore_missing=true).
  returned: when O(job_schedule_id) is used
  type: str
  sample: terminating
job_schedule:
  description:
    - The job schedule after the call, with snake_case keys, with O(job_schedule_id).
  returned: when O(job_schedule_id) is used and the schedule exists
  type: dict
  sample: {id: nightly-render, state: completed, execution_info: {recent_job: {id: 'nightly-render:job-7'}}}
recent_job:
  description: The schedule's current job (C(executionInfo.recentJob)) and its state, as the wait last read it.
  returned: with O(job_schedule_id) and O(wait=true), when the schedule has run a job
  type: dict
  sample: {id: 'nightly-render:job-7', state: completed}
request_id:
  description: The service's C(request-id) of the terminate request (or of the read, if nothing was sent).
  returned: when O(job_schedule_id) is used
  type: str
client_request_id:
  description: The C(client-request-id) of that request.
  returned: when O(job_schedule_id) is used
  type: str
missing:
  description: True when the schedule does not exist and O(ignore_missing=true).
  returned: when O(job_schedule_id) is used and the schedule does not exist
  type: bool
waited:
  description: Whether the module waited for a schedule to complete.
  returned: always
  type: bool
wait_seconds:
  description: How long it waited, in seconds (the longest wait for many schedules).
  returned: always
  type: float
job_schedules:
  description: One entry per job schedule, in the order given (or listed).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The job schedule id.
      type: str
    state_before:
      description: The state read before acting.
      type: str
    state:
      description: The state after the call.
      type: str
    changed:
      description: Whether this schedule was terminated.
      type: bool
    recent_job:
      description: The schedule's current job and its state, when the module waited.
      type: dict
    request_id:
      description: The service's C(request-id) of the last request for this schedule.
      type: str
    client_request_id:
      description: The C(client-request-id) of that request.
      type: str
    missing:
      description: True when the schedule does not exist and O(ignore_missing=true).
      type: bool
    warning:
      description: Why the schedule was left alone, when that needs attention (for example it is being deleted).
      type: str
    error:
      description: Why this schedule failed - C(msg), C(status), C(error.code), C(error.message), C(error.values), C(request_id).
      type: dict
    failed:
      description: True when this schedule failed.
      type: bool
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
  description: The state before and after, in diff mode.
  returned: in diff mode
  type: dict
'''

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import JOB_SCHEDULE, Target
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate_module import TerminateModule

ARGUMENT_SPEC = dict(
    job_schedule_id=dict(type='str', aliases=['id']),
    job_schedule_ids=dict(type='list', elements='str'),
    job_schedule_filter=dict(type='str'),
    force=dict(type='bool', default=False),
)


def main():
    module = TerminateModule(JOB_SCHEDULE, 'job_schedule_id', ARGUMENT_SPEC)
    module.run(new_target=lambda schedule_id, resource=None: Target(JOB_SCHEDULE, schedule_id, resource=resource),
               list_matching=lambda filter_, select: module.batch.client.list_job_schedules(filter_, select=select),
               list_label='list the job schedules matching job_schedule_filter')


if __name__ == '__main__':
    main()
