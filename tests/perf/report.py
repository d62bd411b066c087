"""The benchmark's tables, in Markdown, with the aims each result is held against."""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass

# The aims of the bulk path (see tests/perf/README.md).
SINGLE_OVER_FLOOR = 0.15      # one Shared Key terminate: at most this many seconds over `ansible -m ping`
NOOP_OVER_FLOOR = 0.10        # ... and a run with nothing to do (one read) at most this many
BULK_OVER_LIMIT = 1.5         # bulk call: at most 1.5 x (requests x RTT / parallel) + the start of ansible-playbook
LOOP_FACTOR = 20              # bulk call at least this many times faster than an Ansible loop
SDK_FACTOR = 5                # ... and than a sequential azure-batch SDK script


@dataclass
class SingleRow:
    """One line of table 1: the runs of one command and the requests one of them sent."""

    label: str
    runs: list
    batch_requests: object
    identity_requests: int

    @property
    def best(self):
        return min(run.seconds for run in self.runs)

    @property
    def median(self):
        return statistics.median(run.seconds for run in self.runs)

    @property
    def cpu(self):
        return statistics.median(run.cpu for run in self.runs)


@dataclass
class ManyResult:  # pylint: disable=too-many-instance-attributes
    """What scenario 2 or 3 measured."""

    kind: str
    count: int
    parallel: int
    bulk: object          # harness.Logged of the best Shared Key run
    bulk_median: float
    bulk_entra: object    # harness.Logged of the Entra ID run
    loop_sample: int
    loop_sample_seconds: float
    loop_per_item: float
    loop_estimate: float
    sdk: float
    sdk_inner: float


@dataclass
class ByIdRow:
    """One line of table 5: a module call naming its resources by id, and the aims it is held to."""

    label: str
    logged: object        # harness.Logged
    max_requests: int     # aim: at most this many Batch requests
    timed: bool = False   # also held to BULK_OVER_LIMIT x the limit of the requests it sent
    posts: int = 0        # terminates it must send
    median: float = None  # median seconds when it was run more than once


MAX_RSS_MB = 100  # aim: the module process for 500 ids stays under this peak resident memory


def by_id_table(rows, memory, scale, large, rtt, start, parallel):
    """Table 5: reads by id (lists with `id eq` filters), check mode, memory, and one large job."""
    lines = ['', '### 5. Resources named by id, and one job of %d tasks (RTT %.1f ms, parallel %d)' % (large, rtt * 1000, parallel), '',
             '| one module call (ansible-playbook, Shared Key) | seconds | Batch requests: lists + reads of one id + terminates '
             '| aim: requests | limit of those requests | aim: <= %.1f x limit + start |' % BULK_OVER_LIMIT,
             '| --- | ---: | ---: | ---: | ---: | ---: |']
    for row in rows:
        logged = row.logged
        others = logged.batch - logged.lists - logged.posts
        limit = (math.ceil(logged.lists / parallel) + math.ceil(others / parallel) + math.ceil(logged.posts / parallel)) * rtt
        seconds = '%.2f' % logged.run.seconds + (' (median %.2f)' % row.median if row.median is not None else '')
        timing = ('%.2f s: %s' % (BULK_OVER_LIMIT * limit + start, verdict(logged.run.seconds <= BULK_OVER_LIMIT * limit + start))
                  if row.timed else '')
        lines.append('| %s | %s | %d = %d + %d + %d | <= %d: %s | %.2f s | %s |'
                     % (row.label, seconds, logged.batch, logged.lists, others, logged.posts, row.max_requests,
                        verdict(logged.batch <= row.max_requests), limit, timing))
    lines += ['', 'start: a one-task ping playbook, best run: %.2f s. The limit counts rounds of %d parallel requests of one RTT '
              'each for the lists, the reads of one id and the terminates.' % (start, parallel), '',
              '| the module alone (python -m, outside Ansible) | seconds | Batch requests: lists + terminates | result size | '
              'peak memory (ru_maxrss) |', '| --- | ---: | ---: | ---: | ---: |']
    for label, logged in (('%s running task ids' % (memory.posts,), memory), ('%d running tasks, task_filter' % large, scale)):
        alone = logged.alone
        lines.append('| %s | %.2f | %d = %d + %d | %.0f KB | %.0f MB |'
                     % (label, alone['seconds'], logged.batch, logged.lists, logged.posts, alone['result_bytes'] / 1024.0,
                        alone['maxrss_mb']))
    lines += ['', 'Aim: the module process for %d ids under %d MB: %s (%.0f MB). The %d-task call: limit (%d list pages + %d rounds '
              'of %d terminates) x RTT = %.2f s.'
              % (memory.posts, MAX_RSS_MB, verdict(memory.alone['maxrss_mb'] < MAX_RSS_MB), memory.alone['maxrss_mb'], large,
                 scale.lists, math.ceil(scale.posts / parallel), parallel, (scale.lists + math.ceil(scale.posts / parallel)) * rtt)]
    return '\n'.join(lines)


