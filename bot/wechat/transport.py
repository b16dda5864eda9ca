"""JSON over HTTP to WeChat: UTF-8 bodies (Chinese not \\u-escaped), errcode != 0 raised.

Error texts carry the path only: query strings hold access_token or corpsecret.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
from pydantic import BaseModel

from bot.wechat.errors import WeChatAPIError, WeChatUnavailable

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=5.0, connect=2.0)
_JSON = {"Content-Type": "application/json; charset=utf-8"}


def new_session(timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(timeout=timeout)


def encode(body: BaseModel | Mapping[str, Any]) -> bytes:
    if isinstance(body, BaseModel):
        return body.model_dump_json(exclude_none=True).encode("utf-8")
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class Transport:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: BaseModel | Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        started = time.monotonic()
        status, raw = await self._send(method, path, params, body)
        payload = _decode(path, status, raw)
        errcode = int(payload.get("errcode") or 0)
        elapsed = (time.monotonic() - started) * 1000
        log.debug("wechat %s %s errcode=%s %.0f ms", method, path, errcode, elapsed)
        if errcode:
            raise WeChatAPIError(errcode, str(payload.get("errmsg", "")), path)
        return payload

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: BaseModel | Mapping[str, Any] | None,
    ) -> tuple[int, bytes]:
        data = None if body is None else encode(body)
        headers = _JSON if data is not None else None
        url = self._base + path
        try:
            async with self._session.request(
                method, url, params=params, data=data, headers=headers
            ) as resp:
                return resp.status, await resp.read()
        except TimeoutError:
            raise WeChatUnavailable(path, "timeout") from None
        except aiohttp.ClientConnectorError:
            raise WeChatUnavailable(path, "cannot connect", maybe_sent=False) from None
        except aiohttp.ClientError as exc:
            # `from None` and the class name only: aiohttp's texts include the URL and its token.
            raise WeChatUnavailable(path, type(exc).__name__) from None


def _decode(path: str, status: int, raw: bytes) -> dict[str, Any]:
    if status != 200:
        raise WeChatUnavailable(path, f"HTTP {status}")
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WeChatUnavailable(path, "answer is not JSON") from None
    if not isinstance(payload, dict):
        raise WeChatUnavailable(path, "answer is not a JSON object")
    return payload


__all__ = ["DEFAULT_TIMEOUT", "Transport", "encode", "new_session"]
