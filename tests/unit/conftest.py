"""Shared pytest set-up for the unit tests: markers and the `emulator` fixture.

`emulator` is one Batch emulator (tests/emulator) per test process, shared by every test that
asks for it: give each test its own job ids, or reset it through `emulator.admin`.
ansible-test runs each test in a forked child, where a session fixture would start afresh
and never stop; so the parent starts the emulator (in a process of its own) once collection shows
a test needs it, and it keeps serving the children from there.
"""

from __future__ import annotations

import pytest

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is only needed by the property tests
    settings = None

MARKERS = (
    'slow: takes seconds (waiting, retries with back-off); deselect with -m "not slow"',
)

_RUNNING = []


def _emulator():
    """Return this process's emulator, starting it on first use, in a process of its own: a test forked from here
    while the emulator's threads were inside OpenSSL would inherit its locks taken and hang."""
    if not _RUNNING:
        from ansible_collections.azure_batch.ops.tests.emulator.process import EmulatorProcess  # pylint: disable=import-outside-toplevel

        _RUNNING.append(EmulatorProcess().start())
    return _RUNNING[0]


def pytest_configure(config):
    """Register the markers (ansible-test runs pytest with --strict-markers); no time limit per example,
    because a busy test machine makes Hypothesis's default deadline fail tests at random."""
    for marker in MARKERS:
        config.addinivalue_line('markers', marker)
    if settings is not None:
        settings.register_profile('azure_batch_ops', deadline=None, suppress_health_check=[HealthCheck.too_slow])
        settings.load_profile('azure_batch_ops')


def pytest_collection_modifyitems(items):
    """Start the emulator before any test forks, if a collected test uses it."""
    if any('emulator' in item.fixturenames for item in items):
        _emulator()


def pytest_sessionfinish():
    """Stop the emulator this process started."""
    while _RUNNING:
        _RUNNING.pop().stop()


@pytest.fixture(scope='session')
def emulator():
    """The running Batch emulator: .url, .ca_path, .account_name, .account_key, .identity, .admin, .env()."""
    return _emulator()
