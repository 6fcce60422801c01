"""A real service process for tests: free port, its own state folder, JSON log captured."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
READ_KEY = "test-read-key-0123456789"
WRITE_KEY = "test-write-key-0123456789"
KEYS = f"{READ_KEY}:read,{WRITE_KEY}:write"
BOOT_TIMEOUT_S = 300


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServiceProcess:
    """``python -m recsys serve DATA --state STATE`` on a free port, as a child process."""

    def __init__(self, data: Path, state: Path, *, env: dict | None = None, args=()):
        self.data, self.state = Path(data), Path(state)
        self.env = {**os.environ, "RECSYS_API_KEYS": KEYS, **(env or {})}
        self.args = list(args)
        self.proc: subprocess.Popen | None = None
        self.log_path = self.state.parent / f"{self.state.name}.log"
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServiceProcess:
        """Start and wait until ``/readyz`` says ready (raise with the log if it dies)."""
        self.port = free_port()
        cmd = [sys.executable, "-m", "recsys", "serve", str(self.data), "--port", str(self.port),
               "--state", str(self.state), *self.args]
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"service exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"service not ready in {BOOT_TIMEOUT_S} s:\n{self.log_text()[-3000:]}")

    def wait_precomputed(self, timeout: float = BOOT_TIMEOUT_S) -> ServiceProcess:
        """Wait until the model's top lists are in (reads are slices of them from then on)."""
        deadline = time.monotonic() + timeout
        with self.client() as c:
            while time.monotonic() < deadline:
                if c.get("/v1/model").json().get("precomputed"):
                    return self
                time.sleep(0.2)
        raise RuntimeError(f"top lists not ready in {timeout} s:\n{self.log_text()[-3000:]}")

    def client(self, key: str | None = READ_KEY) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_records(self) -> list[dict]:
        return [json.loads(line) for line in self.log_text().splitlines() if line.strip()]


def purchase(customer: str, invoice: str, products, *, when="2012-01-02T10:00:00") -> dict:
    """An event body buying one unit of each of ``products``."""
    return {"customer_id": customer, "invoice_id": invoice, "timestamp": when,
            "lines": [{"product_id": p, "quantity": 1, "unit_price": 2.5} for p in products]}
