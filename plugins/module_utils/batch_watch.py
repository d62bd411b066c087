# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Batch state as events: list jobs, their tasks and job schedules, and compare each poll with the one before.

Used by the Event-Driven Ansible source azure_batch.ops.batch_events; it needs a BatchClient, not Ansible,
and it is synchronous: the source runs poll() in a thread of its own, and stop() from another thread ends it.
A list that fails keeps what the watcher knew before, and is read again at the next poll, so that every
transition is reported exactly once after the service recovers.
"""

import concurrent.futures
import time

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_time import parse_time
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError, describe
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_resources import snake_resource
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import JOB, TERMINATE
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch_stop import PollStopped, Stopper

# What events carry of each resource: CloudJob, CloudTask and CloudJobSchedule all have these top-level
# properties (2024-02-01.19.0 spec); executionInfo holds the start time, and for tasks the result and exit code.
WATCH_SELECT = 'id,state,stateTransitionTime,creationTime,executionInfo'
# A job counts as running while batch_job_terminate would terminate it.
RUNNING_JOB_STATES = frozenset(state for state, decision in JOB.states.items() if decision == TERMINATE)
# Answers that the next poll would get again: the credential, the request (the user's filter, 400, or a URL too long
# for it, 414) or the endpoint is wrong. 408 and 429 are transient; 404 of a task list is a job deleted meanwhile.
_TRANSIENT_CLIENT_STATUSES = (408, 429)


class Seen:
    """One resource as a successful list showed it. fresh: new (or deleted and created again) since that list."""

    def __init__(self, ids, resource, overdue=False, fresh=False):
        self.ids = ids
        self.resource = resource
        self.state = resource.get('state')
        self.created = resource.get('creationTime')
        self.overdue = overdue  # running_longer_than has fired for it
        self.fresh = fresh


class BatchWatcher:
    """poll() lists what is watched and returns the events since the previous poll."""

    def __init__(self, client, job_filter=None, tasks=False, job_schedules=False, running_longer_than=None,
                 parallelism=8, poll_timeout=None, clock=time.time, warn=None):
        self.client = client
        self.job_filter = job_filter
        self.tasks = tasks
        self.job_schedules = job_schedules
        self.running_longer_than = running_longer_than
        self.parallelism = parallelism
        self.poll_timeout = poll_timeout
        self._clock = clock
        self._warn = warn or (lambda message: None)
        self.stopper = Stopper(client)
        self._pool = None
        # key (lower-cased id: Batch ids are case-insensitive) -> Seen; None until the first list succeeds.
        self.jobs = None
        self.schedules = None
        # job key -> {task key: Seen}: what the next task list of that job is compared with; None: that list is the
        # job's baseline (a job there at the first poll). A job new since the first poll starts with {}: every task
        # of it is new.
        self.job_tasks = {}
        # Completed jobs whose tasks have been listed since they completed: no more task lists for them.
        self.closed = set()

    def poll(self):
        """The events of one poll, jobs first, then tasks, then job schedules. Raises BatchError when polling
        cannot go on (a rejected credential, a bad job_filter); transient failures skip what they hit, and what
        they skipped is read again at the next poll. Raises PollStopped once stop() was called."""
        self.stopper.check()
        now = self._clock()
        deadline = time.monotonic() + self.poll_timeout if self.poll_timeout else None
        events = []
        listed = self._read('list the jobs', lambda: self.client.list_jobs(self.job_filter, select=WATCH_SELECT))
        if listed is not None:
            baseline = self.jobs is None
            self.jobs = self._compare('job', self.jobs, listed, now, lambda job: {'job_id': job['id']}, events)
            if self.tasks:
                self._poll_tasks(baseline, now, events, deadline)
        if self.job_schedules:
            listed = self._read('list the job schedules',
                                lambda: self.client.list_job_schedules(select=WATCH_SELECT))
            if listed is not None:
                self.schedules = self._compare('job_schedule', self.schedules, listed, now,
                                               lambda schedule: {'job_schedule_id': schedule['id']}, events)
        return events

    def stop(self):
        """Called from another thread: end a running poll within moments (sleeps and requests in flight end)."""
        self.stopper.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _poll_tasks(self, baseline, now, events, deadline):
        """One task list per watched job that is not completed, and a last one for a job that completed since its
        last successful task list; the lists run in parallel, and a list that fails is read again next poll."""
        for key in [key for key in self.job_tasks if key not in self.jobs]:
            del self.job_tasks[key]  # a job gone from the list takes its tasks with it; its own event says so
        self.closed &= set(self.jobs)
        wanted = []
        for key, job in self.jobs.items():
            if job.fresh:
                self.job_tasks[key] = {}
                self.closed.discard(key)
            elif baseline:
                if job.state == 'completed':
                    self.closed.add(key)
                else:
                    self.job_tasks[key] = None
            if key not in self.closed:
                wanted.append(key)
        listed = self._read_tasks(wanted, deadline)
        for key in wanted:
            if listed.get(key) is None:
                continue
            job_id = self.jobs[key].ids['job_id']
            seen = self._compare('task', self.job_tasks.get(key), listed[key], now,
                                 lambda task, job_id=job_id: {'job_id': job_id, 'task_id': task['id']}, events)
            if self.jobs[key].state == 'completed':
                self.job_tasks.pop(key, None)
                self.closed.add(key)
            else:
                self.job_tasks[key] = seen

    def _read_tasks(self, keys, deadline):
        """job key -> its tasks (None when that list failed), at most `parallelism` lists at a time."""
        if not keys:
            return {}
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.parallelism,
                                                               thread_name_prefix='batch_events-tasks')
        futures = {}
        for key in keys:
            job_id = self.jobs[key].ids['job_id']
            futures[key] = self._pool.submit(
                self._read, "list the tasks of job '%s'" % job_id,
                lambda job_id=job_id: self.client.list_tasks(job_id, select=WATCH_SELECT), ('JobNotFound',))
        results, late = {}, []
        try:
            for key, future in futures.items():
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    results[key] = future.result(timeout=remaining)
                except concurrent.futures.TimeoutError:
                    future.cancel()
                    late.append(self.jobs[key].ids['job_id'])
                    results[key] = None
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
        if late:
            named = ', '.join(late[:5]) + (', ...' if len(late) > 5 else '')
            self._warn('The poll took longer than poll_timeout (%s s): the tasks of %d job(s) (%s) are listed again at '
                       'the next poll. Polling goes on.' % (self.poll_timeout, len(late), named))
        return results

    def _compare(self, kind, known, listed, now, ids_of, events):
        """Append the events of one list to events; return what it listed, by key. known None: the baseline."""
        current = {}
        for resource in listed:
            key = str(resource.get('id')).lower()
            before = known.get(key) if known is not None else None
            if before is not None and before.created and resource.get('creationTime') and \
                    before.created != resource.get('creationTime'):
                # Deleted and created again with the same id between two polls: the old one is gone, this one is new.
                events.append(_event('state_changed', kind, before.ids, None, before.state, None, None))
                before = None
            seen = Seen(ids_of(resource), resource, overdue=before.overdue if before else False,
                        fresh=known is not None and before is None)
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
        self.stopper.check()
        try:
            return list(call())
        except BatchError as err:
            self.stopper.check()  # a request cut short by stop() is no failure of the service
            if err.status == 404 and err.code in missing_codes:
                return None
            if _fatal(err):
                raise BatchError(self._sentence(err, action), status=err.status, code=err.code,
                                 service_message=err.service_message, values=err.values, request_id=err.request_id,
                                 client_request_id=err.client_request_id) from None
            self._warn('%s Polling goes on.' % describe(err, action))
            return None

    def _sentence(self, err, action):
        sentence = describe(err, action)
        if err.status == 414 and action == 'list the jobs':
            sentence = sentence[:-1] + '; job_filter is too long for the URL of a request: shorten it.'
        return sentence


def _fatal(err):
    """Errors that the next poll would meet again: the credential, the request or the endpoint is wrong."""
    if err.status is None:
        return not err.unreachable  # TLS verification, a credential Microsoft Entra ID rejected
    return 300 <= err.status < 500 and err.status not in _TRANSIENT_CLIENT_STATUSES


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


__all__ = ['BatchWatcher', 'PollStopped', 'WATCH_SELECT']
