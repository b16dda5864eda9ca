"""/wechat/oa: the Official Account's server URL, in plaintext, compatible and safe modes."""

from __future__ import annotations

from aiohttp import web

from bot.keys import PIPELINE
from bot.webhooks.callback import (
    SUCCESS,
    CallbackEndpoint,
    check_timestamp,
    encrypted_answer,
    query,
)
from bot.wechat.crypto import verify_signature
from bot.wechat.messages import to_message
from bot.wechat.xml import parse_xml
from crm.models import Channel


class OfficialAccountEndpoint(CallbackEndpoint):
    path = "/wechat/oa"

    async def verify_url(self, request: web.Request) -> web.Response:
        sig, timestamp, nonce, echostr = query(
            request, "signature", "timestamp", "nonce", "echostr"
        )
        check_timestamp(timestamp, self.server.replay_window_seconds)
        verify_signature(sig, self.crypto.token, timestamp, nonce)
        return web.Response(text=echostr)

    async def receive(self, request: web.Request) -> web.Response:
        timestamp, nonce = query(request, "timestamp", "nonce")
        check_timestamp(timestamp, self.server.replay_window_seconds)
        envelope = parse_xml(await request.read(), self.server.max_body_bytes)
        safe = request.query.get("encrypt_type") == "aes"
        if safe:
            (msg_signature,) = query(request, "msg_signature")
            encrypted = str(envelope.get("Encrypt", ""))
            self.crypto.verify(msg_signature, timestamp, nonce, encrypted)
            raw = self.crypto.decrypt(encrypted)
            fields = parse_xml(raw, self.server.max_body_bytes)
        else:
            (sig,) = query(request, "signature")
            verify_signature(sig, self.crypto.token, timestamp, nonce)
            raw, fields = await request.read(), envelope
        reply = await request.app[PIPELINE].handle(to_message(Channel.OA, fields, raw.decode()))
        if safe:
            return encrypted_answer(self.crypto, reply)
        if reply is None:
            return web.Response(text=SUCCESS)
        return web.Response(text=reply, content_type="application/xml")
