"""`ocifake serve`: the fake cloud on a network port, for clients that are not this Python process.

The oci CLI, curl, another language's SDK: anything that signs OCI requests can use it. A
request names its service and region as it would with OCI, in its Host header
(`objectstorage.us-ashburn-1.oraclecloud.com`, pointed at this server with `curl --resolve`
or a hosts entry) or, where a name cannot be pointed, as `<service>.<region>.localhost`. With
`--tls` the server speaks HTTPS with a certificate it makes for those names, written as a CA
bundle for the client (`--cacert`, `--cert-bundle`, `REQUESTS_CA_BUNDLE`).

The same port is also an HTTP proxy: a client that reads `HTTPS_PROXY` (the oci CLI, the
SDKs, Terraform's provider) and trusts the CA bundle reaches the fake under OCI's own host
names, with no hosts file and no endpoint option. A connection that opens with a TLS handshake
is served over TLS; one that opens in plain text is served as is, and a `CONNECT` in it is
answered by the fake itself, which then speaks TLS inside the tunnel with its certificate.

The simulated clock follows real time (`--speed 1`, the default; 60: a 20-minute export takes
20 seconds); `POST /_ocifake/advance?seconds=N` moves it on at once, for scripts that want no
waiting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .cloud import FakeCloud

ADMIN_PREFIX = "/_ocifake/"
_LOCAL_HOST = re.compile(r"^(?P<name>[a-z][a-z.-]*?\.[a-z]+(?:-[a-z]+)+-\d+)\.localhost$")


def oci_host(host_header: str) -> str | None:
    """The OCI host a request is for, from its Host header (port dropped); None if it names none."""
    host = host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header
    host = host.lower()
    if host.endswith((".oraclecloud.com",)):
        return host
    local = _LOCAL_HOST.match(host)
    return f"{local['name']}.oraclecloud.com" if local else None


def certificate(regions: list[str], directory: str) -> tuple[str, str]:
    """A self-signed certificate for every service host of the regions; (cert file, key file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    for region in regions:
        # A wildcard covers one label: objectstorage.<region>.oraclecloud.com, iaas.<region>…
        names += [x509.DNSName(f"*.{region}.oraclecloud.com"), x509.DNSName(f"*.{region}.localhost")]
        # Identity, Vault's secrets and others live under <service>.<region>.oci.oraclecloud.com;
        # KMS's per-vault endpoints under <vault>-management.kms.<region>.oraclecloud.com.
        for suffix in (f"{region}.oci", f"vaults.{region}.oci", f"kms.{region}"):
            names.append(x509.DNSName(f"*.{suffix}.oraclecloud.com"))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ocifake")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = os.path.join(directory, "ca.pem"), os.path.join(directory, "server-key.pem")
    with open(cert_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    os.chmod(key_file, 0o600)
    return cert_file, key_file


class _Listener(ThreadingHTTPServer):
    """One port for HTTPS and for plain HTTP (a proxy's CONNECT): the first byte tells them apart."""

    TLS_HANDSHAKE = 0x16  # a TLS record of type handshake: what every ClientHello starts with

    def __init__(self, address, handler, tls_context: ssl.SSLContext | None):
        self.tls_context = tls_context
        super().__init__(address, handler)

    def finish_request(self, request, client_address) -> None:
        # On the connection's own thread: a slow handshake holds up no other client.
        if self.tls_context is not None:
            first = request.recv(1, socket.MSG_PEEK)
            if first and first[0] == self.TLS_HANDSHAKE:
                try:
                    request = self.tls_context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client gave up on the handshake (an untrusted certificate, say)
        super().finish_request(request, client_address)


# Reply headers a later request may name (a work request to follow, a version to match, a page).
_RECORDED_HEADERS = ("opc-work-request-id", "etag", "opc-next-page", "location")


def _parsed(body: bytes) -> object:
    """A body as JSON where it is JSON, else as text (None when empty)."""
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


class Recorder:
    """What clients asked and what the fake answered, one JSON line a request: method, host, path with
    its query, body, status, the reply's body and the headers a later request may name. Nothing that
    signs a request (its Authorization header, its key) is written."""

    def __init__(self, path: str):
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the server's life
        self._lock = threading.Lock()

    def write(self, method: str, host: str, path: str, headers, body: bytes, reply, at: str) -> None:
        line = {
            "at": at,  # the fake's clock when it answered: a replay moves its own clock alike
            "method": method,
            "host": host,
            "path": path,
            "client": headers.get("user-agent", ""),
            "body": _parsed(body),
            "status": reply.status,
            "reply": _parsed(reply.body),
            "headers": {k: v for k, v in reply.headers.items() if k.lower() in _RECORDED_HEADERS},
        }
        with self._lock:
            self._file.write(json.dumps(line, sort_keys=True) + "\n")
            self._file.flush()

    def close(self) -> None:
        self._file.close()


class Server:
    """The fake cloud behind a real HTTP(S) listener; answers as the in-process fake does."""

    def __init__(
        self, cloud: FakeCloud, port: int = 0, tls: tuple[str, str] | None = None, record: Recorder | None = None
    ):
        self.cloud = cloud
        self.record = record
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                # The service's own headers, each once: a HEAD keeps the length of what a GET would
                # send, and the fake's Date (its clock) is the only one.
                given = {key.lower(): (key, value) for key, value in (headers or {}).items()}
                self.send_response_only(status)
                if "date" not in given:
                    self.send_header("date", self.date_time_string())
                for key, value in given.values():
                    if not (key.lower() == "content-length" and self.command != "HEAD"):
                        self.send_header(key, value)
                if self.command != "HEAD" or "content-length" not in given:
                    self.send_header("content-length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_CONNECT(self) -> None:
                # A client behind HTTPS_PROXY asks for a tunnel to an OCI host; the fake is that host.
                if server.tls_context is None:
                    payload = b'{"code": "NotImplemented", "message": "start ocifake serve with --tls to be a proxy"}'
                    self._answer(501, payload, {"content-type": "application/json"})
                    return
                self.send_response_only(200, "Connection established")
                self.end_headers()
                self.wfile.flush()
                tunnel = server.tls_context.wrap_socket(self.connection, server_side=True)
                self.connection = tunnel
                self.rfile = tunnel.makefile("rb")
                self.wfile = tunnel.makefile("wb")  # flushed after each answer, as the handler does
                self.close_connection = False

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.path.startswith(ADMIN_PREFIX):
                    self._answer(*server.admin(self.command, self.path))
                    return
                host = oci_host(self.headers.get("host", ""))
                if host is None:
                    message = "the Host header names no OCI service host (<service>.<region>.oraclecloud.com)"
                    payload = json.dumps({"code": "InvalidParameter", "message": message}).encode()
                    self._answer(400, payload, {"content-type": "application/json"})
                    return
                try:
                    reply = server.cloud.dispatch(self.command, f"https://{host}{self.path}", dict(self.headers), body)
                except Exception as exc:  # a fault the fake injects as a broken connection
                    payload = json.dumps({"code": "ServiceUnavailable", "message": str(exc)}).encode()
                    self._answer(503, payload, {"content-type": "application/json"})
                    return
                if server.record is not None:
                    at = server.cloud.clock.now().isoformat()
                    server.record.write(self.command, host, self.path, self.headers, body, reply, at)
                self._answer(reply.status, reply.body, reply.headers)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle

            def log_message(self, *args) -> None:
                pass

        self.tls_context: ssl.SSLContext | None = None
        self.scheme = "http"
        if tls is not None:
            self.tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_context.load_cert_chain(*tls)
            self.scheme = "https"
        self._server = _Listener(("127.0.0.1", port), _Handler, self.tls_context)
        self._server.daemon_threads = True

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def admin(self, method: str, path: str) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(path)
        if method == "POST" and parts.path == ADMIN_PREFIX + "advance":
            seconds = float(parse_qs(parts.query).get("seconds", ["0"])[0])
            # Not under the cloud's lock: what falls due may invoke functions, whose calls come back
            # on other threads and take it (the timeline takes it for its own bookkeeping).
            self.cloud.advance(seconds)
        elif not (method == "GET" and parts.path == ADMIN_PREFIX + "clock"):
            return 404, b'{"code": "NotFound", "message": "no such ocifake admin path"}', {}
        now = json.dumps({"now": self.cloud.clock.now().isoformat()}).encode()
        return 200, now, {"content-type": "application/json"}

    def serve_forever(self, speed: float) -> None:
        if speed > 0:
            threading.Thread(target=self._tick, args=(speed,), name="ocifake-clock", daemon=True).start()
        self._server.serve_forever()

    def _tick(self, speed: float) -> None:
        """The simulated clock following real time, `speed` simulated seconds per real one."""
        last = time.monotonic()
        while True:
            time.sleep(0.25)
            now = time.monotonic()
            self.cloud.advance((now - last) * speed)  # not under the lock: see admin()
            last = now

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def write_oci_config(cloud: FakeCloud, directory: str) -> str:
    """An oci config file for the tenancy's administrator, one profile per region (DEFAULT: the first)."""
    path = os.path.join(directory, "config")
    lines = []
    for n, region in enumerate(cloud.regions):
        config = cloud.config(region)
        key = os.path.join(directory, "api-key.pem")
        with open(config["key_file"], "rb") as src, open(key, "wb") as dst:
            dst.write(src.read())
        os.chmod(key, 0o600)
        config["key_file"] = key
        lines.append(f"[{'DEFAULT' if n == 0 else region}]")
        lines += [f"{k}={v}" for k, v in config.items()]
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    os.chmod(path, 0o600)
    return path


class Stopped(Exception):
    """SIGTERM: the server stops as on Ctrl-C, so that the functions' processes stop with it."""


def _stop(signum, frame) -> None:
    raise Stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ocifake", description="A stateful, multi-region local OCI.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="Serve the fake cloud over HTTP(S) for any OCI client.")
    serve.add_argument("--regions", default="us-ashburn-1", help="Comma-separated OCI region names.")
    serve.add_argument("--port", type=int, default=0, help="Port on 127.0.0.1 (0: any free one).")
    serve.add_argument("--tls", action="store_true", help="Speak HTTPS with a certificate made for the regions.")
    serve.add_argument("--dir", default=None, help="Where to write the oci config, its key and the CA bundle.")
    serve.add_argument(
        "--speed", type=float, default=1.0, help="Simulated seconds per real second (default 1; 0: frozen)."
    )
    serve.add_argument("--no-iam", action="store_true", help="Answer every signed request, without policies.")
    serve.add_argument(
        "--record", default=None, metavar="FILE", help="Append each request and its answer to FILE, one JSON line each."
    )
    serve.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="IMAGE=ENTRY[:HANDLER]",
        help="Push IMAGE to every region's registry: a function made of it runs `fdk ENTRY HANDLER`.",
    )
    args = parser.parse_args(argv)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    from .cloud import Options
    from .functions.control import FunctionsBackend

    try:
        cloud = FakeCloud(regions=regions, options=Options(iam_enforced=not args.no_iam))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for pushed in args.image:
        image, _, runs = pushed.partition("=")
        entry, _, handler = runs.partition(":")
        if not image or not entry or not os.path.exists(entry):
            print(f"error: --image {pushed!r}: IMAGE=ENTRY[:HANDLER], ENTRY an existing file", file=sys.stderr)
            return 2
        for region in regions:
            backend = cloud.require_region(region).backend(FunctionsBackend)
            backend.push_image(image, entry=os.path.abspath(entry), handler=handler or "handler")
    directory = args.dir or os.path.join(os.getcwd(), ".ocifake")
    os.makedirs(directory, exist_ok=True)
    with cloud:
        tls = certificate(regions, directory) if args.tls else None
        server = Server(cloud, args.port, tls, Recorder(args.record) if args.record else None)
        ready = {
            "port": server.port,
            "scheme": server.scheme,
            "regions": regions,
            "namespace": cloud.namespace,
            "tenancy": cloud.tenancy_id,
            "config_file": write_oci_config(cloud, directory),
            "ca_bundle": tls[0] if tls else None,
        }
        print(json.dumps(ready), flush=True)  # one line a script can read before its first request
        # `kill`, a service manager or a container runtime stops the server with SIGTERM, which by
        # default ends the process at once: the fdk processes of the functions it runs would outlive it.
        signal.signal(signal.SIGTERM, _stop)
        try:
            server.serve_forever(args.speed)
        except (KeyboardInterrupt, Stopped):
            pass
        finally:
            server.shutdown()
            if server.record is not None:
                server.record.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
