# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batch state as events: list jobs, their tasks and job schedules, and compare each poll with the one before.

Used by the Event-Driven Ansible source azure_batch.ops.batch_events; it needs a BatchClient, not Ansible,
and it is synchronous: the source runs poll() in a thread.
"""

import time

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_time import parse_time
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError, describe
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_resources import snake_resource
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import JOB, TERMINATE

# What events carry of each resource: CloudJob, CloudTask and CloudJobSchedule all have these top-level
# properties (2024-02-01.19.0 spec); executionInfo holds the start time, and for tasks the result and exit code.
WATCH_SELECT = 'id,state,stateTransitionTime,creationTime,executionInfo'
# A job counts as running while batch_job_terminate would terminate it.
RUNNING_JOB_STATES = frozenset(state for state, decision in JOB.states.items() if decision == TERMINATE)


class Seen:
    """One resource as the last successful poll listed it."""

    def __init__(self, ids, resource, overdue=False):
        self.ids = ids
        self.resource = resource
        self.state = resource.get('state')
        self.overdue = overdue  # running_longer_than has fired for it


class BatchWatcher:
    """poll() lists what is watched and returns the events since the previous poll."""

    def __init__(self, client, job_filter=None, tasks=False, job_schedules=False, running_longer_than=None,
                 clock=time.time, warn=None):
        self.client = client
        self.job_filter = job_filter
        self.tasks = tasks
        self.job_schedules = job_schedules
        self.running_longer_than = running_longer_than
        self._clock = clock
        self._warn = warn or (lambda message: None)
        # key (lower-cased id: Batch ids are case-insensitive) -> Seen; None until the first list succeeds.
        self._jobs = None
        self._schedules = None
        self._tasks = {}  # job key -> {task key: Seen}, for jobs whose tasks have been listed

    def poll(self):
        """The events of one poll, jobs first, then tasks, then job schedules. Raises BatchError when polling
        cannot go on (a rejected credential, a bad job_filter); transient failures skip what they hit."""
        now = self._clock()
        events = []
        listed = self._read('list the jobs', lambda: self.client.list_jobs(self.job_filter, select=WATCH_SELECT))
        if listed is not None:
            previous = self._jobs
            self._jobs = self._compare('job', previous, listed, now, lambda job: {'job_id': job['id']}, events)
            if self.tasks:
                self._poll_tasks(previous, now, events)
        if self.job_schedules:
            listed = self._read('list the job schedules',
                                lambda: self.client.list_job_schedules(select=WATCH_SELECT))
            if listed is not None:
                self._schedules = self._compare('job_schedule', self._schedules, listed, now,
                                                lambda schedule: {'job_schedule_id': schedule['id']}, events)
        return events

    def _poll_tasks(self, previous_jobs, now, events):
        """One task list per watched job that is not completed, and a last one for a job that just completed."""
        for key, job in self._jobs.items():
            before = previous_jobs.get(key) if previous_jobs is not None else None
            if job.state == 'completed' and (previous_jobs is None or (before is not None and before.state == 'completed')):
                self._tasks.pop(key, None)
                continue
            known = self._tasks.get(key)
            if known is None and previous_jobs is not None and before is None:
                known = {}  # the job appeared after the baseline, so every task of it is new
            job_id = job.ids['job_id']
            listed = self._read("list the tasks of job '%s'" % job_id,
                                lambda job_id=job_id: self.client.list_tasks(job_id, select=WATCH_SELECT),
                                missing_codes=('JobNotFound',))
            if listed is None:
                continue
            seen = self._compare('task', known, listed, now,
                                 lambda task, job_id=job_id: {'job_id': job_id, 'task_id': task['id']}, events)
            if job.state == 'completed':
                self._tasks.pop(key, None)
            else:
                self._tasks[key] = seen
        # A job gone from the list takes its tasks with it; its own event says so.
        for key in [key for key in self._tasks if key not in self._jobs]:
            del self._tasks[key]

    def _compare(self, kind, known, listed, now, ids_of, events):
        """Append the events of one list to events; return what it listed, by key. known None: the baseline."""
        current = {}
        for resource in listed:
            key = str(resource.get('id')).lower()
            before = known.get(key) if known is not None else None
            seen = Seen(ids_of(resource), resource, overdue=before.overdue if before else False)
            current[key] = seen
            if known is not None and (before is None or before.state != seen.state):
                events.append(_event('state_changed', kind, seen.ids, seen.state, before.state if before else None,
                                     _seconds_since(resource.get('stateTransitionTime'), now), resource))
            started = self._running_since(kind, resource)
            if started is not None and not seen.overdue and now - started > self.running_longer_than:
                seen.overdue = True
                events.append(_event('running_longer_than', kind, seen.ids, seen.state, None,
                                     round(now - started, 1), resource))
        for key, before in (known or {}).items():
            if key not in current:
                events.append(_event('state_changed', kind, before.ids, None, before.state, None, None))
        return current

    def _running_since(self, kind, resource):
        """When the resource started running (epoch seconds), if running_longer_than applies to it."""
        if not self.running_longer_than:
            return None
        if kind == 'job' and resource.get('state') in RUNNING_JOB_STATES:
            since = (resource.get('executionInfo') or {}).get('startTime')
        elif kind == 'task' and resource.get('state') == 'running':
            since = resource.get('stateTransitionTime')
        else:
            return None
        return _epoch(since)

    def _read(self, action, call, missing_codes=()):
        """Every item of one list, or None when a transient failure (already retried by the client) skipped it."""
        try:
            return list(call())
        except BatchError as err:
            if err.status == 404 and err.code in missing_codes:
                return None
            if _fatal(err):
                raise BatchError(describe(err, action), status=err.status, code=err.code,
                                 service_message=err.service_message, values=err.values, request_id=err.request_id,
                                 client_request_id=err.client_request_id) from None
            self._warn('%s Polling goes on.' % describe(err, action))
            return None


def _fatal(err):
    """Errors that the next poll would meet again: the credential, the request or the endpoint is wrong."""
    if err.status is None:
        return not err.unreachable  # TLS verification, a token that could not be had
    return err.status in (400, 401, 403, 404) or 300 <= err.status < 400


def _event(name, kind, ids, state, previous_state, seconds, resource):
    body = {'event': name, 'kind': kind}
    body.update(ids)
    body.update({'state': state, 'previous_state': previous_state, 'seconds': seconds,
                 'resource': snake_resource(resource)})
    return {'batch': body}


def _epoch(value):
    if not value:
        return None
    try:
        return parse_time(value).timestamp()
    except ValueError:
        return None


def _seconds_since(value, now):
    """Seconds from a service timestamp to the local clock; never negative (the two clocks may differ a little)."""
    since = _epoch(value)
    return None if since is None else round(max(0.0, now - since), 1)
