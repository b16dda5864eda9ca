"""The `siyu` command: migrate, a clear exit on a bad configuration, start-up checks that say
what to do in a line or two, and the connection limits of a running `siyu serve`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


def test_migrate_creates_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("SIYU_DATABASE_URL", f"sqlite://{db}")
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    tables = {row[0] for row in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")}
    assert {"customer", "interaction", "tag", "customer_tag", "staff"} <= tables
    assert runner.invoke(app, ["migrate"]).exit_code == 0  # again: nothing to do


def test_bad_config_exits_2_naming_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIYU_SERVER__PORT", "not-a-port")
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "server.port (SIYU_SERVER__PORT)" in result.output


def test_chat_says_how_to_start_a_server_when_none_runs() -> None:
    result = runner.invoke(app, ["chat", "--url", "http://127.0.0.1:9", "你好"])
    assert result.exit_code == 1
    assert "siyu serve" in result.output


# -- the real `siyu` command, run as an operator would: from a directory without config.yaml --

SIYU = Path(sys.executable).with_name("siyu")
SHIPPED_CONFIG = Path(__file__).parent.parent / "config.yaml"
OWN_SECRETS = {  # not the demo values shipped in config.yaml: `siyu serve` starts on these
    "SIYU_WECHAT__OA__APP_SECRET": "cli-test-oa-app-secret",
    "SIYU_WECHAT__OA__TOKEN": "cli-test-oa-token",
    "SIYU_WECHAT__OA__ENCODING_AES_KEY": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "SIYU_WECHAT__WECOM__SECRET": "cli-test-wecom-secret",
    "SIYU_WECHAT__WECOM__TOKEN": "cli-test-wecom-token",
    "SIYU_WECHAT__WECOM__ENCODING_AES_KEY": "kWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
}
DEMO_VALUES = ("siyu-demo-secret", "siyu-demo-token", "abcdefghijklmnopqrstuvwxyz0123456789")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def siyu_env(workdir: Path, secrets: bool = True, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIYU_")}
    env["SIYU_DATABASE_URL"] = f"sqlite://{workdir}/siyu.sqlite3"
    env["SIYU_SERVER__PORT"] = str(free_port())
    return {**env, **(OWN_SECRETS if secrets else {}), **extra}


def run_siyu(
    workdir: Path, *args: str, secrets: bool = True, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SIYU), *args], cwd=workdir, env=siyu_env(workdir, secrets, **extra),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize("args", [["--help"], ["nlp", "analyze", "你好"]])
def test_no_library_warning_outside_the_repository(tmp_path: Path, args: list[str]) -> None:
    result = run_siyu(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and result.stderr == ""


def test_serve_refuses_the_shipped_demo_secrets(tmp_path: Path) -> None:
    result = run_siyu(tmp_path, "serve", "--config", str(SHIPPED_CONFIG), secrets=False)
    assert result.returncode == 2
    for key in OWN_SECRETS:
        env_name = key.removeprefix("SIYU_")
        dotted = env_name.lower().replace("__", ".")
        assert f"{dotted} ({key})" in result.stderr
    assert "siyu demo" in result.stderr and "--insecure-demo-secrets" in result.stderr
    assert not any(value in result.stderr for value in DEMO_VALUES)


def test_serve_names_only_the_demo_secrets_left(tmp_path: Path) -> None:
    own = {k: v for k, v in OWN_SECRETS.items() if "WECOM" not in k}
    result = run_siyu(tmp_path, "serve", secrets=False, **own)
    assert result.returncode == 2
    assert "wechat.wecom.token (SIYU_WECHAT__WECOM__TOKEN)" in result.stderr
    assert "wechat.oa" not in result.stderr


def test_insecure_demo_secrets_flag_gets_past_the_check(tmp_path: Path) -> None:
    with socket.socket() as taken:  # the port check comes next and stops it before it serves
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_siyu(
            tmp_path, "serve", "--insecure-demo-secrets", "--port", port, secrets=False
        )
    assert result.returncode == 2
    assert (
        "demo" in result.stderr and f"127.0.0.1:{port}" in result.stderr
    )  # a warning, then the port


def test_a_port_in_use_is_one_short_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_siyu(tmp_path, "serve", "--port", port)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_on_a_taken_port_says_which_port_to_change(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_siyu(tmp_path, "demo", "--port", port, secrets=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in result.stderr
    assert "PORT + 1" in result.stderr and not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_an_unreachable_postgres_is_named_with_host_and_port(tmp_path: Path, command: str) -> None:
    closed = free_port()  # nobody listens there any more
    url = f"postgres://siyu:hunter2-secret@127.0.0.1:{closed}/siyu"
    result = run_siyu(tmp_path, command, SIYU_DATABASE_URL=url)
    assert result.returncode == 2
    assert "unreachable" in result.stderr and f"127.0.0.1:{closed}" in result.stderr
    assert "SIYU_DATABASE_URL" in result.stderr
    assert "hunter2" not in result.stderr and "behind" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_an_unreachable_redis_is_named_with_host_and_port(tmp_path: Path, command: str) -> None:
    closed = free_port()
    result = run_siyu(tmp_path, command, SIYU_REDIS_URL=f"redis://127.0.0.1:{closed}/0")
    assert result.returncode == 2, result.stderr
    assert f"Redis at 127.0.0.1:{closed} is unreachable" in result.stderr
    assert "SIYU_REDIS_URL" in result.stderr and "Traceback" not in result.stderr


def test_a_non_base64_aes_key_is_a_named_config_error(tmp_path: Path) -> None:
    bad_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDE*G"
    result = run_siyu(tmp_path, "serve", SIYU_WECHAT__OA__ENCODING_AES_KEY=bad_key)
    assert result.returncode == 2
    assert "wechat.oa.encoding_aes_key (SIYU_WECHAT__OA__ENCODING_AES_KEY)" in result.stderr
    assert "base64" in result.stderr and bad_key not in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_help_promises_only_what_it_runs() -> None:
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "admin" not in result.output.lower()
    assert "webhooks" in result.output and "--insecure-demo-secrets" in result.output


# -- connections: an idle or slow client is dropped after server.keepalive_seconds -------------

KEEPALIVE = 2.0


@pytest.fixture
def served_port(tmp_path: Path) -> Iterator[int]:
    """A real `siyu serve` with a short keep-alive, started from an empty directory."""
    env = siyu_env(tmp_path, SIYU_SERVER__KEEPALIVE_SECONDS=str(KEEPALIVE))
    port = int(env["SIYU_SERVER__PORT"])
    server = subprocess.Popen(
        [str(SIYU), "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_healthy(server, port)
        yield port
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "Warning" not in stderr


def _wait_healthy(server: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("siyu serve did not become healthy")


async def _seconds_until_closed(reader: asyncio.StreamReader) -> float:
    started = time.monotonic()
    with contextlib.suppress(ConnectionResetError):
        assert await asyncio.wait_for(reader.read(), timeout=KEEPALIVE + 10) == b""
    return time.monotonic() - started


async def _silent(port: int) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    seconds = await _seconds_until_closed(reader)
    writer.close()
    return seconds


async def _slow_headers(port: int) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /wechat/oa HTTP/1.1\r\nHost: siyu\r\n")

    async def trickle() -> None:
        with contextlib.suppress(OSError):
            for _ in range(200):
                writer.write(b"X")
                await writer.drain()
                await asyncio.sleep(0.2)

    feeding = asyncio.create_task(trickle())
    seconds = await _seconds_until_closed(reader)
    feeding.cancel()
    writer.close()
    return seconds


async def _idle_after_a_response(port: int) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: siyu\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    await reader.readexactly(length)
    seconds = await _seconds_until_closed(reader)
    writer.close()
    return seconds


async def test_idle_and_slow_connections_are_dropped(served_port: int) -> None:
    clients = (
        _silent(served_port),
        _slow_headers(served_port),
        _idle_after_a_response(served_port),
    )
    for seconds in await asyncio.gather(*clients):
        assert KEEPALIVE - 0.5 <= seconds <= KEEPALIVE + 2


# -- embedded mode: one `siyu serve` per SQLite file -------------------------------------------


def test_a_second_serve_on_the_same_sqlite_file_exits_with_one_line(tmp_path: Path) -> None:
    env = siyu_env(tmp_path)
    first = subprocess.Popen(
        [str(SIYU), "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_healthy(first, int(env["SIYU_SERVER__PORT"]))
        second = run_siyu(tmp_path, "serve")  # same file, another free port
    finally:
        first.terminate()
        first.communicate(timeout=30)
    assert second.returncode == 2, second.stderr
    assert second.stderr.count("\n") == 1, second.stderr
    assert f"{tmp_path}/siyu.sqlite3" in second.stderr and "another siyu serve" in second.stderr
    assert "PostgreSQL" in second.stderr and "Traceback" not in second.stderr


def test_a_worker_on_the_sqlite_file_of_a_running_serve_exits_with_one_line(
    tmp_path: Path,
) -> None:
    env = siyu_env(tmp_path)
    serve = subprocess.Popen(
        [str(SIYU), "serve"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_healthy(serve, int(env["SIYU_SERVER__PORT"]))
        worker = run_siyu(tmp_path, "worker")
        assert serve.poll() is None  # the server keeps running
    finally:
        serve.terminate()
        serve.communicate(timeout=30)
    assert worker.returncode == 2, worker.stderr
    assert worker.stderr.count("\n") == 1, worker.stderr
    assert f"{tmp_path}/siyu.sqlite3 is in use by a running siyu serve" in worker.stderr
    assert "background work" in worker.stderr and "PostgreSQL + Redis" in worker.stderr
