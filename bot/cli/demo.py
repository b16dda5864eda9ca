"""`siyu demo`: the whole bot on this machine, no WeChat account needed.

SQLite + the in-process store + the fake WeChat API in one process, sample customers seeded.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli import startup
from bot.cli.app import ConfigOption, app
from bot.cli.server import server_options, settings_or_exit, setup_logging

if TYPE_CHECKING:
    from bot.wechat.fake import FakeWeChat
    from crm.demo_data import DemoCampaign

DEMO_DB = "sqlite://data/demo.sqlite3"
DEMO_STAFF = "demo_kefu"  # the WeCom userid on duty in the demo (the fake accepts any)


@app.command()
def demo(
    port: int = typer.Option(8080, help="the bot's port; the fake WeChat API takes port + 1"),
    config: Path | None = ConfigOption,
) -> None:
    """Run the bot against a built-in fake WeChat, with sample customers, and say what to try."""
    fake_url = f"http://127.0.0.1:{port + 1}"
    settings = settings_or_exit(
        config,
        database_url=DEMO_DB,
        redis_url=None,
        server={"host": "127.0.0.1", "port": port},
        wechat={"oa": {"api_base_url": fake_url}, "wecom": {"api_base_url": fake_url}},
        conversation={"human_agent": {"notify": [DEMO_STAFF]}},  # told when a customer asks
        staff={"admins": [DEMO_STAFF]},  # `siyu chat --wecom` runs every staff command
    )
    for taken in (port, port + 1):
        startup.check_port("127.0.0.1", taken, "--port (the demo takes PORT and PORT + 1)")
    startup.claim_sqlite(settings.database_url)
    setup_logging("WARNING")
    try:
        asyncio.run(_run_demo(settings, port))
    except KeyboardInterrupt:
        typer.echo("demo stopped")


async def _run_demo(settings: object, port: int) -> None:
    from aiohttp import web

    from bot.app import create_app
    from bot.cli.fake import fake_from_settings
    from bot.config import Settings
    from bot.startup import prepare_process
    from bot.wechat.fake import create_fake_app
    from crm.clock import SYSTEM_CLOCK
    from crm.demo_data import seed_birthday_demo, seed_console_demo, seed_demo_customers

    assert isinstance(settings, Settings)
    prepare_process(settings)
    fake = fake_from_settings(settings.wechat, log_calls=False, windows=True)
    options = server_options(settings.server)
    runners = [
        web.AppRunner(create_fake_app(fake), **options),
        web.AppRunner(create_app(settings), **options),
    ]
    for runner, runner_port in zip(runners, (port + 1, port), strict=True):
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", runner_port).start()
    created = await seed_demo_customers()
    birthday = await seed_birthday_demo(clock=SYSTEM_CLOCK)
    await seed_console_demo(settings.timezone)
    _introduce(fake, birthday)
    typer.echo(_instructions(port, created) + _campaign_instructions(port, birthday))
    typer.echo(await _console_instructions(port))
    try:
        await asyncio.Event().wait()
    finally:
        for runner in reversed(runners):
            await runner.cleanup()


def _introduce(fake: FakeWeChat, birthday: DemoCampaign) -> None:
    """Tell the fake WeChat who follows and who just wrote, as WeChat itself would know."""
    for guest in birthday.guests:
        fake.add_follower(guest.openid, subscribe=int(guest.subscribed))
        if guest.chatted:
            fake.inbound(guest.openid)


def _campaign_instructions(port: int, birthday: DemoCampaign) -> str:
    lines = "\n".join(
        f"    {g.name}  {'农历' if g.lunar else '公历'}生日  "
        + ("刚发过消息 → 客服消息" if g.chatted else "已关注 → 模板消息" if g.subscribed
           else "未关注、未加企微 → 跳过（unsubscribed：未关注也无企微联系人）")
        for g in birthday.guests
    )  # fmt: skip
    db = "SIYU_DATABASE_URL=sqlite://data/demo.sqlite3"
    return f"""
Birthday campaign {birthday.campaign_id} fires at {birthday.fires_at} (local) for:
{lines}
  {db} siyu campaign stats {birthday.campaign_id}   sent by channel, skipped by reason
  curl -s http://127.0.0.1:{port + 1}/_fake/calls   the greetings as siyu sent them
"""


async def _console_instructions(port: int) -> str:
    """A fresh admin token for the console (expires in a day; `siyu admin revoke` ends it).
    Token names are unique: each start's is named by its time."""
    from datetime import datetime

    from crm import tokens
    from crm.demo_data import DEMO
    from crm.models import Role

    name = f"demo-console-{datetime.now():%Y%m%d-%H%M%S}"
    issued = await tokens.create_token(name, Role.ADMIN, expires_days=1, actor=DEMO)
    return f"""
Staff console      http://127.0.0.1:{port}/admin/
  demo admin token {issued.secret}
  (paste it on the sign-in page; it is kept in that browser tab only)
"""


def _instructions(port: int, created: int) -> str:
    return f"""
siyu demo is running (Ctrl+C to stop)
  WeChat callbacks   http://127.0.0.1:{port}/wechat/oa  and  /wechat/wecom
  fake WeChat API    http://127.0.0.1:{port + 1}  (what siyu sent: /_fake/calls)
  database           data/demo.sqlite3 ({created} sample customers added)

Try, in another terminal:
  siyu chat "你好"                      the default reply
  siyu chat "请问营业时间？"             a keyword auto-reply from config.yaml
  siyu chat "快递太慢了，我要投诉"        an apology; the on-duty staff ({DEMO_STAFF}) are told
  siyu chat --openid o_demo_li "人工"   hand-over: {DEMO_STAFF} gets the chat, masked
  curl -s http://127.0.0.1:{port + 1}/_fake/calls   that notice, as siyu sent it to WeCom
  siyu chat --openid o_demo_li "退订"   opt out of marketing messages
  siyu chat --wecom "/help"             staff commands in WeCom ({DEMO_STAFF} is admin)
  siyu chat --wecom "/find 王"           then /profile ID, /tag ID VIP, /stats today
  siyu chat --wecom --user guest "/tag 1 VIP"   a new member is a viewer: refused
  siyu nlp analyze "东西很好，物流也快"   what siyu understands of a message
  curl -s http://127.0.0.1:{port}/metrics
"""
