# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
---
short_description: Events from the state of Azure Batch jobs, tasks and job schedules
description:
  - An ansible-rulebook event source, C(azure_batch.ops.batch_events), that polls an Azure Batch account and puts
    an event on the queue for every change of state it sees, and once for every job or task running longer than
    O(running_longer_than).
  - Each event is a dict under the key C(batch) with C(event) (V(state_changed) or V(running_longer_than)),
    C(kind) (V(job), V(task) or V(job_schedule)), C(job_id) (jobs and tasks), C(task_id) (tasks),
    C(job_schedule_id) (job schedules), C(state), C(previous_state), C(seconds) and C(resource).
  - The first poll sets a baseline and emits no V(state_changed) event. After it, a resource whose state differs
    from the previous poll, or that is new, gives one V(state_changed) event; C(previous_state) is the state at the
    previous poll (V(null) for a new one). States passed through between two polls are not seen.
  - A resource that is no longer listed gives V(state_changed) with C(state) V(null). With a O(job_filter) on state,
    that includes a job that no longer matches the filter. The tasks of a job that is no longer listed are
    dropped without events of their own.
  - V(running_longer_than) fires once per resource, for jobs the modules would terminate (active, disabling, disabled,
    enabling) counting from C(executionInfo.startTime), and for running tasks counting from C(stateTransitionTime).
  - C(seconds) is how long the resource has been in C(state), or running for V(running_longer_than), by the clock of
    the host that runs the source; V(null) when the resource is gone.
  - C(resource) is the resource as listed, with snake_case keys - C(id), C(state), C(state_transition_time),
    C(creation_time) and C(execution_info) (for tasks it holds C(result), C(exit_code) and C(failure_info)).
  - A poll costs one list request (and its pages) for the jobs, one for the job schedules when O(job_schedules) is
    set, and with O(tasks) one per watched job that is not completed (O(parallelism) at a time), each with
    C($select) of those five properties.
  - A job or task deleted and created again with the same id (its C(creationTime) differs) is a new one - a
    V(state_changed) with C(state) V(null) for the old one, one with C(previous_state) V(null) for the new one - and
    its V(running_longer_than) fires again. A job new since the first poll brings every task of it as new.
  - Requests are retried like the modules' (O(retries), honouring C(Retry-After)). A list that still fails (a Batch
    or Microsoft Entra ID outage, a timeout) is logged and skipped; what the source knew is kept and the list is read
    again at the next poll, so every change is still reported, once. A credential the service or Entra ID rejects, a
    bad option, or a filter the service refuses (400, or 414 for one too long) ends the source with one sentence
    saying why. No secret is logged.
  - The connection and authentication options are those of the modules, with the same environment variables (see
    the azure_batch.ops.auth documentation fragment and docs/auth.md); O(client_request_id) is not one of them.
author:
  - azure_batch.ops contributors (@azure-batch-ops)
version_added: 1.1.0
extends_documentation_fragment:
  - azure_batch.ops.auth
