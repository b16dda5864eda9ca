"""The `siyu` command: migrate, and a clear exit on a bad configuration."""

from __future__ import annotations

import sqlite3
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
