"""Surveys through the API: create from the CLI's definition, list, read, delete (409 once
sent), send to a customer (the invitation reaches the fake WeChat) or a segment (an outbox
run), results; each write's audit row checked, validation naming the field."""

from __future__ import annotations

from bot.wechat.fake import FakeWeChat
from crm import segments
from crm.actors import Actor
from crm.models import AuditEntry, Customer, Role, Survey
from crm.models.surveys import SurveyResponse
from tests.api.conftest import Api, assert_error
from tests.surveys.support import NPS_SURVEY


async def test_create_read_list_delete_audited(api: Api) -> None:
    created = await api.ok("POST", "/surveys", Role.OPERATOR, json=NPS_SURVEY)
    sid = created["id"]
    assert [q["type"] for q in created["questions"]] == ["nps", "csat", "single", "multi", "text"]
    assert (await api.ok("GET", f"/surveys/{sid}", Role.VIEWER))["name"] == NPS_SURVEY["name"]
    assert [s["id"] for s in (await api.ok("GET", "/surveys", Role.VIEWER))["items"]] == [sid]
    status, _ = await api.call("DELETE", f"/surveys/{sid}", Role.OPERATOR)
    assert status == 204 and not await Survey.exists(id=sid)
    rows = await AuditEntry.all().order_by("id")
    assert [(r.action, r.resource_id) for r in rows] == [
        ("surveys.create", str(sid)), ("surveys.delete", str(sid)),
    ]  # fmt: skip
    assert rows[0].after["name"] == NPS_SURVEY["name"] and rows[1].before["id"] == sid


async def test_replace_until_sent(api: Api) -> None:
    sid = (await api.ok("POST", "/surveys", json=NPS_SURVEY))["id"]
    short = {**NPS_SURVEY, "name": "简短回访", "questions": NPS_SURVEY["questions"][:1]}
    replaced = await api.ok("PUT", f"/surveys/{sid}", Role.OPERATOR, json=short)
    assert replaced["id"] == sid and [q["type"] for q in replaced["questions"]] == ["nps"]
    update = await AuditEntry.get(action="surveys.update")
    assert update.before["name"] == NPS_SURVEY["name"] and update.after["name"] == "简短回访"
    await Customer.create(openid="oSeg0", subscribed=True)
    segment = await segments.create_segment(
        "all", {"field": "subscribed", "op": "eq", "value": True}, actor=Actor.system("test")
    )
    await api.ok("POST", f"/surveys/{sid}/send", json={"segment_id": segment.id})
    status, body = await api.call("PUT", f"/surveys/{sid}", json=NPS_SURVEY)
    assert status == 409
    assert_error(body, "conflict")
    assert (await api.ok("GET", f"/surveys/{sid}"))["name"] == "简短回访"


async def test_a_bad_definition_names_the_field(api: Api) -> None:
    bad = {**NPS_SURVEY, "questions": [{"type": "single", "text": "选一个", "options": ["a"]}]}
    status, body = await api.call("POST", "/surveys", json=bad)
    assert status == 400
    assert assert_error(body, "validation_error")["details"][0]["field"].startswith(
        "body.questions.0"
    )
    status, body = await api.call("POST", "/surveys/1/send", json={"customer_id": 1, "openid": "o"})
    assert status == 400 and body["error"]["details"][0]["field"] == "body"
    assert not await Survey.exists() and not await AuditEntry.exists()


async def test_send_to_a_customer_then_deleting_is_a_conflict(
    api: Api, fake_wechat: FakeWeChat
) -> None:
    sid = (await api.ok("POST", "/surveys", json=NPS_SURVEY))["id"]
    someone = await Customer.create(openid="oSurvey001", subscribed=True)
    sent = await api.ok("POST", f"/surveys/{sid}/send", Role.OPERATOR,
                        json={"openid": "oSurvey001"})  # fmt: skip
    assert sent["sent"] == 1 and sent["skipped"] == [] and sent["failed"] == []
    assert fake_wechat.sent_texts("oSurvey001")[-1].startswith(NPS_SURVEY["intro"])
    assert await SurveyResponse.exists(survey_id=sid, customer_id=someone.id)
    again = await api.ok("POST", f"/surveys/{sid}/send", json={"customer_id": someone.id})
    assert again["sent"] == 0 and again["skipped"][0]["customer"] == someone.id
    send = await AuditEntry.filter(action="surveys.send").order_by("id").first()
    assert send is not None and send.after["openid"] == "oSurvey001" and send.after["sent"] == 1
    status, body = await api.call("DELETE", f"/surveys/{sid}")
    assert status == 409
    assert_error(body, "conflict")
    assert await Survey.exists(id=sid)
    results = await api.ok("GET", f"/surveys/{sid}/results", Role.VIEWER)
    assert results["responses"] == 1 and results["completed"] == 0


async def test_send_to_a_segment_is_an_outbox_run(api: Api) -> None:
    sid = (await api.ok("POST", "/surveys", json=NPS_SURVEY))["id"]
    await Customer.create(openid="oSeg0", subscribed=True)
    segment = await segments.create_segment(
        "all", {"field": "subscribed", "op": "eq", "value": True}, actor=Actor.system("test")
    )
    out = await api.ok("POST", f"/surveys/{sid}/send", json={"segment_id": segment.id})
    assert out["run_id"] and out["targeted"] == 1
    assert (await AuditEntry.get(action="surveys.send")).after["run_id"] == out["run_id"]


async def test_missing_survey_is_404(api: Api) -> None:
    status, body = await api.call("GET", "/surveys/999/results")
    assert status == 404
    assert_error(body, "not_found")
