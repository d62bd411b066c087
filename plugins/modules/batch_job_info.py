#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_job_info
short_description: Read Azure Batch jobs
version_added: 1.0.0
description:
  - Reads one job by id, or lists the jobs of a Batch account, optionally filtered with OData, following every page.
  - Never changes anything.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_id:
    description:
      - The id of the job to read. A job that does not exist gives an empty RV(jobs) list.
      - Mutually exclusive with O(filter).
    type: str
    aliases: [id]
  filter:
    description:
      - An OData C($filter), for example V(state eq 'active' and creationTime lt DateTime'2026-11-01T00:00:00Z').
      - Without O(job_id) or O(filter), every job is listed.
    type: str
    aliases: [job_filter]
  select:
    description:
      - The properties to return (OData C($select)), for example V([id, state, creationTime]). By default all.
    type: list
    elements: str
  expand:
    description:
      - Related entities to expand (OData C($expand)), for example V([stats]).
    type: list
    elements: str
  max_results:
    description:
      - Return at most this many jobs.
    type: int
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.attributes
  - azure_batch.ops.attributes.info_module
seealso:
  - module: azure_batch.ops.batch_job_terminate
  - name: Create queries to list Batch resources efficiently
    description: The OData filters, selects and expands the Batch service supports.
    link: https://learn.microsoft.com/azure/batch/batch-efficient-list-queries
'''

EXAMPLES = r'''
- name: Read one job
  azure_batch.ops.batch_job_info:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
  register: job_info

- name: List the active jobs with only their id, state and creation time
  azure_batch.ops.batch_job_info:
    batch_url: https://myaccount.westeurope.batch.azure.com
    filter: "state eq 'active'"
    select: [id, state, creationTime]
  register: active_jobs
'''

RETURN = r'''
jobs:
  description: The jobs read, with snake_case keys (C(eTag) becomes C(e_tag)).
  returned: always
  type: list
  elements: dict
  sample: [{id: nightly-render, state: active, e_tag: '0x8DCF3C953387E09', creation_time: '2024-10-24T01:15:18.9635052Z'}]
auth_source_used:
  description: The credential source used.
  returned: always
  type: str
'''

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_info import INFO_ARGUMENT_SPEC, collect
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_module import BatchModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_job_id


def main():
    batch = BatchModule(dict(INFO_ARGUMENT_SPEC, job_id=dict(type='str', aliases=['id']),
                             filter=dict(type='str', aliases=['job_filter'])),
                        supports_check_mode=True, mutually_exclusive=[('job_id', 'filter')])
    params = batch.params
    job_id = params['job_id']
    if job_id is not None:
        batch.validate(check_job_id, 'job_id', job_id)

    def get_one(select):
        return batch.client.get_job(job_id, select=select, expand=params['expand'])

    def list_all(select, limit):
        return batch.client.list_jobs(params['filter'], select, params['expand'], limit)

    collect(batch, 'jobs', get_one if job_id is not None else None, list_all,
            "job '%s'" % job_id, 'the jobs', ('JobNotFound',))


if __name__ == '__main__':
    main()
