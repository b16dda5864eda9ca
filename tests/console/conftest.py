"""The staff console in a real browser: Debian's Chromium driven by Playwright against the
real app on a real port, with the demo data and a token per role. With CI=true a missing
Chromium fails the run (tests.conftest.unavailable)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.api.config import ApiSettings
from bot.app import create_app
from bot.config import Settings
from bot.startup import prepare_process
from crm import caches, tokens
from crm.actors import Actor
from crm.clock import SYSTEM_CLOCK
from crm.demo_data import seed_birthday_demo, seed_console_demo, seed_demo_customers
from crm.models import Role
from tests.conftest import make_settings, unavailable

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
expect.set_options(timeout=20_000)  # as the pages' own default: a loaded 2-core CI machine
SHOTS = Path(__file__).parents[1] / "artifacts" / "screenshots"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@dataclass
class Console:
    url: str
    secrets: dict[Role, str]
    browser: Browser

    async def page(self, role: Role | None, viewport: dict[str, int] = LAPTOP) -> Page:
        """A fresh tab (its own session storage), signed in as `role` (None: not signed in)."""
        context = await self.browser.new_context(viewport=viewport, timezone_id="Asia/Shanghai")  # type: ignore[arg-type]
        page = await context.new_page()
        page.set_default_timeout(20_000)  # generous: a loaded 2-core CI machine
        await page.goto(self.url + "/admin/")
        if role is not None:
            await sign_in(page, self.secrets[role])
        return page

    async def api(self, method: str, path: str, role: Role = Role.ADMIN, body: Any = None) -> Any:
        headers = {"Authorization": f"Bearer {self.secrets[role]}"}
        async with aiohttp.ClientSession() as http, http.request(
            method, f"{self.url}/api/v1{path}", headers=headers,
            data=None if body is None else json.dumps(body),
        ) as resp:  # fmt: skip
            return await resp.json()


async def sign_in(page: Page, secret: str) -> None:
    await page.fill("#token", secret)
    await page.click("form.signin button[type=submit]")
    await page.wait_for_selector("#nav:not([hidden])")


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium (`make install` installs it); Playwright's own download is not used."""
    if not CHROMIUM.exists():
        unavailable("Chromium (/usr/bin/chromium)", FileNotFoundError(str(CHROMIUM)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(chromium), args=FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
def console_settings(database_url: str, fake_wechat_url: str) -> Settings:
    fast = ApiSettings(rate_per_second=1000, rate_burst=1000)  # a page makes several calls at once
    return make_settings(database_url, fake_wechat_url, api=fast)


@pytest.fixture
async def console(
    aiohttp_server: Any, console_settings: Settings, browser: Browser
) -> AsyncIterator[Console]:
    caches.clear()
    prepare_process(console_settings)
    server = await aiohttp_server(create_app(console_settings, worker=False))
    await seed_demo_customers()
    await seed_birthday_demo(clock=SYSTEM_CLOCK)
    await seed_console_demo()
    maker = Actor.system("test")
    secrets = {r: (await tokens.create_token(f"console-{r.value}", r, actor=maker)).secret
               for r in (Role.ADMIN, Role.OPERATOR, Role.VIEWER)}  # fmt: skip
    yield Console(str(server.make_url("")).rstrip("/"), secrets, browser)
    caches.clear()
