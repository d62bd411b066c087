# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Terminate jobs or tasks safely: read, decide from one state table, act, wait; one result per resource.

The runner owns the per-resource results, check mode and waiting; it needs a BatchClient, not Ansible.
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_conditions import conditions_met
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError, describe
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_resources import snake_resource

TERMINATE = 'terminate'
UNCHANGED = 'unchanged'
UNCHANGED_WARN = 'unchanged, with a warning'
# All that deciding needs (eTag and lastModified predict conditional headers in check mode): what reads of many
# resources ask for, as their results carry no resource.
BRIEF_SELECT = 'id,state,eTag,lastModified'


class ResourceKind:
    """Everything that differs between terminating a job and terminating a task."""

    def __init__(self, name, states, conflicts, state_after_terminate, not_found_codes, select):
        self.name = name
        self.states = states            # state read -> decision
        self.conflicts = conflicts      # 409 code from the terminate call -> (decision, state it implies)
        self.state_after_terminate = state_after_terminate
        self.not_found_codes = not_found_codes
        self.select = select            # the fields returned for one id
        self.brief_select = BRIEF_SELECT


JOB = ResourceKind(
    'job',
    states={'active': TERMINATE, 'disabling': TERMINATE, 'disabled': TERMINATE, 'enabling': TERMINATE,
            'terminating': UNCHANGED, 'completed': UNCHANGED, 'deleting': UNCHANGED_WARN},
    conflicts={'JobCompleted': (UNCHANGED, 'completed'), 'JobBeingTerminated': (UNCHANGED, 'terminating'),
               'JobBeingDeleted': (UNCHANGED_WARN, 'deleting')},
    state_after_terminate='terminating',
    not_found_codes=('JobNotFound',),
    select='id,url,eTag,lastModified,creationTime,state,stateTransitionTime,previousState,'
           'previousStateTransitionTime,poolInfo,executionInfo',
)

TASK = ResourceKind(
    'task',
    states={'active': TERMINATE, 'preparing': TERMINATE, 'running': TERMINATE, 'completed': UNCHANGED},
    # Which code answers a task of a finished job is not documented (reference: open question 2);
    # the job-level codes are accepted as "nothing more to do" with a warning.
    conflicts={'TaskCompleted': (UNCHANGED, 'completed'), 'JobCompleted': (UNCHANGED_WARN, None),
               'JobBeingTerminated': (UNCHANGED_WARN, None), 'JobBeingDeleted': (UNCHANGED_WARN, None)},
    # "When the Task has been terminated, it moves to the completed state" (Task_Terminate, 204).
    state_after_terminate='completed',
    not_found_codes=('TaskNotFound', 'JobNotFound'),
    select='id,url,eTag,lastModified,creationTime,state,stateTransitionTime,previousState,'
           'previousStateTransitionTime,executionInfo,nodeInfo',
)


class Target:
    """One resource to terminate: its ids, and its representation if a list call already read it."""

    def __init__(self, kind, job_id, task_id=None, resource=None):
        self.kind = kind
        self.job_id = job_id
        self.task_id = task_id
        self.resource = resource

    @property
    def id(self):
        return self.task_id if self.kind is TASK else self.job_id

    def label(self):
        if self.kind is TASK:
            return "task '%s' of job '%s'" % (self.task_id, self.job_id)
        return "job '%s'" % self.job_id


