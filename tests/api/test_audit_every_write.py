"""Every write endpoint in the route table, called successfully by an admin, leaves at least
one audit row of the change (an unmasked read's `pii.read` row does not count) stamped
with the call's request id, and every audit row written during the call carries that id
(the services that audit on their own, complaints and surveys, included). Parametrized from the registry: a new write
endpoint fails `test_every_write_endpoint_has_a_case` until it gets a case here (the body and
the calls that put the seeded rows in the state it needs), or is listed in NOT_GENERIC with
the reason it cannot be called this way."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.api import app as _app  # noqa: F401  (registers every endpoint)
from bot.api.registry import API, Route
from crm import complaints, customer_edits, keyword_rules, segments
from crm.actors import Actor
from crm.campaigns.service import create_campaign
from crm.campaigns.spec import parse_spec
from crm.complaints import classify
from crm.complaints import config as complaint_config
from crm.complaints.intake import Incoming
from crm.models import AuditEntry, Customer, Interaction, MessageTemplate, Role, Staff
from tests.api.conftest import Api
from tests.surveys.support import NPS_SURVEY, nps_survey

SEEDER = Actor.system("test")
RULE = {"field": "subscribed", "op": "eq", "value": True}
CAMPAIGN = {"name": "greet", "kind": "custom", "segment_id": 1, "text": "您好",
            "schedule": {"cron": "0 10 * * *"}, "quiet_hours": False, "status": "draft"}  # fmt: skip
Step = tuple[str, str, dict[str, Any] | None]


@dataclass(frozen=True)
class Case:
    body: dict[str, Any] | None = None
    before: list[Step] = field(default_factory=list)  # admin calls that set the state up
    ids: dict[str, int] = field(default_factory=dict)  # path ids other than 1


SCHEDULE: Step = ("POST", "/campaigns/1/schedule", None)
CASES: dict[str, Case] = {
    "create_campaign": Case({**CAMPAIGN, "name": "another"}),
    "replace_campaign": Case({**CAMPAIGN, "text": "新文案"}),
    "delete_campaign": Case(),
    "schedule_campaign": Case(),
    "pause_campaign": Case(before=[SCHEDULE]),
    "resume_campaign": Case(before=[SCHEDULE, ("POST", "/campaigns/1/pause", None)]),
    "run_campaign": Case(before=[SCHEDULE]),
    "dry_run_campaign": Case({"limit": 5}),
    "acknowledge_complaint": Case(),
    "assign_complaint": Case({"assignee": "lisi"}),
    "note_complaint": Case({"text": "已联系"}),
    "resolve_complaint": Case({"resolution": "已补发"}),
    "close_complaint": Case(),
    "recategorise_complaint": Case({"category": "商品质量"}),
    "tag_customer": Case({"tag": "新标签"}),
    "untag_customer": Case(),
    "add_note": Case({"text": "老顾客"}),
    "adjust_points": Case({"amount": 100, "reason": "补偿"}),
    "merge": Case({"duplicate_id": 2}),
    "unmerge": Case(before=[("POST", "/customers/1/merge", {"duplicate_id": 2})]),
    "create_segment": Case({"name": "another", "rule": RULE}),
    "update_segment": Case({"name": "renamed"}),
    "delete_segment": Case(
        before=[("POST", "/segments", {"name": "spare", "rule": RULE})], ids={"segment_id": 2}
    ),
    "snapshot_segment": Case(),
    "create_staff": Case({"userid": "wangwu", "role": "operator"}),
    "update_staff": Case({"role": "admin"}),
    "delete_staff": Case(),
    "create_survey_definition": Case(NPS_SURVEY),
    "replace_survey_definition": Case({**NPS_SURVEY, "name": "简短回访"}),
    "delete_survey_definition": Case(),
    "send_survey": Case({"segment_id": 1}),
    "create_tag": Case({"name": "另一个"}),
    "delete_tag": Case(),
    "create_rule": Case({"keyword": "咖啡", "tag": "饮品"}),
    "change_rule": Case({"enabled": False}),
    "delete_rule": Case(),
    "create_template": Case({"name": "bye", "body": "再见"}),
    "replace_template": Case({"name": "greet", "body": "您好呀"}),
    "delete_template": Case(),
    "create_token": Case({"name": "ci", "role": "viewer"}),
    "erase_customer": Case(),
    "record_customer_order": Case(
        {"external_id": "SHOP-1", "amount": "59.00", "paid_at": "2026-12-01T10:00:00+08:00"}
    ),
    "revoke_token": Case(ids={"token_id": 3}),  # the viewer's token: the admin's stays
}
# operation id -> why it is not called here (none so far)
NOT_GENERIC: dict[str, str] = {}
WRITES = [r for r in API.routes if r.is_write]


async def _seed() -> None:
    """One of everything at id 1 (customer 2 is the one merged into customer 1)."""
    one = await Customer.create(openid="o1", display_name="张三丰", phone="+8613812345678",
                                subscribed=True)  # fmt: skip
    await Customer.create(openid="o2", display_name="张三", subscribed=True)
    await Interaction.create(customer=one, channel="oa", direction="in", kind="text", content="hi")
    await customer_edits.add_tag(one.id, "vip", actor=SEEDER)
    await segments.create_segment("subscribed", RULE, actor=SEEDER)
    await create_campaign(parse_spec(CAMPAIGN), actor=SEEDER)
    incoming = Incoming(one, "我要投诉，快递三天还没到，订单 12345678", None,
                        classify.Signals(None, True), "Asia/Shanghai")  # fmt: skip
    await complaints.complain(incoming, complaint_config.current(), actor=SEEDER)
    await nps_survey()
    await keyword_rules.add("奶茶", "饮品", actor=SEEDER)
    await MessageTemplate.create(name="greet", body="{{ customer.display_name }}，您好")
    await Staff.create(userid="zhangsan", role=Role.OPERATOR)


def _path(route: Route, ids: dict[str, int]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(ids.get(match.group(1), 1))

    return re.sub(r"\{([a-z_]+)\}", value, route.path).removeprefix("/v1")


def test_every_write_endpoint_has_a_case() -> None:
    names = {r.operation_id for r in WRITES}
    assert names - set(CASES) - set(NOT_GENERIC) == set()
    assert set(CASES) <= names and not set(CASES) & set(NOT_GENERIC)


@pytest.mark.parametrize(
    "route", [r for r in WRITES if r.operation_id in CASES], ids=lambda r: r.operation_id
)
async def test_a_write_by_an_admin_is_audited(api: Api, route: Route) -> None:
    await _seed()
    case = CASES[route.operation_id]
    for method, path, body in case.before:
        await api.ok(method, path, json=body)
    rid = f"audit-{route.operation_id}"[:64]
    kw: dict[str, Any] = {"headers": {"X-Request-Id": rid}}
    if case.body is not None:
        kw["json"] = case.body
    last = await AuditEntry.all().order_by("-id").first()
    status, answer = await api.call(route.method, _path(route, case.ids), **kw)
    assert status == route.status or (route.response is None and status == 204), answer
    change = AuditEntry.filter(request_id=rid).exclude(action="pii.read")  # a read, not the write
    assert await change.exists(), route.operation_id
    written = AuditEntry.filter(id__gt=last.id if last else 0)
    strays = await written.exclude(request_id=rid).values_list("action", "request_id")
    assert strays == [], f"{route.operation_id}: audit rows without the call's request id"
