# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flow every terminate module shares: options, targets from ids or from a filter, the runner, the result.

A module names its kind and its id option (job_id, task_id, job_schedule_id); the list and filter options are
that name's plural and _filter forms (job_ids, job_filter).
"""

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_bulk_read import read_in_bulk
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_conditions import headers_from_options
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_module import BatchModule
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import TerminateRunner
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_id, check_ids, check_range

TERMINATE_ARGUMENT_SPEC = dict(
    if_match=dict(type='str'),
    if_none_match=dict(type='str'),
    if_modified_since=dict(type='str'),
    if_unmodified_since=dict(type='str'),
    ignore_missing=dict(type='bool', default=False),
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=300),
    parallel=dict(type='int', default=16),
)
# Options only some kinds have, passed to the runner when the module has them.
RUNNER_OPTIONS = ('terminate_reason', 'force', 'empty_job_grace')


class TerminateModule:
    """A terminate module: TerminateModule(kind, 'job_id', spec).run(new_target, list_matching, list_label)."""

    def __init__(self, kind, id_option, argument_spec, check=check_id, base_spec=None):
        self.kind = kind
        self.check = check  # of one id
        prefix = id_option[:-len('_id')]
        self.id_option, self.ids_option, self.filter_option = id_option, prefix + '_ids', prefix + '_filter'
        choices = (self.id_option, self.ids_option, self.filter_option)
        base_spec = TERMINATE_ARGUMENT_SPEC if base_spec is None else base_spec
        self.batch = BatchModule(dict(base_spec, **argument_spec), supports_check_mode=True,
                                 mutually_exclusive=[choices], required_one_of=[choices])
        self.params = self.batch.params

    def run(self, new_target, list_matching, list_label, list_missing_codes=(), kind=None, runner=None, diff_of=None):
        """Exit the module. new_target(id, resource=None) -> Target; list_matching(filter, select) yields the resources
        the filter option selects; a list error whose code is in list_missing_codes means nothing to do when
        ignore_missing is set. kind, when given, is the state table to run instead of the module's own.
        runner(**shared settings), when given, makes the runner of another operation (PatchRunner); diff_of builds its
        diff."""
        self.kind = kind or self.kind
        batch, params = self.batch, self.params
        if params[self.id_option] is not None:
            batch.validate(self.check, self.id_option, params[self.id_option])
        ids = params[self.ids_option]
        ids = batch.validate(check_ids, self.ids_option, ids, self.check) if ids is not None else [params[self.id_option]]
        if 'wait_timeout' in params:
            batch.validate(check_range, 'wait_timeout', params['wait_timeout'], 1)
        batch.validate(check_range, 'parallel', params['parallel'], 1, 64)
        conditions = batch.validate(headers_from_options, params) if runner is None else None
        single = params[self.id_option] is not None  # one id: the result carries the resource itself

        if params[self.filter_option] is not None:
            try:
                targets = [new_target(item['id'], resource=item)
                           for item in list_matching(params[self.filter_option], self.kind.brief_select)]
            except BatchError as err:
                if not (params['ignore_missing'] and err.code in list_missing_codes):
                    batch.fail_from_error(err, list_label)
                targets = []
        else:
            targets = [new_target(resource_id) for resource_id in ids]
            read_in_bulk(batch.client, targets, params['parallel'])

        shared = dict(check_mode=batch.check_mode, ignore_missing=params['ignore_missing'], parallel=params['parallel'],
                      client_request_id=params['client_request_id'], whole_resources=single)
        if runner is None:
            options = {name: params[name] for name in RUNNER_OPTIONS if name in params}
            runner = TerminateRunner(batch.client, conditions=conditions, wait=params['wait'],
                                     wait_timeout=params['wait_timeout'], **dict(shared, **options))
        else:
            runner = runner(**shared)
        batch.exit_with_results(self.kind, runner.run(targets), single=single, diff_of=diff_of)