class TerminateRunner:
    """Runs read -> decide -> (check mode: stop) -> terminate -> (wait) for many targets in parallel."""

    def __init__(self, client, check_mode=False, conditions=None, terminate_reason=None, force=False,
                 ignore_missing=False, wait=False, wait_timeout=300, parallel=16, client_request_id=None,
                 whole_resources=True):
        self.client = client
        self.check_mode = check_mode
        self.conditions = conditions or {}
        self.terminate_reason = terminate_reason
        self.force = force
        self.ignore_missing = ignore_missing
        self.wait = wait and not check_mode
        self.wait_timeout = wait_timeout
        self.parallel = max(1, parallel)
        self.client_request_id = client_request_id
        self.whole_resources = whole_resources  # False: read only what deciding needs (results for many resources)

    def run(self, targets):
        """One result dict per target, in the order given."""
        if len(targets) <= 1 or self.parallel == 1:
            return [self.run_one(target) for target in targets]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(targets))) as pool:
            return list(pool.map(self.run_one, targets))

    def run_one(self, target):
        result = {'id': target.id, 'state_before': None, 'state': None, 'changed': False,
                  'request_id': None, 'client_request_id': None, 'waited': False, 'wait_seconds': 0.0}
        if target.kind is TASK:
            result['job_id'] = target.job_id
        try:
            self._run(target, result)
        except BatchError as err:
            self._record_error(target, result, err, 'read' if result['state_before'] is None else 'terminate')
        return result

    def _run(self, target, result):
        resource = target.resource
        if resource is None:
            try:
                response = self._get(target)
            except BatchError as err:
                if err.status == 404 and err.code in target.kind.not_found_codes:
                    return self._missing(target, result, err)
                raise
            resource = response.body or {}
            result['request_id'], result['client_request_id'] = response.request_id, response.client_request_id
        state = resource.get('state')
        result['state_before'] = result['state'] = state
        decision = target.kind.states.get(state)
        if decision is None:
            raise BatchError("%s is in state '%s', which this collection does not know; nothing was done"
                             % (target.label().capitalize(), state))
        if decision == UNCHANGED_WARN:
            result['warning'] = "%s is being deleted; it was not terminated." % target.label().capitalize()
        if decision == TERMINATE:
            resource = self._terminate(target, result, resource)
        # A posted terminate is confirmed by a read even when its answer implies 'completed' (tasks, 204).
        if self.wait and result['state'] is not None and (
                result['changed'] or result['state'] not in ('completed', 'deleting')):
            resource = self._wait(target, result, resource)
        result[target.kind.name] = resource  # as read; build_result converts it only where it is returned

    def _terminate(self, target, result, resource):
        if self.check_mode:
            # Outside check mode the service evaluates the conditions; here we predict its answer.
            if self.conditions and not conditions_met(self.conditions, resource.get('eTag'), resource.get('lastModified')):
                raise BatchError('HTTP 412 ConditionNotMet (predicted from the %s as read)' % target.kind.name,
                                 status=412, code='ConditionNotMet')
            result['changed'] = True
            result['state'] = target.kind.state_after_terminate
            return dict(resource, state=result['state'])
        try:
            response = self._post(target)
        except BatchError as err:
            conflict = target.kind.conflicts.get(err.code) if err.status == 409 else None
            if conflict is None:
                if err.status == 404 and err.code in target.kind.not_found_codes:
                    return self._missing(target, result, err)
                if err.outcome_unknown:
                    return self._confirm(target, result, err)
                raise
            decision, implied_state = conflict
            # After an attempt whose answer was lost, "already done" means our own request did it.
            result['changed'] = err.outcome_unknown
            result['request_id'], result['client_request_id'] = err.request_id, err.client_request_id
            if implied_state:
                result['state'] = implied_state
            if decision == UNCHANGED_WARN and not err.outcome_unknown:
                result['warning'] = '%s was not terminated: %s.' % (target.label().capitalize(), err.message)
            return dict(resource, state=result['state'])
        result['changed'] = True
        result['state'] = target.kind.state_after_terminate
        result['request_id'], result['client_request_id'] = response.request_id, response.client_request_id
        updated = dict(resource, state=result['state'], previousState=result['state_before'])
        if response.etag:
            updated['eTag'] = response.etag
        return updated

    def _confirm(self, target, result, err):
        """The terminate failed after an attempt whose answer was lost: read whether that attempt took effect.

        A 412 to a retried conditional terminate is the usual case: our first attempt changed the ETag.
        """
        try:
            current = self._get(target).body or {}
        except BatchError:
            raise err from None
        if current.get('state') not in (target.kind.state_after_terminate, 'completed'):
            # Still running; a request the service holds may yet apply, so the outcome stays unknown.
            raise err
        result['changed'] = True
        result['state'] = current['state']
        result['request_id'], result['client_request_id'] = err.request_id, err.client_request_id
        return current

    def _wait(self, target, result, resource):
        def fetch():
            try:
                return self._get(target).body or {}
            except BatchError as err:
                if err.status == 404 and err.code in target.kind.not_found_codes:
                    return {'id': target.id, 'state': None}
                raise

        last, seconds, finished = self.client.wait_for(
            fetch, lambda res: res.get('state') in ('completed', None), self.wait_timeout)
        result['waited'], result['wait_seconds'] = True, round(seconds, 3)
        result['state'] = last.get('state')
        if result['state'] is None:
            result['warning'] = '%s was deleted while waiting for it to complete.' % target.label().capitalize()
            return resource
        if not finished:
            raise BatchError("%s did not reach state 'completed' within wait_timeout (%s s); it is '%s'"
                             % (target.label().capitalize(), self.wait_timeout, result['state']))
        return last

    def _missing(self, target, result, err):
        if not self.ignore_missing:
            raise err
        result['missing'] = True
        result['state'] = None
        result['request_id'], result['client_request_id'] = err.request_id, err.client_request_id
        return None

    def _record_error(self, target, result, err, verb):
        msg = describe(err, '%s %s' % (verb, target.label()))
        if err.outcome_unknown and not result['changed']:
            msg = msg[:-1] + ('; an answer to the terminate request was lost, so the service may have applied it: '
                              'read the %s before trying again.' % target.kind.name)
        result['error'] = dict(err.detail(), msg=msg)
        result['failed'] = True
        result['request_id'] = err.request_id or result['request_id']
        result['client_request_id'] = err.client_request_id or result['client_request_id']

    def _get(self, target):
        select = target.kind.select if self.whole_resources else target.kind.brief_select
        if target.kind is TASK:
            return self.client.get_task(target.job_id, target.task_id, select=select)
        return self.client.get_job(target.job_id, select=select)

    def _post(self, target):
        if target.kind is TASK:
            return self.client.terminate_task(target.job_id, target.task_id, conditions=self.conditions,
                                              client_request_id=self.client_request_id)
        return self.client.terminate_job(target.job_id, reason=self.terminate_reason, force=self.force,
                                         conditions=self.conditions, client_request_id=self.client_request_id)


