# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Terminate jobs, tasks or job schedules safely: read, decide from one state table, act, wait; one result per resource.

The runner owns the per-resource results, check mode and waiting; it needs a BatchClient, not Ansible.
"""

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_conditions import predict
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_time import parse_time
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError, describe
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_resources import snake_resource

TERMINATE = 'terminate'
UNCHANGED = 'unchanged'
UNCHANGED_WARN = 'unchanged, with a warning'
# Terminate only when the job's task counts show no active and no running task (if_tasks_complete).
TERMINATE_IF_TASKS_COMPLETE = 'terminate if its tasks are complete'
# All that deciding needs (eTag and lastModified predict conditional headers in check mode): what reads of many
# resources ask for, as their results carry no resource.
BRIEF_SELECT = 'id,state,eTag,lastModified'


# Subtasks of a multi-instance task: polled with only these; once more with nodeInfo to name the nodes on a timeout.
SUBTASK_SELECT = 'id,state'
SUBTASK_STATES = ('preparing', 'running', 'completed')


class ResourceKind:
    """Everything that differs between terminating a job, a task and a job schedule."""

    def __init__(self, name, states, conflicts, state_after_terminate, not_found_codes, select,
                 brief_select=BRIEF_SELECT, wait_select=None, reasons=None, settled_state='completed', warnings=None):
        self.name = name                # the result key: job, task, job_schedule
        self.title = name.replace('_', ' ')
        self.states = states            # state read -> decision
        self.conflicts = conflicts      # 409 code from the terminate call -> (decision, state it implies)
        self.state_after_terminate = state_after_terminate
        self.not_found_codes = not_found_codes
        self.select = select            # the fields returned for one id
        self.brief_select = brief_select  # what reads of many resources ask for
        # What polling for many resources asks for: the state, and what tells whether parts of it may run on.
        self.wait_select = wait_select or brief_select
        # state -> why a resource in it is left alone; a kind with reasons gives every result a reason.
        self.reasons = reasons
        self.settled_state = settled_state  # where the action ends: what wait waits for
        # state -> the warning for a resource left alone in it (the default: being deleted)
        self.warnings = warnings or {}


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

# A job terminated only once its tasks are complete: reclaims the active-job quota finished jobs hold. Its brief
# read has creationTime, which decides about a job without tasks (empty_job_grace).
JOB_IF_TASKS_COMPLETE = ResourceKind(
    'job',
    states=dict(JOB.states, **dict.fromkeys(('active', 'disabling', 'disabled', 'enabling'), TERMINATE_IF_TASKS_COMPLETE)),
    conflicts=JOB.conflicts, state_after_terminate=JOB.state_after_terminate, not_found_codes=JOB.not_found_codes,
    select=JOB.select, brief_select=BRIEF_SELECT + ',creationTime',
    reasons={'terminating': 'the job is already terminating', 'completed': 'the job is already completed',
             'deleting': 'the job is being deleted'},
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
           'previousStateTransitionTime,executionInfo,nodeInfo,multiInstanceSettings',
    # Whether a task is multi-instance decides whether wait reads its subtasks, even for a task already completed;
    # the service leaves the property out for other tasks, so it costs them nothing.
    brief_select=BRIEF_SELECT + ',multiInstanceSettings',
)

JOB_SCHEDULE = ResourceKind(
    'job_schedule',
    # Whether the service refuses to terminate a disabled schedule is unverified (reference section 8); a refusal
    # would come back as a 409 and fail with the service's code.
    states={'active': TERMINATE, 'disabled': TERMINATE, 'terminating': UNCHANGED, 'completed': UNCHANGED,
            'deleting': UNCHANGED_WARN},
    conflicts={'JobScheduleCompleted': (UNCHANGED, 'completed'),
               'JobScheduleBeingTerminated': (UNCHANGED, 'terminating'),
               'JobScheduleBeingDeleted': (UNCHANGED_WARN, 'deleting')},
    state_after_terminate='terminating',
    not_found_codes=('JobScheduleNotFound',),
    select='id,url,eTag,lastModified,creationTime,state,stateTransitionTime,previousState,'
           'previousStateTransitionTime,schedule,executionInfo',
    wait_select=BRIEF_SELECT + ',executionInfo',  # executionInfo.recentJob: the job the schedule runs
)


class WaitTimeout(BatchError):
    """wait_timeout ran out; the message says what still runs."""


class Target:
    """One resource to terminate: its ids, and its representation if a list call already read it.

    job_id is the job's id for jobs and tasks, and the schedule's id for a job schedule.
    """

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
        return "%s '%s'" % (self.kind.title, self.job_id)


class TerminateRunner:
    """Runs read -> decide -> (check mode: stop) -> terminate -> (wait) for many targets in parallel."""

    action = 'terminate'  # the verb of the request it sends, for messages

    def __init__(self, client, check_mode=False, conditions=None, terminate_reason=None, force=False,
                 ignore_missing=False, wait=False, wait_timeout=300, parallel=16, client_request_id=None,
                 whole_resources=True, empty_job_grace=3600, clock=time.time):
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
        self.empty_job_grace = empty_job_grace  # seconds a job without tasks is taken to be still filling
        self.clock = clock

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
            self._record_error(target, result, err, 'read' if result['state_before'] is None else self.action)
        return result

    def _run(self, target, result):
        resource = target.resource if target.resource is not None else self._read(target, result)
        if resource is None:
            return None  # missing, and ignore_missing is set
        state = resource.get('state')
        result['state_before'] = result['state'] = state
        decision = target.kind.states.get(state)
        if decision is None:
            raise BatchError("%s is in state '%s', which this collection does not know; nothing was done"
                             % (target.label().capitalize(), state))
        if target.kind.reasons is not None:
            result['reason'] = target.kind.reasons.get(state)
        if decision == TERMINATE_IF_TASKS_COMPLETE:
            decision = self._decide_from_task_counts(target, result, resource)
        if decision == UNCHANGED_WARN:
            result['warning'] = target.kind.warnings.get(state, "%s is being deleted; it was not terminated.") % (
                target.label().capitalize())
        if decision == TERMINATE:
            resource = self._terminate(target, result, resource)
        # A posted terminate is confirmed by a read even when its answer implies 'completed' (tasks, 204); a completed
        # multi-instance task may still have subtasks running, a completed schedule a job.
        settled = target.kind.settled_state
        unsettled = result['state'] not in (settled, 'deleting') or (result['state'] == settled and _has_parts(resource))
        if self.wait and result['state'] is not None and decision != UNCHANGED_WARN and (result['changed'] or unsettled):
            resource = self._wait(target, result, resource)
        result[target.kind.name] = resource  # as read; build_result converts it only where it is returned

    def _read(self, target, result):
        """GET the resource; None when it is missing and ignore_missing is set."""
        try:
            response = self._get(target)
        except BatchError as err:
            if err.status == 404 and err.code in target.kind.not_found_codes:
                return self._missing(target, result, err)
            raise
        result['request_id'], result['client_request_id'] = response.request_id, response.client_request_id
        return response.body or {}

    def _decide_from_task_counts(self, target, result, resource):
        """TERMINATE when Get Task Counts shows no active and no running task (preparing counts as running) and either
        a task completed or the job is older than empty_job_grace: a workflow engine adds tasks after creating a job."""
        counts = (self.client.get_task_counts(target.job_id).body or {}).get('taskCounts') or {}
        result['task_counts'] = counts
        if counts.get('active', 0) or counts.get('running', 0):
            result['reason'] = 'tasks are not complete: %d active, %d running' % (
                counts.get('active', 0), counts.get('running', 0))
            return UNCHANGED
        if counts.get('completed', 0):
            result['reason'] = 'all %d tasks are complete' % counts['completed']
            return TERMINATE
        created = resource.get('creationTime')
        age = self.clock() - parse_time(created).timestamp() if created else None
        if age is None or age < self.empty_job_grace:
            result['reason'] = ('the job has no tasks and was created %s ago, less than empty_job_grace (%d s)'
                                % ('%d s' % age if age is not None else 'an unknown time', self.empty_job_grace))
            return UNCHANGED
        result['reason'] = 'the job has no tasks and was created %d s ago, more than empty_job_grace (%d s)' % (
            age, self.empty_job_grace)
        return TERMINATE

    def _terminate(self, target, result, resource):
        if self.check_mode:
            # Outside check mode the service evaluates the conditions; here we predict its answer.
            met, why = predict(self.conditions, resource.get('eTag'), resource.get('lastModified'))
            if met is False:
                raise BatchError('HTTP 412 ConditionNotMet (predicted from the %s as read)' % target.kind.name,
                                 status=412, code='ConditionNotMet')
            if met is None:
                result['warning'] = ('Check mode cannot predict whether the conditions would let %s be terminated (%s); '
                                     'it is shown as terminated.' % (target.label(), why))
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
        if current.get('state') not in (target.kind.state_after_terminate, target.kind.settled_state):
            # Still running; a request the service holds may yet apply, so the outcome stays unknown.
            raise err
        result['changed'] = True
        result['state'] = current['state']
        result['request_id'], result['client_request_id'] = err.request_id, err.client_request_id
        return current

    def _wait(self, target, result, resource):
        """Poll until nothing of the resource runs: it is completed, and so are a multi-instance task's subtasks
        and a schedule's current job. One wait_timeout bounds all of it."""
        def fetch():
            try:
                current = self._get(target, wait=True).body or {}
            except BatchError as err:
                if err.status == 404 and err.code in target.kind.not_found_codes:
                    return {'id': target.id, 'state': None}, None
                raise
            if current.get('state') != target.kind.settled_state:
                return current, None
            return current, self._still_running_parts(target, current)

        (last, parts), seconds, finished = self.client.wait_for(
            fetch, lambda pair: pair[0].get('state') in (target.kind.settled_state, None) and _parts_done(pair[1]),
            self.wait_timeout)
        result['waited'], result['wait_seconds'] = True, round(seconds, 3)
        result['state'] = last.get('state')
        if parts is not None:
            result.update(parts)
        if result['state'] is None:
            result['warning'] = '%s was deleted while waiting for it to complete.' % target.label().capitalize()
            return resource
        if not finished:
            raise WaitTimeout(self._still_running(target, last, parts))
        return last

    def _still_running_parts(self, target, current):
        """What of a completed resource may still run: {'subtasks': counts} for a multi-instance task,
        {'recent_job': {id, state}} for a schedule; None when there is nothing more to look at."""
        if target.kind is TASK and current.get('multiInstanceSettings'):
            subtasks = self.client.list_subtasks(target.job_id, target.task_id, select=SUBTASK_SELECT)
            counts = dict.fromkeys(SUBTASK_STATES, 0)
            for subtask in subtasks:
                counts[subtask.get('state')] = counts.get(subtask.get('state'), 0) + 1
            return {'subtasks': counts}
        recent = ((current.get('executionInfo') or {}).get('recentJob') or {}).get('id')
        if target.kind is JOB_SCHEDULE and recent:
            try:
                job_state = self.client.get_job(recent, select='id,state').body.get('state')
            except BatchError as err:
                if err.status != 404 or err.code != 'JobNotFound':
                    raise
                job_state = None  # deleted: it runs no more
            return {'recent_job': {'id': recent, 'state': job_state}}
        return None

    def _still_running(self, target, last, parts):
        """What still runs when wait_timeout ran out."""
        settled = target.kind.settled_state
        if last.get('state') != settled or not parts:
            return "it is '%s'" % last.get('state')
        if 'task_counts' in parts:
            return "it is %s, but %d of its tasks still run" % (settled, parts['task_counts'].get('running', 0))
        if 'recent_job' in parts:
            return "it is completed, but its job '%s' is '%s'" % (parts['recent_job']['id'], parts['recent_job']['state'])
        running = [subtask for subtask in self.client.list_subtasks(target.job_id, target.task_id,
                                                                    select=SUBTASK_SELECT + ',nodeInfo')
                   if subtask.get('state') != 'completed']
        nodes = sorted({(subtask.get('nodeInfo') or {}).get('nodeId') or 'an unknown node' for subtask in running})
        return 'it is completed, but %d of its %d subtasks still run, on %s' % (
            len(running), sum(parts['subtasks'].values()), ', '.join(nodes) or 'no node')

    def _missing(self, target, result, err):
        if not self.ignore_missing:
            raise err
        result['missing'] = True
        result['state'] = None
        result['request_id'], result['client_request_id'] = err.request_id, err.client_request_id
        return None

    def _record_error(self, target, result, err, verb):
        if isinstance(err, WaitTimeout):
            # The request itself was accepted (or its work done before): only the wait fell short.
            settled = target.kind.settled_state
            if not result['changed']:
                done = '%s %s after' % (target.label().capitalize(),
                                        'still runs' if self.action == 'terminate' else 'is not %s' % settled)
            elif self.action == 'terminate':
                done = 'Terminated %s; not %s within' % (target.label(), settled)
            else:
                done = 'Asked to %s %s; not %s within' % (self.action, target.label(), settled)
            msg = '%s wait_timeout (%s s): %s.' % (done, self.wait_timeout, err.message)
        else:
            msg = describe(err, '%s %s' % (verb, target.label()))
        if err.outcome_unknown and not result['changed']:
            msg = msg[:-1] + ('; an answer to the %s request was lost, so the service may have applied it: '
                              'read the %s before trying again.' % (self.action, target.kind.name))
        result['error'] = dict(err.detail(), msg=msg)
        result['failed'] = True
        result['request_id'] = err.request_id or result['request_id']
        result['client_request_id'] = err.client_request_id or result['client_request_id']

    def _get(self, target, wait=False):
        select = target.kind.select if self.whole_resources else target.kind.brief_select
        if wait and not self.whole_resources:
            select = target.kind.wait_select
        if target.kind is TASK:
            return self.client.get_task(target.job_id, target.task_id, select=select)
        if target.kind.name == JOB_SCHEDULE.name:  # the schedule's other state tables too
            return self.client.get_job_schedule(target.job_id, select=select)
        return self.client.get_job(target.job_id, select=select)

    def _post(self, target):
        if target.kind is TASK:
            return self.client.terminate_task(target.job_id, target.task_id, conditions=self.conditions,
                                              client_request_id=self.client_request_id)
        if target.kind is JOB_SCHEDULE:
            return self.client.terminate_job_schedule(target.job_id, force=self.force, conditions=self.conditions,
                                                      client_request_id=self.client_request_id)
        return self.client.terminate_job(target.job_id, reason=self.terminate_reason, force=self.force,
                                         conditions=self.conditions, client_request_id=self.client_request_id)


