"""Run `make test`'s steps on every ansible-core lane and end with one table: lane, ansible-core, Python, what ran, result.

`make test` runs this with the default lane's Python (.venv). Each other lane is a file
tests/lanes/ansible-core-<lane>.txt (the newest patch of that minor version), whose header names the controller
Pythons it may use, its steps and, for a lane that runs the modules on another Python, that Python
(tests/lanes/README.md). Its virtual environment, .lanes/<lane>/, is made with a controller Python the lane
supports, and the modules' Python is found the same way on this machine:

    PYTHON312=/path/to/python3.12      a variable naming it (PYTHON39, PYTHON312, PYTHON313, ...)
    python3.12 on PATH                 (a broken pyenv shim is tried and passed over)
    python3 on PATH                    when it is that version (Debian 13's python3 is 3.13)
    $PYENV_ROOT/versions/3.12.*        pyenv-built interpreters that are not on PATH

A lane whose interpreter is not found is not run: its row says what is missing and how to provide it, and a line
after the table repeats it. Lanes run LANE_JOBS at a time (default 2); each has its own collection tree and its own
ansible-test home (the Makefile's LANE=), and its steps' output goes to build/lanes/logs/, of which a failed step's
end is printed. `LANES="2.16 2.22" make test` runs only the lanes named (the default lane is 2.19).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOGS = os.path.join(REPO, 'build', 'lanes', 'logs')
DEFAULT_STEPS = ('sanity', 'units', 'integration', 'lint', 'docs-lint', 'docs', 'changelog-lint', 'build-check', 'galaxy-import',
                 'eda')
FULL_LANE_STEPS = ('sanity', 'units', 'integration', 'demo')
# Closing lines of pytest and ansible-test worth showing from a step's log, failed or not.
SUMMARY_LINE = re.compile(r'^(=+ .*\b(passed|failed|errors?)\b.* =+|FATAL: .*|ERROR: .*|Demo (passed|FAILED).*)$')
FAILED_TAIL = 150
PRINT_LOCK = threading.Lock()
SYSTEM_BIN = ('/usr/local/bin', '/usr/bin')  # where distributions put python3.X off a user's PATH


@dataclass
class Lane:
    name: str
    pythons: tuple          # controller Pythons this lane may use, preferred first
    steps: tuple
    default: bool = False   # the .venv lane, made from requirements-dev.txt
    python: str = ''        # the interpreter found for it
    outcome: list = field(default_factory=list)  # (step, passed, seconds)
    missing: str = ''
    module_python: str = ''  # X.Y the modules run on, when it is not the controller's (module-units, ...)
    module_python_path: str = ''
    order: int = 50

    @property
    def requirements(self):
        if self.default:
            return os.path.join(REPO, 'requirements-dev.txt')
        return os.path.join(REPO, 'tests', 'lanes', 'ansible-core-%s.txt' % self.name)

    @property
    def failed(self):
        return [step for step, passed, _seconds in self.outcome if not passed]

    def core_version(self):
        with open(self.requirements, encoding='utf-8') as handle:
            found = re.search(r'^ansible-core==(\S+)', handle.read(), re.M)
        return found.group(1) if found else '?'

    def venv_python_version(self):
        venv = '.venv' if self.default else os.path.join('.lanes', self.name)
        done = subprocess.run([os.path.join(REPO, venv, 'bin', 'python'), '--version'],
                              capture_output=True, text=True, check=False)
        return done.stdout.split()[-1] if done.returncode == 0 else '?'


# The default lane's interpreters (the Makefile makes .venv with one of them); the other lanes say theirs in
# tests/lanes/ansible-core-<lane>.txt, in a header of `# key: values` lines (see tests/lanes/README.md).
DEFAULT_PYTHONS = ('3.11', '3.12', '3.13')
HEADER = re.compile(r'^# (controller-python|module-python|steps|order): *(.*?) *$', re.M)


def default_lane_name():
    with open(os.path.join(REPO, 'requirements-dev.txt'), encoding='utf-8') as handle:
        return '.'.join(re.search(r'^ansible-core==(\d+)\.(\d+)', handle.read(), re.M).groups())


def lane_from_file(path):
    name = os.path.basename(path)[len('ansible-core-'):-len('.txt')]
    with open(path, encoding='utf-8') as handle:
        header = dict(HEADER.findall(handle.read()))
    missing = sorted({'controller-python', 'steps'} - set(header))
    if missing:
        raise SystemExit('%s names no %s; see tests/lanes/README.md.' % (os.path.relpath(path, REPO), ' and no '.join(missing)))
    lane = Lane(name, tuple(header['controller-python'].split()), tuple(header['steps'].split()),
                module_python=header.get('module-python', ''))
    lane.order = int(header.get('order', '50'))
    return lane


def discover_lanes():
    """The default lane, then every tests/lanes/ansible-core-<lane>.txt; by `# order:`, then by name."""
    found = [lane_from_file(path) for path in glob.glob(os.path.join(REPO, 'tests', 'lanes', 'ansible-core-*.txt'))]
    found.sort(key=lambda lane: (lane.order, [int(part) if part.isdigit() else part for part in re.split(r'[.-]', lane.name)]))
    return (Lane(default_lane_name(), DEFAULT_PYTHONS, DEFAULT_STEPS, default=True),) + tuple(found)


LANES = discover_lanes()


def say(text):
    with PRINT_LOCK:
        print(text, flush=True)


def interpreter_version(path):
    """'3.12' for a working interpreter that can make virtual environments, else None."""
    try:
        done = subprocess.run([path, '-c', 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])'],
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def interpreter_release(path):
    done = subprocess.run([path, '--version'], capture_output=True, text=True, check=False)
    return done.stdout.split()[-1] if done.returncode == 0 and done.stdout.split() else '?'


def candidates(version, environ):
    named = environ.get('PYTHON' + version.replace('.', ''))
    if named:
        yield named
    for name in ('python' + version, 'python3'):
        found = shutil.which(name, path=environ.get('PATH'))
        if found:
            yield found
    for folder in SYSTEM_BIN:
        yield os.path.join(folder, 'python' + version)
    pyenv_root = environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')

    def release(path):
        return [int(number) for number in re.findall(r'\d+', path.split(os.sep)[-3])]

    yield from sorted(glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', 'python3')),
                      key=release, reverse=True)


def find_python(versions, environ):
    for version in versions:
        for path in candidates(version, environ):
            if interpreter_version(path) == version:
                return path
    return None


def missing_python(lane):
    if lane.python and lane.module_python:
        version = lane.module_python
        return ('no Python %s found for the modules; install one, put python%s on PATH or set PYTHON%s=/path/to/python%s'
                % (version, version, version.replace('.', ''), version))
    first = lane.pythons[0]
    return ('no %s found (ansible-core %s runs on it); install one, put python%s on PATH or set PYTHON%s=/path/to/python%s'
            % (' or '.join('Python ' + v for v in lane.pythons), lane.name, first, first.replace('.', ''), first))


def run_step(lane, step):
    command = ['make', step] + ([] if lane.default else ['LANE=' + lane.name, 'PYTHON=' + lane.python])
    if lane.module_python_path:
        command.append('MODULE_PYTHON=' + lane.module_python_path)
    log_path = os.path.join(LOGS, '%s-%s.log' % (lane.name, step))
    started = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        passed = subprocess.call(command, cwd=REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT) == 0
    seconds = round(time.monotonic() - started)
    lane.outcome.append((step, passed, seconds))
    with open(log_path, encoding='utf-8', errors='replace') as log:
        lines = log.read().splitlines()
    shown = [line for line in lines if SUMMARY_LINE.match(line)][-6:]
    verdict = 'passed' if passed else 'FAILED'
    report = ['---- lane %s: make %s %s in %ss (log: %s)' % (lane.name, step, verdict, seconds, os.path.relpath(log_path, REPO))]
    report += ['     ' + line for line in shown]
    if not passed:
        report += ['     ---- last %d lines of the log ----' % FAILED_TAIL] + lines[-FAILED_TAIL:]
    say('\n'.join(report))
    return passed


def run_lane(lane):
    os.makedirs(LOGS, exist_ok=True)
    where = ' (.venv)' if lane.default else ' with ' + lane.python
    say('==== lane %s: ansible-core %s%s' % (lane.name, lane.core_version(), where))
    for step in lane.steps:
        if not run_step(lane, step):
            break   # later steps of a lane build on earlier ones; the other lanes still run


def table(lanes):
    rows = [('lane', 'ansible-core', 'Python', 'what ran', 'result')]
    for lane in lanes:
        if lane.missing:
            rows.append((lane.name, lane.core_version(), '-', 'nothing', 'NOT RUN: ' + lane.missing))
            continue
        ran = ' '.join('%s(%ss)' % (step, seconds) for step, _passed, seconds in lane.outcome)
        python = lane.venv_python_version()
        if lane.module_python:
            python += ', modules ' + interpreter_release(lane.module_python_path)
        rows.append((lane.name, lane.core_version(), python, ran,
                     'FAILED: ' + ', '.join(lane.failed) if lane.failed else 'passed'))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return '\n'.join('  '.join([cell.ljust(width) for cell, width in zip(row, widths)] + [row[4]]) for row in rows)


def selected_lanes(environ):
    wanted = environ.get('LANES', '').split()
    unknown = sorted(set(wanted) - {lane.name for lane in LANES})
    if unknown:
        raise SystemExit('LANES names %s; the lanes are %s.' % (', '.join(unknown), ', '.join(known.name for known in LANES)))
    return [lane for lane in LANES if not wanted or lane.name in wanted]


def main(environ):
    lanes = selected_lanes(environ)
    runnable = []
    for lane in lanes:
        if not lane.default:
            lane.python = find_python(lane.pythons, environ) or ''
        if lane.module_python and (lane.default or lane.python):
            lane.module_python_path = find_python((lane.module_python,), environ) or ''
            lane.missing = '' if lane.module_python_path else missing_python(lane)
        elif not lane.default:
            lane.missing = '' if lane.python else missing_python(lane)
        if lane.missing:
            say('==== lane %s NOT RUN: %s' % (lane.name, lane.missing))
        else:
            runnable.append(lane)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, int(environ.get('LANE_JOBS', '2')))) as pool:
        list(pool.map(run_lane, runnable))
    print('\n==== ansible-core lanes (%d s) ====\n%s\n' % (round(time.monotonic() - started), table(lanes)))
    for lane in lanes:
        if lane.missing:
            print('WARNING: lane %s was not run: %s.' % (lane.name, lane.missing))
    steps = [passed for lane in lanes for _step, passed, _seconds in lane.outcome]
    skipped = sum(len(lane.steps) for lane in lanes) - len(steps)
    print('steps: %d passed, %d failed, %d skipped' % (steps.count(True), steps.count(False), skipped))
    failed = [lane.name for lane in lanes if lane.failed]
    if failed:
        print('make test FAILED on lane %s.' % ', '.join(failed))
        return 1
    not_run = len(lanes) - len(runnable)
    print('make test passed on %d lane(s)%s.' % (len(runnable), ', %d not run (see above)' % not_run if not_run else ''))
    return 0


if __name__ == '__main__':
    if sys.argv[1:2] == ['--find-python']:
        # The Makefile's module-* steps: the interpreter of version sys.argv[2] found as for the lanes, or one sentence.
        FOUND = find_python(sys.argv[2:3], os.environ)
        if not FOUND:
            sys.exit('ERROR: ' + missing_python(Lane('', (), (), python='-', module_python=sys.argv[2])) + '.')
        print(FOUND)
        sys.exit(0)
    sys.exit(main(os.environ))
