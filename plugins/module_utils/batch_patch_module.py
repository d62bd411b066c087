# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flow the auto-terminate modules share: the terminate modules' targets (id, ids, filter) and bulk reads, run by
the PatchRunner."""

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_patch import (
    ON_ALL_TASKS_COMPLETE, PatchRunner, check_duration, patch_diff)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import Target
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate_module import TerminateModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_id

PATCH_ARGUMENT_SPEC = dict(
    on_all_tasks_complete=dict(type='str', choices=sorted(ON_ALL_TASKS_COMPLETE)),
    max_wall_clock_time=dict(type='raw'),
    ignore_missing=dict(type='bool', default=False),
    parallel=dict(type='int', default=16),
)


def run_patch_module(kind, id_option, argument_spec, list_matching, list_label, check=check_id):
    """Exit the module. list_matching(client, filter, select) yields the resources the filter option selects."""
    module = TerminateModule(kind, id_option, argument_spec, check=check, base_spec=PATCH_ARGUMENT_SPEC)
    batch, params = module.batch, module.params
    wanted = {}
    if params['on_all_tasks_complete'] is not None:
        wanted['on_all_tasks_complete'] = params['on_all_tasks_complete']
    if params['max_wall_clock_time'] is not None:
        wanted['max_wall_clock_time'] = batch.validate(check_duration, 'max_wall_clock_time', params['max_wall_clock_time'])
    if not wanted:
        batch.fail('Set on_all_tasks_complete, max_wall_clock_time or both; there is nothing to change otherwise.')
    module.run(new_target=lambda resource_id, resource=None: Target(kind, resource_id, resource=resource),
               list_matching=lambda filter_, select: list_matching(batch.client, filter_, select),
               list_label=list_label,
               runner=lambda **shared: PatchRunner(batch.client, wanted, allow_elapsed=params.get('allow_elapsed', False),
                                                   **shared),
               diff_of=patch_diff)
