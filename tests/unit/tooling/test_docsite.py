# -*- coding: utf-8 -*-
"""The documentation site: the link check finds missing pages and anchors; event sources get a page of their own."""

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT, make_collections_path
from ansible_collections.azure_batch.ops.tests.utils.docsite import EVENT_SOURCES, assigned_constants, broken_links, event_source_page


def test_finds_missing_pages_and_anchors(tmp_path):
    (tmp_path / 'guide').mkdir()
    (tmp_path / 'index.html').write_text(
        '<h1 id="top">x</h1><a href="guide/auth.html#shared-key">ok</a><a href="#top">ok</a>'
        '<a href="guide/gone.html">page</a><a href="guide/auth.html#nowhere">anchor</a>'
        '<a href="https://learn.microsoft.com/">outside</a><a href="mailto:x@example.com">mail</a><a href="/">root</a>')
    (tmp_path / 'guide' / 'auth.html').write_text('<section id="shared-key"><a href="../index.html#top">back</a></section>')
    broken, pages = broken_links(str(tmp_path))
    assert pages == 2
    assert broken == ['index.html: guide/gone.html (no such file)', 'index.html: guide/auth.html#nowhere (no such anchor)',
                      'index.html: / (no such file)']


def test_the_event_source_page_documents_every_option_it_takes_and_its_examples():
    path = COLLECTION_ROOT / EVENT_SOURCES / 'batch_events.py'
    page = event_source_page(str(COLLECTION_ROOT), str(path), 'batch_events')
    constants = assigned_constants(str(path))
    own = yaml.safe_load(constants['DOCUMENTATION'])['options']
    shared = yaml.safe_load(assigned_constants(str(COLLECTION_ROOT / 'plugins' / 'doc_fragments' / 'auth.py'))['DOCUMENTATION'])['options']
    listed = {line.strip()[len('* - **'):-2].replace('\\_', '_') for line in page.splitlines() if line.strip().startswith('* - **')}
    assert listed == (set(own) | set(shared)) - set(constants['NOT_SOURCE_OPTIONS'])
    assert 'interval' in listed and 'batch_url' in listed and 'client_request_id' not in listed
    assert 'azure_batch.ops.batch_events event source -- ' in page
    for line in constants['EXAMPLES'].strip().splitlines():
        assert ('   ' + line if line else '') in page.splitlines()


def test_the_environment_variable_index_lists_every_variable_the_modules_read():
    from ansible_collections.azure_batch.ops.plugins.module_utils.batch_credentials import ENV_NAMES  # pylint: disable=import-outside-toplevel
    from ansible_collections.azure_batch.ops.tests.utils.docsite import OTHER_ENV, environment_variables_page  # pylint: disable=import-outside-toplevel
    page = environment_variables_page(str(COLLECTION_ROOT))
    declared = {line[len('.. envvar:: '):] for line in page.splitlines() if line.startswith('.. envvar:: ')}
    assert declared == {name for names in ENV_NAMES.values() for name in names} | {name for name, _text in OTHER_ENV}
    assert 'AZURE_BATCH_ENDPOINT' in declared and 'No environment variables' not in page


def test_every_playbook_has_a_section_with_its_variables_and_commands():
    from ansible_collections.azure_batch.ops.tests.utils.docsite import playbooks_page  # pylint: disable=import-outside-toplevel
    page = playbooks_page(str(COLLECTION_ROOT))
    for path in sorted((COLLECTION_ROOT / 'playbooks').glob('*.yml')):
        assert '.. _ansible_collections.azure_batch.ops.%s_playbook:' % path.stem in page
    section = page[page.index('azure_batch.ops.stop_pipeline -- '):]
    assert '``terminate_jobs``' in section and '``job_schedule_ids``' in section
    assert '    ansible-playbook azure_batch.ops.stop_pipeline -e job_schedule_ids=nightly-render\n' in section


@pytest.mark.slow  # builds the whole site, about 10 s
@pytest.mark.skipif(not shutil.which('antsibull-docs') or not shutil.which('sphinx-build'), reason='needs the docs tools of .venv')
def test_the_site_builds_without_writing_to_home(tmp_path):
    home, out = tmp_path / 'home', tmp_path / 'docs'
    home.mkdir()
    collections = make_collections_path(tmp_path)
    env = dict(os.environ, HOME=str(home))
    built = subprocess.run([sys.executable, str(COLLECTION_ROOT / 'tests' / 'utils' / 'docsite.py'), str(COLLECTION_ROOT),
                            str(collections), str(out)], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    assert list(home.iterdir()) == []
    assert (out / 'html' / 'collection' / 'playbooks.html').exists()
