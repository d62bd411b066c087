"""Build ansible-test's sanity virtual environments whose pins name an archive URL, from the package index instead.

ansible-core 2.22 pins pylint's `dill` to a source archive on a code host (`dill @ https://...zip`), which a machine
that reaches only a package index (or an internal mirror of one) cannot download, so `ansible-test sanity --test
pylint` fails before it starts. This script, run from the collection tree with the lane's Python and the lane's
ansible-test home as HOME, creates each such environment where ansible-test looks for it
(~/.ansible/test/venv/sanity.<test>/<python>/<hash of ansible-test's own pip commands>) with the same pins, each URL
pin replaced by the released version named in tests/lanes/sanity-released.txt, and marks it done. ansible-test then
finds the environment ready and uses it. An environment that is already there is left alone; a URL pin without a
released replacement is an error naming the file to edit.

    python tests/utils/seed_sanity_venvs.py --python 3.13
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

from ansible_test._internal.commands.sanity import hash_pip_commands
from ansible_test._internal.util import ANSIBLE_TEST_DATA_ROOT, ANSIBLE_TEST_TARGET_TOOLS_ROOT
from ansible_test._internal.host_configs import NativePythonConfig, VirtualPythonConfig
from ansible_test._internal.python_requirements import PipInstall, collect_requirements, prepare_pip_script

URL_PIN = re.compile(r'^(?P<name>[A-Za-z0-9_.-]+)\s*@\s*\S+://\S+$', re.M)
RELEASED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'lanes', 'sanity-released.txt')


def released_pins():
    pins = {}
    with open(RELEASED, encoding='utf-8') as handle:
        for line in handle:
            line = line.split('#', 1)[0].strip()
            if line:
                name, _sep, version = line.partition('==')
                pins[name.strip().lower().replace('_', '-')] = version.strip()
    return pins


def without_urls(content, pins, source):
    def replace(match):
        name = match.group('name').lower().replace('_', '-')
        if name not in pins:
            raise SystemExit('%s pins %s to an archive URL and %s names no released version of it; add "%s==<version>".'
                             % (source, match.group('name'), os.path.relpath(RELEASED), match.group('name')))
        return '%s==%s' % (match.group('name'), pins[name])
    return URL_PIN.sub(replace, content)


def seed(test, python, pins):
    commands = collect_requirements(python=python, controller=True, ansible=False, coverage=False, minimize=False,
                                    command=None, sanity=test)
    path = os.path.join(os.path.expanduser('~/.ansible/test/venv'), 'sanity.' + test, python.version,
                        hash_pip_commands(commands))
    marker = os.path.join(path, 'marker.txt')
    if os.path.exists(marker):
        return
    print('Creating the sanity %s environment with released pins instead of archive URLs: %s' % (test, path), flush=True)
    shutil.rmtree(path, ignore_errors=True)
    offline = [PipInstall(requirements=[(name, without_urls(content, pins, name)) for name, content in command.requirements],
                          constraints=list(command.constraints), packages=list(command.packages))
               if isinstance(command, PipInstall) else command for command in commands]
    subprocess.run([python.path, '-m', 'venv', '--without-pip', path], check=True)
    venv_python = VirtualPythonConfig(version=python.version, path=os.path.join(path, 'bin', 'python'))
    subprocess.run([venv_python.path], input=prepare_pip_script(offline), text=True, check=True)
    # What ansible-test records beside an environment it made itself.
    with open(os.path.join(path, 'meta.install.json'), 'w', encoding='utf-8') as handle:
        handle.write(json.dumps([command.serialize() for command in commands], indent=4))
    check = subprocess.run([venv_python.path, os.path.join(ANSIBLE_TEST_TARGET_TOOLS_ROOT, 'yamlcheck.py')],
                           capture_output=True, text=True, check=True)
    result = json.loads(check.stdout)
    with open(os.path.join(path, 'meta.yaml.json'), 'w', encoding='utf-8') as handle:
        json.dump(result['cloader'] if result['yaml'] else None, handle)
    pathlib.Path(marker).touch()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--python', required=True, help='the X.Y version ansible-test sanity runs with')
    options = parser.parse_args()
    if '%d.%d' % sys.version_info[:2] != options.python:
        raise SystemExit('Run this with Python %s (it is %d.%d).' % ((options.python,) + sys.version_info[:2]))
    python = NativePythonConfig(version=options.python, path=getattr(sys, '_base_executable', sys.executable))
    pins = released_pins()
    for requirements in sorted(glob.glob(os.path.join(ANSIBLE_TEST_DATA_ROOT, 'requirements', 'sanity.*.txt'))):
        with open(requirements, encoding='utf-8') as handle:
            if URL_PIN.search(handle.read()):
                seed(os.path.basename(requirements)[len('sanity.'):-len('.txt')], python, pins)


if __name__ == '__main__':
    main()
