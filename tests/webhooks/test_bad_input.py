"""Bad input gets a clear 4xx, changes nothing, and never becomes a 500."""

from __future__ import annotations

import re
import time

import pytest
from aiohttp.test_utils import TestClient

from bot.wechat.crypto import signature
from bot.wechat.simulator import Simulator, text_xml
from crm.models import Interaction
from tests.test_xml import BILLION_LAUGHS, XXE


async def test_bad_signature(client: TestClient, oa: Simulator) -> None:
    request = oa.oa_safe(text_xml("o1", oa.receiver, "hi", 1))
    params = {**request.params, "msg_signature": "0" * 40}
    assert (await client.post("/wechat/oa", params=params, data=request.body)).status == 403
    assert await Interaction.all().count() == 0


async def test_replayed_old_timestamp(client: TestClient, oa: Simulator) -> None:
    xml = text_xml("o1", oa.receiver, "hi", 2)
    encrypted = oa.crypto.encrypt(xml.encode())
    old, nonce = str(int(time.time()) - 3600), "n"
    params = {
        "timestamp": old,
        "nonce": nonce,
        "encrypt_type": "aes",
        "signature": signature(oa.crypto.token, old, nonce),
        "msg_signature": signature(oa.crypto.token, old, nonce, encrypted),
    }
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    assert (await client.post("/wechat/oa", params=params, data=body)).status == 403


HOSTILE = [BILLION_LAUGHS, XXE, b"<xml><broken>", b"\xff\xfe garbage"]


@pytest.mark.parametrize("body", HOSTILE)
async def test_hostile_or_malformed_envelope(
    client: TestClient, oa: Simulator, body: bytes
) -> None:
    request = oa.oa_safe("<xml/>")
    resp = await client.post("/wechat/oa", params=request.params, data=body)
    assert resp.status == 400


@pytest.mark.parametrize("body", HOSTILE)
async def test_hostile_or_malformed_plaintext_body(
    plain_client: TestClient, oa: Simulator, body: bytes
) -> None:
    request = oa.oa_plain("<xml/>")
    resp = await plain_client.post("/wechat/oa", params=request.params, data=body)
    assert resp.status == 400
    assert await Interaction.all().count() == 0


@pytest.mark.parametrize("inner", [BILLION_LAUGHS.decode(), XXE.decode(), "<xml><a>"])
async def test_hostile_decrypted_body(client: TestClient, oa: Simulator, inner: str) -> None:
    request = oa.oa_safe(inner)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 400
    assert await Interaction.all().count() == 0


async def test_message_missing_required_fields(client: TestClient, oa: Simulator) -> None:
    request = oa.oa_safe("<xml><Content>hi</Content></xml>")
    assert (await client.post("/wechat/oa", params=request.params, data=request.body)).status == 400


async def test_oversize_body(client: TestClient, oa: Simulator) -> None:
    request = oa.oa_safe("<xml/>")
    body = b"<xml><a>" + b"x" * 200_000 + b"</a></xml>"
    assert (await client.post("/wechat/oa", params=request.params, data=body)).status == 413


async def test_missing_query_parameters(client: TestClient) -> None:
    assert (await client.post("/wechat/oa", data=b"<xml/>")).status == 400
    assert (await client.get("/wechat/wecom")).status == 400


async def test_database_down_answers_503_so_wechat_retries(
    client: TestClient, oa: Simulator
) -> None:
    from tortoise import connections

    await connections.get("default").close()
    conn = connections.get("default")
    original = conn.execute_query

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("database is down")

    conn.execute_query = broken  # type: ignore[method-assign]
    request = oa.oa_safe(text_xml("o_down", oa.receiver, "hi", 3))
    try:
        resp = await client.post("/wechat/oa", params=request.params, data=request.body)
        assert resp.status == 503
    finally:
        conn.execute_query = original  # type: ignore[method-assign]
    # the retry, once the database is back, is processed normally (the claim was released)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 200
    assert await Interaction.filter(msg_id="3").count() == 1


@pytest.mark.parametrize("create_time", ["²", "1" * 5000])
async def test_create_time_that_is_no_number_is_400(
    client: TestClient, oa: Simulator, create_time: str
) -> None:
    xml = re.sub(
        r"<CreateTime>\d+</CreateTime>",
        f"<CreateTime>{create_time}</CreateTime>",
        text_xml("o1", oa.receiver, "hi", 4),
    )
    request = oa.oa_safe(xml)
    resp = await client.post("/wechat/oa", params=request.params, data=request.body)
    assert resp.status == 400
    assert await Interaction.all().count() == 0


@pytest.mark.parametrize("path", ["/wechat/oa", "/wechat/wecom"])
async def test_a_trickled_body_is_cut_off(
    aiohttp_client, settings, oa: Simulator, path: str
) -> None:  # type: ignore[no-untyped-def]
    """A valid signature (replayable for minutes) must not let a client hold a connection by
    sending its body a byte at a time: 408 once server.body_seconds have passed."""
    import asyncio

    from bot.app import create_app

    server = settings.server.model_copy(update={"body_seconds": 0.5})
    client = await aiohttp_client(create_app(settings.model_copy(update={"server": server})))
    request = oa.oa_safe(text_xml("o_slow", oa.receiver, "hi", 77))
    query = "&".join(f"{k}={v}" for k, v in request.params.items())
    reader, writer = await asyncio.open_connection(client.host, client.port)
    head = (
        f"POST {path}?{query} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(request.body)}\r\n\r\n"
    )
    writer.write(head.encode() + request.body[:10])
    started = time.monotonic()
    status_line = await asyncio.wait_for(reader.readline(), timeout=5)
    writer.close()
    assert status_line.split()[1] == b"408"
    assert 0.4 < time.monotonic() - started < 2.0
    assert await Interaction.all().count() == 0