options:
  interval:
    description:
      - Seconds between the end of one poll and the start of the next, at least 1.
    type: float
    default: 30
  job_filter:
    description:
      - An OData C($filter) choosing the jobs to watch, for example V(startswith(id,'nightly-')). By default (or when
        empty) every job.
    type: str
  tasks:
    description:
      - Also watch the tasks of the watched jobs that are not completed.
    type: bool
    default: false
  job_schedules:
    description:
      - Also watch the job schedules of the account.
    type: bool
    default: false
  running_longer_than:
    description:
      - Seconds after which a running job or task gives one V(running_longer_than) event.
    type: int
  parallelism:
    description:
      - How many task lists (one per watched job, with O(tasks)) are read at the same time, from 1 to 64.
    type: int
    default: 8
    version_added: 1.2.0
  poll_timeout:
    description:
      - Seconds one poll may take, retries included. Task lists not read by then are read at the next poll (what
        the source knew of those jobs' tasks is kept), with a warning. By default four times O(request_timeout).
    type: float
    version_added: 1.2.0
  state_file:
    description:
      - A file where the source saves what it knows after each poll, and which it reads at start, so that a
        restarted source reports the changes that happened while it was down instead of taking a new baseline.
      - Written atomically (a temporary file renamed over it), readable by its owner only. Knowledge saved with
        another O(batch_url), O(job_filter), O(tasks), O(job_schedules) or O(running_longer_than) is not used; the
        first poll is then a new baseline, and the log says so.
      - The directory must exist and be writable. In Event-Driven Ansible controller, put it on a volume that
        outlives the activation's container.
    type: path
    version_added: 1.2.0
notes:
  - Requires C(requests), C(azure-identity) for Microsoft Entra ID, and ansible-core (for argument checking) in the
    decision environment. docs/eda.md has a decision environment definition.
'''

EXAMPLES = r'''
- name: Stop Batch jobs that run too long
  hosts: localhost
  sources:
    - azure_batch.ops.batch_events:
        # batch_url and the credential come from AZURE_BATCH_ENDPOINT, AZURE_BATCH_ACCOUNT and
        # AZURE_BATCH_ACCESS_KEY (or the Microsoft Entra ID variables), which an EDA credential injects.
        interval: 60
        running_longer_than: 14400
  rules:
    - name: Terminate a job running longer than four hours
      condition: event.batch.event == "running_longer_than" and event.batch.kind == "job"
      action:
        run_module:
          name: azure_batch.ops.batch_job_terminate
          module_args:
            job_id: "{{ event.batch.job_id }}"
            terminate_reason: RanTooLong

- name: React to failed tasks
  hosts: localhost
  sources:
    - azure_batch.ops.batch_events:
        batch_url: https://myaccount.westeurope.batch.azure.com
        auth_source: msi
        job_filter: "startswith(id,'pipeline-')"
        tasks: true
  rules:
    - name: A task failed
      condition: >-
        event.batch.kind == "task" and event.batch.state == "completed"
        and event.batch.resource.execution_info.result == "failure"
      action:
        debug:
          msg: "Task {{ event.batch.task_id }} of job {{ event.batch.job_id }} failed"
'''

import asyncio
import concurrent.futures
import importlib.util
import logging
import math
import os
import sys


def _find_collection():
    """ansible-rulebook runs this file by its path, and the directory a decision environment installs collections
    into is not on sys.path: add the one this file is in, <root>/ansible_collections/azure_batch/ops/extensions/..."""
    if importlib.util.find_spec('ansible_collections') is not None:
        try:
            if importlib.util.find_spec('ansible_collections.azure_batch.ops') is not None:
                return
        except ImportError:
            pass
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *['..'] * 7))
    if os.path.isdir(os.path.join(root, 'ansible_collections', 'azure_batch', 'ops')) and root not in sys.path:
        sys.path.insert(0, root)


_find_collection()

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_connection import (
    build_client, check_connection, shared_argument_spec,
)
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import CredentialError
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_errors import redact
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_validation import InputError, check_range
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import BatchWatcher, PollStopped
from ansible_collections.azure_batch.ops.plugins.module_utils import batch_watch_state

LOGGER = logging.getLogger('azure_batch.ops.batch_events')

SOURCE_OPTIONS = dict(
    interval=dict(type='float', default=30.0),
    job_filter=dict(type='str'),
    tasks=dict(type='bool', default=False),
    job_schedules=dict(type='bool', default=False),
    running_longer_than=dict(type='int'),
    parallelism=dict(type='int', default=8),
    poll_timeout=dict(type='float'),
    state_file=dict(type='path'),
)
# Numeric options and the range each must be in (NaN and infinity are refused too).
NUMBER_RANGES = (('interval', 1, None), ('running_longer_than', 1, None), ('parallelism', 1, 64),
                 ('poll_timeout', 1, None), ('request_timeout', 1, 600), ('server_timeout', 1, 30),
                 ('retries', 0, 10))
# How many times request_timeout a poll may take, unless poll_timeout says otherwise.
POLL_TIMEOUT_FACTOR = 4
# Options of the modules that mean nothing here: the source sends no terminate request.
NOT_SOURCE_OPTIONS = ('client_request_id',)
# Added by ansible-rulebook to every source's arguments when it has a feedback queue.
RULEBOOK_ARGUMENTS = ('eda_feedback_queue',)


class SourceArgumentError(ValueError):
    """A bad argument of the source; the message names it and what is allowed."""


def argument_spec():
    spec = {name: value for name, value in shared_argument_spec().items() if name not in NOT_SOURCE_OPTIONS}
    spec.update(SOURCE_OPTIONS)
    return spec


def check_arguments(args, environ=None):
    """The checked options, the Batch endpoint and the credential plan; SourceArgumentError before any request."""
    spec = argument_spec()
    # Empty means unset, as for the modules' environment variables: a rulebook passes an optional variable as
    # "{{ batch_ca_path | default('') }}".
    given = {name: value for name, value in (args or {}).items()
             if name not in RULEBOOK_ARGUMENTS and not (value == '' and spec.get(name, {}).get('type') != 'bool')}
    result = ArgumentSpecValidator(spec).validate(given)
    problems = [str(error).rstrip('.') for error in result.errors.errors if not isinstance(error, UnsupportedError)]
    if result.unsupported_parameters:
        problems.insert(0, 'unknown option %s (the options are %s)' % (
            ', '.join(sorted(result.unsupported_parameters)), ', '.join(sorted(spec))))
    if problems:
        raise SourceArgumentError('azure_batch.ops.batch_events: %s.' % '; '.join(problems))
    options = result.validated_parameters
    options['job_filter'] = (options['job_filter'] or '').strip() or None
    try:
        for name, low, high in NUMBER_RANGES:
            check_number(name, options[name], low, high)
        batch_url, credentials = check_connection(options, environ)
        check_state_file(options['state_file'])
    except (InputError, CredentialError) as exc:
        raise SourceArgumentError('azure_batch.ops.batch_events: %s' % exc) from None
    if credentials.source != 'shared_key' and importlib.util.find_spec('azure.identity') is None:
        raise SourceArgumentError('azure_batch.ops.batch_events: auth_source %s needs the Python library azure-identity '
                                  'in the decision environment.' % credentials.source)
    return options, batch_url, credentials


def check_number(name, value, low, high=None):
    """check_range, and NaN or infinity (which no comparison refuses) named as what they are."""
    if isinstance(value, float) and not math.isfinite(value):
        allowed = 'from %s to %s' % (low, high) if high is not None else 'at least %s' % low
        raise InputError('%s must be a number %s; got %s.' % (name, allowed, value))
    check_range(name, value, low, high)


def check_state_file(path):
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not (os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)):
        raise InputError('state_file must name a file in an existing directory the source can write to; got %r.' % path)


def _log_retry(event):
    LOGGER.info('Batch %s %s: %s; retry %d in %.1f s.', event['method'], event['path'],
                'HTTP %s' % event['status'] if event['status'] else redact(str(event['error'])),
                event['attempt'], event['delay'])


async def main(queue, args):
    """Poll the Batch account every `interval` seconds and put the events of each poll on the queue."""
    options, batch_url, credentials = check_arguments(args)
    if options['validate_certs'] is False:
        LOGGER.warning('validate_certs is false: the TLS certificate of %s is not verified.', batch_url)
    poll_timeout = options['poll_timeout'] or POLL_TIMEOUT_FACTOR * options['request_timeout']
    client = build_client(batch_url, credentials, options, pool_size=options['parallelism'], on_event=_log_retry)
    # No single request (retries and back-off included) may outlast the poll.
    client.retry_budget = min(client.retry_budget, poll_timeout)
    watcher = BatchWatcher(client, job_filter=options['job_filter'], tasks=options['tasks'],
                           job_schedules=options['job_schedules'], running_longer_than=options['running_longer_than'],
                           parallelism=options['parallelism'], poll_timeout=poll_timeout, warn=LOGGER.warning)
    state_file, digest = options['state_file'], _fingerprint(options, batch_url)
    if state_file:
        problem = batch_watch_state.load(watcher, state_file, digest)
        LOGGER.info('%s', problem or 'state_file %s loaded: changes since it was saved are reported.' % state_file)
    # The client blocks (requests, retries with back-off sleeps): it runs in a thread of the source's own, which
    # watcher.stop() ends when the activation is cancelled.
    worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix='batch_events-poll')
    loop = asyncio.get_running_loop()
    try:
        while True:
            events = await loop.run_in_executor(worker, watcher.poll)
            for event in events:
                await queue.put(event)
            if state_file:
                await loop.run_in_executor(worker, _save, watcher, state_file, digest)
            await asyncio.sleep(options['interval'])
    except PollStopped:
        return
    finally:
        watcher.stop()
        worker.shutdown(wait=False, cancel_futures=True)
        watcher.close()
        client.close()


def _save(watcher, path, digest):
    try:
        batch_watch_state.save(watcher, path, digest)
    except OSError as exc:
        LOGGER.warning('Could not write state_file %s (%s); polling goes on.', path, exc)


def _fingerprint(options, batch_url):
    return batch_watch_state.fingerprint({'batch_url': batch_url.lower(), 'job_filter': options['job_filter'],
                                          'tasks': options['tasks'], 'job_schedules': options['job_schedules'],
                                          'running_longer_than': options['running_longer_than']})


if __name__ == '__main__':
    class _PrintQueue:
        """Print the events instead of handing them to rules: python batch_events.py, with the AZURE_BATCH_* variables set."""

        async def put(self, event):
            print(event)  # noqa: T201

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), {'interval': 10, 'tasks': True}))