def reclaim_table(runs, jobs, finished, rtt, start, parallel):
    """Table 6: if_tasks_complete across many active jobs, some of them finished."""
    lines = ['', '### 6. Reclaim: %d active jobs, %d with all tasks complete (RTT %.1f ms, parallel %d)'
             % (jobs, finished, rtt * 1000, parallel), '',
             '| one module call (ansible-playbook, Shared Key), if_tasks_complete | seconds | Batch requests: lists + task '
             'counts + terminates | aim: requests | limit of those requests | aim: <= %.1f x limit + start |' % BULK_OVER_LIMIT,
             '| --- | ---: | ---: | ---: | ---: | ---: |']
    for logged in runs:
        counts = logged.batch - logged.lists - logged.posts
        limit = (logged.lists + math.ceil(counts / parallel) + math.ceil(logged.posts / parallel)) * rtt
        aim = BULK_OVER_LIMIT * limit + start
        lines.append('| job_filter: startswith(id) and state eq active | %.2f | %d = %d + %d + %d | %d = 1 + %d + %d: %s '
                     '| %.2f s | %.2f s: %s |'
                     % (logged.run.seconds, logged.batch, logged.lists, counts, logged.posts, 1 + jobs + finished, jobs,
                        finished, verdict(logged.batch == 1 + jobs + finished), limit, aim, verdict(logged.run.seconds <= aim)))
    lines += ['', 'start: a one-task ping playbook, best run: %.2f s. The limit: the list, then rounds of %d parallel task '
              'counts requests, then rounds of %d terminates, one RTT each (a job\'s terminate follows its own task '
              'counts in the same worker, so the real bound is lower).' % (start, parallel, parallel)]
    return '\n'.join(lines)


def machine(options):
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            cpu = next(line.split(':', 1)[1].strip() for line in handle if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    ansible = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible'), '--version'], capture_output=True,
                             text=True, check=False).stdout.splitlines()[0]
    load = ', '.join('%.2f' % value for value in os.getloadavg())
    return ('## Benchmark run\n\nMachine: %s, %d CPUs, load average %s; %s %s, Python %s, %s.\n'
            'Emulator: %d ms latency added to every Batch request; terminate_delay %.1f s.'
            % (cpu, os.cpu_count(), load, platform.system(), platform.release(), platform.python_version(), ansible,
               options.latency_ms, options.terminate_delay))


