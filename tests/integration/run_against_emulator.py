"""Run `ansible-test integration` against the Batch emulator that started this script.

`make integration` runs, from the collection tree (.../ansible_collections/azure_batch/ops):

    python -m tests.emulator run -- python tests/integration/run_against_emulator.py --local --python 3.11 [TARGET...]

The emulator hands its coordinates over in BATCH_EMULATOR_* environment variables, but
ansible-test gives the targets a clean environment. So this script writes them to
tests/integration/integration_config.yml, which ansible-test loads into every target's play,
runs ansible-test with the given arguments, and removes the file again (it holds the
emulator's account key and is useless once the emulator stops). See README.md beside it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

PREFIX = 'BATCH_EMULATOR_'
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG_PATH = os.path.join(COLLECTION_ROOT, 'tests', 'integration', 'integration_config.yml')


def emulator_variables(environ):
    """Return the target variables for the emulator described by BATCH_EMULATOR_* in environ."""
    found = {name[len(PREFIX):].lower(): value for name, value in environ.items() if name.startswith(PREFIX)}
    if not found.get('url'):
        raise SystemExit('BATCH_EMULATOR_URL is not set: start this script with `python -m tests.emulator run -- python %s`.'
                         % os.path.relpath(__file__, COLLECTION_ROOT))
    variables = {'emulator_' + key: value for key, value in sorted(found.items())}
    variables.update(
        batch_url=found['url'],
        batch_ca_path=found.get('ca'),
        batch_account_name=found.get('account'),
        batch_account_key=found.get('key'),
        batch_admin_url=found['url'].rstrip('/') + '/_admin',
    )
    return variables


def write_config(variables):
    """Write variables as YAML (JSON is YAML) readable only by the current user."""
    descriptor = os.open(CONFIG_PATH, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as config:
        json.dump(variables, config, indent=2, sort_keys=True)
        config.write('\n')


def main(arguments):
    """Write the config, run ansible-test integration with arguments, clean up; return its exit code."""
    write_config(emulator_variables(os.environ))
    ansible_test = os.path.join(os.path.dirname(sys.executable), 'ansible-test')
    try:
        return subprocess.call([ansible_test, 'integration'] + arguments, cwd=COLLECTION_ROOT)
    finally:
        os.remove(CONFIG_PATH)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
