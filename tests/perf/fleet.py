"""Fleet benchmark: running tasks of N accounts terminated by one ansible-playbook run with the batch_accounts
inventory and forks, against the same playbook on one account of the same inventory.

    python tests/perf/fleet.py [--accounts 10] [--tasks 200] [--forks 10] [--latency-ms 20] [--repeat 3]

Prints a Markdown table for tests/perf/README.md: wall seconds (best and median), CPU seconds of ansible-playbook
and its children, and the requests each run made (Batch, ARM, token), taken from the emulators' request logs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.emulator.fleet import FleetProcess  # noqa: E402  pylint: disable=wrong-import-position
from tests.perf.harness import BIN, REPO, checked, collections_root, median, timed  # noqa: E402  pylint: disable=wrong-import-position


def parse(arguments):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--accounts', type=int, default=10)
    parser.add_argument('--tasks', type=int, default=200, help='running tasks of one job per account')
    parser.add_argument('--forks', type=int, default=10)
    parser.add_argument('--latency-ms', type=int, default=20, help='latency the emulators add to every Batch and ARM answer')
    parser.add_argument('--parallel', type=int, default=16, help='the parallel option of batch_task_terminate')
    parser.add_argument('--repeat', type=int, default=3)
    return parser.parse_args(arguments)


def write_inventory(workdir, fleet, name, **options):
    directory = os.path.join(workdir, name)
    os.makedirs(os.path.join(directory, 'group_vars'))
    with open(os.path.join(directory, 'group_vars', 'all.yml'), 'w', encoding='utf-8') as handle:
        handle.write('ansible_python_interpreter: "{{ ansible_playbook_python }}"\n')
    path = os.path.join(directory, 'fleet.batch_accounts.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(dict({'plugin': 'azure_batch.ops.batch_accounts', 'arm_endpoint': fleet.arm_url, 'ca_path': fleet.ca_path},
                       **options), handle)
    return path


def environment(workdir, fleet):
    described = fleet.identity.describe()
    env = {key: value for key, value in os.environ.items() if not key.startswith(('AZURE_', 'ANSIBLE_', 'BATCH_EMULATOR_'))}
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_root(workdir), ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='false',
               ANSIBLE_LOCALHOST_WARNING='false', AZURE_CLIENT_ID=described['client_id'], AZURE_SECRET=described['client_secret'],
               AZURE_TENANT=described['tenant_id'], AZURE_AUTHORITY_HOST=fleet.identity.authority_host)
    return env


def one_run(fleet, accounts, inventory, env, options):
    job_id = 'bench-%s' % uuid.uuid4().hex[:8]
    for account in accounts:
        account.admin.add_job(job_id, tasks=[{'id': 't%04d' % n, 'state': 'running'} for n in range(options.tasks)])
    for account in fleet.accounts:
        account.admin.clear_requests()
    command = [os.path.join(BIN, 'ansible-playbook'), '-i', inventory, '--forks', str(options.forks),
               os.path.join(REPO, 'playbooks', 'terminate_tasks.yml'), '-e', 'batch_hosts=all', '-e', 'job_id=' + job_id,
               '-e', 'parallel=%d' % options.parallel, '-e', 'batch_ca_path=' + fleet.ca_path]
    run = checked(timed(command, env), 'ansible-playbook')
    log = [entry for account in fleet.accounts for entry in account.admin.requests()]
    counts = {'batch': sum(1 for e in log if e['path'].startswith('/jobs')),
              'posts': sum(1 for e in log if e['path'].startswith('/jobs') and e['method'] == 'POST'),
              'arm': sum(1 for e in log if e['path'].startswith('/subscriptions')),
              'token': sum(1 for e in log if e['path'].endswith('/token'))}
    still = sum(1 for account in accounts for job in account.admin.jobs() if job['id'] == job_id
                for task in job['tasks'] if task['state'] != 'completed')
    if still:
        raise RuntimeError('%d tasks were still running after the run' % still)
    return run, counts


def ping(inventory, options):
    """The cost of Ansible alone on these hosts: one module process per host, nothing sent to Batch."""
    return [os.path.join(BIN, 'ansible'), 'all', '-i', inventory, '--forks', str(options.forks), '-m', 'ansible.builtin.ping']


def main(arguments=None):
    options = parse(arguments)
    workdir = tempfile.mkdtemp(prefix='batch-fleet-bench-')
    with FleetProcess(accounts=options.accounts, latency_ms=options.latency_ms, terminate_delay=0.2, arm_page_size=50) as fleet:
        env = environment(workdir, fleet)
        everyone = write_inventory(workdir, fleet, 'all')
        single = write_inventory(workdir, fleet, 'one', names=[fleet.accounts[0].account_name])
        rows = {'one': [], 'fleet': []}
        floors = {'one': [], 'fleet': []}
        for _number in range(options.repeat):  # alternating, so a noisy moment hits both
            rows['one'].append(one_run(fleet, fleet.accounts[:1], single, env, options))
            rows['fleet'].append(one_run(fleet, fleet.accounts, everyone, env, options))
            for name, inventory in (('one', single), ('fleet', everyone)):
                floors[name].append(checked(timed(ping(inventory, options), env), 'ansible ping').seconds)
    print('| run | accounts x running tasks | wall s (best) | wall s (median) | CPU s (median) | Batch requests '
          '(POST) | ARM requests | token requests |')
    print('|---|---|---|---|---|---|---|---|')
    for name, accounts in (('one', 1), ('fleet', options.accounts)):
        runs = rows[name]
        seconds = [run.seconds for run, _counts in runs]
        counts = runs[-1][1]
        print('| %s | %d x %d | %.2f | %.2f | %.2f | %d (%d) | %d | %d |' % (
            'one account' if name == 'one' else 'fleet, forks %d' % options.forks, accounts, options.tasks, min(seconds),
            median(seconds), median([run.cpu for run, _counts in runs]), counts['batch'], counts['posts'], counts['arm'],
            counts['token']))
    for name in ('one', 'fleet'):
        print('| ansible all -m ping, same inventory (%s) | %d hosts | %.2f | %.2f | | | | |' % (
            name, 1 if name == 'one' else options.accounts, min(floors[name]), median(floors[name])))
    best_one = min(run.seconds for run, _counts in rows['one'])
    best_fleet = min(run.seconds for run, _counts in rows['fleet'])
    overhead = min(floors['fleet']) - min(floors['one'])
    print('\nfleet / one account (best runs): %.2fx; one account + the per-host overhead of Ansible alone (%.2f s) = %.2f s; '
          '%d accounts one after another would be about %.1f s.'
          % (best_fleet / best_one, overhead, best_one + overhead, options.accounts, best_one * options.accounts))
    return 0


if __name__ == '__main__':
    sys.exit(main())
