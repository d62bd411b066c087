"""What the benchmark needs around the measurements: the collection on an
Ansible collections path, timed commands, and the request log of the emulator."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
PERF_DIR = os.path.join(REPO, 'tests', 'perf')


@dataclass
class Timed:
    """One command run: wall seconds, CPU seconds (user + system, with its children), exit code and output."""

    seconds: float
    cpu: float
    returncode: int
    stdout: str


def collections_root(workdir):
    """An ansible_collections/azure_batch/ops link to this repository, for ANSIBLE_COLLECTIONS_PATH."""
    root = os.path.join(workdir, 'collections')
    os.makedirs(os.path.join(root, 'ansible_collections', 'azure_batch'))
    os.symlink(REPO, os.path.join(root, 'ansible_collections', 'azure_batch', 'ops'))
    return root


def ansible_env(collections, emulator_env, auth):
    """The environment of ansible and ansible-playbook: quiet, this collection, and one credential."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(('AZURE_', 'ANSIBLE_', 'BATCH_EMULATOR_'))}
    env.update(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_LOCALHOST_WARNING='false',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false',
               AZURE_BATCH_ENDPOINT=emulator_env['BATCH_EMULATOR_URL'])
    if auth == 'shared_key':
        env.update(AZURE_BATCH_ACCOUNT=emulator_env['BATCH_EMULATOR_ACCOUNT'], AZURE_BATCH_ACCESS_KEY=emulator_env['BATCH_EMULATOR_KEY'])
    else:  # Entra ID with a client secret, as AWX's Azure credential injects it
        env.update(AZURE_CLIENT_ID=emulator_env['BATCH_EMULATOR_CLIENT_ID'], AZURE_SECRET=emulator_env['BATCH_EMULATOR_CLIENT_SECRET'],
                   AZURE_TENANT=emulator_env['BATCH_EMULATOR_TENANT'], AZURE_AUTHORITY_HOST=emulator_env['BATCH_EMULATOR_AUTHORITY_HOST'])
    return env


def sdk_env(emulator_env):
    env = {key: value for key, value in os.environ.items() if not key.startswith(('AZURE_', 'BATCH_EMULATOR_'))}
    env.update(BENCH_BATCH_URL=emulator_env['BATCH_EMULATOR_URL'], BENCH_BATCH_ACCOUNT=emulator_env['BATCH_EMULATOR_ACCOUNT'],
               BENCH_BATCH_KEY=emulator_env['BATCH_EMULATOR_KEY'], BENCH_BATCH_CA=emulator_env['BATCH_EMULATOR_CA'])
    return env


def timed(command, env, cwd=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    completed = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timed(seconds, cpu, completed.returncode, completed.stdout)


def checked(result, what):
    """The result, or an error that shows the end of the output when the command failed."""
    if result.returncode != 0:
        raise RuntimeError('%s failed (exit %d):\n%s' % (what, result.returncode, result.stdout[-3000:]))
    return result


def adhoc(module, args=None):
    command = [os.path.join(BIN, 'ansible'), 'localhost', '-m', module]
    return command + (['-a', args] if args else [])


def playbook(workdir, name, text):
    """Write a playbook and return the ansible-playbook command that runs it."""
    path = os.path.join(workdir, name + '.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
    return [os.path.join(BIN, 'ansible-playbook'), path]


def median(values):
    return statistics.median(values) if values else float('nan')


@dataclass
class Logged:
    """A command run with what the emulator saw: requests, and where the time went."""

    run: Timed
    batch: int          # Batch API requests
    identity: int       # identity (token) requests
    head: float         # start of the command -> first Batch answer (Ansible start, module start, first request)
    http: float         # first -> last Batch answer
    tail: float         # last Batch answer -> end of the command (result back to Ansible, output)
    server_cpu: float = 0.0  # CPU seconds the emulator spent meanwhile
    lists: int = 0      # Batch list requests (GET of a collection: /jobs, /jobs/{id}/tasks)
    posts: int = 0      # Batch POSTs (terminates)


def phases(run, started, log):
    """A Logged for a run that started at wall time `started`, from the request log of its requests."""
    batch_times = [_epoch(entry['time']) for entry in log if entry['path'].startswith('/jobs')]
    batch = len(batch_times)
    if not batch_times:
        return Logged(run, 0, len(log), run.seconds, 0.0, 0.0)
    first, last = min(batch_times), max(batch_times)
    batch_entries = [entry for entry in log if entry['path'].startswith('/jobs')]
    lists = sum(1 for entry in batch_entries if entry['method'] == 'GET' and entry['path'].endswith(('/jobs', '/tasks')))
    posts = sum(1 for entry in batch_entries if entry['method'] == 'POST')
    return Logged(run, batch, len(log) - batch, first - started, last - first, started + run.seconds - last,
                  lists=lists, posts=posts)


def _epoch(iso7):
    """Seconds since the epoch of a request log time (ISO 8601 UTC with 7 fractional digits)."""
    return datetime.fromisoformat(iso7.rstrip('Z')[:26]).replace(tzinfo=timezone.utc).timestamp()


def make_workdir():
    return tempfile.mkdtemp(prefix='azure-batch-bench-')


def module_client(collections, emulator_env):
    """The modules' own BatchClient with Shared Key, to measure one request's round trip."""
    if collections not in sys.path:
        sys.path.insert(0, collections)
    # pylint: disable=import-outside-toplevel
    from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import SharedKeyAuth
    from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient

    auth = SharedKeyAuth(emulator_env['BATCH_EMULATOR_ACCOUNT'], emulator_env['BATCH_EMULATOR_KEY'])
    return BatchClient(emulator_env['BATCH_EMULATOR_URL'], auth, verify=emulator_env['BATCH_EMULATOR_CA'])


def measure_rtt(client, job_id, samples):
    """Median seconds of one GET of a job on a kept-alive connection (the first, with the handshake, is left out)."""
    client.get_job(job_id)
    durations = []
    for _sample in range(samples):
        started = time.monotonic()
        client.get_job(job_id)
        durations.append(time.monotonic() - started)
    return statistics.median(durations)
