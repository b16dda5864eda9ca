"""/wechat/oa: the Official Account's server URL, in the mode the account is configured for
(safe, compatible or plaintext; a request in a weaker mode is refused, see modes.py)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import OfficialAccountMode, ServerSettings
from bot.keys import PIPELINE, STORE
from bot.metrics import Metrics
from bot.webhooks.callback import (
    SUCCESS,
    CallbackEndpoint,
    check_timestamp,
    encrypted_answer,
    query,
    read_body,
)
from bot.webhooks.modes import PlainBodies, request_mode
from bot.webhooks.throttle import OncePerInterval
from bot.wechat.crypto import MessageCrypto, verify_signature
from bot.wechat.messages import to_message
from bot.wechat.xml import parse_xml
from crm.models import Channel

log = logging.getLogger("siyu.webhook")
REFUSAL_LOG_SECONDS = 60.0


class OfficialAccountEndpoint(CallbackEndpoint):
    path = "/wechat/oa"

    def __init__(
        self,
        crypto: MessageCrypto,
        server: ServerSettings,
        metrics: Metrics,
        mode: OfficialAccountMode = OfficialAccountMode.SAFE,
    ) -> None:
        super().__init__(crypto, server, metrics)
        self.mode = mode
        self._logged = OncePerInterval(REFUSAL_LOG_SECONDS)

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
        encrypt_type = request.query.get("encrypt_type")
        if request_mode(encrypt_type, None) is OfficialAccountMode.PLAIN:
            return await self._receive_plain(request, timestamp, nonce)
        envelope = parse_xml(await read_body(request, self.server), self.server.max_body_bytes)
        claimed = request_mode(encrypt_type, envelope)
        if claimed.strength < self.mode.strength:
            return self._refuse(request, f"a {claimed} mode request")
        (msg_signature,) = query(request, "msg_signature")
        encrypted = str(envelope.get("Encrypt", ""))
        self.crypto.verify(msg_signature, timestamp, nonce, encrypted)
        raw = self.crypto.decrypt(encrypted)  # only these fields count, never the plain ones
        fields = parse_xml(raw, self.server.max_body_bytes)
        reply = await request.app[PIPELINE].handle(to_message(Channel.OA, fields, raw.decode()))
        return encrypted_answer(self.crypto, reply)

    async def _receive_plain(
        self, request: web.Request, timestamp: str, nonce: str
    ) -> web.Response:
        if self.mode is not OfficialAccountMode.PLAIN:
            return self._refuse(request, "a plain mode request")
        (sig,) = query(request, "signature")
        verify_signature(sig, self.crypto.token, timestamp, nonce)
        body = await read_body(request, self.server)
        fields = parse_xml(body, self.server.max_body_bytes)
        bodies = PlainBodies(request.app[STORE], 2 * self.server.replay_window_seconds)
        if not await bodies.is_first_body(timestamp, nonce, body):
            return self._refuse(request, "another body under a used (timestamp, nonce)")
        reply = await request.app[PIPELINE].handle(to_message(Channel.OA, fields, body.decode()))
        if reply is None:
            return web.Response(text=SUCCESS)
        return web.Response(text=reply, content_type="application/xml")

    def _refuse(self, request: web.Request, what: str) -> web.Response:
        """403, logged once per source address a minute (a flood must not flood the log)."""
        self.metrics.rejected += 1
        source = request.remote or "unknown"
        if self._logged.allow(source):
            log.warning(
                "POST %s from %s refused: %s, wechat.oa.mode is %s "
                "(more refusals from this address are not logged for %.0f s)",
                self.path, source, what, self.mode, REFUSAL_LOG_SECONDS,
            )  # fmt: skip
        return web.Response(status=403, text="rejected")
