# -*- coding: utf-8 -*-
"""The lanes runner finds interpreters the way the README says, passes broken ones over, and never hides a lane."""

import stat
import sys

import pytest

from ansible_collections.azure_batch.ops.tests.utils import lanes

PY_VERSION = '%d.%d' % sys.version_info[:2]


def _script(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture(autouse=True)
def no_system_pythons(monkeypatch):
    monkeypatch.setattr(lanes, 'SYSTEM_BIN', ())


@pytest.fixture
def bin_dir(tmp_path):
    folder = tmp_path / 'bin'
    folder.mkdir()
    return folder


def test_a_named_interpreter_wins(bin_dir):
    named = _script(bin_dir / 'mine', '#!/bin/sh\nexec %s "$@"\n' % sys.executable)
    environ = {'PATH': '', 'PYENV_ROOT': str(bin_dir / 'none'), 'PYTHON' + PY_VERSION.replace('.', ''): named}
    assert lanes.find_python([PY_VERSION], environ) == named


def test_a_broken_shim_on_path_is_passed_over_for_pyenv(bin_dir, tmp_path):
    # A pyenv shim whose version is not installed: it exists on PATH and fails when run.
    _script(bin_dir / ('python' + PY_VERSION), '#!/bin/sh\necho "pyenv: python%s: command not found" >&2\nexit 127\n' % PY_VERSION)
    pyenv_python = tmp_path / 'pyenv' / 'versions' / (PY_VERSION + '.7') / 'bin'
    pyenv_python.mkdir(parents=True)
    real = _script(pyenv_python / 'python3', '#!/bin/sh\nexec %s "$@"\n' % sys.executable)
    environ = {'PATH': str(bin_dir), 'PYENV_ROOT': str(tmp_path / 'pyenv')}
    assert lanes.find_python([PY_VERSION], environ) == real


def test_the_newest_pyenv_patch_is_preferred(tmp_path):
    found = []
    for patch in ('9', '10', '2'):
        folder = tmp_path / 'versions' / ('%s.%s' % (PY_VERSION, patch)) / 'bin'
        folder.mkdir(parents=True)
        found.append(_script(folder / 'python3', '#!/bin/sh\nexec %s "$@"\n' % sys.executable))
    environ = {'PATH': '', 'PYENV_ROOT': str(tmp_path)}
    assert lanes.find_python([PY_VERSION], environ) == found[1]


def test_an_interpreter_of_another_version_does_not_count(bin_dir):
    other = '3.%d' % (sys.version_info[1] + 1)
    _script(bin_dir / ('python' + other), '#!/bin/sh\nexec %s "$@"\n' % sys.executable)  # says it is PY_VERSION
    environ = {'PATH': str(bin_dir), 'PYENV_ROOT': str(bin_dir / 'none')}
    assert lanes.find_python([other], environ) is None


def test_a_lane_without_python_is_a_loud_row_and_the_run_still_says_what_ran(monkeypatch, capsys):
    ran = []
    lane = lanes.Lane('2.16', ('3.99',), ('sanity',))
    monkeypatch.setattr(lanes, 'LANES', (lane,))
    monkeypatch.setattr(lanes, 'run_lane', ran.append)
    code = lanes.main({'PATH': '', 'PYENV_ROOT': '/nonexistent'})
    out = capsys.readouterr().out
    assert code == 0 and ran == []
    assert 'NOT RUN: no Python 3.99 found' in out and 'PYTHON399=/path/to/python3.99' in out
    assert 'WARNING: lane 2.16 was not run' in out
    assert 'steps: 0 passed, 0 failed, 1 skipped' in out


def test_a_failed_step_fails_the_run_and_names_the_lane(monkeypatch, capsys):
    lane = lanes.Lane('2.19', ('3.11',), ('sanity', 'units'), default=True)
    monkeypatch.setattr(lanes, 'LANES', (lane,))
    monkeypatch.setattr(lanes, 'run_lane', lambda one: one.outcome.append(('sanity', False, 3)))
    monkeypatch.setattr(lanes.Lane, 'venv_python_version', lambda self: '3.11.7')
    assert lanes.main({'PATH': ''}) == 1
    out = capsys.readouterr().out
    assert 'FAILED: sanity' in out and 'make test FAILED on lane 2.19' in out
    assert 'steps: 0 passed, 1 failed, 1 skipped' in out


def test_unknown_lanes_are_refused_in_one_sentence():
    with pytest.raises(SystemExit, match=r'LANES names 2\.99; the lanes are 2\.19, .*2\.16.*'):
        lanes.selected_lanes({'LANES': '2.16 2.99'})


def test_the_lanes_are_the_files_in_tests_lanes():
    names = [lane.name for lane in lanes.LANES]
    assert names[0] == '2.19' and lanes.LANES[0].default
    assert {'2.16', '2.18', '2.20', '2.21', '2.22', '2.19-py3.9', '2.19-py3.10'} <= set(names[1:])
    assert len(names) == len(set(names))


def test_every_lane_is_pinned_to_an_ansible_core_release():
    for lane in lanes.LANES:
        version = lane.core_version()
        assert version.startswith(lane.name.split('-')[0] + '.'), (lane.name, version)


def test_a_lane_file_says_its_pythons_and_steps(tmp_path):
    path = tmp_path / 'ansible-core-2.30.txt'
    path.write_text('# controller-python: 3.15 3.16\n# module-python: 3.9\n# steps: sanity units\n# order: 5\n'
                    'ansible-core==2.30.0\n')
    lane = lanes.lane_from_file(str(path))
    assert (lane.name, lane.pythons, lane.steps, lane.module_python, lane.order) == (
        '2.30', ('3.15', '3.16'), ('sanity', 'units'), '3.9', 5)
    path.write_text('ansible-core==2.30.0\n')
    with pytest.raises(SystemExit, match='names no controller-python and no steps'):
        lanes.lane_from_file(str(path))


def test_a_lane_whose_module_python_is_missing_is_a_loud_row(monkeypatch, capsys):
    lane = lanes.Lane('2.19-py3.9', (PY_VERSION,), ('module-units',), module_python='3.99')
    monkeypatch.setattr(lanes, 'LANES', (lane,))
    monkeypatch.setattr(lanes, 'run_lane', lambda one: pytest.fail('ran a lane without its Python'))
    monkeypatch.setattr(lanes, 'find_python', lambda versions, environ: None if versions[0] == '3.99' else sys.executable)
    assert lanes.main({'PATH': ''}) == 0
    out = capsys.readouterr().out
    assert 'NOT RUN: no Python 3.99 found for the modules' in out and 'PYTHON399=/path/to/python3.99' in out


def test_a_module_python_is_passed_to_make(monkeypatch, tmp_path):
    calls = []
    lane = lanes.Lane('2.19-py3.9', ('3.11',), ('module-units',), python='/py311', module_python='3.9',
                      module_python_path='/py39')
    monkeypatch.setattr(lanes, 'LOGS', str(tmp_path))
    monkeypatch.setattr(lanes.subprocess, 'call', lambda command, **kwargs: calls.append(command) or 0)
    assert lanes.run_step(lane, 'module-units')
    assert calls == [['make', 'module-units', 'LANE=2.19-py3.9', 'PYTHON=/py311', 'MODULE_PYTHON=/py39']]
