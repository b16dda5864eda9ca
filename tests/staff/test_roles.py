"""Which role a WeCom member gets: staff.default_role (viewer), staff.admins, the database."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.config import Settings
from bot.wechat.simulator import Simulator, text_xml
from crm import caches
from crm.models import Role, Staff
from crm.staff_config import StaffSettings
from tests.handlers.helpers import content, wecom_send


async def whoami(client: TestClient, wecom: Simulator, userid: str, msg_id: int) -> str:
    _, reply = await wecom_send(client, wecom, text_xml(userid, wecom.receiver, "/whoami", msg_id))
    return content(reply)


async def test_an_unknown_member_is_a_viewer_and_the_database_decides_later(
    client: TestClient, wecom: Simulator
) -> None:
    assert "角色：只读" in await whoami(client, wecom, "xinren", 1)
    assert (await Staff.get(userid="xinren")).role is Role.VIEWER
    await Staff.filter(userid="xinren").update(role=Role.OPERATOR)  # e.g. by the admin API
    assert "角色：运营" in await whoami(client, wecom, "xinren", 2)  # read on every message


async def test_configured_default_role_and_admins(
    aiohttp_client: Any, settings: Settings, wecom: Simulator
) -> None:
    staff = StaffSettings(default_role="operator", admins=["laoban"])
    caches.clear()
    client = await aiohttp_client(create_app(settings.model_copy(update={"staff": staff})))
    assert "角色：运营" in await whoami(client, wecom, "xinren", 1)
    assert "角色：管理员" in await whoami(client, wecom, "laoban", 2)
    assert "角色：管理员" in await whoami(client, wecom, "boss", 3)  # conversation.staff_admins
