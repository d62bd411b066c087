# -*- coding: utf-8 -*-
"""The documentation site: the link check finds missing pages and anchors; event sources get a page of their own."""

import yaml

from ansible_collections.azure_batch.ops.tests.unit.auth_support import COLLECTION_ROOT
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
