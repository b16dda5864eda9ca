"""The endpoints the console needed, through the real app: /v1/me (who the token is, what its
role may do), /v1/segments/preview (an unsaved rule counted and shown masked) and
/v1/schedule (each campaign's next run), a customer's points ledger and survey answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.startup import prepare_process
from crm import caches, tokens
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK
from crm.demo_data import seed_birthday_demo, seed_demo_customers
from crm.models import (
    Customer,
    QuestionType,
    ResponseStatus,
    Role,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from crm.permissions import PERMISSIONS


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> AsyncIterator[TestClient]:
    caches.clear()
    prepare_process(settings)
    yield await aiohttp_client(create_app(settings, worker=False))
    caches.clear()


async def bearer(role: Role) -> dict[str, str]:
    issued = await tokens.create_token(f"t-{role.value}", role, actor=Actor.system("test"))
    return {"Authorization": f"Bearer {issued.secret}"}


@pytest.mark.parametrize("role", list(Role))
async def test_me_names_the_token_and_its_roles_actions(client: TestClient, role: Role) -> None:
    resp = await client.get("/api/v1/me", headers=await bearer(role))
    me = await resp.json()
    assert resp.status == 200 and me["role"] == role.value and me["name"] == f"t-{role.value}"
    assert set(me["actions"]) == {a.value for a in PERMISSIONS[role]}


async def test_me_without_a_token_is_401(client: TestClient) -> None:
    resp = await client.get("/api/v1/me")
    assert resp.status == 401 and (await resp.json())["error"]["code"] == "unauthenticated"


async def test_a_draft_rule_is_counted_and_previewed_masked(client: TestClient) -> None:
    await seed_demo_customers()
    rule = {"any": [{"field": "city", "op": "eq", "value": "上海"},
                    {"field": "city", "op": "eq", "value": "北京"}]}  # fmt: skip
    resp = await client.post("/api/v1/segments/preview", json={"rule": rule},
                             headers=await bearer(Role.ADMIN))  # fmt: skip
    body = await resp.json()
    assert resp.status == 200 and body["count"] == 2
    assert all("****" in r["phone"] for r in body["items"])  # masked even for an admin
    assert "13800138000" not in await resp.text()
    assert {r["display_name"] for r in body["items"]} == {"王**", "李*"}


async def test_a_bad_draft_rule_names_the_condition(client: TestClient) -> None:
    rule = {"all": [{"field": "subscribed", "op": "eq", "value": True},
                    {"field": "points_balance", "op": "gte", "value": -1}]}  # fmt: skip
    resp = await client.post("/api/v1/segments/preview", json={"rule": rule, "limit": 5},
                             headers=await bearer(Role.VIEWER))  # fmt: skip
    error = (await resp.json())["error"]
    assert resp.status == 400 and error["details"][0]["field"].startswith("rule.all[1]")


async def test_the_schedule_gives_a_scheduled_campaign_its_next_run_and_a_paused_none(
    client: TestClient,
) -> None:
    demo = await seed_birthday_demo(clock=SYSTEM_CLOCK)
    headers = await bearer(Role.OPERATOR)
    resp = await client.get("/api/v1/schedule", headers=headers)
    (row,) = (await resp.json())["items"]
    fires = datetime.fromisoformat(row["next_run"])
    assert row["campaign_id"] == demo.campaign_id and row["status"] == "scheduled"
    assert timedelta(0) < fires - datetime.now(UTC) <= timedelta(days=1)
    assert fires.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") == demo.fires_at
    await client.post(f"/api/v1/campaigns/{demo.campaign_id}/pause", headers=headers)
    resp = await client.get("/api/v1/schedule", headers=headers)
    assert (await resp.json())["items"][0]["next_run"] is None


async def test_a_customers_ledger_and_survey_answers_newest_first(client: TestClient) -> None:
    await seed_demo_customers()
    wang = await Customer.get(openid="o_demo_wang")
    headers = await bearer(Role.OPERATOR)
    for amount, reason in ((100, "开卡礼"), (-30, "兑换杯子")):
        body = {"amount": amount, "reason": reason}
        await client.post(f"/api/v1/customers/{wang.id}/points", json=body, headers=headers)
    resp = await client.get(f"/api/v1/customers/{wang.id}/ledger", headers=headers)
    ledger = (await resp.json())["items"]
    assert [(e["amount"], e["note"]) for e in ledger] == [(-30, "兑换杯子"), (100, "开卡礼")]
    survey = await Survey.create(name="满意度回访", intro="您好", thanks="谢谢")
    nps = await SurveyQuestion.create(
        survey=survey, position=1, kind=QuestionType.NPS, text="推荐吗？"
    )
    note = await SurveyQuestion.create(
        survey=survey, position=2, kind=QuestionType.TEXT, text="建议？"
    )
    now = datetime.now(UTC)
    answered = await SurveyResponse.create(survey=survey, customer=wang, source="cli",
                                           status=ResponseStatus.COMPLETED, invited_at=now,
                                           expires_at=now + timedelta(days=3))  # fmt: skip
    await SurveyAnswer.create(response=answered, question=note, text="多上新品")
    await SurveyAnswer.create(response=answered, question=nps, number=9)
    resp = await client.get(f"/api/v1/customers/{wang.id}/survey-answers",
                            headers=await bearer(Role.VIEWER))  # fmt: skip
    (only,) = (await resp.json())["items"]
    assert only["survey"] == "满意度回访" and only["status"] == "completed"
    assert [(a["question"], a["number"], a["text"]) for a in only["answers"]] == [
        ("推荐吗？", 9, None), ("建议？", None, "多上新品")]  # fmt: skip
    resp = await client.get("/api/v1/customers/999999/ledger", headers=headers)
    assert resp.status == 404
