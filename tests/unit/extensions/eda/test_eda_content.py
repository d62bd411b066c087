# -*- coding: utf-8 -*-
"""What ships for Event-Driven Ansible besides the source: the rulebooks and the decision environment definition.
(make eda runs the rulebooks with a real ansible-rulebook; these checks need none.)"""

import subprocess
import sys

import pytest
import yaml
from jinja2 import Environment

from ansible_collections.azure_batch.ops.extensions.eda.plugins.event_source import batch_events
from ansible_collections.azure_batch.ops.plugins.doc_fragments.auth import ModuleDocFragment
from ansible_collections.azure_batch.ops.plugins.modules import batch_job_terminate
from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT

RULEBOOKS = sorted((COLLECTION_ROOT / 'extensions' / 'eda' / 'rulebooks').glob('*.yml'))
CONNECTION = {'AZURE_BATCH_ENDPOINT': 'https://myaccount.westeurope.batch.azure.com', 'AZURE_BATCH_ACCOUNT': 'myaccount',
              'AZURE_BATCH_ACCESS_KEY': 'a2V5'}


def test_the_rulebooks_ship():
    assert [path.name for path in RULEBOOKS] == ['terminate_overdue.yml', 'terminate_pipeline_on_failure.yml',
                                                 'terminate_when_tasks_complete.yml']


@pytest.mark.parametrize('path', RULEBOOKS, ids=lambda path: path.stem)
def test_rulebook_source_arguments_pass_the_source_checks(path):
    """The source arguments, rendered as ansible-rulebook renders them (Jinja, the rulebook's variables)."""
    (ruleset,) = yaml.safe_load(path.read_text())
    (source,) = ruleset['sources']
    arguments = source['azure_batch.ops.batch_events']
    rendered = {name: Environment().from_string(value).render(pipeline_prefix='render-2026-12-02-')
                if isinstance(value, str) else value for name, value in arguments.items()}
    options, _url, _credentials = batch_events.check_arguments(rendered, environ=CONNECTION)
    assert options['interval'] >= 30


@pytest.mark.parametrize('path', RULEBOOKS, ids=lambda path: path.stem)
def test_rulebook_actions_use_options_of_the_module(path):
    module_options = set(yaml.safe_load(batch_job_terminate.DOCUMENTATION)['options']) | set(
        yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    (ruleset,) = yaml.safe_load(path.read_text())
    for rule in ruleset['rules']:
        action = rule['action']['run_module']
        assert action['name'] == 'azure_batch.ops.batch_job_terminate'
        assert set(action['module_args']) <= module_options
        assert 'event.batch.' in rule['condition']


def test_decision_environment_definition_builds_a_context(tmp_path):
    definition = COLLECTION_ROOT / 'docs' / 'decision-environment.yml'
    context = tmp_path / 'context'
    completed = subprocess.run([sys.executable, '-m', 'ansible_builder', 'create', '-f', str(definition), '--context',
                                str(context)], capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    build = context / '_build'
    galaxy = yaml.safe_load((build / 'requirements.yml').read_text())
    assert [collection['name'] for collection in galaxy['collections']] == ['azure_batch.ops']
    python = [line.strip() for line in (build / 'requirements.txt').read_text().splitlines() if line.strip()]
    assert python[0].startswith('ansible-rulebook')
    collection_requirements = [line.split('#')[0].strip() for line in (COLLECTION_ROOT / 'requirements.txt').read_text().splitlines()
                               if line.split('#')[0].strip()]
    assert python[1:] == collection_requirements
    assert 'java-17-openjdk' in (build / 'bindep.txt').read_text()
