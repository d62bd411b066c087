# -*- coding: utf-8 -*-
"""The offline stand-in for get-pip.py bootstraps pip the way ansible-test calls it, and fails in one sentence."""

import ensurepip
import subprocess
import venv

import pytest

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT

SCRIPT = str(COLLECTION_ROOT / 'tests' / 'utils' / 'get_pip_offline.py')


@pytest.fixture
def bare_venv(tmp_path):
    venv.EnvBuilder(with_pip=False).create(tmp_path / 'venv')
    python = str(tmp_path / 'venv' / 'bin' / 'python')
    assert subprocess.run([python, '-m', 'pip', '--version'], capture_output=True, check=False).returncode != 0
    return python


def test_bootstraps_pip_as_ansible_test_runs_it(bare_venv):
    # The version the interpreter bundles, so the test needs no index; ansible-test asks for its own pin.
    wanted = 'pip==%s' % ensurepip.version()
    done = subprocess.run([bare_venv, SCRIPT, '--disable-pip-version-check', wanted, '--no-setuptools', '--no-wheel'],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    version = subprocess.run([bare_venv, '-m', 'pip', '--version'], capture_output=True, text=True, check=True).stdout
    assert version.startswith('pip %s ' % ensurepip.version())


def test_a_version_the_index_cannot_give_fails_in_one_sentence(bare_venv):
    done = subprocess.run([bare_venv, SCRIPT, '--disable-pip-version-check', '--no-index', 'pip==0.0.1'],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0
    assert 'get_pip_offline: could not install pip==0.0.1 from the package index pip is configured with' in done.stderr
    assert 'Traceback' not in done.stderr
