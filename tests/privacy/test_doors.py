"""Erasure through each door: the customer in the chat (删除我的信息, then 「确认删除」), an admin's
`/erase` in WeCom, the admin API, `siyu customer erase`. Each leaves nothing identifying, ends
the person's flows and tells the person once; staff below admin are refused."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.keys import STORE
from bot.wechat.fake import FakeWeChat
from bot.wechat.simulator import Simulator, text_xml
from crm.clock import FrozenClock, utcnow
from crm.database import close_database, open_database
from crm.models import AuditEntry, Channel, Customer, Role, Staff
from crm.pipl import erasure
from handlers.erasure import ASK, CANCELLED, DONE
from handlers.state import ConversationState, put_state, read_state
from tests.api.conftest import Api, assert_error
from tests.handlers.helpers import content, oa_send, wecom_send
from tests.privacy.support import OPENID, OTHER_OPENID, PHONE, leftovers, seed_person

ids = itertools.count(1)


async def say(client: TestClient, oa: Simulator, text: str) -> str:
    xml = text_xml(OPENID, oa.receiver, text, next(ids))
    return content((await oa_send(client, oa, xml, OPENID))[1])


async def command(client: TestClient, wecom: Simulator, userid: str, text: str) -> str:
    xml = text_xml(userid, wecom.receiver, text, next(ids))
    return content((await wecom_send(client, wecom, xml))[1])


async def in_survey(client: TestClient) -> None:
    survey = ConversationState("survey", 1, {"survey_id": 1, "response": 1})
    await put_state(client.app[STORE], Channel.OA, OPENID, survey, 600)


async def test_the_customer_asks_and_confirms_in_the_chat(
    client: TestClient, oa: Simulator
) -> None:
    person = await seed_person()
    await in_survey(client)
    assert await say(client, oa, "删除我的信息") == ASK
    assert await say(client, oa, "确认删除") == DONE
    assert await read_state(client.app[STORE], Channel.OA, OPENID) is None
    assert await leftovers() == ["Interaction: o-pipl-1"]  # the reply, for WeChat's retries
    assert await erasure.sweep_after_erasure() == 0  # kept a day
    assert await erasure.sweep_after_erasure(FrozenClock(utcnow() + timedelta(days=2))) == 1
    assert await leftovers() == []
    audit = await AuditEntry.get(action=erasure.ACTION)
    assert (audit.actor, audit.resource_id) == (f"customer:{person.live.id}", str(person.live.id))


async def test_anything_but_the_confirmation_cancels(client: TestClient, oa: Simulator) -> None:
    await seed_person()
    assert await say(client, oa, "注销") == ASK
    assert await say(client, oa, "算了") == CANCELLED
    assert await say(client, oa, "确认删除") != DONE  # the window closed with the cancel
    assert (await Customer.get(openid=OPENID)).phone == PHONE


async def test_an_admin_erases_with_a_staff_command(
    client: TestClient, wecom: Simulator, fake_wechat: FakeWeChat
) -> None:
    person = await seed_person()
    await Staff.create(userid="yunying", role=Role.OPERATOR)
    refused = await command(client, wecom, "yunying", f"/erase {person.live.id}")
    assert "管理员" in refused and (await Customer.get(id=person.live.id)).phone == PHONE
    answer = await command(client, wecom, "boss", f"/erase {person.merged.id}")  # the person
    assert f"客户 {person.live.id} 的个人信息已删除" in answer and "已通知客户" in answer
    assert fake_wechat.sent_texts(OPENID) == [DONE] and fake_wechat.sent_texts(OTHER_OPENID) == []
    assert await leftovers() == []
    again = await command(client, wecom, "boss", f"/erase {person.live.id}")
    assert "此前已删除" in again and fake_wechat.sent_texts(OPENID) == [DONE]


async def test_the_admin_api_erases_and_exports(api: Api) -> None:
    person = await seed_person()
    held = await api.ok("GET", f"/customers/{person.merged.id}/export")
    assert held["records"][0]["phone"] == PHONE and held["interactions"]
    assert await AuditEntry.filter(action="customers.export").count() == 1
    status, body = await api.call("POST", f"/customers/{person.live.id}/erase", Role.OPERATOR)
    assert status == 403 and assert_error(body, "forbidden")
    erased = await api.ok("POST", f"/customers/{person.live.id}/erase")
    assert erased["records"] == [person.live.id, person.merged.id] and not erased["already"]
    assert (await api.ok("POST", f"/customers/{person.live.id}/erase"))["already"]
    assert await leftovers() == []
    status, body = await api.call("POST", "/customers/999/erase")
    assert status == 404, body


def _cli(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.sqlite_only
def test_the_cli_exports_and_erases(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/cli.sqlite3"
    env = {"SIYU_DATABASE_URL": url, "SIYU_WECHAT__OA__API_BASE_URL": "http://127.0.0.1:9"}
    assert CliRunner().invoke(cli, ["migrate"], env=env).exit_code == 0

    async def seeded() -> tuple[int, list[str]]:
        await open_database(url)
        try:
            return (await seed_person()).live.id, await leftovers()
        finally:
            await close_database()

    live, before = asyncio.run(seeded())
    assert before
    assert _cli(env, "customer", "export", str(live))["records"][0]["phone"] == PHONE
    erased = _cli(env, "customer", "erase", str(live))
    assert erased["customer_id"] == live and not erased["customer_told"]  # WeChat unreachable

    async def left() -> list[str]:
        await open_database(url)
        try:
            return await leftovers()
        finally:
            await close_database()

    assert asyncio.run(left()) == []
