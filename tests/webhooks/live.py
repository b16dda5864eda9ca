"""Real `siyu serve` processes for tests where separate interpreters matter: module-level caches
that one process cannot see another change, and a process killed half-way through a message.

Each server is its own Python interpreter started as the console script starts it, on a free
loopback port, sharing the test PostgreSQL and Redis (the conftest URLs). Secrets are explicit
test values (never the demo ones), so start-up checks on demo secrets do not stop the servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import aiohttp
import pytest

from bot.wechat.crypto import MessageCrypto
from bot.wechat.simulator import SignedRequest, Simulator
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, _reset_postgres, unavailable

ROOT = Path(__file__).resolve().parents[2]
TEST_CONFIG = ROOT / "tests" / "data" / "config.yaml"
OA_APP_ID, OA_TOKEN = "wxproc0000000001", "proc-oa-token"
OA_AES_KEY = "Pr0cOAkeyAbcdefghijklmnopqrstuvwxyz01234567"
WECOM_CORP_ID, WECOM_TOKEN = "wwproc0000000001", "proc-wecom-token"
WECOM_AES_KEY = "Pr0cWeComKeyAbcdefghijklmnopqrstuvwxyz01234"
STARTUP_SECONDS = 60.0
PROCESS_DATABASE_URL = (
    TEST_DATABASE_URL
    if TEST_DATABASE_URL.startswith(("postgres://", "postgresql://"))
    else os.environ.get("SIYU_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_and_redis() -> tuple[str, str]:
    """The test PostgreSQL and Redis URLs. Two processes share one database only on PostgreSQL
    (a SQLite file belongs to one process), so the SQLite pass uses the PostgreSQL test
    database too; in CI a missing server fails the test (conftest.unavailable)."""
    import redis
    from redis import exceptions as redis_errors

    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.flushdb()
    except (OSError, redis_errors.ConnectionError) as exc:
        unavailable("Redis", exc)
    finally:
        client.close()
    return PROCESS_DATABASE_URL, TEST_REDIS_URL


def fresh_schema(database_url: str) -> None:
    """Migrated and empty, before any server connects (the conftest reset drops the schema
    once per session, which must not happen under running servers)."""
    from tortoise.exceptions import DBConnectionError

    try:
        asyncio.run(_reset_postgres(database_url))
    except (OSError, DBConnectionError) as exc:
        unavailable("PostgreSQL", exc)


def serve_env(database_url: str, redis_url: str, api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIYU_")}
    env.update(
        SIYU_CONFIG=str(TEST_CONFIG),
        SIYU_DATABASE_URL=database_url,
        SIYU_REDIS_URL=redis_url,
        SIYU_SCHEDULER__ENABLED="false",
        SIYU_NLP__ENABLED="false",  # start-up in a second; the routes here match on words
        SIYU_WECHAT__OA__APP_ID=OA_APP_ID,
        SIYU_WECHAT__OA__APP_SECRET="proc-oa-app-secret",
        SIYU_WECHAT__OA__TOKEN=OA_TOKEN,
        SIYU_WECHAT__OA__ENCODING_AES_KEY=OA_AES_KEY,
        SIYU_WECHAT__OA__API_BASE_URL=api_url,
        SIYU_WECHAT__WECOM__CORP_ID=WECOM_CORP_ID,
        SIYU_WECHAT__WECOM__SECRET="proc-wecom-secret",
        SIYU_WECHAT__WECOM__TOKEN=WECOM_TOKEN,
        SIYU_WECHAT__WECOM__ENCODING_AES_KEY=WECOM_AES_KEY,
        SIYU_WECHAT__WECOM__API_BASE_URL=api_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def oa_simulator() -> Simulator:
    return Simulator(MessageCrypto(OA_TOKEN, OA_AES_KEY, OA_APP_ID), receiver="gh_proc")


def wecom_simulator() -> Simulator:
    return Simulator(MessageCrypto(WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORP_ID), WECOM_CORP_ID)


@dataclass
class Process:
    """One child process (`siyu serve` or `siyu fake-wechat`) and its log file."""

    name: str
    port: int
    popen: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return f"--- {self.name} log ({self.log_path}) ---\n" + "\n".join(text)

    def kill(self) -> None:
        """SIGKILL: no cleanup, no drain, exactly a crash."""
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def start(
    name: str, args: list[str], env: dict[str, str], logs: Path, *, listens: bool = True
) -> Process:
    port = free_port() if listens else 0
    log_path = logs / f"{name}.log"
    log = log_path.open("ab")  # a process started again (after kill -9) keeps one log
    ports = ["--port", str(port)] if listens else []
    command = [sys.executable, "-c", "from bot.cli import main; main()", *args, *ports]
    popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Process(name, port, popen, log_path, log)


def start_serve(name: str, env: dict[str, str], logs: Path) -> Process:
    return start(name, ["serve", "--host", "127.0.0.1"], env, logs)


def start_fake(env: dict[str, str], logs: Path, *, windows: bool = False) -> Process:
    """Windows off by default: these tests push without opening them first."""
    flag = "--windows" if windows else "--no-windows"
    return start("fake-wechat", ["fake-wechat", "--host", "127.0.0.1", flag], env, logs)


def start_worker(name: str, env: dict[str, str], logs: Path) -> Process:
    """`siyu worker`: no HTTP, so no port and no readiness URL."""
    return start(name, ["worker"], env, logs, listens=False)


def wait_ready(processes: list[Process], path: str = "/healthz") -> None:
    """Every process answers `path` (any HTTP status), or the test fails with its log."""
    deadline = time.monotonic() + STARTUP_SECONDS
    for process in processes:
        while not _answers(process, path):
            if process.popen.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{process.name} did not start\n{process.log_tail()}")
            time.sleep(0.1)


def _answers(process: Process, path: str) -> bool:
    try:
        urllib.request.urlopen(process.url + path, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


async def post(
    session: aiohttp.ClientSession, process: Process, path: str, request: SignedRequest
) -> tuple[int, bytes]:
    async with session.post(
        process.url + path, params=request.params, data=request.body
    ) as response:
        return response.status, await response.read()


def wait_for(
    condition: Callable[[], object], within: float, what: str, processes: list[Process]
) -> None:
    """Polls `condition` until it holds; past `within` seconds the test fails with the logs."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(p.log_tail() for p in processes)
            pytest.fail(f"{what}: not within {within}s\n{logs}")
        time.sleep(0.1)


@contextlib.contextmanager
def serving_pair(logs: Path, **extra: str) -> Iterator[tuple[Process, Process, Process]]:
    """serve-a, serve-b and the fake WeChat API on a fresh test PostgreSQL and Redis, ready
    (`extra`: more environment for both servers)."""
    database_url, redis_url = postgres_and_redis()
    fresh_schema(database_url)
    fake = start_fake(serve_env(database_url, redis_url, "http://127.0.0.1:9"), logs)
    env = serve_env(database_url, redis_url, fake.url, **extra)
    a, b = start_serve("serve-a", env, logs), start_serve("serve-b", env, logs)
    try:
        wait_ready([fake, a, b], "/")
        yield a, b, fake
    finally:
        for process in (a, b, fake):
            process.stop()
