"""Answer parsing, as tables: what a customer types and what it means for each question type."""

from __future__ import annotations

import pytest

from crm.models.surveys import QuestionType
from crm.surveys.answers import Answer, Invalid, Leave, Parsed, Skip, parse

NPS, CSAT, SINGLE, MULTI, TEXT = (
    QuestionType.NPS, QuestionType.CSAT, QuestionType.SINGLE, QuestionType.MULTI, QuestionType.TEXT
)  # fmt: skip
COLOURS = ("红色", "蓝色", "绿色", "黑色")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0), ("9", 9), ("10", 10), ("９", 9), ("１０", 10), (" 8 ", 8), ("10分", 10),
        ("9分", 9), ("给9分", 9), ("打10分", 10), ("十分", 10), ("十", 10), ("零", 0),
        ("〇", 0), ("七", 7), ("两分", 2), ("8。", 8), ("10！", 10), ("6 分", 6),
    ],
)  # fmt: skip
def test_nps_reads_natural_scores(text: str, expected: int) -> None:
    assert parse(NPS, text) == Answer(number=expected)


@pytest.mark.parametrize(
    "text", ["11", "-1", "100", "好", "很满意", "", "9.5", "十一", "5 6", "abc", "１１"]
)
def test_nps_rejects_with_the_range_hint(text: str) -> None:
    assert parse(NPS, text) == Invalid("请回复 0–10 之间的数字")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("非常满意", 5), ("很满意", 5), ("满意", 4), ("比较满意", 4), ("一般", 3), ("还行", 3),
        ("不满意", 2), ("不太满意", 2), ("非常不满意", 1), ("很不满意", 1), ("5", 5),
        ("１", 1), ("4分", 4), ("三", 3), ("满意！", 4), ("5星", 5),
    ],
)  # fmt: skip
def test_csat_reads_words_and_digits(text: str, expected: int) -> None:
    assert parse(CSAT, text) == Answer(number=expected)


@pytest.mark.parametrize("text", ["0", "6", "10", "还好吧我觉得", "满意满意", ""])
def test_csat_rejects_out_of_scale(text: str) -> None:
    parsed = parse(CSAT, text)
    assert isinstance(parsed, Invalid) and "1–5" in parsed.hint


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("４", 4), ("二", 2), ("蓝色", 2), ("黑色。", 4), ("B", 2), ("c", 3)],
)
def test_single_choice_by_number_letter_or_label(text: str, expected: int) -> None:
    assert parse(SINGLE, text, COLOURS) == Answer(choices=(expected,))


@pytest.mark.parametrize("text", ["0", "5", "紫色", "1,2", ""])
def test_single_choice_rejects_unknown_options(text: str) -> None:
    assert parse(SINGLE, text, COLOURS) == Invalid("请回复选项编号（1–4）或选项文字")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,3", (1, 3)), ("1，3", (1, 3)), ("1 3", (1, 3)), ("1、3", (1, 3)), ("3,1", (1, 3)),
        ("1、1、2", (1, 2)), ("红色、绿色", (1, 3)), ("红色和黑色", (1, 4)), ("2", (2,)),
        ("13", (1, 3)), ("１，４", (1, 4)), ("蓝色", (2,)), ("1;2;3;4", (1, 2, 3, 4)),
    ],
)  # fmt: skip
def test_multi_choice_separators_and_labels(text: str, expected: tuple[int, ...]) -> None:
    assert parse(MULTI, text, COLOURS) == Answer(choices=expected)


@pytest.mark.parametrize("text", ["1,5", "红色、紫色", "0", "，", "15"])
def test_multi_choice_rejects_any_unknown_option(text: str) -> None:
    parsed = parse(MULTI, text, COLOURS)
    assert isinstance(parsed, Invalid) and "例如 1,3" in parsed.hint


def test_a_label_holding_a_separator_is_one_choice() -> None:
    assert parse(MULTI, "红色和黑色", ("红色和黑色", "白色")) == Answer(choices=(1,))


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (NPS, "跳过", Skip()), (CSAT, "跳过。", Skip()), (MULTI, "下一题", Skip()),
        (TEXT, "跳过", Skip()), (NPS, "退出", Leave()), (SINGLE, "退出调查", Leave()),
        (TEXT, "不想答了", Leave()), (NPS, "ＳＫＩＰ", Skip()),
    ],
)  # fmt: skip
def test_skip_and_leave_words_on_every_type(
    kind: QuestionType, text: str, expected: Parsed
) -> None:
    assert parse(kind, text, COLOURS) == expected


def test_free_text_is_kept_as_written() -> None:
    assert parse(TEXT, "  发货太慢了！希望改进。 ") == Answer(text="发货太慢了！希望改进。")
    assert isinstance(parse(TEXT, "   "), Invalid)
