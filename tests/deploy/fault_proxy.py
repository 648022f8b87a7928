#!/usr/bin/env python3
"""A scriptable, fault-injecting HTTP reverse proxy for tests of AWS API clients (reusable).

    with FaultProxy(moto.endpoint) as proxy:
        proxy.fail_next(2)                  # HTTP 500 InternalFailure to the next 2 requests
        run(client, endpoint=proxy.endpoint)
        assert proxy.count == ...

It listens on 127.0.0.1 on a free port (threaded: one thread per client connection, HTTP/1.1 with
keep-alive) and forwards each request to the upstream (http://host:port) with its method, path,
query, headers and body unchanged. The Host header is passed on as the client sent it (naming the
proxy, not the upstream): a SigV4 signature, which covers Host, still verifies at a server that
checks it against the headers it received, as moto with request authentication on does. Hop-by-hop
headers (Connection, Keep-Alive, Proxy-*, TE, Trailer, Upgrade) are not forwarded; a chunked request
body is forwarded de-chunked with a Content-Length. The upstream's answer is relayed as is (status,
headers, body).

Behaviours (the current one applies to every request until changed; thread-safe):
  forward()            relay every request (the default)
  fail_next(n)         answer the next n requests with HTTP 500 and an AWS query-protocol
                       ErrorResponse (<Code>InternalFailure</Code>), then relay
  fail_always()        answer every request with that HTTP 500
  throttle_next(n)     answer the next n requests with HTTP 400 <Code>Throttling</Code>
                       ("Rate exceeded", what CloudFormation answers when throttling), then relay
  fail_next(n, only=X), throttle_next(n, only=X)
                       the same for the next n requests whose Action (query protocol) or HTTP
                       method (e.g. "PUT", an S3 upload) is X; the others are relayed
  hang()               read each request and never answer it (the connection stays open until the
                       proxy stops): a server that accepted but does not respond
With tls=(certificate file, key file) it serves HTTPS instead (for tests of CA bundles).
`latency` (seconds, default 0; settable at any time) delays every answer, forwarded or not, by that
much: a distant endpoint.
Every request is recorded when it arrives, in arrival order (method, path, the form fields Action /
StackName of a query-protocol body and all its fields, the signing access key id, and what the proxy did: "forwarded", "error500", "throttled",
"hung", "upstream-error"; the status sent once answered): see `requests`, `count`, `calls()` and
`reset()`. stop() (or leaving the `with`) always ends the server and releases hung connections.

Run as a script for manual use:  fault_proxy.py UPSTREAM_URL [--fail-next N] [--hang] ...
"""
from __future__ import annotations

import argparse
import http.client
import http.server
import socketserver
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
               "te", "trailer", "trailers", "transfer-encoding", "upgrade"}

INTERNAL_FAILURE_BODY = (
    '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
    "<Error><Type>Receiver</Type><Code>InternalFailure</Code>"
    "<Message>We encountered an internal error. Please try again.</Message></Error>"
    "<RequestId>00000000-0000-0000-0000-000000000500</RequestId></ErrorResponse>")
