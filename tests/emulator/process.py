"""The emulator in a process of its own (``python -m tests.emulator serve``), seen through the same
attributes as an in-process Emulator: url, ca_path, account_name, account_key, identity, admin, env().

Test runners that fork a child per test (ansible-test units) need it: a child forked while the
emulator's threads are inside OpenSSL inherits OpenSSL's locks taken, and its next TLS context hangs.
Benchmarks need it too, so that the emulator does not share an interpreter lock with what they measure.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import _IDENTITY_ENV

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def stop_process(process):
    """End an emulator process: SIGTERM, and SIGKILL if it has not ended within 30 s."""
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RemoteIdentity:
    """The identity endpoints' values (tenant, app, certificates, managed identity, az) as the served emulator wrote them."""

    def __init__(self, env):
        self._described = {key: env.get('BATCH_EMULATOR_' + name, '') for name, key in _IDENTITY_ENV.items()}
        self.authority_host = self._described['authority_host']
        self.client_secret = self._described['client_secret']

    def describe(self):
        return dict(self._described)


class EmulatorProcess:
    """Starts the emulator with ``serve`` and reads what it wrote to its state file."""

    def __init__(self, latency_ms=0, terminate_delay=1.0, state_dir=None):
        self._own_dir = state_dir is None
        self.state_dir = tempfile.mkdtemp(prefix='batch-emulator-process-') if state_dir is None else state_dir
        self.state_file = os.path.join(self.state_dir, 'emulator.json')
        self.log_file = os.path.join(self.state_dir, 'emulator.log')
        self.command = [sys.executable, '-m', 'tests.emulator', 'serve', '--state-file', self.state_file,
                        '--latency-ms', str(latency_ms), '--terminate-delay', str(terminate_delay)]
        self.process = None
        self.url = self.ca_path = self.account_name = self.account_key = self.identity = None
        self._env = {}
        self._admin = None

    def start(self, timeout=60):
        with open(self.log_file, 'wb') as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.state_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('The emulator did not start (%s): %s' % (' '.join(self.command), self._log_tail()))
            time.sleep(0.05)
        with open(self.state_file, encoding='utf-8') as handle:
            self._env = json.load(handle)
        self.url, self.ca_path = self._env['BATCH_EMULATOR_URL'], self._env['BATCH_EMULATOR_CA']
        self.account_name, self.account_key = self._env['BATCH_EMULATOR_ACCOUNT'], self._env['BATCH_EMULATOR_KEY']
        self.identity = RemoteIdentity(self._env)
        return self

    def stop(self):
        stop_process(self.process)
        if self._own_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)
            self._own_dir = False

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def env(self):
        """BATCH_EMULATOR_* variables describing the emulator (they include its secrets)."""
        return dict(self._env)

    @property
    def admin(self):
        """An AdminClient (requests-based) for the emulator's admin API."""
        if self._admin is None:
            from .admin_client import AdminClient  # pylint: disable=import-outside-toplevel  # requests only when used
            self._admin = AdminClient(self.url, self.ca_path)
        return self._admin

    def cpu(self):
        """CPU seconds (user + system) the emulator has used so far (Linux /proc; 0.0 elsewhere)."""
        try:
            with open('/proc/%d/stat' % self.process.pid, encoding='ascii') as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def _log_tail(self):
        try:
            with open(self.log_file, 'rb') as handle:
                return handle.read()[-2000:].decode('utf-8', 'replace')
        except OSError:
            return ''