def summarize(results):
    return {
        'total': len(results),
        'changed': sum(1 for item in results if item['changed']),
        'unchanged': sum(1 for item in results if not item['changed'] and not item.get('failed')),
        'failed': sum(1 for item in results if item.get('failed')),
        'missing': sum(1 for item in results if item.get('missing')),
    }


def build_result(kind, results, single, diff):
    """The module result for these per-resource results, and the failure sentence if any failed."""
    plural = kind.name + 's'
    # Per-item entries stay small (500 full tasks would be most of the result); the resource is returned for one id.
    resources = [item.pop(kind.name, None) for item in results]
    result = {'changed': any(item['changed'] for item in results), plural: results, 'summary': summarize(results)}
    if single:
        item = results[0]
        for key in ('state_before', 'state', 'request_id', 'client_request_id', 'waited', 'wait_seconds'):
            result[key] = item[key]
        result[kind.name] = snake_resource(resources[0])
        if item.get('missing'):
            result['missing'] = True
    else:
        result['waited'] = any(item['waited'] for item in results)
        result['wait_seconds'] = max([item['wait_seconds'] for item in results] or [0.0])
    if diff:
        if single:
            result['diff'] = {'before': {'state': results[0]['state_before']}, 'after': {'state': results[0]['state']}}
        else:
            result['diff'] = {'before': {item['id']: item['state_before'] for item in results},
                              'after': {item['id']: item['state'] for item in results}}
    failed = [item for item in results if item.get('failed')]
    if not failed:
        return result, None
    if single:
        error = failed[0]['error']
        result.update((key, error[key]) for key in ('status', 'error', 'request_id', 'client_request_id'))
        return result, error['msg']
    shown = '; '.join(item['error']['msg'] for item in failed[:3])
    more = ' (and %d more)' % (len(failed) - 3) if len(failed) > 3 else ''
    return result, 'Could not finish %d of %d %s: %s%s' % (len(failed), len(results), plural, shown, more)
