"""Benchmark: one module call for hundreds of Batch jobs or tasks, against the emulator with a fixed latency.

`make bench` runs `python tests/perf/run.py`; `--quick` is a smoke run with small numbers.
It starts the emulator (python -m tests.emulator serve --latency-ms N), then measures side by side:

1. One job terminated by an ad-hoc `ansible localhost -m azure_batch.ops.batch_job_terminate`, with
   Shared Key and with Entra ID, against `ansible localhost -m ansible.builtin.ping` (the Ansible floor),
   with the number of HTTP requests each run sent.
2. Running tasks of one job terminated: one module call with task_filter, an Ansible loop of single
   calls (a sample, extrapolated), a sequential azure-batch SDK script, and the limit requests x RTT / parallel.
3. Jobs terminated with job_filter, compared the same way.
4. Job schedules terminated with job_schedule_filter, compared the same way.
5. Tasks and jobs named by id (task_ids, job_ids): the requests each call sends (lists with `id eq` filters,
   then the terminates), check mode, the module process's peak memory, and one job of 10,000 tasks.
6. Reclaim: batch_job_terminate if_tasks_complete across 1,000 active jobs of which 700 have all tasks complete
   (one list, one task counts request per job, one terminate per finished job).

It prints the tables as Markdown (tests/perf/README.md keeps a recorded run) and exits 1 when a
run fails or sends an unexpected number of requests; the speed aims are reported, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.emulator.admin_client import AdminClient  # noqa: E402  pylint: disable=wrong-import-position
from tests.emulator.process import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from tests.perf import harness, playbooks, report  # noqa: E402  pylint: disable=wrong-import-position
from tests.perf.harness import adhoc, checked, median, timed  # noqa: E402  pylint: disable=wrong-import-position


class Bench:  # pylint: disable=too-many-instance-attributes
    """Runs the scenarios against one emulator and keeps the rows of the tables."""

    def __init__(self, options, emulator, workdir):
        emulator_env = emulator.env()
        self.emulator = emulator
        self.options = options
        self.workdir = workdir
        self.ca_path = emulator_env['BATCH_EMULATOR_CA']
        self.admin = AdminClient(emulator_env['BATCH_EMULATOR_URL'], self.ca_path)
        collections = self.collections = harness.collections_root(workdir)
        self.env = {auth: harness.ansible_env(collections, emulator_env, auth) for auth in ('shared_key', 'entra')}
        self.sdk_env = harness.sdk_env(emulator_env)
        self.batch_client = harness.module_client(collections, emulator_env)
        self.sequence = 0
        self.problems = []

    def unique(self, prefix):
        self.sequence += 1
        return 'bench-%s-%03d' % (prefix, self.sequence)

    def logged(self, command, env, what):
        """Run a command with a clean request log; return a harness.Logged."""
        self.admin.clear_requests()
        started, server_cpu = time.time(), self.emulator.cpu()
        result = checked(timed(command, env), what)
        logged = harness.phases(result, started, self.admin.requests())
        logged.server_cpu = self.emulator.cpu() - server_cpu
        return logged

    def expect(self, what, actual, expected):
        if actual != expected:
            self.problems.append('%s: %s, expected %s' % (what, actual, expected))

    def rtt(self, samples=40):
        """Median seconds of one request of the modules' client (the emulator's latency included)."""
        job = self.unique('rtt')
        self.admin.add_job(job)
        return harness.measure_rtt(self.batch_client, job, samples)

    # 1. one job ----------------------------------------------------------------------------------

    def single_job(self):
        """Table 1. The runs of each kind are interleaved, so that a change of the machine's load hits every kind alike."""
        timed(adhoc('ansible.builtin.ping'), self.env['shared_key'])  # warm the file system caches
        kinds = [(auth, label, outcome) for auth, label in (('shared_key', 'Shared Key'), ('entra', 'Entra ID, client secret'))
                 for outcome in ('changed', 'unchanged')]
        floor, runs = [], {kind: [] for kind in kinds}
        for _run in range(self.options.repeat):
            floor.append(checked(timed(adhoc('ansible.builtin.ping'), self.env['shared_key']), 'ping'))
            for auth in ('shared_key', 'entra'):
                job = self.unique('single')
                self.admin.add_job(job)
                command = adhoc('azure_batch.ops.batch_job_terminate', 'job_id=%s ca_path=%s' % (job, self.ca_path))
                for kind in [kind for kind in kinds if kind[0] == auth]:  # changed first, then unchanged
                    runs[kind].append(self.logged(command, self.env[auth], 'terminate %s (%s)' % (job, kind[2])))
        rows = [report.SingleRow('`ansible localhost -m ansible.builtin.ping` (the floor)', floor, 0, 0)]
        for kind in kinds:
            _auth, label, outcome = kind
            marker, batch_requests = ('| CHANGED', 2) if outcome == 'changed' else ('| SUCCESS', 1)
            for logged in runs[kind]:
                self.expect('%s %s: output' % (label, outcome), marker in logged.run.stdout, True)
                self.expect('%s %s: Batch requests' % (label, outcome), logged.batch, batch_requests)
            rows.append(report.SingleRow('one job, %s, %s' % (label, outcome), [logged.run for logged in runs[kind]],
                                         runs[kind][0].batch, runs[kind][0].identity))
        job = self.unique('single-wait')
        self.admin.add_job(job)
        command = adhoc('azure_batch.ops.batch_job_terminate', 'job_id=%s ca_path=%s wait=true' % (job, self.ca_path))
        logged = self.logged(command, self.env['shared_key'], 'terminate %s and wait' % job)
        rows.append(report.SingleRow('one job, Shared Key, changed, wait=true (the job is terminating for %.1f s)'
                                     % self.options.terminate_delay, [logged.run], '2 + %d polls' % (logged.batch - 2), logged.identity))
        return rows

    def requests_import(self):
        """Best wall seconds `import requests` adds to a Python process that has imported Ansible's module basics."""
        base = [sys.executable, '-c', 'import ansible.module_utils.basic']
        with_requests = [sys.executable, '-c', 'import ansible.module_utils.basic, requests']
        runs = {'base': [], 'requests': []}
        for _run in range(self.options.repeat):
            runs['base'].append(checked(timed(base, self.sdk_env), 'python -c import').seconds)
            runs['requests'].append(checked(timed(with_requests, self.sdk_env), 'python -c import requests').seconds)
        return max(0.0, min(runs['requests']) - min(runs['base']))

    # 2. and 3. many ------------------------------------------------------------------------------

    def playbook_floor(self):
        command = harness.playbook(self.workdir, 'floor', playbooks.FLOOR)
        timed(command, self.env['shared_key'])
        return min(checked(timed(command, self.env['shared_key']), 'floor playbook').seconds for _run in range(self.options.repeat))

    def seed_tasks(self, count, state='running'):
        job = self.unique('tasks')
        self.admin.add_job(job, tasks=[{'id': 't%04d' % number, 'state': state} for number in range(count)])
        return job

    def seed_jobs(self, count):
        prefix = self.unique('jobs')
        for number in range(count):
            self.admin.add_job('%s-%04d' % (prefix, number))
        return prefix

    def run_playbook(self, name, text, extra, auth='shared_key'):
        command = harness.playbook(self.workdir, name, text) + ['-e', json.dumps(dict(extra, ca_path=self.ca_path))]
        return self.logged(command, self.env[auth], name)

    def tasks_many(self, count):
        parallel = self.options.parallel
        bulk = []
        for auth in ['shared_key'] * self.options.bulk_repeat + ['entra']:
            job = self.seed_tasks(count)
            bulk.append((auth, self.run_playbook('tasks_bulk', playbooks.TASKS_BULK, {'job_id': job, 'parallel': parallel}, auth)))
            self.expect('tasks bulk (%s): tasks still running' % auth, self.still_running(job), 0)
            self.expect('tasks bulk (%s): Batch requests' % auth, bulk[-1][1].batch, 1 + count)

        def loop(sample):
            job = self.seed_tasks(sample)
            return self.run_playbook('tasks_loop', playbooks.TASKS_LOOP, {'job_id': job, 'ids': ['t%04d' % n for n in range(sample)]})

        job = self.seed_tasks(count)
        sdk = checked(timed([sys.executable, os.path.join(harness.PERF_DIR, 'sdk_baseline.py'), 'tasks', job, "state eq 'running'"],
                            self.sdk_env), 'SDK baseline (tasks)')
        self.expect('tasks SDK: tasks still running', self.still_running(job), 0)
        return self.many_rows('tasks', count, bulk, loop, sdk)

    def seed_schedules(self, count):
        prefix = self.unique('schedules')
        for number in range(count):
            self.admin.add_job_schedule('%s-%04d' % (prefix, number))
        return prefix

    def jobs_many(self, count):
        return self.filtered_many('jobs', count, seed=self.seed_jobs, still_active=self.still_active,
                                  bulk_playbook=playbooks.JOBS_BULK, loop_playbook=playbooks.JOBS_LOOP)

    def schedules_many(self, count):
        return self.filtered_many('schedules', count, seed=self.seed_schedules, still_active=self.schedules_still_active,
                                  bulk_playbook=playbooks.SCHEDULES_BULK, loop_playbook=playbooks.SCHEDULES_LOOP)

    def filtered_many(self, kind, count, *, seed, still_active, bulk_playbook, loop_playbook):  # pylint: disable=too-many-arguments
        """Scenario 3 or 4: resources whose ids start with a prefix, terminated with a filter, by a loop and by the SDK."""
        parallel = self.options.parallel
        bulk = []
        for auth in ['shared_key'] * self.options.bulk_repeat + ['entra']:
            prefix = seed(count)
            extra = {'job_filter': "startswith(id,'%s-') and state eq 'active'" % prefix, 'parallel': parallel}
            bulk.append((auth, self.run_playbook('%s_bulk' % kind, bulk_playbook, extra, auth)))
            self.expect('%s bulk (%s): still active' % (kind, auth), still_active(prefix), 0)
            self.expect('%s bulk (%s): Batch requests' % (kind, auth), bulk[-1][1].batch, 1 + count)

        def loop(sample):
            prefix = seed(sample)
            return self.run_playbook('%s_loop' % kind, loop_playbook, {'ids': ['%s-%04d' % (prefix, n) for n in range(sample)]})

        prefix = seed(count)
        sdk = checked(timed([sys.executable, os.path.join(harness.PERF_DIR, 'sdk_baseline.py'), kind, '-',
                             "startswith(id,'%s-') and state eq 'active'" % prefix], self.sdk_env), 'SDK baseline (%s)' % kind)
        self.expect('%s SDK: still active' % kind, still_active(prefix), 0)
        return self.many_rows(kind, count, bulk, loop, sdk)

    def many_rows(self, kind, count, bulk, loop, sdk):
        small, large = max(2, self.options.loop_sample // 4), self.options.loop_sample
        loop_small, loop_large = loop(small), loop(large)
        per_item = (loop_large.run.seconds - loop_small.run.seconds) / (large - small)
        self.expect('%s loop: Batch requests per item' % kind, loop_large.batch, 2 * large)
        shared_key = sorted((logged for auth, logged in bulk if auth == 'shared_key'), key=lambda logged: logged.run.seconds)
        return report.ManyResult(
            kind=kind, count=count, parallel=self.options.parallel,
            bulk=shared_key[0], bulk_median=median([logged.run.seconds for logged in shared_key]),
            bulk_entra=[logged for auth, logged in bulk if auth == 'entra'][0],
            loop_sample=large, loop_sample_seconds=loop_large.run.seconds, loop_per_item=per_item,
            loop_estimate=loop_large.run.seconds + (count - large) * per_item,
            sdk=sdk.seconds, sdk_inner=json.loads(sdk.stdout.strip().splitlines()[-1])['seconds'])

    # 4. by id, and at scale ----------------------------------------------------------------------

    def by_ids(self, rtt, floor):
        """Table 5: calls naming their resources by id (request counts are exact), memory, and 10,000 tasks."""
        options, rows = self.options, []
        count = options.tasks
        runs = []
        for _run in range(options.bulk_repeat):
            job = self.seed_tasks(count)
            runs.append(self.tasks_by_id(job, count, check=False))
            self.expect('tasks by id: tasks still running', self.still_running(job), 0)
        best = min(runs, key=lambda logged: logged.run.seconds)
        rows.append(report.ByIdRow('%d running task ids' % count, best, count + 20, True, count,
                                   median([logged.run.seconds for logged in runs])))
        few = options.few_ids
        job = self.seed_tasks(few, 'completed')
        rows.append(report.ByIdRow('%d completed task ids (nothing to do)' % few, self.tasks_by_id(job, few, check=False), 10))
        job = self.seed_tasks(few)
        rows.append(report.ByIdRow('%d running task ids, check mode' % few, self.tasks_by_id(job, few, check=True), 10))
        self.expect('check mode: tasks still running', self.still_running(job), few)
        jobs = options.job_ids
        prefix = self.seed_jobs(jobs)
        ids = ['%s-%04d' % (prefix, number) for number in range(jobs)]
        logged = self.run_playbook('jobs_by_id', playbooks.JOBS_BY_ID, {'ids': ids, 'parallel': options.parallel, 'check': False})
        self.expect('jobs by id: jobs still active', self.still_active(prefix), 0)
        rows.append(report.ByIdRow('%d active job ids' % jobs, logged, jobs + 10, True, jobs))
        for row in rows:
            self.expect('%s: Batch requests within the aim' % row.label, row.logged.batch <= row.max_requests, True)
            self.expect('%s: terminates' % row.label, row.logged.posts, row.posts)
        memory = self.module_alone('batch_task_terminate', {'job_id': self.seed_tasks(count), 'task_ids': [
            't%04d' % number for number in range(count)], 'parallel': options.parallel})
        large = options.large_job
        job = self.seed_tasks(large)
        scale = self.module_alone('batch_task_terminate', {'job_id': job, 'task_filter': "state eq 'running'",
                                                           'parallel': options.parallel})
        self.expect('%d tasks: tasks still running' % large, self.still_running(job), 0)
        return report.by_id_table(rows, memory, scale, large, rtt, floor, options.parallel)

    # 6. reclaim ----------------------------------------------------------------------------------

    def reclaim(self, rtt, floor):
        """Table 6: if_tasks_complete over options.reclaim_jobs active jobs, options.reclaim_finished of them finished."""
        options, runs = self.options, []
        jobs, finished = options.reclaim_jobs, options.reclaim_finished
        for _run in range(options.bulk_repeat):
            prefix = self.unique('reclaim')
            for number in range(jobs):
                tasks = [{'id': 'done', 'state': 'completed'},
                         {'id': 'last', 'state': 'completed' if number < finished else 'running'}]
                self.admin.add_job('%s-%04d' % (prefix, number), tasks=tasks)
            extra = {'job_filter': "startswith(id,'%s-') and state eq 'active'" % prefix, 'parallel': options.parallel}
            runs.append(self.run_playbook('reclaim', playbooks.RECLAIM, extra))
            self.expect('reclaim: jobs still active', self.still_active(prefix), jobs - finished)
            self.expect('reclaim: Batch requests', runs[-1].batch, 1 + jobs + finished)
            self.expect('reclaim: terminates', runs[-1].posts, finished)
        return report.reclaim_table(runs, jobs, finished, rtt, floor, options.parallel)

    def tasks_by_id(self, job, count, check):
        extra = {'job_id': job, 'ids': ['t%04d' % number for number in range(count)], 'parallel': self.options.parallel,
                 'check': check}
        return self.run_playbook('tasks_by_id', playbooks.TASKS_BY_ID, extra)

    def module_alone(self, module, args):
        """One module run outside Ansible (tests/perf/module_alone.py): a Logged, with .alone holding its report."""
        args = dict(args, ca_path=self.ca_path)
        command = [sys.executable, os.path.join(harness.PERF_DIR, 'module_alone.py'),
                   'ansible_collections.azure_batch.ops.plugins.modules.' + module, json.dumps(args)]
        env = dict(self.env['shared_key'], PYTHONPATH=self.collections)
        logged = self.logged(command, env, module + ' alone')
        logged.alone = json.loads(logged.run.stdout.strip().splitlines()[-1])
        self.expect('%s alone: exit code (%s)' % (module, logged.alone['msg'] or logged.alone['stderr'][-300:]),
                    logged.alone['returncode'], 0)
        return logged

    def still_running(self, job_id):
        job = [job for job in self.admin.jobs() if job['id'] == job_id][0]
        return sum(1 for task in job['tasks'] if task['state'] == 'running')

    def still_active(self, prefix):
        return sum(1 for job in self.admin.jobs() if job['id'].startswith(prefix + '-') and job['state'] == 'active')

    def schedules_still_active(self, prefix):
        return sum(1 for schedule in self.admin.job_schedules()
                   if schedule['id'].startswith(prefix + '-') and schedule['state'] == 'active')


def parse(arguments):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--latency-ms', type=int, default=20, help='latency the emulator adds to every Batch request')
    parser.add_argument('--tasks', type=int, default=500, help='running tasks terminated in scenario 2')
    parser.add_argument('--jobs', type=int, default=200, help='jobs terminated in scenario 3')
    parser.add_argument('--schedules', type=int, default=100, help='job schedules terminated in scenario 4')
    parser.add_argument('--loop-sample', type=int, default=40, help='items the Ansible loop really runs (then extrapolated)')
    parser.add_argument('--repeat', type=int, default=7, help='runs per single-job measurement (the best and the median are shown)')
    parser.add_argument('--bulk-repeat', type=int, default=3, help='runs per bulk measurement (the best and the median are shown)')
    parser.add_argument('--parallel', type=int, default=16, help='the parallel option of the bulk module calls')
    parser.add_argument('--few-ids', type=int, default=200, help='task ids of the completed and check-mode runs of table 5')
    parser.add_argument('--job-ids', type=int, default=100, help='active job ids terminated by id in table 5')
    parser.add_argument('--large-job', type=int, default=10000, help='tasks of the one large job of table 5')
    parser.add_argument('--reclaim-jobs', type=int, default=1000, help='active jobs of table 6 (if_tasks_complete)')
    parser.add_argument('--reclaim-finished', type=int, default=700, help='of those, jobs whose tasks are all complete')
    parser.add_argument('--only', choices=('by-id', 'reclaim'), help='run only table 5 (bulk reads by id and scale) or 6')
    parser.add_argument('--terminate-delay', type=float, default=1.0, help='seconds a terminated job stays terminating')
    parser.add_argument('--quick', action='store_true', help='small numbers, to check that the benchmark runs')
    options = parser.parse_args(arguments)
    if options.quick:
        options.tasks, options.jobs, options.schedules, options.loop_sample, options.repeat, options.bulk_repeat = 40, 20, 20, 8, 1, 1
        options.few_ids, options.job_ids, options.large_job = 20, 10, 300
        options.reclaim_jobs, options.reclaim_finished = 50, 35
    return options


def main(arguments):
    options = parse(arguments)
    workdir = harness.make_workdir()
    try:
        with EmulatorProcess(options.latency_ms, options.terminate_delay, state_dir=workdir) as emulator:
            bench = Bench(options, emulator, workdir)
            started = report.cpu_counters()
            print(report.machine(options), flush=True)
            rtt = bench.rtt()
            if options.only is None:
                print(report.single_table(bench.single_job(), bench.requests_import(), rtt), flush=True)
            floor = bench.playbook_floor()
            if options.only is None:
                for result in (bench.tasks_many(options.tasks), bench.jobs_many(options.jobs),
                               bench.schedules_many(options.schedules)):
                    print(report.many_table(result, rtt, floor), flush=True)
            if options.only != 'reclaim':
                print(bench.by_ids(rtt, floor), flush=True)
            if options.only in (None, 'reclaim'):
                print(bench.reclaim(rtt, floor), flush=True)
            print(report.load_line(started))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if bench.problems:
        print('\nUNEXPECTED RESULTS:\n  ' + '\n  '.join(bench.problems), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
