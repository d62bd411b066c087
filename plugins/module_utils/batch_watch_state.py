# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a BatchWatcher knows, saved to a file after each poll and loaded at start, so that a restarted event
source reports what changed while it was down instead of taking a new baseline.

The file is JSON: {"version": 1, "fingerprint": ..., "jobs", "job_tasks", "closed", "schedules"}; each resource is
kept as [ids, state, creationTime, overdue]. It is written to a temporary file in the same directory (mode 0600) and
renamed over the old one, so a crash leaves the old file or the new one, never half of one.
"""

import hashlib
import json
import os
import tempfile

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import Seen

VERSION = 1


def fingerprint(settings):
    """A digest of the settings that decide what is watched; knowledge saved under other settings is not used."""
    text = json.dumps(settings, sort_keys=True, separators=(',', ':'), default=str)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def save(watcher, path, digest):
    state = {'version': VERSION, 'fingerprint': digest, 'jobs': _dump(watcher.jobs),
             'job_tasks': {key: _dump(tasks) for key, tasks in watcher.job_tasks.items()},
             'closed': sorted(watcher.closed), 'schedules': _dump(watcher.schedules)}
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=folder)  # mode 0600
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            json.dump(state, stream, separators=(',', ':'))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def load(watcher, path, digest):
    """Restore what was saved; return None when it was, else why not (a sentence for the log)."""
    try:
        with open(path, encoding='utf-8') as stream:
            state = json.load(stream)
    except FileNotFoundError:
        return 'state_file %s does not exist yet: the first poll is the baseline.' % path
    except (OSError, ValueError) as exc:
        return 'state_file %s could not be read (%s): the first poll is the baseline.' % (path, exc)
    if not isinstance(state, dict) or state.get('version') != VERSION:
        return 'state_file %s is not a version %d state file: the first poll is the baseline.' % (path, VERSION)
    if state.get('fingerprint') != digest:
        return ('state_file %s was saved with another batch_url, job_filter, tasks, job_schedules or '
                'running_longer_than: the first poll is a new baseline.' % path)
    try:
        jobs = _load(state.get('jobs'))
        job_tasks = {key: _load(tasks) for key, tasks in (state.get('job_tasks') or {}).items()}
        closed = set(state.get('closed') or ())
        schedules = _load(state.get('schedules'))
    except (TypeError, ValueError, KeyError) as exc:
        return 'state_file %s could not be read (%s): the first poll is the baseline.' % (path, exc)
    watcher.jobs, watcher.job_tasks, watcher.closed, watcher.schedules = jobs, job_tasks, closed, schedules
    return None


def _dump(known):
    if known is None:
        return None
    return {key: [seen.ids, seen.state, seen.created, seen.overdue] for key, seen in known.items()}


def _load(saved):
    if saved is None:
        return None
    known = {}
    for key, (ids, state, created, overdue) in saved.items():
        resource = {'state': state}
        if created:
            resource['creationTime'] = created
        known[key] = Seen(dict(ids), resource, overdue=bool(overdue))
    return known
