"""Start `coalition serve` as a user would (a subprocess), and record any attempt to reach the
internet through a local proxy that answers nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from harness import free_port

ROOT = Path(__file__).resolve().parent.parent
HANDSHAKE = (
    "GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n{origin}\r\n"
)


@dataclass
class OutsideRecorder:
    """A TCP listener standing in for an HTTP(S) proxy: records every connection, answers none.

    A process whose ``HTTP_PROXY``/``HTTPS_PROXY`` point here reaches nothing outside, and each
    attempt is listed in ``requests`` (the first line the client sent).
    """

    port: int = 0
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0]
                except OSError:
                    first = b"(nothing sent)"
                self.requests.append(first.decode("latin-1"))

    def close(self) -> None:
        self._socket.close()


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/_stcore/health", timeout=2
        ) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def raw_request(port: int, request: str) -> str:
    """Send ``request`` as is to 127.0.0.1:port; return the status line of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request.encode("latin-1"))
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode("latin-1")


def status(line: str) -> int:
    return int(line.split()[1])


def websocket_handshake(port: int, host: str, origin: str | None) -> int:
    """The HTTP status answering a WebSocket handshake to Streamlit's stream (101 = accepted)."""
    return status(
        raw_request(
            port, HANDSHAKE.format(host=host, origin=f"Origin: {origin}\r\n" if origin else "")
        )
    )


def get_status(port: int, host: str, path: str = "/") -> int:
    return status(
        raw_request(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
    )


@dataclass
class Served:
    process: subprocess.Popen
    port: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def coalition_serve(
    db: str,
    *,
    cwd: Path,
    extra: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 90.0,
    command: list[str] | None = None,
) -> Iterator[Served]:
    """`coalition serve --db DB --port FREE` started in ``cwd``; stopped (SIGTERM) afterwards."""
    port = free_port()
    log_path = cwd / f"serve-{port}.log"
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("COALITION_DB", None)
    argv = command or [
        sys.executable,
        "-m",
        "coalition.cli",
        "serve",
        "--db",
        db,
        "--port",
        str(port),
        *extra,
    ]
    argv = [a.replace("{port}", str(port)) for a in argv]
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            argv, cwd=cwd, env=full_env, stdout=log_file, stderr=subprocess.STDOUT
        )
    served = Served(process, port, log_path)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + timeout
        while not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"coalition serve did not start:\n{served.log()[-3000:]}")
            time.sleep(0.2)
        children = psutil.Process(process.pid).children(recursive=True)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        for child in children:  # never leave a server behind, whatever the test did
            if child.is_running():
                child.kill()
