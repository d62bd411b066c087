# -*- coding: utf-8 -*-
"""What a BatchWatcher knows, saved and loaded (the event source's state_file): a round trip that reports exactly what
changed in between, the file's mode and atomic replacement, and the cases where the first poll is a new baseline."""

import json
import os

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils import batch_watch_state
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import BatchWatcher
from ansible_collections.azure_batch.ops.tests.unit.plugins.module_utils.test_batch_watch import (
    NOW, FakeClient, brief, iso,
)

DIGEST = batch_watch_state.fingerprint({'batch_url': 'https://a.b', 'job_filter': None, 'tasks': True})


def watcher(client):
    return BatchWatcher(client, tasks=True, running_longer_than=3600, clock=lambda: NOW)


def test_a_restarted_watcher_reports_what_changed_in_between(tmp_path):
    path = str(tmp_path / 'state.json')
    client = FakeClient()
    client.jobs = [{'id': 'job-1', 'state': 'active', 'creationTime': iso(NOW - 9000),
                    'executionInfo': {'startTime': iso(NOW - 9000)}},
                   {'id': 'done', 'state': 'completed', 'creationTime': iso(NOW - 9000)}]
    client.tasks = {'job-1': [{'id': 't1', 'state': 'running', 'stateTransitionTime': iso(NOW - 60)}]}
    first = watcher(client)
    assert [e[0] for e in brief(first.poll())] == ['running_longer_than']
    batch_watch_state.save(first, path, DIGEST)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == ['state.json']  # no temporary file left
    client.jobs[0]['state'] = 'terminating'
    client.tasks['job-1'][0]['state'] = 'completed'
    second = watcher(client)
    assert batch_watch_state.load(second, path, DIGEST) is None
    # running_longer_than fired before the restart: not again; the completed job's tasks are not listed.
    client.calls.clear()
    assert brief(second.poll()) == [('state_changed', 'job', 'job-1', None, 'terminating', 'active'),
                                    ('state_changed', 'task', 'job-1', 't1', 'completed', 'running')]
    assert [call[:2] for call in client.calls] == [('jobs', None), ('tasks', 'job-1')]


@pytest.mark.parametrize('content, reason', [
    (None, 'does not exist yet'),
    ('{not json', 'could not be read'),
    (json.dumps({'version': 99}), 'is not a version 1 state file'),
    (json.dumps({'version': 1, 'fingerprint': 'other'}), 'was saved with another batch_url, job_filter'),
    (json.dumps({'version': 1, 'fingerprint': DIGEST, 'jobs': {'j': ['not', 'enough']}}), 'could not be read'),
], ids=['missing', 'not-json', 'version', 'other-settings', 'damaged'])
def test_the_first_poll_is_a_baseline_when_the_file_cannot_be_used(tmp_path, content, reason):
    path = tmp_path / 'state.json'
    if content is not None:
        path.write_text(content)
    client = FakeClient()
    client.jobs = [{'id': 'job-1', 'state': 'active'}]
    fresh = watcher(client)
    message = batch_watch_state.load(fresh, str(path), DIGEST)
    assert reason in message and message.endswith('baseline.')
    assert fresh.poll() == []  # a baseline
