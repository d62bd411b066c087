# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Disable and enable jobs: two state tables run by the terminate runner, which sends Job - Disable / Job - Enable
instead of a terminate."""

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import (
    JOB, TERMINATE, UNCHANGED, UNCHANGED_WARN, ResourceKind, TerminateRunner)

DISABLE_TASKS = ('requeue', 'terminate', 'wait')
_ENDING = {'terminating': UNCHANGED_WARN, 'completed': UNCHANGED_WARN, 'deleting': UNCHANGED_WARN}
# Job - Disable / Enable of an ending job: the codes Job - Terminate answers are taken (not documented for these).
_CONFLICTS = {'JobCompleted': (UNCHANGED_WARN, 'completed'), 'JobBeingTerminated': (UNCHANGED_WARN, 'terminating'),
              'JobBeingDeleted': (UNCHANGED_WARN, 'deleting')}


def _warnings(verb):
    return {'terminating': "%%s is terminating; it was not %s." % verb,
            'completed': "%%s is completed; it was not %s." % verb,
            'deleting': "%%s is being deleted; it was not %s." % verb}


JOB_DISABLE = ResourceKind(
    'job',
    # "If you try to disable a Job that is in any state other than active, disabling, or disabled, the request fails
    # with status code 409" (Job - Disable): an enabling job is sent the request all the same, and its answer reported.
    states=dict(_ENDING, active=TERMINATE, enabling=TERMINATE, disabling=UNCHANGED, disabled=UNCHANGED),
    conflicts=_CONFLICTS, state_after_terminate='disabling', not_found_codes=JOB.not_found_codes, select=JOB.select,
    settled_state='disabled', warnings=_warnings('disabled'),
)

JOB_ENABLE = ResourceKind(
    'job',
    # Whether the service enables a job still disabling is not documented; the request is sent and its answer reported.
    states=dict(_ENDING, disabled=TERMINATE, disabling=TERMINATE, enabling=UNCHANGED, active=UNCHANGED),
    conflicts=_CONFLICTS, state_after_terminate='enabling', not_found_codes=JOB.not_found_codes, select=JOB.select,
    settled_state='active', warnings=_warnings('enabled'),
)


class DisableRunner(TerminateRunner):
    """The terminate runner sending Job - Disable (JOB_DISABLE) or Job - Enable (JOB_ENABLE).

    With disable_tasks terminate, wait also waits until no task of the job runs (Get Task Counts)."""

    def __init__(self, client, disable_tasks=None, **kwargs):
        super().__init__(client, **kwargs)
        self.disable_tasks = disable_tasks
        self.action = 'disable' if disable_tasks else 'enable'

    def _post(self, target):
        if target.kind is JOB_DISABLE:
            return self.client.disable_job(target.job_id, self.disable_tasks, conditions=self.conditions,
                                           client_request_id=self.client_request_id)
        return self.client.enable_job(target.job_id, conditions=self.conditions, client_request_id=self.client_request_id)

    def _still_running_parts(self, target, current):
        if target.kind is not JOB_DISABLE or self.disable_tasks != 'terminate':
            return None
        return {'task_counts': (self.client.get_task_counts(target.job_id).body or {}).get('taskCounts') or {}}
