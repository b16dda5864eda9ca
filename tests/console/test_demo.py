"""`siyu demo` as a new user runs it: it prints the console's address with a working admin
token beside it, and the console has something to show (customers, a segment, the birthday
campaign, a complaint to resolve); started again, nothing is seeded twice."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.test_cli import SIYU, free_port, siyu_env


@contextmanager
def demo(workdir: Path, port: int) -> Iterator[tuple[str, str]]:
    """The running demo: (console address, token) as it printed them."""
    proc = subprocess.Popen(
        [str(SIYU), "demo", "--port", str(port)], cwd=workdir, text=True,
        env=siyu_env(workdir, secrets=False), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield _printed(proc)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)


def _printed(proc: subprocess.Popen[str]) -> tuple[str, str]:
    address, said, deadline = "", [], time.monotonic() + 90
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        said.append(line)
        assert line, "the demo stopped before printing its console token:\n" + "".join(said)
        if line.startswith("Staff console"):
            address = line.split()[-1]
        if "demo admin token" in line:
            return address, line.split()[-1]
    raise AssertionError("no console token printed within 90 s")


def call(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.load(resp)


def seen(base: str, token: str) -> dict[str, Any]:
    api = base.replace("/admin/", "/api/v1")
    return {
        "me": call(f"{api}/me", token)["role"],
        "customers": len(call(f"{api}/customers?limit=200", token)["items"]),
        "segments": [s["name"] for s in call(f"{api}/segments", token)["items"]],
        "campaigns": [c["name"] for c in call(f"{api}/campaigns", token)["items"]],
        "complaints": [c["status"] for c in call(f"{api}/complaints", token)["items"]],
    }


def test_the_demo_prints_the_console_and_a_token_that_opens_it(tmp_path: Path) -> None:
    port = free_port()
    with demo(tmp_path, port) as (address, token):
        assert address == f"http://127.0.0.1:{port}/admin/"
        with urllib.request.urlopen(address, timeout=10) as page:
            assert "私域运营台" in page.read().decode()
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        first = seen(address, token)
    assert first["me"] == "admin" and first["customers"] >= 8
    assert "已关注的上海客户" in first["segments"] and "生日祝福（演示）" in first["campaigns"]
    assert first["complaints"] == ["open"]
    with demo(tmp_path, port) as (address, again):
        assert again != token  # a fresh token each start
        assert seen(address, again) == first  # nothing seeded twice
