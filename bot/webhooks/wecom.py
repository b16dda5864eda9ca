"""/wechat/wecom: the WeCom self-built app's callback (always encrypted, receive id = corp id)."""

from __future__ import annotations

from aiohttp import web

from bot.keys import PIPELINE
from bot.webhooks.callback import (
    CallbackEndpoint,
    check_timestamp,
    encrypted_answer,
    query,
    read_body,
)
from bot.wechat.messages import to_message
from bot.wechat.xml import parse_xml
from crm.models import Channel


class WeComEndpoint(CallbackEndpoint):
    path = "/wechat/wecom"

    async def verify_url(self, request: web.Request) -> web.Response:
        """WeCom wants the decrypted echostr back, bare, within 1 s."""
        params = query(request, "msg_signature", "timestamp", "nonce", "echostr")
        msg_signature, timestamp, nonce, echostr = params
        check_timestamp(timestamp, self.server.replay_window_seconds)
        self.crypto.verify(msg_signature, timestamp, nonce, echostr)
        return web.Response(body=self.crypto.decrypt(echostr), content_type="text/plain")

    async def receive(self, request: web.Request) -> web.Response:
        msg_signature, timestamp, nonce = query(request, "msg_signature", "timestamp", "nonce")
        check_timestamp(timestamp, self.server.replay_window_seconds)
        envelope = parse_xml(await read_body(request, self.server), self.server.max_body_bytes)
        encrypted = str(envelope.get("Encrypt", ""))
        self.crypto.verify(msg_signature, timestamp, nonce, encrypted)
        raw = self.crypto.decrypt(encrypted)
        fields = parse_xml(raw, self.server.max_body_bytes)
        reply = await request.app[PIPELINE].handle(to_message(Channel.WECOM, fields, raw.decode()))
        return encrypted_answer(self.crypto, reply)