def cpu_counters():
    """The machine's CPU time counters since boot (Linux /proc/stat), or None elsewhere."""
    try:
        with open('/proc/stat', encoding='ascii') as handle:
            return [int(value) for value in handle.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def load_line(started):
    """The load at the end and, on a virtual machine, the share of CPU time its host took back (steal) during the run."""
    line = '\nLoad average at the end: %s.' % ', '.join('%.2f' % value for value in os.getloadavg())
    ended = cpu_counters()
    if started and ended and len(ended) > 7:
        user, nice, system, _idle, _iowait, irq, softirq, steal = [after - before for before, after in zip(started, ended)][:8]
        wanted = user + nice + system + irq + softirq + steal
        line += (' CPU steal during the run: the host gave %.0f%% of the CPU time this machine wanted to other guests.'
                 % (100.0 * steal / max(1, wanted)))
    return line


def single_table(rows, requests_import, rtt):
    floor = rows[0]
    lines = ['', '### 1. One job terminated with an ad-hoc command (%d runs each)' % len(floor.runs), '',
             '| run | best s | median s | CPU s | best over the floor | CPU over the floor | Batch requests | identity requests |',
             '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
    for row in rows:
        over = '' if row is floor else '%+.2f' % (row.best - floor.best)
        cpu_over = '' if row is floor else '%+.2f' % (row.cpu - floor.cpu)
        lines.append('| %s | %.2f | %.2f | %.2f | %s | %s | %s | %s |'
                     % (row.label, row.best, row.median, row.cpu, over, cpu_over, row.batch_requests, row.identity_requests))
    shared_key = [row for row in rows if row.label == 'one job, Shared Key, changed'][0]
    noop = [row for row in rows if row.label == 'one job, Shared Key, unchanged'][0]
    # What no module built on requests (the design's HTTP library) can go below on this machine.
    least = requests_import + 2 * rtt
    lines += ['', 'Aim: Shared Key within %.2f s of the floor: %s (best %+.2f s, CPU %+.2f s). Of that, `import requests` takes '
              '%.2f s here (best of %d, measured apart after `ansible.module_utils.basic`) and the two requests 2 x RTT = %.2f s: '
              '%.2f s before any of this collection\'s code runs.'
              % (SINGLE_OVER_FLOOR, verdict(shared_key.best - floor.best <= SINGLE_OVER_FLOOR), shared_key.best - floor.best,
                 shared_key.cpu - floor.cpu, requests_import, len(floor.runs), 2 * rtt, least),
              'Aim: a Shared Key run with nothing to do (one read) within %.2f s of the floor: %s (best %+.2f s).'
              % (NOOP_OVER_FLOOR, verdict(noop.best - floor.best <= NOOP_OVER_FLOOR), noop.best - floor.best)]
    return '\n'.join(lines)


# kind -> (table number, what was terminated, the module's filter option)
SCENARIOS = {'tasks': ('2', 'running tasks of one job', 'task_filter'), 'jobs': ('3', 'active jobs', 'job_filter'),
             'schedules': ('4', 'active job schedules', 'job_schedule_filter')}


def many_table(result, rtt, start):
    """Scenario 2 or 3: the bulk call against a loop, a sequential SDK script and the limit."""
    number, noun, option = SCENARIOS[result.kind]
    rounds = math.ceil(result.count / result.parallel)
    limit = (1 + rounds) * rtt
    bulk, entra = result.bulk, result.bulk_entra
    seconds = bulk.run.seconds
    lines = ['', '### %s. %d %s terminated (RTT %.1f ms, parallel %d)'
             % (number, result.count, noun, rtt * 1000, result.parallel), '',
             '| way | seconds | Batch requests | the bulk call is faster by |', '| --- | ---: | ---: | ---: |',
             '| **one module call with %s** (ansible-playbook, Shared Key; best run, median %.2f) | **%.2f** | %d | |'
             % (option, result.bulk_median, seconds, bulk.batch),
             '| ... of which: start to first answer %.2f s, first to last answer %.2f s (%.1f x limit), last answer to end %.2f s;'
             ' CPU: Ansible and the module %.2f s, the emulator %.2f s | | | |'
             % (bulk.head, bulk.http, bulk.http / limit, bulk.tail, bulk.run.cpu, bulk.server_cpu),
             '| the same with Entra ID (client secret, %d identity requests) | %.2f | %d | |' % (entra.identity, entra.run.seconds, entra.batch),
             '| Ansible loop of single calls: %d items measured in %.1f s, %.3f s per item, **extrapolated** | %.1f | %d | %.0fx |'
             % (result.loop_sample, result.loop_sample_seconds, result.loop_per_item, result.loop_estimate, 2 * result.count,
                result.loop_estimate / seconds),
             '| sequential script, azure-batch 15.1.0 SDK (its requests alone: %.2f s) | %.2f | %d | %.1fx |'
             % (result.sdk_inner, result.sdk, 1 + result.count, result.sdk / seconds),
             '| limit: (1 list + %d rounds of %d) x RTT | %.2f | | |' % (rounds, result.parallel, limit),
             '| limit + start of ansible-playbook (a one-task ping playbook, best run: %.2f s) | %.2f | | |' % (start, limit + start), '',
             'Aims: bulk <= %.1f x limit + start (%.2f s): %s; >= %dx faster than the loop: %s (%.0fx); >= %dx faster than the SDK '
             'script: %s (%.1fx).'
             % (BULK_OVER_LIMIT, BULK_OVER_LIMIT * limit + start, verdict(seconds <= BULK_OVER_LIMIT * limit + start),
                LOOP_FACTOR, verdict(result.loop_estimate >= LOOP_FACTOR * seconds), result.loop_estimate / seconds,
                SDK_FACTOR, verdict(result.sdk >= SDK_FACTOR * seconds), result.sdk / seconds)]
    # Whether the SDK aim is within reach at all: Ansible's own start and the limit are paid by any module call.
    room = result.sdk / SDK_FACTOR - (start + limit)
    reach = ('leaving %.2f s for the module\'s own start and CPU' % room if room > 0 else
             'so no module call can meet it on this machine (%.2f s short before the module starts)' % -room)
    lines.append('%dx faster than the SDK script means at most %.2f s; the start of ansible-playbook and the limit alone take '
                 '%.2f s, %s.' % (SDK_FACTOR, result.sdk / SDK_FACTOR, start + limit, reach))
    return '\n'.join(lines)


def verdict(met):
    return 'met' if met else '**missed**'
