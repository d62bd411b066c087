"""Run one module of the collection outside Ansible and report what its process used.

`python tests/perf/module_alone.py MODULE ARGS_JSON` runs `python -m <module> <file>` with the arguments in
ANSIBLE_MODULE_ARGS (how AnsibleModule reads a file named on its command line) and prints one JSON line:
wall seconds, the module process's peak resident memory (ru_maxrss of this wrapper's only child), the size of
its result, and its exit code. The benchmark runs it in a fresh wrapper each time, so no earlier child counts.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def main(arguments):
    module, module_args = arguments[0], json.loads(arguments[1])
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': module_args}, handle)
    try:
        started = time.monotonic()
        completed = subprocess.run([sys.executable, '-m', module, handle.name], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, check=False)
        seconds = time.monotonic() - started
    finally:
        os.unlink(handle.name)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(completed.stdout or b'{}')
    print(json.dumps({'seconds': seconds, 'maxrss_mb': usage.ru_maxrss / 1024.0, 'result_bytes': len(completed.stdout),
                      'cpu': usage.ru_utime + usage.ru_stime, 'returncode': completed.returncode,
                      'summary': result.get('summary'), 'msg': result.get('msg'),
                      'stderr': completed.stderr.decode('utf-8', 'replace')[-2000:]}))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