THROTTLING_BODY = (
    '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
    "<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    "<RequestId>00000000-0000-0000-0000-000000000400</RequestId></ErrorResponse>")


@dataclass
class ProxiedRequest:
    method: str
    path: str
    action: str | None  # the Action form field of a query-protocol (form-encoded) body
    stack_name: str | None  # its StackName field
    outcome: str  # "forwarded" | "error500" | "throttled" | "hung" | "upstream-error"
    status: int | None  # the status code sent to the client (None when hung or not answered yet)
    time: float = field(default_factory=time.monotonic)
    access_key: str | None = None  # the access key id of the SigV4 Authorization header (Credential=...)
    fields: dict[str, str] = field(default_factory=dict)  # the form fields (first values) of a query-protocol body


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, handler, proxy: "FaultProxy"):
        self.proxy = proxy
        super().__init__(address, handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"
    sys_version = ""
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm holds the
    # body until the client's delayed ACK (about 40 ms per answer), which no real endpoint adds.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - quiet: tests read the records instead
        pass

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after the chunk
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        proxy: FaultProxy = self.server.proxy
        body = self._read_body()
        fields = {}
        if body and "x-www-form-urlencoded" in (self.headers.get("Content-Type") or "").lower():
            fields = parse_qs(body.decode("utf-8", "replace"))
        if not fields.get("Action"):
            fields.update(parse_qs(urlparse(self.path).query))
        action = (fields.get("Action") or [None])[0]
        stack_name = (fields.get("StackName") or [None])[0]
        authorization = self.headers.get("Authorization") or ""
        access_key = authorization.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in authorization else None
        record = proxy._arrive(ProxiedRequest(self.command, self.path, action, stack_name, "forwarded", None,
                                              access_key=access_key, fields={k: v[0] for k, v in fields.items()}))
        if record.outcome == "hung":
            proxy._released.wait()  # until stop()
            self.close_connection = True
            return
        if record.outcome == "error500":
            record.status = 500
            self._send(500, "Internal Server Error", [("Content-Type", "text/xml")], INTERNAL_FAILURE_BODY.encode())
            return
        if record.outcome == "throttled":
            record.status = 400
            self._send(400, "Bad Request", [("Content-Type", "text/xml")], THROTTLING_BODY.encode())
            return
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        connection = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port,
                                                timeout=proxy.upstream_timeout)
        try:
            # Host is among the headers: http.client then sends no Host of its own (the client's
            # Host header, which a SigV4 signature covers, reaches the upstream unchanged).
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in headers:
                connection.putheader(k, v)
            connection.endheaders(body or None)
            response = connection.getresponse()
            payload = response.read()
            status, reason = response.status, response.reason
            response_headers = [(k, v) for k, v in response.getheaders()
                                if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"]
        except OSError as e:
            record.outcome, record.status = "upstream-error", 502
            self._send(502, "Bad Gateway", [("Content-Type", "text/plain")], f"fault_proxy: upstream: {e}".encode())
            return
        finally:
            connection.close()
        record.status = status
        self._send(status, reason, response_headers, payload)

    def _send(self, status: int, reason: str, headers, payload: bytes) -> None:
        latency = self.server.proxy.latency
        if latency > 0:
            time.sleep(latency)
        self.send_response_only(status, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle


class FaultProxy:
    def __init__(self, upstream: str, host: str = "127.0.0.1", upstream_timeout: float = 60.0,
                 latency: float = 0.0, tls: tuple[str, str] | None = None):
        parts = urlparse(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream = upstream
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_timeout = upstream_timeout
        self.latency = latency  # seconds added before each answer
        self.tls = tls  # (certificate file, key file): serve HTTPS with them
        self.host = host
        self.port: int | None = None
        self._lock = threading.Lock()
        self._mode = "forward"
        self._remaining = 0  # for fail_next / throttle_next
        self._only: str | None = None  # with `only`: the Action (or HTTP method) they apply to
        self._requests: list[ProxiedRequest] = []
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> "FaultProxy":
        self._released.clear()
        self._server = _Server((self.host, 0), _Handler, self)
        self.port = self._server.server_address[1]
        if self.tls:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            # A client that rejects the certificate fails the handshake in accept(), an OSError
            # socketserver ignores: the proxy keeps serving.
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fault-proxy-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()  # hung handlers return (and close their connections)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- behaviour -------------------------------------------------------------------------------

    def _set(self, mode: str, remaining: int = 0, only: str | None = None) -> None:
        with self._lock:
            self._mode, self._remaining, self._only = mode, remaining, only

    def forward(self) -> None:
        self._set("forward")

    def fail_next(self, n: int, only: str | None = None) -> None:
        self._set("error500", n, only)

    def fail_always(self) -> None:
        self._set("error500", -1)

    def throttle_next(self, n: int, only: str | None = None) -> None:
        self._set("throttled", n, only)

    def hang(self) -> None:
        self._set("hung", -1)

    def _arrive(self, request: ProxiedRequest) -> ProxiedRequest:
        """Decides what to do with a request that arrived and records it (in arrival order)."""
        with self._lock:
            chosen = self._only is None or self._only in (request.action, request.method)
            if self._mode != "forward" and chosen:
                request.outcome = self._mode
                if self._remaining > 0:
                    self._remaining -= 1
                    if self._remaining == 0:
                        self._mode = "forward"
            self._requests.append(request)
            return request

    # --- records ---------------------------------------------------------------------------------

    @property
    def requests(self) -> list[ProxiedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._requests)

    def calls(self) -> list[tuple[str | None, str | None]]:
        """(Action, StackName) of every request seen, in order."""
        return [(r.action, r.stack_name) for r in self.requests]

    def reset(self) -> None:
        """Forget the recorded requests and forward again."""
        with self._lock:
            self._requests.clear()
            self._mode, self._remaining, self._only = "forward", 0, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("upstream", help="http://host:port to forward to")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--fail-next", type=int, metavar="N")
    group.add_argument("--fail-always", action="store_true")
    group.add_argument("--throttle-next", type=int, metavar="N")
    group.add_argument("--hang", action="store_true")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay every answer by this much")
    args = parser.parse_args(argv)
    with FaultProxy(args.upstream, latency=args.latency_ms / 1000.0) as proxy:
        if args.fail_next:
            proxy.fail_next(args.fail_next)
        elif args.fail_always:
            proxy.fail_always()
        elif args.throttle_next:
            proxy.throttle_next(args.throttle_next)
        elif args.hang:
            proxy.hang()
        print(f"fault_proxy: {proxy.endpoint} -> {args.upstream} (Ctrl-C stops)", flush=True)
        seen = 0
        try:
            while True:
                time.sleep(0.2)
                for r in proxy.requests[seen:]:
                    print(f"{r.method} {r.path} {r.action or ''} {r.stack_name or ''} -> {r.outcome} {r.status}",
                          flush=True)
                seen = proxy.count
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
