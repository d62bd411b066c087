# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared options and flow of the read-only info modules."""

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_resources import snake_resource
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import check_range

INFO_ARGUMENT_SPEC = dict(
    filter=dict(type='str'),
    select=dict(type='list', elements='str'),
    expand=dict(type='list', elements='str'),
    max_results=dict(type='int'),
)


def collect(batch, plural, get_one, list_all, one_label, list_label, not_found_codes, extend=None, **more):
    """Exit the module with `plural`: the one resource read by get_one(), or every one list_all() yields.

    extend(items) may read more for them (in place); more holds further results, each a callable run after the reads.
    """
    batch.validate(check_range, 'max_results', batch.params['max_results'], 1)
    select = ','.join(batch.params['select']) if batch.params['select'] else None
    label = one_label if get_one is not None else list_label
    try:
        if get_one is not None:
            try:
                items = [get_one(select).body]
            except BatchError as err:
                if err.status != 404 or err.code not in not_found_codes:
                    raise
                items = []
        else:
            items = list(list_all(select, batch.params['max_results']))
        if extend is not None:
            extend(items)
        more = {name: [snake_resource(item) for item in read()] for name, read in more.items()}
    except BatchError as err:
        batch.fail_from_error(err, 'read ' + label)
    batch.exit(changed=False, **dict(more, **{plural: [snake_resource(item) for item in items]}))
