#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_job_schedule_info
short_description: Read Azure Batch job schedules and the jobs they made
version_added: 1.1.0
description:
  - Reads one job schedule by id, or lists the job schedules of a Batch account, optionally filtered with OData,
    following every page.
  - With O(jobs=true), also lists the jobs the schedule made (List Jobs in a Job Schedule).
  - Never changes anything.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_schedule_id:
    description:
      - The id of the job schedule to read. A schedule that does not exist gives an empty RV(job_schedules) list.
      - Mutually exclusive with O(filter).
    type: str
    aliases: [id]
  jobs:
    description:
      - Also list the jobs of the schedule O(job_schedule_id) into RV(jobs), with O(jobs_filter) and O(jobs_select).
    type: bool
    default: false
  jobs_filter:
    description:
      - An OData C($filter) for the jobs of the schedule, for example V(state eq 'active').
    type: str
  jobs_select:
    description:
      - The job properties to return, for example V([id, state, executionInfo]). By default all.
    type: list
    elements: str
  filter:
    description:
      - An OData C($filter) for the schedules, for example V(state eq 'active').
      - Without O(job_schedule_id) or O(filter), every job schedule is listed.
    type: str
    aliases: [job_schedule_filter]
  select:
    description:
      - The schedule properties to return (OData C($select)), for example V([id, state, executionInfo]). By default all.
    type: list
    elements: str
  expand:
    description:
      - Related entities to expand (OData C($expand)), for example V([stats]).
    type: list
    elements: str
  max_results:
    description:
      - Return at most this many job schedules (and at most this many jobs).
    type: int
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.attributes
  - azure_batch.ops.attributes.info_module
seealso:
  - module: azure_batch.ops.batch_job_schedule_terminate
  - module: azure_batch.ops.batch_job_info
  - name: Create queries to list Batch resources efficiently
    description: The OData filters, selects and expands the Batch service supports.
    link: https://learn.microsoft.com/azure/batch/batch-efficient-list-queries
'''

EXAMPLES = r'''
- name: Read a schedule and the jobs it made
  azure_batch.ops.batch_job_schedule_info:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_schedule_id: nightly-render
    jobs: true
    jobs_select: [id, state]
  register: nightly

- name: Show the job the schedule runs now
  ansible.builtin.debug:
    msg: "{{ nightly.job_schedules[0].execution_info.recent_job.id | default('none yet') }}"

- name: List the active schedules with only their id and state
  azure_batch.ops.batch_job_schedule_info:
    batch_url: https://myaccount.westeurope.batch.azure.com
    filter: "state eq 'active'"
    select: [id, state]
  register: active_schedules
'''

RETURN = r'''
job_schedules:
  description: The job schedules read, with snake_case keys (C(eTag) becomes C(e_tag)).
  returned: always
  type: list
  elements: dict
  sample: [{id: nightly-render, state: active, execution_info: {recent_job: {id: 'nightly-render:job-7'}}}]
jobs:
  description: The jobs of the schedule, with snake_case keys.
  returned: with O(jobs=true) and a schedule that exists
  type: list
  elements: dict
  sample: [{id: 'nightly-render:job-7', state: active}]
auth_source_used:
  description: The credential source used.
  returned: always
  type: str
'''

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_info import INFO_ARGUMENT_SPEC, collect
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_module import BatchModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_id

ARGUMENT_SPEC = dict(
    INFO_ARGUMENT_SPEC,
    filter=dict(type='str', aliases=['job_schedule_filter']),
    job_schedule_id=dict(type='str', aliases=['id']),
    jobs=dict(type='bool', default=False),
    jobs_filter=dict(type='str'),
    jobs_select=dict(type='list', elements='str'),
)


def main():
    batch = BatchModule(ARGUMENT_SPEC, supports_check_mode=True, mutually_exclusive=[('job_schedule_id', 'filter')],
                        required_if=[('jobs', True, ('job_schedule_id',))])
    params = batch.params
    schedule_id = params['job_schedule_id']
    if schedule_id is not None:
        batch.validate(check_id, 'job_schedule_id', schedule_id)
    found = []

    def get_one(select):
        response = batch.client.get_job_schedule(schedule_id, select=select, expand=params['expand'])
        found.append(response.body)
        return response

    def list_all(select, limit):
        return batch.client.list_job_schedules(params['filter'], select, params['expand'], limit)

    def list_jobs():
        if not found:  # the schedule does not exist
            return []
        return batch.client.list_jobs_of_schedule(schedule_id, params['jobs_filter'], params['jobs_select'],
                                                  max_results=params['max_results'])

    more = {'jobs': list_jobs} if params['jobs'] else {}
    collect(batch, 'job_schedules', get_one if schedule_id is not None else None, list_all,
            "job schedule '%s'" % schedule_id, 'the job schedules', ('JobScheduleNotFound',), **more)


if __name__ == '__main__':
    main()
