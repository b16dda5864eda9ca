"""`siyu chat --wecom`: a staff member's command, signed and encrypted as WeCom sends it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from tests.test_cli import SIYU, served_port, siyu_env

__all__ = ["served_port"]  # the fixture: a real `siyu serve`

runner = CliRunner()


def test_chat_wecom_says_how_to_start_a_server_when_none_runs() -> None:
    result = runner.invoke(app, ["chat", "--wecom", "--url", "http://127.0.0.1:9", "/help"])
    assert result.exit_code == 1
    assert "siyu serve" in result.output


def chat(workdir: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = siyu_env(workdir, SIYU_SERVER__PORT=str(port))
    return subprocess.run(
        [str(SIYU), "chat", *args], cwd=workdir, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_chat_wecom_prints_the_decrypted_reply_to_a_staff_command(
    served_port: int, tmp_path: Path
) -> None:
    result = chat(tmp_path, served_port, "--wecom", "--user", "xiaowang", "/whoami")
    assert result.returncode == 0, result.stderr
    assert "账号：xiaowang" in result.stdout and "角色：" in result.stdout
    help_reply = chat(tmp_path, served_port, "--wecom", "/help").stdout
    assert "/whoami" in help_reply
