# -*- coding: utf-8 -*-
"""BatchClient behind an HTTPS proxy, as many company networks require: HTTPS_PROXY is honoured
(through a CONNECT tunnel, so TLS still ends at the Batch endpoint) and NO_PROXY bypasses it.

The client reads the proxy settings once, when it is built; these tests check that the requests
really go through a proxy listening on a socket, not only that a setting was stored.
"""

import select
import socket
import threading

import pytest

from ansible_collections.azure_batch.ops.plugins.module_utils.batch_auth import SharedKeyAuth
from ansible_collections.azure_batch.ops.plugins.module_utils.batch_client import BatchClient

PROXY_VARIABLES = ('HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy')


class ConnectProxy:
    """A minimal HTTP CONNECT proxy that records the tunnels it opened and relays bytes both ways."""

    def __init__(self):
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.url = 'http://127.0.0.1:%d' % self.listener.getsockname()[1]
        self.tunnels = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client):
        head = b''
        while b'\r\n\r\n' not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        method, target = head.split(b' ', 2)[:2]
        if method != b'CONNECT':
            client.sendall(b'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n')
            client.close()
            return
        host, port = target.decode('ascii').rsplit(':', 1)
        self.tunnels.append(target.decode('ascii'))
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
        sockets = [client, upstream]
        try:
            while True:
                readable, _writable, _failed = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)
        finally:
            client.close()
            upstream.close()

    def close(self):
        self.listener.close()


@pytest.fixture
def proxy(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    server = ConnectProxy()
    yield server
    server.close()


def client_for(emulator):
    return BatchClient(emulator.url, SharedKeyAuth(emulator.account_name, emulator.account_key), verify=emulator.ca_path)


def test_https_proxy_carries_every_request_through_one_tunnel_per_connection(emulator, proxy, monkeypatch):
    emulator.admin.add_job('proxy-job-1')
    monkeypatch.setenv('HTTPS_PROXY', proxy.url)
    client = client_for(emulator)
    try:
        assert client.get_job('proxy-job-1').body['state'] == 'active'
        assert client.terminate_job('proxy-job-1').status == 202
    finally:
        client.close()
    endpoint = emulator.url.split('//', 1)[1]
    # Kept alive: both requests used the one tunnel, and TLS was verified against the emulator's CA through it.
    assert proxy.tunnels == [endpoint]


def test_no_proxy_bypasses_the_proxy_for_the_batch_host(emulator, proxy, monkeypatch):
    emulator.admin.add_job('proxy-job-2')
    monkeypatch.setenv('HTTPS_PROXY', proxy.url)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    client = client_for(emulator)
    try:
        assert client.get_job('proxy-job-2').body['id'] == 'proxy-job-2'
    finally:
        client.close()
    assert proxy.tunnels == []


def test_proxy_settings_are_read_once_when_the_client_is_built(emulator, proxy, monkeypatch):
    emulator.admin.add_job('proxy-job-3')
    client = client_for(emulator)
    monkeypatch.setenv('HTTPS_PROXY', proxy.url)  # too late for this client
    try:
        client.get_job('proxy-job-3')
    finally:
        client.close()
    assert proxy.tunnels == []
