# -*- coding: utf-8 -*-
"""Sanity pins that name an archive URL are replaced by the released version tests/lanes/sanity-released.txt names."""

import pytest

seed = pytest.importorskip('ansible_collections.azure_batch.ops.tests.utils.seed_sanity_venvs',
                           reason='needs ansible-test (ansible-core) importable')

PYLINT_222 = '''astroid==4.0.4
dill @ https://github.com/uqfoundation/dill/archive/2308ffb0d0c605b9c050fa4c9fd5793d65c67022.zip#sha256=0901
isort==9.0.1
'''


def test_the_dill_archive_becomes_the_released_dill():
    pins = seed.released_pins()
    assert pins['dill'] == '0.4.1'
    assert seed.without_urls(PYLINT_222, pins, 'sanity.pylint.txt') == 'astroid==4.0.4\ndill==0.4.1\nisort==9.0.1\n'


def test_an_archive_without_a_released_version_is_one_sentence():
    with pytest.raises(SystemExit, match=r'sanity.x.txt pins Other_Pkg to an archive URL and .*sanity-released.txt names '
                                         r'no released version of it; add "Other_Pkg==<version>"'):
        seed.without_urls('Other_Pkg @ https://example.invalid/a.zip\n', {'dill': '0.4.1'}, 'sanity.x.txt')
