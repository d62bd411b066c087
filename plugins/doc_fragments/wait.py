# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    """Waiting options of the terminate modules."""

    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Wait until nothing of any resource runs any more, then return. Without it the module returns as soon as the service
        accepted the request.
      - A job or a task is waited for until it is V(completed); a multi-instance task until its subtasks are V(completed)
        too; a job schedule until it and its current job (C(executionInfo.recentJob)) are V(completed).
      - Never waits in check mode.
    type: bool
    default: false
  wait_timeout:
    description:
      - How long to wait, in seconds, when O(wait=true). On timeout the module fails and still reports what it changed.
    type: int
    default: 300
'''
