# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make jobs end by themselves: set onAllTasksComplete and constraints.maxWallClockTime with a PATCH.

Beside the terminate runner and sharing its pieces: the same Target, bulk reads, state tables (ResourceKind) and
result building. Read -> decide -> (check mode: stop) -> PATCH with If-Match of the ETag read; a 412 means someone
changed the resource meanwhile, so it is read again and decided again (bounded).
"""

import re

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_time import parse_time
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import BatchError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_terminate import (
    BRIEF_SELECT, JOB, JOB_SCHEDULE, UNCHANGED, UNCHANGED_WARN, ResourceKind, TerminateRunner)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError

PATCH = 'patch'
ALREADY_SET = 'unchanged: the values are already set'
ATTEMPTS = 3  # reads and PATCHes per resource when others keep changing it (412)
ON_ALL_TASKS_COMPLETE = {'terminate_job': 'terminatejob', 'no_action': 'noaction'}
_WIRE_TO_OPTION = {wire: option for option, wire in ON_ALL_TASKS_COMPLETE.items()}
# The service's "no limit" is the largest .NET TimeSpan (P10675199DT2H48M5.4775807S).
UNLIMITED_SECONDS = 10675199 * 86400
_DURATION = re.compile(r'\AP(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?\Z')
_ENDING = {'terminating': UNCHANGED, 'completed': UNCHANGED, 'deleting': UNCHANGED_WARN}
_REASONS = {'terminating': 'it is already terminating', 'completed': 'it is already completed',
            'deleting': 'it is being deleted'}

PATCH_JOB = ResourceKind(
    'job',
    states=dict(_ENDING, **dict.fromkeys(('active', 'disabling', 'disabled', 'enabling'), PATCH)),
    # Which codes Job - Patch answers for an ending job is not documented; those of Job - Terminate are taken.
    conflicts=JOB.conflicts, state_after_terminate=None, not_found_codes=JOB.not_found_codes,
    select=BRIEF_SELECT + ',creationTime,onAllTasksComplete,constraints',
    brief_select=BRIEF_SELECT + ',creationTime,onAllTasksComplete,constraints',
    reasons=_REASONS,
)

PATCH_JOB_SCHEDULE = ResourceKind(
    'job_schedule',
    states=dict(_ENDING, active=PATCH, disabled=PATCH),
    conflicts=JOB_SCHEDULE.conflicts, state_after_terminate=None, not_found_codes=JOB_SCHEDULE.not_found_codes,
    # Job Schedule - Patch replaces the whole jobSpecification, so all of it is read and sent back.
    select=BRIEF_SELECT + ',jobSpecification', brief_select=BRIEF_SELECT + ',jobSpecification',
    reasons=_REASONS,
)


def duration_seconds(value):
    """Seconds of an ISO 8601 duration in the service's form (days, hours, minutes, seconds), or None."""
    match = _DURATION.match(str(value or ''))
    if match is None or value == 'P':
        return None
    days, hours, minutes, seconds = (float(part or 0) for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def check_duration(option, value):
    """A duration option (ISO 8601 such as PT2H, or whole seconds) as the ISO 8601 text the service takes."""
    text = str(value).strip()
    if text.isdigit():
        seconds = int(text)
    else:
        parsed = duration_seconds(text.upper())
        if parsed is None:
            raise InputError('%s must be an ISO 8601 duration such as PT2H or P1DT30M, or a number of seconds; got %r.'
                             % (option, value))
        seconds = parsed
    if seconds <= 0:
        raise InputError('%s must be longer than zero; got %r.' % (option, value))
    return iso_duration(seconds)


def iso_duration(seconds):
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    secs += seconds - int(seconds)
    text = 'P%s' % ('%dD' % days if days else '')
    clock = ''.join('%s%s' % (('%g' % amount) if unit == 'S' else int(amount), unit)
                    for amount, unit in ((hours, 'H'), (minutes, 'M'), (secs, 'S')) if amount)
    return text + ('T' + clock if clock else '') if (days or clock) else 'PT0S'


class PatchRunner(TerminateRunner):
    """Runs read -> decide -> (check mode: stop) -> PATCH for many targets; results as the terminate runner's, plus
    before, after and reason.

    wanted: {'on_all_tasks_complete': 'terminate_job'|'no_action', 'max_wall_clock_time': ISO 8601}, set ones only.
    """

    action = 'change'

    def __init__(self, client, wanted, allow_elapsed=False, **kwargs):
        super().__init__(client, wait=False, **kwargs)
        self.wanted = wanted
        self.allow_elapsed = allow_elapsed

    def _run(self, target, result):
        resource = target.resource
        maybe_ours = False  # a PATCH whose answer was lost may have applied
        for attempt in range(1, ATTEMPTS + 1):
            if resource is None:
                resource = self._read(target, result)
                if resource is None:
                    return None
            decision = self._decide(target, result, resource)
            if decision != PATCH:
                result['changed'] = maybe_ours and decision == ALREADY_SET
                result[target.kind.name] = resource
                return None
            if self.check_mode:
                result['changed'] = True
                result[target.kind.name] = resource
                return None
            try:
                response = self._patch(target, resource)
            except BatchError as err:
                if err.status == 412 and attempt < ATTEMPTS:
                    maybe_ours = maybe_ours or err.outcome_unknown
                    resource = None  # changed meanwhile: read again, decide again
                    continue
                if err.status == 409 and err.code in target.kind.conflicts:
                    return self._conflict(target, result, err, resource)
                if err.status == 404 and err.code in target.kind.not_found_codes:
                    return self._missing(target, result, err)
                raise
            result['changed'] = True
            result['request_id'], result['client_request_id'] = response.request_id, response.client_request_id
            result[target.kind.name] = dict(resource, eTag=response.etag or resource.get('eTag'))
            return None
        return None

    def _decide(self, target, result, resource):
        state = resource.get('state')
        result['state_before'] = result['state'] = state
        current = _current(target.kind, resource)
        result['before'] = current
        result['after'] = dict(current, **self.wanted)
        decision = target.kind.states.get(state)
        if decision is None:
            raise BatchError("%s is in state '%s', which this collection does not know; nothing was done"
                             % (target.label().capitalize(), state))
        if decision != PATCH:
            result['after'] = dict(current)
            result['reason'] = target.kind.reasons.get(state)
            if decision == UNCHANGED_WARN:
                result['warning'] = '%s is being deleted; it was not changed.' % target.label().capitalize()
            return decision
        if result['after'] == current:
            result['reason'] = 'the values are already set'
            return ALREADY_SET
        if current['on_all_tasks_complete'] == 'terminate_job' and result['after']['on_all_tasks_complete'] == 'no_action' \
                and target.kind is PATCH_JOB:
            raise BatchError("%s ends by itself when its tasks complete (on_all_tasks_complete terminate_job), which the "
                             "service does not allow to turn back to no_action" % target.label().capitalize())
        self._check_elapsed(target, resource, result['after'])
        result['reason'] = 'changed %s' % ', '.join(sorted(key for key in current if current[key] != result['after'][key]))
        return PATCH

    def _check_elapsed(self, target, resource, after):
        """A job's wall-clock limit counts from its creation: one already passed makes the service end the job at once."""
        limit = duration_seconds(after.get('max_wall_clock_time'))
        if target.kind is not PATCH_JOB or limit is None or self.allow_elapsed or not resource.get('creationTime'):
            return
        age = self.clock() - parse_time(resource['creationTime']).timestamp()
        if age >= limit:
            raise BatchError('max_wall_clock_time %s has already passed for %s, created %d s ago, so the service would '
                             'terminate it at once; set allow_elapsed=true to do that.'
                             % (after['max_wall_clock_time'], target.label(), age))

    def _patch(self, target, resource):
        conditions = {'If-Match': resource['eTag']} if resource.get('eTag') else None
        wanted = self.wanted
        if target.kind is PATCH_JOB:
            body = _job_properties({}, resource, wanted)
            return self.client.patch_job(target.job_id, body, conditions=conditions,
                                         client_request_id=self.client_request_id)
        spec = _job_properties(dict(resource.get('jobSpecification') or {}), resource.get('jobSpecification') or {}, wanted)
        return self.client.patch_job_schedule(target.job_id, {'jobSpecification': spec}, conditions=conditions,
                                              client_request_id=self.client_request_id)

    def _conflict(self, target, result, err, resource):
        decision, implied_state = target.kind.conflicts[err.code]
        result['state'] = implied_state or result['state']
        result['after'] = dict(result['before'])
        result['reason'] = _REASONS.get(implied_state)
        result['changed'] = err.outcome_unknown
        if decision == UNCHANGED_WARN:
            result['warning'] = '%s was not changed: %s.' % (target.label().capitalize(), err.message)
        result[target.kind.name] = dict(resource, state=result['state'])


def _current(kind, resource):
    source = resource if kind is PATCH_JOB else (resource.get('jobSpecification') or {})
    limit = (source.get('constraints') or {}).get('maxWallClockTime')
    seconds = duration_seconds(limit)
    return {'on_all_tasks_complete': _WIRE_TO_OPTION.get(source.get('onAllTasksComplete') or 'noaction'),
            'max_wall_clock_time': None if seconds is None or seconds >= UNLIMITED_SECONDS else iso_duration(seconds)}


def _job_properties(body, source, wanted):
    """onAllTasksComplete and constraints into body; a constraints object replaces the old one, so the others it had
    are sent back."""
    if 'on_all_tasks_complete' in wanted:
        body['onAllTasksComplete'] = ON_ALL_TASKS_COMPLETE[wanted['on_all_tasks_complete']]
    if 'max_wall_clock_time' in wanted:
        body['constraints'] = dict(source.get('constraints') or {}, maxWallClockTime=wanted['max_wall_clock_time'])
    return body


def patch_diff(results, single):
    """Diff mode: the two fields before and after, per resource (by id) or for the one resource."""
    if single:
        return {'before': results[0].get('before') or {}, 'after': results[0].get('after') or {}}
    return {'before': {item['id']: item.get('before') for item in results},
            'after': {item['id']: item.get('after') for item in results}}
