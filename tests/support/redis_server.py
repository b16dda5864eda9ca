"""A private redis-server on a free loopback port, for tests that kill and restart Redis.

The machine's shared Redis is never touched: each test that breaks Redis gets its own
process (no persistence), kills it with SIGKILL and starts it again on the same port.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


class RedisServerMissing(Exception):
    """redis-server is not on PATH."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One redis-server process: `start`, `kill` (SIGKILL, like a crash), `start` again;
    `pause` / `resume` for a server that hangs."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisServerMissing("redis-server is not on PATH")
        self.binary, self.workdir = binary, workdir
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 5.0) -> None:
        args = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.workdir), "--logfile", "redis.log",
        ]  # fmt: skip
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        self._wait_until(timeout, up=True)

    def kill(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)  # a paused server dies as well
            self._process.kill()
            self._process.wait(5)
            self._process = None

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing answers (a hung server)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def _wait_until(self, timeout: float, *, up: bool) -> None:
        deadline = time.monotonic() + timeout
        while self._answers() != up:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited ({self.workdir / 'redis.log'})")
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server on port {self.port} did not start")
            time.sleep(0.01)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False
