"""Phone and ID numbers typed INTO texts (customers' messages, ticket notes, survey answers)
are masked for roles without pii.read through every door of the API; an admin sees them and
that read is a `pii.read` row with the field `message_text`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm import complaints, points
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK
from crm.complaints import classify
from crm.complaints import config as complaint_config
from crm.complaints.intake import Incoming
from crm.models import AuditEntry, Customer, Interaction, Role, SurveyQuestion
from crm.models.surveys import ResponseStatus, SurveyAnswer, SurveyResponse
from crm.privacy import TEXT_FIELD, holds_personal, mask_personal_text, mask_text
from tests.api.conftest import Api
from tests.surveys.support import nps_survey

SAID = "我的电话 138-1234-5678，身份证 11010119900307123X，订单 12345678"
SHOWN = "我的电话 138****5678，身份证 110***********123X，订单 12345678"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("13812345678", "138****5678"),
        ("打 138-1234-5678 找我", "打 138****5678 找我"),
        ("+86 138 1234 5678", "138****5678"),
        ("+86-13812345678。", "138****5678。"),
        ("008613812345678", "138****5678"),
        ("8613812345678", "138****5678"),
        ("身份证110101199003071234", "身份证110***********1234"),
        ("订单 12345678，共 1999 元", "订单 12345678，共 1999 元"),  # not personal
        ("12313812345678", "12313812345678"),  # a longer number, not a phone in it
        ("138123456789", "138123456789"),
        ("没有数字", "没有数字"),
    ],
)
def test_mask_personal_text(text: str, shown: str) -> None:
    assert mask_personal_text(text) == shown
    assert holds_personal(text) is (text != shown)


def test_mask_text_per_role() -> None:
    assert mask_text(Role.ADMIN, SAID) == SAID
    assert mask_text(Role.OPERATOR, SAID) == mask_text(Role.VIEWER, SAID) == SHOWN
    assert mask_text(Role.VIEWER, None) is None


async def _text_reads(rid: str) -> list[tuple[str, str]]:
    rows = AuditEntry.filter(action="pii.read", request_id=rid)
    return [(r.resource, r.resource_id) for r in await rows if r.after == {"fields": [TEXT_FIELD]}]


async def _get(api: Api, path: str, role: Role, rid: str) -> dict:
    return await api.ok("GET", path, role, headers={"X-Request-Id": rid})  # type: ignore[no-any-return]


async def test_timeline_masks_the_customers_texts(api: Api) -> None:
    one = await Customer.create(openid="o1", subscribed=True)
    await Interaction.create(customer=one, channel="oa", direction="in", kind="text", content=SAID)
    await Interaction.create(customer=one, channel="oa", direction="in", kind="text", content="好")
    path = f"/customers/{one.id}/timeline"
    for role in (Role.OPERATOR, Role.VIEWER):
        items = (await _get(api, path, role, f"t-{role.value}"))["items"]
        assert [i["content"] for i in items] == ["好", SHOWN]
        assert await _text_reads(f"t-{role.value}") == []
    items = (await _get(api, path, Role.ADMIN, "t-admin"))["items"]
    assert items[1]["content"] == SAID
    assert await _text_reads("t-admin") == [("customer", str(one.id))]


async def test_an_admin_reading_texts_without_numbers_is_not_audited(api: Api) -> None:
    one = await Customer.create(openid="o1", subscribed=True)
    await Interaction.create(customer=one, channel="oa", direction="in", kind="text", content="好")
    await _get(api, f"/customers/{one.id}/timeline", Role.ADMIN, "plain")
    assert await _text_reads("plain") == []


async def test_customer_notes_are_masked(api: Api) -> None:
    one = await Customer.create(openid="o1", subscribed=True)
    await api.ok("POST", f"/customers/{one.id}/notes", json={"text": SAID})
    notes = await _get(api, f"/customers/{one.id}/notes", Role.VIEWER, "n-viewer")
    assert notes["items"][0]["text"] == SHOWN
    notes = await _get(api, f"/customers/{one.id}/notes", Role.ADMIN, "n-admin")
    assert notes["items"][0]["text"] == SAID
    assert await _text_reads("n-admin") == [("customer", str(one.id))]


async def _ticket_with_texts() -> tuple[Customer, int]:
    customer = await Customer.create(openid="o1", subscribed=True, display_name="张三丰")
    incoming = Incoming(customer, "我要投诉，快递没到。" + SAID, None,
                        classify.Signals(None, True), "Asia/Shanghai")  # fmt: skip
    got = await complaints.complain(incoming, complaint_config.current(),
                                    actor=Actor.customer(customer.id))  # fmt: skip
    staff = Actor.system("test")
    await complaints.note(got.ticket.number or "", "已致电 13812345678", actor=staff)
    await complaints.resolve(
        got.ticket.number or "", "补发，单号发到 +86 138 1234 5678", actor=staff
    )
    return customer, got.ticket.id


async def test_complaint_detail_and_list_mask_texts(api: Api) -> None:
    customer, tid = await _ticket_with_texts()
    detail = await _get(api, f"/complaints/{tid}", Role.VIEWER, "c-viewer")
    shown = [m["text"] for m in detail["messages"]] + [h["note"] or "" for h in detail["history"]]
    shown += [detail["resolution"], detail["summary"] or ""]
    assert any("138****5678" in text for text in shown)
    assert not any("1234" in text and "5678" in text and "****" not in text for text in shown)
    assert not any("11010119900307123X" in text for text in shown)
    listed = (await _get(api, "/complaints", Role.VIEWER, "l-viewer"))["items"][0]
    assert listed["resolution"] == "补发，单号发到 138****5678"
    detail = await _get(api, f"/complaints/{tid}", Role.ADMIN, "c-admin")
    assert any(SAID in m["text"] for m in detail["messages"])
    assert "已致电 13812345678" in [h["note"] for h in detail["history"]]
    assert await _text_reads("c-admin") == [("customer", str(customer.id))]
    assert await _text_reads("c-viewer") == []


async def test_survey_free_text_answers_are_masked(api: Api) -> None:
    survey = await nps_survey()
    customer = await Customer.create(openid="o1", subscribed=True)
    now = SYSTEM_CLOCK.now()
    response = await SurveyResponse.create(
        survey=survey, customer=customer, status=ResponseStatus.COMPLETED, source="api",
        invited_at=now, completed_at=now, expires_at=now + timedelta(days=1),
    )  # fmt: skip
    question = await SurveyQuestion.get(survey_id=survey.id, kind="text")
    await SurveyAnswer.create(response=response, question=question, text=SAID)
    path = f"/surveys/{survey.id}/results"
    texts = (await _get(api, path, Role.VIEWER, "s-viewer"))["questions"][-1]["texts"]
    assert [t["text"] for t in texts] == [SHOWN]
    texts = (await _get(api, path, Role.ADMIN, "s-admin"))["questions"][-1]["texts"]
    assert [t["text"] for t in texts] == [SAID]
    assert await _text_reads("s-admin") == [("survey", str(survey.id))]
    path = f"/customers/{customer.id}/survey-answers"  # the console's door to the same answers
    answers = (await _get(api, path, Role.VIEWER, "a-viewer"))["items"][0]["answers"]
    assert [a["text"] for a in answers] == [SHOWN]
    answers = (await _get(api, path, Role.ADMIN, "a-admin"))["items"][0]["answers"]
    assert [a["text"] for a in answers] == [SAID]
    assert await _text_reads("a-admin") == [("customer", str(customer.id))]
    assert await _text_reads("a-viewer") == []


async def test_points_notes_in_the_ledger_are_masked(api: Api) -> None:
    customer = await Customer.create(openid="o2", subscribed=True)
    await points.adjust(customer.id, 50, "api:1", f"补偿，{SAID}", actor=Actor.system("test"))
    path = f"/customers/{customer.id}/ledger"
    entries = (await _get(api, path, Role.OPERATOR, "l-operator"))["items"]
    assert [e["note"] for e in entries] == [f"补偿，{SHOWN}"]
    entries = (await _get(api, path, Role.ADMIN, "l-admin"))["items"]
    assert [e["note"] for e in entries] == [f"补偿，{SAID}"]
    assert await _text_reads("l-admin") == [("customer", str(customer.id))]
