# -*- coding: utf-8 -*-
"""The event source's published metadata: the JSON schema of its arguments, extensions/eda/eda_runtime.yml and
meta/extensions.yml, which makes Galaxy and Automation Hub list and document it."""

import json

import yaml

from ansible_collections.azure_batch.ops.extensions.eda.plugins.event_source import batch_events
from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT
from ansible_collections.azure_batch.ops.tests.utils import eda_schema

SCHEMA = COLLECTION_ROOT / eda_schema.SCHEMA_PATH


def test_the_schema_is_the_one_the_source_and_its_docs_make():
    assert SCHEMA.read_text() == eda_schema.rendered(), 'run: python tests/utils/eda_schema.py (make eda-schema)'


def test_the_schema_names_every_argument_with_its_type_default_and_secrecy():
    properties = json.loads(SCHEMA.read_text())['properties']
    spec = batch_events.argument_spec()
    assert set(properties) == set(spec)
    assert properties['interval'] == dict(properties['interval'], type='number', default=30.0)
    assert properties['tasks']['type'] == 'boolean' and properties['running_longer_than']['type'] == 'integer'
    assert {name for name, entry in properties.items() if entry.get('writeOnly')} == {
        name for name, entry in spec.items() if entry.get('no_log')}
    assert 'client_request_id' not in properties
    assert all(entry['description'] and '(' not in entry['description'][:2] for entry in properties.values())


def test_the_rulebooks_use_only_arguments_of_the_schema():
    properties = json.loads(SCHEMA.read_text())['properties']
    for path in sorted((COLLECTION_ROOT / 'extensions' / 'eda' / 'rulebooks').glob('*.yml')):
        (ruleset,) = yaml.safe_load(path.read_text())
        (source,) = ruleset['sources']
        assert set(source['azure_batch.ops.batch_events']) <= set(properties), path.name


def test_galaxy_finds_the_event_source_and_rulebook_finds_its_routing():
    extensions = yaml.safe_load((COLLECTION_ROOT / 'meta' / 'extensions.yml').read_text())
    ext_dirs = [entry['args']['ext_dir'] for entry in extensions['extensions']]
    assert ext_dirs == ['eda/plugins/event_source']
    assert (COLLECTION_ROOT / 'extensions' / ext_dirs[0] / 'batch_events.py').is_file()
    runtime = yaml.safe_load((COLLECTION_ROOT / 'extensions' / 'eda' / 'eda_runtime.yml').read_text())
    assert set(runtime['plugin_routing']) == {'event_source', 'event_filter'}
