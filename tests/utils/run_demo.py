"""Run the demo playbook twice and check that it is idempotent.

`make demo` runs it inside the bundled emulator:

    python -m tests.emulator run --seed-file tests/emulator/demo_seed.json -- \
        python tests/utils/run_demo.py --inventory playbooks/inventory/demo.yml --playbook playbooks/demo.yml

The first run must change something (it terminates a job and a task), the second must change
nothing. The emulator's BATCH_EMULATOR_* variables become the connection settings the modules
read (AZURE_BATCH_ENDPOINT, AZURE_BATCH_ACCOUNT, AZURE_BATCH_ACCESS_KEY) and the extra
variable batch_ca_path; without them the playbook uses whatever the environment already sets.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

# ansible-core prints this when meta/runtime.yml's requires_ansible excludes it: every supported release must run clean.
UNSUPPORTED = re.compile(r'Collection azure_batch\.ops does not support Ansible version')
RECAP_LINE = re.compile(r'^\S+\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)')
MODULE_SETTINGS = {
    'BATCH_EMULATOR_URL': 'AZURE_BATCH_ENDPOINT',
    'BATCH_EMULATOR_ACCOUNT': 'AZURE_BATCH_ACCOUNT',
    'BATCH_EMULATOR_KEY': 'AZURE_BATCH_ACCESS_KEY',
}


def playbook_environment(environ):
    """Return the environment for ansible-playbook: the emulator's coordinates under the modules' names."""
    env = dict(environ)
    for emulator_name, module_name in MODULE_SETTINGS.items():
        if environ.get(emulator_name):
            env[module_name] = environ[emulator_name]
    env.setdefault('ANSIBLE_CALLBACK_RESULT_FORMAT', 'yaml')
    env.setdefault('ANSIBLE_LOCALHOST_WARNING', 'false')
    return env


def run_playbook(command, env):
    """Run the playbook, echoing its output; return (exit code, changed count, failed count, unsupported warning)."""
    changed = failed = 0
    unsupported = False
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            unsupported = unsupported or bool(UNSUPPORTED.search(line))
            recap = RECAP_LINE.match(line)
            if recap:
                changed += int(recap.group(1))
                failed += int(recap.group(2)) + int(recap.group(3))
    sys.stdout.flush()
    return process.returncode, changed, failed, unsupported


def main(arguments):
    """Run the two rounds; return 0 when the first changed something and the second nothing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--inventory', required=True)
    parser.add_argument('--playbook', required=True)
    options = parser.parse_args(arguments)

    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', options.inventory, options.playbook]
    if os.environ.get('BATCH_EMULATOR_CA'):
        command += ['-e', json.dumps({'batch_ca_path': os.environ['BATCH_EMULATOR_CA']})]
    env = playbook_environment(os.environ)

    rounds = (('Run 1: terminates the job and the task', lambda changed: changed > 0, 'changed > 0'),
              ('Run 2: the same playbook again, nothing left to do', lambda changed: changed == 0, 'changed = 0'))
    counts = []
    for title, expected, expectation in rounds:
        print('\n---- %s ----' % title, flush=True)
        code, changed, failed, unsupported = run_playbook(command, env)
        if unsupported:
            print('\nDemo FAILED: ansible-core warned that it is not supported by the collection (requires_ansible in '
                  'meta/runtime.yml).', file=sys.stderr)
            return 1
        if code or failed or not expected(changed):
            print('\nDemo FAILED in "%s": exit code %d, changed=%d, failed=%d; expected success with %s.'
                  % (title, code, changed, failed, expectation), file=sys.stderr)
            return code or 1
        counts.append(changed)
        print('---- %s: changed=%d, as expected ----' % (title.split(':', maxsplit=1)[0], changed))
    print('\nDemo passed: the first run changed %d resource(s), the second changed nothing.' % counts[0])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
