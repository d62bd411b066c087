# -*- coding: utf-8 -*-
"""Fixtures for runs of playbooks and modules as AWX does them: ansible-runner, injected credentials.

These tests need the controller side of ansible-core (ansible-playbook, Jinja2), so they live outside
tests/unit/plugins/modules, where ansible-test gives only module_utils.
"""

import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT, clear_azure_env, make_collections_path

INVENTORY = COLLECTION_ROOT / 'playbooks' / 'inventory' / 'demo.yml'


@pytest.fixture
def azure_env(monkeypatch, tmp_path):
    """No Azure variable set (and an empty AZURE_CONFIG_DIR); returns a setter for the ones a test wants."""
    return clear_azure_env(monkeypatch, tmp_path)


@pytest.fixture
def collections_path(tmp_path):
    return make_collections_path(tmp_path)


@pytest.fixture
def unique():
    """A fresh id with prefix, so tests sharing one emulator never touch each other's jobs."""
    return lambda prefix='t': '%s-%s' % (prefix, uuid.uuid4().hex[:12])


def awx_batch_credential_env(inputs):
    """The variables the "Azure Batch" credential type (docs/azure_batch_credential_type.yml) injects for inputs.

    AWX renders each injector with Jinja in a sandbox; an input left empty renders as an empty string.
    """
    definition = yaml.safe_load((COLLECTION_ROOT / 'docs' / 'azure_batch_credential_type.yml').read_text())
    sandbox = ImmutableSandboxedEnvironment()
    return {name: sandbox.from_string(template).render(**inputs) for name, template in definition['injectors']['env'].items()}


def task_results(events, action):
    """The results of every task of the given action, in order, from ansible-runner events."""
    return [event['event_data']['res'] for event in events
            if event.get('event') in ('runner_on_ok', 'runner_on_failed') and event['event_data'].get('task_action') == action]


@pytest.fixture
def run_playbook(tmp_path, collections_path, monkeypatch):
    """run(playbook, envvars, extravars) through ansible-runner, the engine of AWX -> (runner, stdout, events, artifact dir).

    ansible-test puts no ansible-playbook on PATH, so one of the Python and ansible-core running the tests goes first.
    """
    import ansible_runner  # pylint: disable=import-outside-toplevel

    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    script = bin_dir / 'ansible-playbook'
    script.write_text('#!%s\nfrom ansible.cli.playbook import main\nmain()\n' % sys.executable)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv('PATH', str(bin_dir) + os.pathsep + os.environ.get('PATH', ''))

    def run(playbook, envvars, extravars=None):
        private_data_dir = tmp_path / 'runner'
        private_data_dir.mkdir()
        runner = ansible_runner.run(
            private_data_dir=str(private_data_dir), playbook=str(playbook), inventory=str(INVENTORY),
            envvars=dict(envvars, ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_LOCALHOST_WARNING='false',
                         ANSIBLE_PIPELINING='true'),
            extravars=extravars or {}, quiet=True, timeout=240)
        return runner, runner.stdout.read(), list(runner.events), Path(runner.config.artifact_dir)
    return run


@pytest.fixture
def run_module_process(tmp_path, collections_path):
    """run(module name, args) -> result: the module in its own Python process, as Ansible runs it, in this environment."""
    def run(module, args):
        args_file = tmp_path / ('%s-args.json' % module)
        args_file.write_text(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(collections_path)] + sys.path))
        completed = subprocess.run([sys.executable, '-m', 'ansible_collections.azure_batch.ops.plugins.modules.' + module, str(args_file)],
                                   env=env, capture_output=True, text=True, timeout=120, check=False)
        return json.loads(completed.stdout)
    return run
