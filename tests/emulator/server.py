"""The HTTPS server: one thread per keep-alive connection, TLS handshakes off the accept loop,
routing between the admin API, the identity endpoints and the Batch API, latency and faults."""

import socket
import ssl
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .wire import Request, Response

ADMIN_PREFIX = "/_admin"
IDLE_CONNECTION_SECONDS = 120


class Router:  # pylint: disable=too-many-instance-attributes,too-few-public-methods
    """Sends each request to its API, applying faults and latency, and records it in the log."""

    def __init__(self, batch_api, admin_api, identity_getter, *, faults, config, request_log,  # pylint: disable=too-many-arguments
                 arm_api=None):
        self.batch_api = batch_api
        self.arm_api = arm_api  # Azure Resource Manager routes (tests/emulator/arm_api.py), on the fleet's first account only
        self.admin_api = admin_api
        self.identity_getter = identity_getter
        self.faults = faults
        self.config = config
        self.request_log = request_log

    def dispatch(self, request):
        if request.raw_path == ADMIN_PREFIX or request.raw_path.startswith(ADMIN_PREFIX + "/"):
            return self.admin_api.handle(request)
        identity = self.identity_getter()
        for_identity = identity is not None and identity.handles(request.method, request.raw_path)
        request_id = str(uuid.uuid4())
        fault = self.faults.pick(request.method, request.raw_path, random_allowed=not for_identity)
        if fault and fault.kind == "reset":
            response = Response(status=0, drop=True)
        else:
            response = self._answer(request, request_id, fault, identity if for_identity else None)
        if fault and fault.kind == "lost_response":
            response.drop = True
        self.request_log.add(
            method=request.method, path=request.raw_path, query=request.query_dict(),
            target=request.raw_path + ("?" + request.raw_query if request.raw_query else ""),
            status=None if response.drop else response.status, code=response.error_code,
            client_request_id=request.header("client-request-id"), request_id=request_id,
            auth_scheme=response.auth_scheme, fault=fault.kind if fault else None)
        return response

    def _answer(self, request, request_id, fault, identity):
        if fault and fault.kind == "timeout":
            time.sleep(fault.delay)
        if identity is None and self.config.latency_ms:
            time.sleep(self.config.latency_ms / 1000.0)  # no lock is held here
        if fault and fault.kind == "status":
            response = self.batch_api.error_response(fault.error(time.time()), request_id)
            response.headers.extend(self.batch_api.common_headers(request, request_id))
            return response
        if identity is not None:
            status, headers, body = identity.handle(request.method, request.raw_path, parse_qs(request.raw_query),
                                                    dict(request.headers), request.body)
            return Response(status=status, headers=list(headers.items()), body=body)
        if self.arm_api is not None and self.arm_api.handles(request.raw_path):
            return self.arm_api.handle(request, request_id)
        return self.batch_api.handle(request, request_id)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = IDLE_CONNECTION_SECONDS

    def version_string(self):
        return "Microsoft-HTTPAPI/2.0"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: the request log of the admin API records what matters."""

    def do_GET(self):  # pylint: disable=invalid-name
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _serve(self):
        split = urlsplit(self.path)
        headers = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        request = Request(method=self.command, raw_path=split.path or "/", raw_query=split.query,
                          headers=headers, body=self._read_body())
        response = self.server.router.dispatch(request)
        if response.drop:
            self._drop_connection()
        else:
            self._send(response)

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, response):
        reason = (response.reason or "").splitlines()[0] if response.reason else None
        self.send_response(response.status, reason)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status not in (204, 304) and response.header("Content-Length") is None:
            self.send_header("Content-Length", str(len(response.body)))
        self._headers_buffer.append(b"\r\n")
        if response.body and self.command != "HEAD" and response.status not in (204, 304):
            self._headers_buffer.append(response.body)
        self.flush_headers()  # head and body in one write: no delayed-ACK stall between them

    def _drop_connection(self):
        """Close with a TCP reset and no answer, as a crashed front end or a lost response looks."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass


class HttpsServer(ThreadingHTTPServer):
    """ThreadingHTTPServer doing each TLS handshake in the connection's own thread."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, ssl_context, router):
        self.ssl_context = ssl_context
        self.router = router
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request, client_address):
        request.settimeout(IDLE_CONNECTION_SECONDS)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with self._connections_lock:
            self._connections.add(connection)
        try:
            self.RequestHandlerClass(connection, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self._connections_lock:
                self._connections.discard(connection)
            connection.close()

    def handle_error(self, request, client_address):
        """Connection errors are expected (clients time out, faults drop connections)."""

    def close_connections(self):
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def server_context(cert_path, key_path):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context
