# -*- coding: utf-8 -*-
"""The collection's rulebooks run by a real ansible-rulebook (tests/eda/requirements.txt) against the emulator:
the event source azure_batch.ops.batch_events sees the jobs, and run_module azure_batch.ops.batch_job_terminate
terminates them.

Run by `make eda`, which starts the emulator (python -m tests.emulator run) and sets JAVA_HOME for drools.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import SharedKeyAuth
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import WATCH_SELECT
from ansible_collections.azure_batch.ops.tests.emulator.admin_client import AdminClient

COLLECTIONS_ROOT = Path(__file__).resolve().parents[5]  # .../collections/ansible_collections/azure_batch/ops/tests/eda
VENV_BIN = Path(sys.executable).parent
STARTUP = 240  # seconds for the JVM, drools and the first ansible-playbook run on a busy machine
QUIET = 8  # seconds without an action running after which no more actions are queued


@pytest.fixture(scope='module')
def emulator():
    env = os.environ
    if 'BATCH_EMULATOR_URL' not in env:
        pytest.fail('Run these tests with make eda: they need the emulator that python -m tests.emulator run starts.')
    admin = AdminClient(env['BATCH_EMULATOR_URL'], env['BATCH_EMULATOR_CA'])
    client = BatchClient(env['BATCH_EMULATOR_URL'], SharedKeyAuth(env['BATCH_EMULATOR_ACCOUNT'], env['BATCH_EMULATOR_KEY']),
                         verify=env['BATCH_EMULATOR_CA'])
    yield {'url': env['BATCH_EMULATOR_URL'], 'ca': env['BATCH_EMULATOR_CA'], 'account': env['BATCH_EMULATOR_ACCOUNT'],
           'key': env['BATCH_EMULATOR_KEY'], 'admin': admin, 'client': client}
    client.close()
    admin.close()


@pytest.fixture
def rulebook(emulator, tmp_path):
    """rulebook(name, variables, key=None, verbose=False) -> a started ansible-rulebook; .output() and .stop() on it."""
    started = []

    def start(name, variables, key=None, verbose=False, connection_in_vars=False):
        inventory = tmp_path / 'inventory.yml'
        inventory.write_text(yaml.safe_dump({'all': {'hosts': {'localhost': {
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
        variables_file = tmp_path / 'vars.yml'
        variables_file.write_text(yaml.safe_dump(variables))
        # The connection as an EDA credential injects it; nothing on PYTHONPATH, so the source must find the
        # collection's module_utils the way it does in a decision environment.
        env = {name: value for name, value in os.environ.items()
               if not name.startswith(('BATCH_EMULATOR_', 'AZURE_', 'ANSIBLE_')) and name != 'PYTHONPATH'}
        env.update({'AZURE_BATCH_ENDPOINT': emulator['url'], 'AZURE_BATCH_ACCOUNT': emulator['account'],
                    'AZURE_BATCH_ACCESS_KEY': key or emulator['key'], 'REQUESTS_CA_BUNDLE': emulator['ca'],
                    'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS_ROOT), 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
                    'HOME': str(tmp_path), 'PATH': '%s:%s' % (VENV_BIN, env.get('PATH', ''))})
        if connection_in_vars:
            # Only the rulebook's variables say where the service is and which CA to trust.
            for variable in ('AZURE_BATCH_ENDPOINT', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'CURL_CA_BUNDLE'):
                env.pop(variable, None)
        log = tmp_path / ('%s.log' % name)
        with open(log, 'wb') as handle:
            process = subprocess.Popen(  # pylint: disable=consider-using-with
                [str(VENV_BIN / 'ansible-rulebook'), '--rulebook', 'azure_batch.ops.%s' % name, '-i', str(inventory),
                 '--vars', str(variables_file)] + (['-vv'] if verbose else ['--print-events']),
                cwd=str(tmp_path), env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        run = Run(process, log)
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop()


class Run:
    def __init__(self, process, log):
        self.process = process
        self.log = log

    def output(self):
        return self.log.read_text(errors='replace')

    def actions_running(self):
        """Whether an action runs: a play started and not ended, or a process started by ansible-rulebook (the
        ansible-playbook of run_module, which ansible-runner starts in a session of its own)."""
        output = self.output()
        if output.count('PLAY [') > output.count('PLAY RECAP'):
            return True
        parents = {}
        for stat in Path('/proc').glob('[0-9]*/stat'):
            try:
                parents[int(stat.parent.name)] = int(stat.read_text().rsplit(')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
        return any(parent == self.process.pid for parent in parents.values())

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


def ago(seconds):
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=seconds)
    return when.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def wait_until(check, run, timeout=STARTUP):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if run.process.poll() is not None:
            pytest.fail('ansible-rulebook ended (exit code %s) before the test saw what it waited for:\n%s'
                        % (run.process.returncode, run.output()[-6000:]))
        time.sleep(0.5)
    pytest.fail('Not seen within %d s; ansible-rulebook said:\n%s' % (timeout, run.output()[-6000:]))


def wait_until_quiet(run):
    """ansible-rulebook runs the actions of one ruleset one after another: wait until none has run for a while."""
    quiet_since = [time.monotonic()]

    def quiet():
        if run.actions_running():
            quiet_since[0] = time.monotonic()
        return time.monotonic() - quiet_since[0] > QUIET

    wait_until(quiet, run, 180)


def job_states(admin, prefix):
    return {job['id']: job['state'] for job in admin.jobs() if job['id'].startswith(prefix)}


def terminates(admin, prefix):
    return sorted(entry['path'] for entry in admin.requests()
                  if entry['method'] == 'POST' and entry['path'].startswith('/jobs/' + prefix))


def test_terminate_overdue_terminates_only_the_job_past_its_limit(emulator, rulebook):
    admin = emulator['admin']
    prefix = 'overdue-'
    admin.add_job(prefix + 'render', 'active', creationTime=ago(3 * 3600))
    admin.add_job(prefix + 'fresh', 'active', creationTime=ago(60))
    admin.add_job(prefix + 'finished', 'completed', creationTime=ago(3 * 3600))
    run = rulebook('terminate_overdue', {'batch_job_time_limit': 3600, 'batch_poll_interval': 1,
                                         'batch_job_filter': "startswith(id,'%s')" % prefix})
    wait_until(lambda: job_states(admin, prefix)[prefix + 'render'] in ('terminating', 'completed'), run)
    # Several more polls: the source fires once per job, so nothing else is terminated.
    polls = len([entry for entry in admin.requests() if entry['path'] == '/jobs'])
    wait_until(lambda: len([entry for entry in admin.requests() if entry['path'] == '/jobs']) >= polls + 3, run, 60)
    output = run.output()
    assert run.stop() is not None
    assert terminates(admin, prefix) == ['/jobs/%srender/terminate' % prefix], output[-4000:]
    assert job_states(admin, prefix) == {prefix + 'render': 'completed', prefix + 'fresh': 'active',
                                         prefix + 'finished': 'completed'}
    job = emulator['client'].get_job(prefix + 'render').body
    assert job['executionInfo']['terminateReason'] == 'RanTooLong'
    lists = [entry for entry in admin.requests() if entry['path'] == '/jobs']
    assert lists and all(entry['query'].get('$select') == WATCH_SELECT and
                         entry['query'].get('$filter') == "startswith(id,'%s')" % prefix for entry in lists)
    assert "'event': 'running_longer_than'" in output and "'job_id': '%srender'" % prefix in output
    assert emulator['key'] not in output


def list_requests(admin):
    return [entry for entry in admin.requests() if entry['method'] == 'GET' and entry['path'] == '/jobs']


def test_pipeline_rulebook_acts_once_and_not_on_its_own_terminations(emulator, rulebook):
    """A three-job pipeline whose jobs all run tasks: two tasks of job A fail in one poll. Jobs B and C are
    terminated, once; their running tasks end as terminated (failureInfo TaskEnded), which is no new failure, so A is
    left alone. The connection (batch_url, ca_path) comes from the rulebook's variables only."""
    admin = emulator['admin']
    prefix = 'pipe-2026-12-02-'
    admin.add_job(prefix + 'frames', 'active', tasks=[{'id': 'frame-1', 'state': 'running'},
                                                      {'id': 'frame-2', 'state': 'running'},
                                                      {'id': 'frame-3', 'state': 'running'}])
    admin.add_job(prefix + 'encode', 'active', tasks=[{'id': 'encode', 'state': 'running'}])
    admin.add_job(prefix + 'publish', 'active', tasks=[{'id': 'publish', 'state': 'running'}, {'id': 'notify', 'state': 'active'}])
    admin.add_job('pipe-2026-12-03-frames', 'active')
    run = rulebook('terminate_pipeline_on_failure', {'pipeline_prefix': prefix, 'batch_poll_interval': 1,
                                                     'batch_url': emulator['url'], 'batch_ca_path': emulator['ca']},
                   connection_in_vars=True)
    # Once the source has listed the tasks (its baseline), fail two tasks of A at once.
    wait_until(lambda: any(entry['path'] == '/jobs/%sframes/tasks' % prefix for entry in admin.requests()), run)
    admin.set_task_state(prefix + 'frames', 'frame-1', 'completed', result='failure', exitCode=2)
    admin.set_task_state(prefix + 'frames', 'frame-2', 'completed', result='failure', exitCode=3)
    wait_until(lambda: len(terminates(admin, prefix)) >= 2, run)
    # B and C complete (the emulator's terminate delay), their running tasks end as terminated, and the source
    # reports those ends (it lists a completed job's tasks once more); then a few more polls.
    wait_until(lambda: job_states(admin, prefix + 'encode') == {prefix + 'encode': 'completed'} and
               job_states(admin, prefix + 'publish') == {prefix + 'publish': 'completed'}, run, 60)
    wait_until(lambda: any(entry['path'] == '/jobs/%sencode/tasks' % prefix for entry in admin.requests()
                           if entry['seq'] > last_terminate(admin, prefix)), run, 60)
    wait_until(lambda: run.output().count("'code': 'TaskEnded'") >= 2, run, 60)  # the terminated tasks' events
    wait_until_quiet(run)
    output = run.output()
    run.stop()
    assert terminates(admin, prefix) == ['/jobs/%sencode/terminate' % prefix, '/jobs/%spublish/terminate' % prefix], output[-4000:]
    # The action ran once: each run of batch_job_terminate lists the pipeline's other jobs with one filter.
    runs = [entry for entry in list_requests(admin) if ' ne ' in (entry['query'].get('$filter') or '')]
    assert [entry['query']['$filter'] for entry in runs] == [
        "startswith(id,'%s') and id ne '%sframes' and state ne 'completed'" % (prefix, prefix)], output[-4000:]
    states = job_states(admin, 'pipe-')
    assert (states[prefix + 'frames'], states['pipe-2026-12-03-frames']) == ('active', 'active')
    assert (states[prefix + 'encode'], states[prefix + 'publish']) == ('completed', 'completed')


