# -*- coding: utf-8 -*-
"""Fixtures of the auth source tests: a clean Azure environment, fresh jobs, a collections path."""

import pytest

from ansible_collections.azure_batch.ops.tests.unit.auth_support import clear_azure_env, make_collections_path


@pytest.fixture
def auth_env(clean_env, monkeypatch, tmp_path):  # pylint: disable=unused-argument
    """No Azure variable set (and an empty AZURE_CONFIG_DIR); returns a setter for the ones a test wants."""
    return clear_azure_env(monkeypatch, tmp_path)


@pytest.fixture
def three_jobs(emulator, unique):
    """Three new active jobs of this test."""
    job_ids = [unique('auth'), unique('auth'), unique('auth')]
    for job_id in job_ids:
        emulator.admin.add_job(job_id, state='active')
    return job_ids


@pytest.fixture
def collections_path(tmp_path):
    return make_collections_path(tmp_path)
