"""One container of a function: the real fdk serving the entry file in its own process.

The process is started as `fdk <entry> <handler>` with FN_FORMAT=http-stream and
FN_LISTENER=unix:<socket>, the resource-principal variables OCI Functions sets, and the
function's config as environment variables. Events reach it as `POST /call` over the unix
socket, exactly as the Fn agent delivers them.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from ..core.clock import iso
from .hosting import Invocation

if TYPE_CHECKING:
    from .hosting import Function

BOOTSTRAP_DIR = os.path.join(os.path.dirname(__file__), "bootstrap")
START_TIMEOUT = 60.0


class UnixConnection(http.client.HTTPConnection):
    """HTTP over a unix socket, as the Fn agent talks to a container's fdk."""

    def __init__(self, path: str, timeout: float = 60.0):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


class FdkProcess:
    """A container: `fdk <entry> <handler>` listening on its own unix socket."""

    def __init__(
        self,
        function: Function,
        index: int,
        entry: str,
        handler: str,
        endpoint: str,
        workdir: str,
        *,
        clock_file: str | None = None,
    ):
        self.function = function
        self.index = index
        self.entry = os.path.abspath(entry)
        self.handler = handler
        self._endpoint = endpoint
        self._clock_file = clock_file
        self._dir = os.path.join(workdir, f"fn-{function.region}-{function.name}-{index}-{uuid.uuid4().hex[:6]}")
        self._socket = os.path.join(self._dir, "lsnr.sock")
        self.log_path = os.path.join(self._dir, "function.log")
        self._process: subprocess.Popen | None = None

    def launch(self) -> None:
        os.makedirs(self._dir)
        fdk = shutil.which("fdk", path=os.path.dirname(sys.executable)) or shutil.which("fdk")
        if fdk is None:
            raise RuntimeError("the fdk entry point is not installed")
        fn = self.function
        # A container starts clean: nothing of the parent's OCI or Fn settings leaks in.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "FN_"))}
        env.update(fn.platform_env())
        env.update(
            {
                "FN_FORMAT": "http-stream",
                "FN_LISTENER": f"unix:{self._socket}",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self._endpoint:
            env["OCIFAKE_ENDPOINT"] = self._endpoint
            if self._clock_file:
                env["OCIFAKE_CLOCK_FILE"] = self._clock_file
            env["PYTHONPATH"] = os.pathsep.join(p for p in (BOOTSTRAP_DIR, env.get("PYTHONPATH")) if p)
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                [fdk, self.entry, self.handler],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=os.path.dirname(self.entry),
            )

    def wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(self._socket):
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"function {self.function.name} in {self.function.region} exited at start:\n{self.read_log()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"function {self.function.name} in {self.function.region} did not start listening")
            time.sleep(0.01)  # waiting on a real process to bind its socket

    def invoke(self, body: bytes, *, content_type: str = "application/json", timeout: float = 300.0) -> Invocation:
        """POST /call as the Fn agent does; the status and body the fdk answered with."""
        headers = {
            "Fn-Call-Id": uuid.uuid4().hex.upper(),
            "Fn-Deadline": iso(self.function.cloud.clock.now() + timedelta(seconds=timeout)),
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
        }
        conn = UnixConnection(self._socket, timeout)
        started = time.perf_counter()
        try:
            conn.request("POST", "/call", body=body, headers=headers)
            reply = conn.getresponse()
            return Invocation(reply.status, reply.read(), time.perf_counter() - started, instance=self.index)
        finally:
            conn.close()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far (Linux /proc)."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (Linux /proc VmHWM)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def read_log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
