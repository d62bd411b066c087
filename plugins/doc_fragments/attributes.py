# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Attributes shared by every module of azure_batch.ops."""

    DOCUMENTATION = r'''
attributes:
  action_group:
    description: Use C(group/azure_batch.ops.batch) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - azure_batch.ops.batch
'''

    INFO_MODULE = r'''
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: This module only reads; it behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
'''
