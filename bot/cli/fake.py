"""`siyu fake-wechat`: run the fake WeChat API (OA + WeCom) for demos and manual tests."""

from __future__ import annotations

import logging

import typer
from aiohttp import web

from bot.cli import startup
from bot.cli.app import ConfigOption, app
from bot.config import ConfigError, WeChatSettings, load_settings
from bot.wechat.fake import FakeOAApp, FakeWeChat, FakeWeComApp, create_fake_app


def fake_from_settings(
    wechat: WeChatSettings, *, log_calls: bool = True, windows: bool = False
) -> FakeWeChat:
    """A fake that accepts the app ids and secrets of the configuration."""
    oa, wecom = wechat.oa, wechat.wecom
    return FakeWeChat(
        [FakeOAApp(oa.app_id, oa.app_secret.get_secret_value())],
        [FakeWeComApp(wecom.corp_id, wecom.secret.get_secret_value(), wecom.agent_id)],
        log_calls=log_calls,
        windows=windows,
    )


@app.command("fake-wechat")
def fake_wechat(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8081, "--port", help="port to listen on"),
    windows: bool = typer.Option(
        True,
        "--windows/--no-windows",
        help="enforce customer-service windows as WeChat does (open them: POST /_fake/inbound)",
    ),
    config: str | None = ConfigOption,
) -> None:
    """Serve a fake api.weixin.qq.com + qyapi.weixin.qq.com; point api_base_url at it."""
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    startup.check_port(host, port, "--port")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    fake = fake_from_settings(settings.wechat, windows=windows)
    typer.echo(f"fake WeChat API on http://{host}:{port} (control: /_fake/calls, /_fake/fail)")
    # No access log: its lines carry the query string (access_token, corpsecret); the fake
    # logs one masked line per call instead.
    web.run_app(create_fake_app(fake), host=host, port=port, print=None, access_log=None)
