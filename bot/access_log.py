"""Access log lines without query strings: WeChat puts signatures, and the fake puts tokens and
secrets, in the query."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger


class AccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %d %.1fms",
            request.remote, request.method, request.path, response.status, time * 1000,
        )  # fmt: skip
