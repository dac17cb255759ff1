"""A function served by the real fdk in its own process, as the Fn container runs it.

The process is started as `fdk <entry> <handler>` with FN_FORMAT=http-stream and
FN_LISTENER=unix:<socket>, the resource-principal variables OCI Functions sets, and the
function's config as environment variables. Events reach it as `POST /call` over the unix
socket, exactly as the Fn agent delivers them.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ..core.clock import iso

if TYPE_CHECKING:
    from ..cloud import FakeCloud

BOOTSTRAP_DIR = os.path.join(os.path.dirname(__file__), "bootstrap")
START_TIMEOUT = 60.0


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


@dataclass
class Invocation:
    status: int
    body: bytes
    seconds: float = 0.0  # wall time of the call, as the Fn agent would see it
    event_type: str | None = None

    def json(self):
        return json.loads(self.body)


class FdkFunction:
    def __init__(self, cloud: FakeCloud, region: str, entry: str, handler: str, config: dict[str, str], name: str, endpoint: str, workdir: str):
        self.cloud = cloud
        self.region = region
        self.entry = os.path.abspath(entry)
        self.handler = handler
        self.config = dict(config)
        self.name = name
        self.id = cloud.ids.ocid("fnfunc", region)
        self.app_id = cloud.ids.ocid("fnapp", region)
        self._endpoint = endpoint
        self._dir = os.path.join(workdir, f"fn-{region}-{name}-{uuid.uuid4().hex[:6]}")
        self._socket = os.path.join(self._dir, "lsnr.sock")
        self.log_path = os.path.join(self._dir, "function.log")
        self._process: subprocess.Popen | None = None
        self.invocations: list[Invocation] = []

    def start(self) -> None:
        """Launch the process and wait until it listens."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        os.makedirs(self._dir)
        fdk = shutil.which("fdk", path=os.path.dirname(sys.executable)) or shutil.which("fdk")
        if fdk is None:
            raise RuntimeError("the fdk entry point is not installed")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OCI_", "FN_", "IR_"))}
        env.update(self.cloud.resource_principal_env(self.region, self.id))
        env.update(
            {
                "FN_FORMAT": "http-stream",
                "FN_LISTENER": f"unix:{self._socket}",
                "FN_FN_ID": self.id,
                "FN_APP_ID": self.app_id,
                "FN_FN_NAME": self.name,
                "FN_APP_NAME": "image-replicator",
                "FN_MEMORY": "128",
                "FN_TYPE": "sync",
                "OCIFAKE_ENDPOINT": self._endpoint,
                "PYTHONPATH": os.pathsep.join(p for p in (BOOTSTRAP_DIR, env.get("PYTHONPATH")) if p),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.config)
        log = open(self.log_path, "wb")
        self._process = subprocess.Popen([fdk, self.entry, self.handler], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=os.path.dirname(self.entry))
        log.close()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not os.path.exists(self._socket):
            if self._process.poll() is not None:
                raise RuntimeError(f"function {self.name} in {self.region} exited at start:\n{self.read_log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"function {self.name} in {self.region} did not start listening")
            time.sleep(0.01)  # waiting on a real process to bind its socket

    def invoke(self, body: bytes, *, content_type: str = "application/json", timeout: float = 300.0) -> Invocation:
        """POST /call as the Fn agent does; return the status and body the fdk answered with."""
        call_id = uuid.uuid4().hex.upper()
        headers = {
            "Fn-Call-Id": call_id,
            "Fn-Deadline": iso(self.cloud.clock.now() + timedelta(seconds=timeout)),
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
        }
        conn = _UnixConnection(self._socket, timeout)
        started = time.perf_counter()
        try:
            conn.request("POST", "/call", body=body, headers=headers)
            reply = conn.getresponse()
            result = Invocation(reply.status, reply.read(), time.perf_counter() - started)
        finally:
            conn.close()
        self.invocations.append(result)
        return result

    def __call__(self, event: dict) -> Invocation:
        """Deliver an event as the Events service's FAAS action does."""
        result = self.invoke(json.dumps(event).encode())
        result.event_type = event.get("eventType")
        return result

    def cpu_seconds(self) -> float:
        """User plus system CPU time the function process has used so far (Linux /proc)."""
        with open(f"/proc/{self._process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (Linux /proc VmHWM)."""
        with open(f"/proc/{self._process.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def read_log(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def log_records(self) -> list[dict]:
        """The function's structured (JSON) log lines."""
        records = []
        for line in self.read_log().splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
