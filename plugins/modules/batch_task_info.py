#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: batch_task_info
short_description: Read the tasks of an Azure Batch job
version_added: 1.0.0
description:
  - Reads one task by id, or lists the tasks of a job, optionally filtered with OData, following every page.
  - Never changes anything.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
options:
  job_id:
    description:
      - The id of the job.
    type: str
    required: true
  task_id:
    description:
      - The id of the task to read. A task that does not exist gives an empty RV(tasks) list.
      - Mutually exclusive with O(filter).
    type: str
    aliases: [id]
  filter:
    description:
      - An OData C($filter), for example V(state eq 'running').
      - V(state eq 'running') does not list V(preparing) tasks, which already hold a node; use
        V(state eq 'running' or state eq 'preparing') for every task that has started and not ended.
      - Without O(task_id) or O(filter), every task of the job is listed.
    type: str
    aliases: [task_filter]
  select:
    description:
      - The properties to return (OData C($select)), for example V([id, state, executionInfo]). By default all.
    type: list
    elements: str
  subtasks:
    description:
      - Also read the subtasks of each multi-instance task returned (Task - List Subtasks), into its C(subtasks) list.
      - Costs one request per multi-instance task; tasks without C(multiInstanceSettings) cost none. With O(select),
        C(multiInstanceSettings) is selected too, to know which tasks have subtasks.
    type: bool
    default: false
  expand:
    description:
      - Related entities to expand (OData C($expand)), for example V([stats]).
    type: list
    elements: str
  max_results:
    description:
      - Return at most this many tasks.
    type: int
extends_documentation_fragment:
  - azure_batch.ops.auth
  - azure_batch.ops.attributes
  - azure_batch.ops.attributes.info_module
seealso:
  - module: azure_batch.ops.batch_task_terminate
  - name: Create queries to list Batch resources efficiently
    description: The OData filters, selects and expands the Batch service supports.
    link: https://learn.microsoft.com/azure/batch/batch-efficient-list-queries
'''

EXAMPLES = r'''
- name: Read one task
  azure_batch.ops.batch_task_info:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    task_id: frame-0042

- name: List the running tasks of a job
  azure_batch.ops.batch_task_info:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: nightly-render
    filter: "state eq 'running'"
    select: [id, state]
  register: running_tasks

- name: Read a multi-instance task with its subtasks, to see which nodes still run them
  azure_batch.ops.batch_task_info:
    batch_url: https://myaccount.westeurope.batch.azure.com
    job_id: mpi-simulation
    task_id: solver
    subtasks: true
  register: solver
'''

RETURN = r'''
tasks:
  description: The tasks read, with snake_case keys (C(eTag) becomes C(e_tag)).
  returned: always
  type: list
  elements: dict
  sample: [{id: frame-0042, state: running, e_tag: '0x8D4125FD1A825A4'}]
  contains:
    subtasks:
      description:
        - With O(subtasks=true), for a multi-instance task, its subtasks (C(id), C(state), C(node_info), times,
          C(exit_code), C(failure_info), C(result)). Subtask states are V(preparing), V(running) and V(completed).
      returned: with O(subtasks=true), for multi-instance tasks
      type: list
      elements: dict
      sample: [{id: 1, state: running, node_info: {node_id: tvmps_0a1b_d}}]
auth_source_used:
  description: The credential source used.
  returned: always
  type: str
'''

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_info import INFO_ARGUMENT_SPEC, collect
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_module import BatchModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_id, check_job_id


def main():
    batch = BatchModule(dict(INFO_ARGUMENT_SPEC, job_id=dict(type='str', required=True),
                             task_id=dict(type='str', aliases=['id']), subtasks=dict(type='bool', default=False),
                             filter=dict(type='str', aliases=['task_filter'])),
                        supports_check_mode=True, mutually_exclusive=[('task_id', 'filter')])
    params = batch.params
    job_id = batch.validate(check_job_id, 'job_id', params['job_id'])
    task_id = params['task_id']
    if task_id is not None:
        batch.validate(check_id, 'task_id', task_id)

    if params['subtasks'] and params['select'] and 'multiInstanceSettings' not in params['select']:
        params['select'].append('multiInstanceSettings')

    def get_one(select):
        return batch.client.get_task(job_id, task_id, select=select, expand=params['expand'])

    def list_all(select, limit):
        return batch.client.list_tasks(job_id, params['filter'], select, params['expand'], limit)

    def add_subtasks(tasks):
        for task in tasks:
            if task.get('multiInstanceSettings'):
                task['subtasks'] = batch.client.list_subtasks(job_id, task['id'])

    collect(batch, 'tasks', get_one if task_id is not None else None, list_all,
            "task '%s' of job '%s'" % (task_id, job_id), "the tasks of job '%s'" % job_id, ('TaskNotFound',),
            extend=add_subtasks if params['subtasks'] else None)


if __name__ == '__main__':
    main()