def last_terminate(admin, prefix):
    return max(entry['seq'] for entry in admin.requests()
               if entry['method'] == 'POST' and entry['path'].startswith('/jobs/' + prefix))


@pytest.mark.parametrize('variables, key, sentence', [
    ({'batch_poll_interval': 0}, None, 'azure_batch.ops.batch_events: interval must be at least 1; got 0.0.'),
    ({}, 'd3Jvbmcta2V5LW9mLXRoZS1yaWdodC1sZW5ndGgtZm9yLWEtYmF0Y2gtYWNjb3VudA==',
     'Could not list the jobs: HTTP 403 AuthenticationFailed: '),
], ids=['bad-interval', 'rejected-key'])
def test_the_source_ends_with_one_sentence(emulator, rulebook, variables, key, sentence):
    """At ansible-rulebook's most verbose (-vv: its debug log, urllib3's, the source's retries): still no key."""
    run = rulebook('terminate_overdue', variables, key=key, verbose=True)
    try:
        run.process.wait(timeout=STARTUP)
    except subprocess.TimeoutExpired:
        pytest.fail('ansible-rulebook kept running after the source should have ended:\n%s' % run.output()[-6000:])
    output = run.output()
    assert run.process.returncode != 0, output[-4000:]
    assert sentence in output, output[-4000:]
    assert emulator['key'] not in output and (key is None or key not in output)
    assert 'Traceback' not in output, output[-4000:]
    assert ' - DEBUG - ' in output  # -vv took effect


