"""What both callback endpoints share: the replay window, errors to HTTP answers, encryption."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from aiohttp import web
from tortoise.exceptions import BaseORMException

from bot.config import ServerSettings
from bot.metrics import Metrics
from bot.webhooks.dedupe import StillProcessing
from bot.wechat.crypto import CryptoError, MessageCrypto
from bot.wechat.messages import MessageError
from bot.wechat.xml import XmlError
from crm.errors import ServiceUnavailable

log = logging.getLogger("siyu.webhook")

SUCCESS = "success"
Endpoint = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ReplayError(Exception):
    """The timestamp is outside the accepted window."""


class SlowBody(Exception):
    """The request body did not arrive within server.body_seconds."""


async def read_body(request: web.Request, server: ServerSettings) -> bytes:
    """The body, or SlowBody: aiohttp's keep-alive timer stops once the head is in, so a
    client trickling a body (a replayed valid signature costs nothing) would hold the slot.
    A WeChat body (a few KB) has nearly always arrived with the head: then no timer is armed
    (one per request cost 3.4 µs, about 1 % of the pipeline)."""
    if request.content.is_eof():
        return await request.read()
    try:
        async with asyncio.timeout(server.body_seconds):
            return await request.read()
    except TimeoutError:
        raise SlowBody(f"body not complete within {server.body_seconds:g}s") from None


def query(request: web.Request, *names: str) -> list[str]:
    values = [request.query.get(name, "") for name in names]
    missing = [n for n, v in zip(names, values, strict=True) if not v]
    if missing:
        raise web.HTTPBadRequest(text=f"missing query parameter(s): {', '.join(missing)}")
    return values


def check_timestamp(timestamp: str, window: int) -> None:
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > window:
        raise ReplayError(f"timestamp {timestamp[:20]!r} outside the {window}s window")


def encrypted_answer(crypto: MessageCrypto, reply_xml: str | None) -> web.Response:
    if reply_xml is None:
        return web.Response(text=SUCCESS)
    body = crypto.encrypted_reply(reply_xml, str(int(time.time())), secrets.token_hex(5))
    return web.Response(text=body, content_type="application/xml")


class CallbackEndpoint(ABC):
    """One WeChat callback URL: GET verifies it, POST delivers messages."""

    path: str

    def __init__(self, crypto: MessageCrypto, server: ServerSettings, metrics: Metrics) -> None:
        self.crypto = crypto
        self.server = server
        self.metrics = metrics

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(self.path, guarded(self.metrics, self.verify_url)),
            web.post(self.path, guarded(self.metrics, self.receive)),
        ]

    @abstractmethod
    async def verify_url(self, request: web.Request) -> web.Response: ...

    @abstractmethod
    async def receive(self, request: web.Request) -> web.Response: ...


def guarded(metrics: Metrics, endpoint: Endpoint) -> Endpoint:
    """Bad input gets a 4xx and a log line; a failure to record (database or store down, a
    first delivery still running) gets 503 and one log line, no traceback, so WeChat retries."""

    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            return await endpoint(request)
        except (CryptoError, ReplayError) as exc:
            return _reject(metrics, request, 403, exc)
        except SlowBody as exc:
            return _reject(metrics, request, 408, exc)
        except (XmlError, MessageError, UnicodeDecodeError) as exc:
            return _reject(metrics, request, 400, exc)
        except (StillProcessing, ServiceUnavailable, BaseORMException, OSError) as exc:
            metrics.failed += 1
            log.error("%s %s: %s: retry expected", request.method, request.path, _name(exc))
            return web.Response(status=503, text="busy, please retry")

    return handler


def _reject(metrics: Metrics, request: web.Request, status: int, exc: Exception) -> web.Response:
    metrics.rejected += 1
    log.warning("%s %s rejected (%d): %s", request.method, request.path, status, _name(exc))
    return web.Response(status=status, text="rejected")


def _name(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
