from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli.nlp import nlp_app

runner = CliRunner()


def test_analyze_arguments_print_one_json_object_per_line() -> None:
    result = runner.invoke(nlp_app, ["analyze", "好评", "我要退订"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["text"] for line in lines] == ["好评", "我要退订"]
    assert lines[1]["intent"] == "unsubscribe"
    for line in lines:
        assert set(line) == {"text", "tokens", "keywords", "sentiment", "intent", "tags"}
        assert set(line["sentiment"]) == {"score", "label"}


def test_analyze_reads_stdin_lines_and_keeps_chinese_readable() -> None:
    result = runner.invoke(nlp_app, ["analyze"], input="快递太慢了\n\n谢谢\n")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert "快递" in lines[0]  # ensure_ascii=False
    assert json.loads(lines[1])["intent"] == "thanks"


def test_explain_adds_the_reason() -> None:
    result = runner.invoke(nlp_app, ["analyze", "--explain", "我不想退订"])
    assert result.exit_code == 0, result.output
    assert "guard" in json.loads(result.output)["intent_reason"]