def test_terminate_when_tasks_complete_ends_a_job_only_after_its_last_task(emulator, rulebook):
    """Jobs that stay active after their tasks (onAllTasksComplete noaction) give their quota back: each completed
    task runs batch_job_terminate with if_tasks_complete, which terminates the job only when its task counts show no
    active and no running task. The job that still has a queued task is left alone."""
    admin = emulator['admin']
    prefix = 'reclaim-2026-12-'
    admin.add_job(prefix + 'done', 'active', tasks=[{'id': 'a', 'state': 'running'}, {'id': 'b', 'state': 'running'}])
    admin.add_job(prefix + 'queued', 'active', tasks=[{'id': 'a', 'state': 'running'}, {'id': 'b', 'state': 'active'}])
    run = rulebook('terminate_when_tasks_complete', {
        'batch_poll_interval': 1, 'batch_job_filter': "startswith(id,'%s') and state eq 'active'" % prefix,
        'batch_url': emulator['url'], 'batch_ca_path': emulator['ca']}, connection_in_vars=True)
    wait_until(lambda: any(entry['path'] == '/jobs/%squeued/tasks' % prefix for entry in admin.requests()), run)

    def counted(job):
        return len([entry for entry in admin.requests() if entry['path'] == '/jobs/%s%s/taskcounts' % (prefix, job)])

    # One task of each job completes: both jobs still have work, so both are read and neither is terminated.
    admin.set_task_state(prefix + 'done', 'a', 'completed', result='success', exitCode=0)
    admin.set_task_state(prefix + 'queued', 'a', 'completed', result='success', exitCode=0)
    wait_until(lambda: counted('done') >= 1 and counted('queued') >= 1, run)
    assert terminates(admin, prefix) == [], run.output()[-4000:]
    # The last task of one job completes: that job, and only it, is terminated.
    admin.set_task_state(prefix + 'done', 'b', 'completed', result='success', exitCode=0)
    wait_until(lambda: terminates(admin, prefix) == ['/jobs/%sdone/terminate' % prefix], run)
    wait_until(lambda: job_states(admin, prefix)[prefix + 'done'] == 'completed', run, 60)
    wait_until_quiet(run)
    output = run.output()
    run.stop()
    assert terminates(admin, prefix) == ['/jobs/%sdone/terminate' % prefix], output[-4000:]
    assert job_states(admin, prefix) == {prefix + 'done': 'completed', prefix + 'queued': 'active'}
    assert emulator['client'].get_job(prefix + 'done').body['executionInfo']['terminateReason'] == 'AllTasksComplete'
    assert emulator['key'] not in output
