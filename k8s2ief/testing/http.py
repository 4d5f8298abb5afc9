"""The emulator's HTTP side: a threading server whose handler reads, answers or drops."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from k8s2ief.testing.api import ApiError, _Answer, _Drop, _Request


class Emulator(Protocol):
    """What the HTTP layer needs of the emulator (which imports this module, not the reverse)."""

    def handle(self, request: _Request) -> _Answer | _Drop: ...
    def record(self, method: str, path: str, outcome: _Answer | _Drop) -> None: ...
    def pause(self, seconds: float) -> None: ...


MAX_BODY_BYTES = 12 * 1024 * 1024  # the gateway's limit for AK/SK-signed requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Handlers may be holding a connection on purpose: do not wait for them when closing.
    block_on_close = False

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _HttpHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets its connection (its own timeout) is not an error worth a
        traceback on stderr; anything else still is."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def disconnect_all(self) -> None:
        """End kept-alive connections, whose handler threads would otherwise outlive the server."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    server_version = "k8s2ief-ief-emulator"
    # Headers and body go out in one write (buffered; http.server flushes after each request).
    # Nagle stays off all the same: with it on, a second write waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024
    server: _Server
    arrived = 0.0

    def parse_request(self) -> bool:
        self.arrived = time.monotonic()  # the request line is in: its latency starts here
        return super().parse_request()

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's stderr lines: the emulator logs each request itself."""

    def _serve(self) -> None:
        try:
            outcome = self._outcome()
            if isinstance(outcome, _Drop):
                self._reset(outcome.after_s)
            else:
                self._send(outcome)
        except ConnectionError:  # the client gave up first (its read timeout): nothing to do
            self.close_connection = True

    def _outcome(self) -> _Answer | _Drop:
        emulator = self.server.emulator
        try:
            body = self._read_body()
        except ApiError as error:
            self.close_connection = True  # the unread body would be taken for the next request
            emulator.record(self.command, self.path.partition("?")[0], error.answer)
            return error.answer
        request = _Request(self.command, self.path, self.headers, body, self.arrived)
        return emulator.handle(request)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise ApiError(411, "APIGW.0201", "a Content-Length is required")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ApiError(400, "APIGW.0201", "Content-Length is not a number") from None
        if length > MAX_BODY_BYTES:
            raise ApiError(413, "APIGW.0201", "Request entity too large")
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, answer: _Answer) -> None:
        data = b"" if answer.payload is None else json.dumps(answer.payload).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", uuid.uuid4().hex)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self, after_s: float) -> None:
        """Answer nothing: wait, then close with a TCP reset rather than an orderly FIN."""
        self.server.emulator.pause(after_s)
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the socket's file descriptor closes only with its last reader
        self.connection.close()
