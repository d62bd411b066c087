# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batch resources as modules return them: snake_case keys, no OData bookkeeping."""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict


def snake_resource(resource):
    """A Batch job or task body with snake_case keys (eTag -> e_tag); None stays None."""
    if resource is None:
        return None
    body = {key: value for key, value in resource.items() if not key.startswith('odata.')}
    return camel_dict_to_snake_dict(body)
