"""Sending one message or event to the app the way WeChat does, and reading the answer."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.wechat.simulator import Simulator

OPENID = "oHandler001"


async def oa_send(
    client: TestClient, oa: Simulator, xml: str, openid: str = OPENID
) -> tuple[str, dict[str, object] | None]:
    """The raw body and the decrypted reply (None for "success") of one OA delivery."""
    request = oa.oa_safe(xml, openid=openid)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200, await resp.text()
    body = await resp.read()
    return body.decode(), oa.read_reply(body)


async def wecom_send(
    client: TestClient, wecom: Simulator, xml: str
) -> tuple[str, dict[str, object] | None]:
    request = wecom.wecom(xml)
    resp = await client.post("/wechat/wecom", params=request.params, data=request.body)
    assert resp.status == 200, await resp.text()
    body = await resp.read()
    return body.decode(), wecom.read_reply(body)


def content(reply: dict[str, object] | None) -> str:
    assert reply is not None, "expected a reply, got success"
    return str(reply["Content"])