def _has_parts(resource):
    """Whether a resource, as read, has parts that may run on after it completed."""
    resource = resource or {}
    return bool(resource.get('multiInstanceSettings') or (resource.get('executionInfo') or {}).get('recentJob'))


def _parts_done(parts):
    """True when nothing of a completed resource's parts still runs (no parts: nothing to wait for)."""
    if not parts:
        return True
    if 'subtasks' in parts:
        return all(count == 0 for state, count in parts['subtasks'].items() if state != 'completed')
    if 'task_counts' in parts:
        return not parts['task_counts'].get('running')
    return parts['recent_job']['state'] in ('completed', None)


def summarize(results):
    return {
        'total': len(results),
        'changed': sum(1 for item in results if item['changed']),
        'unchanged': sum(1 for item in results if not item['changed'] and not item.get('failed')),
        'failed': sum(1 for item in results if item.get('failed')),
        'missing': sum(1 for item in results if item.get('missing')),
    }


def build_result(kind, results, single, diff, diff_of=None):
    """The module result for these per-resource results, and the failure sentence if any failed.

    diff_of(results, single) gives the diff when it shows more than the state."""
    plural = kind.name + 's'
    # Per-item entries stay small (500 full tasks would be most of the result); the resource is returned for one id.
    resources = [item.pop(kind.name, None) for item in results]
    result = {'changed': any(item['changed'] for item in results), plural: results, 'summary': summarize(results)}
    if single:
        item = results[0]
        for key in ('state_before', 'state', 'request_id', 'client_request_id', 'waited', 'wait_seconds'):
            result[key] = item[key]
        for key in ('subtasks', 'recent_job', 'task_counts', 'reason', 'before', 'after'):
            if key in item:
                result[key] = item[key]
        result[kind.name] = snake_resource(resources[0])
        if item.get('missing'):
            result['missing'] = True
    else:
        result['waited'] = any(item['waited'] for item in results)
        result['wait_seconds'] = max([item['wait_seconds'] for item in results] or [0.0])
    if diff and diff_of is not None:
        result['diff'] = diff_of(results, single)
    elif diff:
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
        result.update((key, error[key]) for key in ('status', 'error', 'request_id', 'client_request_id') if key in error)
        return result, error['msg']
    shown = '; '.join(item['error']['msg'] for item in failed[:3])
    more = ' (and %d more)' % (len(failed) - 3) if len(failed) > 3 else ''
    return result, 'Could not finish %d of %d %s: %s%s' % (len(failed), len(results), plural, shown, more)
