# -*- coding: utf-8 -*-
# Copyright: azure_batch.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stopping a poll from another thread: the event source's activation is cancelled, and the thread that polls
must not go on for a whole request timeout or retry back-off."""

import socket
import threading
import weakref


class PollStopped(Exception):
    """The poll was stopped from outside; not a failure."""


class Stopper:
    """Makes the client's back-off sleeps end at stop(), and shuts down the sockets of requests in flight (a
    blocked read then fails at once and the client, asked to sleep before a retry, raises PollStopped)."""

    def __init__(self, client):
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._connections = weakref.WeakSet()
        if hasattr(client, '_sleep'):
            client._sleep = self.sleep  # pylint: disable=protected-access
        _track_connections(client, self._add)

    @property
    def stopped(self):
        return self._stopped.is_set()

    def check(self):
        if self._stopped.is_set():
            raise PollStopped()

    def sleep(self, seconds):
        if self._stopped.wait(seconds):
            raise PollStopped()

    def stop(self):
        self._stopped.set()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            sock = getattr(connection, 'sock', None)
            if sock is None:
                continue
            try:
                # socket.socket's own shutdown, also for an SSLSocket: it ends a read blocked in another thread
                # without touching the TLS object that thread is using.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except (OSError, ValueError):
                pass

    def _add(self, connection):
        with self._lock:
            self._connections.add(connection)


def _track_connections(client, add):
    """Have the pools the client's session makes call add(connection) for every connection they open."""
    session = getattr(client, 'session', None)
    if session is None:
        return
    manager = getattr(session.get_adapter(client.base_url), 'poolmanager', None)
    if manager is None:
        return
    # A copy: urllib3's PoolManager starts with the module's own dict.
    manager.pool_classes_by_scheme = {scheme: _tracking(pool_class, add)
                                      for scheme, pool_class in manager.pool_classes_by_scheme.items()}


def _tracking(pool_class, add):
    class TrackingPool(pool_class):
        def _new_conn(self):
            connection = super()._new_conn()
            add(connection)
            return connection

    TrackingPool.__name__ = 'Tracking' + pool_class.__name__
    return TrackingPool
