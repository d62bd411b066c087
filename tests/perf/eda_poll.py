"""Benchmark: one poll of the event source azure_batch.ops.batch_events with tasks, many jobs, one at a time and with
the source's parallel task lists, against the emulator with a fixed latency.

python tests/perf/eda_poll.py [--jobs 300] [--latency-ms 20]

Prints the requests of one poll (the emulator's log) and its wall time for parallelism 1 and 8, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from tests.emulator.process import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from tests.perf import harness  # noqa: E402  pylint: disable=wrong-import-position


def one_poll(watcher, admin):
    """Seconds and requests of one poll after the baseline."""
    watcher.poll()
    admin.clear_requests()
    started = time.perf_counter()
    watcher.poll()
    return time.perf_counter() - started, len(admin.requests())


def main(arguments):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--jobs', type=int, default=300)
    parser.add_argument('--latency-ms', type=int, default=20)
    options = parser.parse_args(arguments)
    workdir = harness.make_workdir()
    with EmulatorProcess(latency_ms=options.latency_ms, state_dir=workdir) as emulator:
        env = emulator.env()
        collections = harness.collections_root(workdir)
        client = harness.module_client(collections, env)  # a pool of 16 connections
        # pylint: disable-next=import-outside-toplevel
        from ansible_collections.azure_batch.ops.plugins.module_utils.batch_watch import BatchWatcher

        emulator.admin.seed([{'id': 'bench-%04d' % n, 'state': 'active', 'tasks': [{'id': 't', 'state': 'running'}]}
                             for n in range(options.jobs)])
        print('| parallelism | requests in one poll | seconds |')
        print('|---:|---:|---:|')
        seconds = {}
        for parallelism in (1, 8):
            watcher = BatchWatcher(client, tasks=True, parallelism=parallelism)
            seconds[parallelism], requests = one_poll(watcher, emulator.admin)
            watcher.close()
            print('| %d | %d | %.2f |' % (parallelism, requests, seconds[parallelism]))
        print('\n%d jobs, %d ms latency: parallelism 8 takes %.2f of the time of one at a time.'
              % (options.jobs, options.latency_ms, seconds[8] / seconds[1]))
        client.close()


if __name__ == '__main__':
    main(sys.argv[1:])
