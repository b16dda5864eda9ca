"""How a question reads in the chat, and which question comes next (skip conditions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crm.models.surveys import QuestionType, SurveyAnswer, SurveyQuestion

HOW_TO_LEAVE = "回复「跳过」可跳过当前问题，回复「退出」可随时结束。"
_HOW_TO_ANSWER = {
    QuestionType.NPS: "（请回复 0–10 的数字：0 表示完全不会，10 表示非常愿意）",
    QuestionType.CSAT: "（请回复 1–5 的数字：5 非常满意，4 满意，3 一般，2 不满意，1 非常不满意）",
    QuestionType.SINGLE: "（请回复选项编号）",
    QuestionType.MULTI: "（可多选，请回复选项编号，例如 1,3）",
    QuestionType.TEXT: "（请直接回复您的想法）",
}


def question_text(question: SurveyQuestion, total: int) -> str:
    """「第 2/5 题：…」, how to answer it, and the options numbered."""
    lines = [f"第 {question.position}/{total} 题：{question.text}"]
    lines.append(_HOW_TO_ANSWER[question.kind])
    lines += [f"{n}. {option}" for n, option in enumerate(question.options, start=1)]
    return "\n".join(lines)


def invitation_text(intro: str, first: SurveyQuestion, total: int) -> str:
    return f"{intro}\n{HOW_TO_LEAVE}\n\n{question_text(first, total)}"


def next_question(
    questions: Sequence[SurveyQuestion], after: int, answers: Mapping[int, SurveyAnswer]
) -> SurveyQuestion | None:
    """The first question after position `after` whose skip condition does not hold."""
    for question in questions:
        if question.position > after and not skipped(question, answers):
            return question
    return None


def skipped(question: SurveyQuestion, answers: Mapping[int, SurveyAnswer]) -> bool:
    """`skip_if` holds: the earlier answer (by position) is one of `answer_in`."""
    condition = question.skip_if
    if not condition:
        return False
    earlier = answers.get(int(condition["question"]))
    if earlier is None or earlier.skipped:
        return False
    wanted = set(condition["answer_in"])
    if earlier.number is not None:
        return earlier.number in wanted
    return bool(wanted & set(earlier.choices or ()))
