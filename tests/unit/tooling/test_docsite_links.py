# -*- coding: utf-8 -*-
"""The documentation site's link check finds a missing page and a missing anchor, and leaves outside links alone."""

from ansible_collections.azure_batch.ops.tests.utils.docsite import broken_links


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
