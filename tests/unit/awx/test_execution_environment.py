# -*- coding: utf-8 -*-
"""Execution environments: ansible-builder reads the collection's dependencies, and docs/ has a working definition."""

import subprocess
import sys

import yaml

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT


def _ansible_builder(*arguments):
    return subprocess.run([sys.executable, '-m', 'ansible_builder'] + list(arguments),
                          capture_output=True, text=True, timeout=120, check=False)


def _requirement_lines(path):
    return [line.split('#')[0].strip() for line in path.read_text().splitlines() if line.split('#')[0].strip()]


def test_introspect_finds_the_python_requirements(collections_path, tmp_path):
    meta = yaml.safe_load((COLLECTION_ROOT / 'meta' / 'execution-environment.yml').read_text())
    assert meta['version'] == 1 and meta['dependencies'] == {'python': 'requirements.txt'}
    written = tmp_path / 'pip.txt'
    completed = _ansible_builder('introspect', '--sanitize', '--write-pip', str(written), str(collections_path))
    assert completed.returncode == 0, completed.stderr
    expected = ['%s  # from collection azure_batch.ops' % line for line in _requirement_lines(COLLECTION_ROOT / 'requirements.txt')]
    assert written.read_text().splitlines() == expected
    assert any(line.startswith('azure-identity') for line in expected) and any(line.startswith('requests') for line in expected)


def test_example_definition_builds_a_context_with_the_collection(tmp_path):
    context = tmp_path / 'context'
    completed = _ansible_builder('create', '-f', str(COLLECTION_ROOT / 'docs' / 'execution-environment.yml'), '--context', str(context))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())
    assert [collection['name'] for collection in galaxy['collections']] == ['azure_batch.ops']


def test_collection_metadata_is_a_definition_ansible_builder_creates(tmp_path):
    """Certification runs `ansible-builder create` on meta/execution-environment.yml itself: no container engine needed."""
    context = tmp_path / 'context'
    completed = _ansible_builder('create', '-f', str(COLLECTION_ROOT / 'meta' / 'execution-environment.yml'),
                                 '--context', str(context))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (context / 'Containerfile').is_file() or (context / 'Dockerfile').is_file()
    copied = list((context / '_build').rglob('requirements.txt'))
    assert len(copied) == 1, sorted(str(path) for path in (context / '_build').rglob('*'))
    assert _requirement_lines(copied[0]) == _requirement_lines(COLLECTION_ROOT / 'requirements.txt')
