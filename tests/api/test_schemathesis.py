"""Schemathesis against the real app on a loopback port (aiohttp is neither ASGI nor WSGI),
once with an admin token and once with a viewer's: no 5xx, every response (the 4xx included,
in the one error shape) valid against /api/openapi.json. Bounded: a few examples per operation.

DELETE is left out for the admin: it would revoke the token the run is using."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.app import create_app
from bot.config import Settings
from crm import customer_edits, keyword_rules, notes, segments, tokens
from crm.actors import Actor
from crm.campaigns.runs import start_run
from crm.campaigns.service import create_campaign
from crm.campaigns.spec import parse_spec
from crm.models import Customer, Interaction, MessageTemplate, Role, Staff

SEEDER = Actor.system("test")
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
# The coverage phase (boundary values of every field) costs most: the admin, who reaches every
# handler, runs it; the viewer, refused most writes at the door, is fuzzed only.
PHASES = {Role.ADMIN: "coverage,fuzzing", Role.VIEWER: "fuzzing"}

pytestmark = pytest.mark.sqlite_only  # runs once, in the SQLite pass (the CI pass)


async def _seed() -> None:
    """One of everything at id 1, so the fuzzer's id 1 reaches real rows and real responses."""
    c = await Customer.create(openid="o1", display_name="张三丰", phone="+8613812345678",
                              subscribed=True, total_spent=Decimal("12.30"))  # fmt: skip
    await Interaction.create(customer=c, channel="oa", direction="in", kind="text", content="hi",
                             sentiment_label="pos", sentiment_score=0.9)  # fmt: skip
    await notes.add_note(c.id, "老顾客", actor=SEEDER)
    await customer_edits.add_tag(c.id, "vip", actor=SEEDER)
    await Staff.create(userid="zhangsan", role=Role.OPERATOR)
    await segments.create_segment("subscribed", {"field": "subscribed", "op": "eq", "value": True},
                                  actor=SEEDER)  # fmt: skip
    await MessageTemplate.create(name="greet", body="{{ customer.display_name }}，您好")
    await keyword_rules.add("奶茶", "饮品", actor=SEEDER)
    spec = parse_spec({"name": "greet", "kind": "custom", "segment_id": 1, "text": "您好",
                       "schedule": {"cron": "0 10 * * *"}})  # fmt: skip
    campaign = await create_campaign(spec, actor=SEEDER)
    await start_run(campaign.id, run_date=date(2026, 12, 1), run_key="seed")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
async def test_schemathesis(aiohttp_server, api_settings: Settings, role: Role) -> None:  # type: ignore[no-untyped-def]
    await _seed()
    server = await aiohttp_server(create_app(api_settings, worker=False))
    issued = await tokens.create_token(f"fuzz-{role.value}", role, actor=Actor.system("test"))
    url = str(server.make_url("/api/openapi.json"))
    proc = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS), "run", url, "-H", f"Authorization: Bearer {issued.secret}",
        "-n", "6", "--phases", PHASES[role], "-c", CHECKS, "--request-timeout", "10", "--seed", "7",
        "--generation-deterministic", "--exclude-method", "DELETE", "--no-color",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out.decode(errors="replace")[-8000:]
