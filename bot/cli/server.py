"""`siyu serve`, `siyu migrate`, `siyu chat`."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bot.cli import startup
from bot.cli.app import ConfigOption, app
from bot.config import ConfigError, ServerSettings, Settings, load_settings

if TYPE_CHECKING:
    from bot.wechat.simulator import Simulator

# Heavy modules (the app, the ORM, nlp) are imported inside the commands that use them,
# so `siyu --help` and `siyu chat` start at once.


def settings_or_exit(config: Path | None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        typer.secho(str(exc), fg="red", err=True)
        typer.secho("Fix config.yaml or the SIYU_ variable named above.", err=True)
        raise typer.Exit(2) from None


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


@app.command()
def serve(
    host: str | None = typer.Option(None, help="default: server.host"),
    port: int | None = typer.Option(None, help="default: server.port"),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="web only: leave the scheduler to `siyu worker` processes"
    ),
    insecure_demo_secrets: bool = typer.Option(
        False,
        "--insecure-demo-secrets",
        help="start even with the public demo token, key and secrets (local tests only)",
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Run the webhooks (/wechat/oa, /wechat/wecom), /healthz, /metrics and the scheduler in
    this process. Refuses the demo secrets of config.yaml: set your own (or use `siyu demo`)."""
    from aiohttp import web

    from bot.access_log import AccessLogger
    from bot.app import create_app
    from bot.startup import prepare_process

    settings = settings_or_exit(config)
    bind_host, bind_port = host or settings.server.host, port or settings.server.port
    startup.refuse_demo_secrets(settings, insecure=insecure_demo_secrets)
    startup.check_port(bind_host, bind_port)
    startup.claim_sqlite(settings.database_url)
    asyncio.run(_check_schema(settings.database_url))
    startup.require_store(settings)
    setup_logging()  # after the checks: their messages are not buried in the libraries' logs
    prepare_process(settings)
    web.run_app(
        create_app(settings, worker=not no_worker),
        host=bind_host,
        port=bind_port,
        access_log_class=AccessLogger,
        **server_options(settings.server),
    )


def server_options(server: ServerSettings) -> dict[str, Any]:
    """aiohttp's connection settings from the configuration (for run_app and AppRunner)."""
    return {"keepalive_timeout": server.keepalive_seconds}


async def _check_schema(url: str) -> None:
    """SQLite (embedded) is upgraded at start-up; PostgreSQL is upgraded by `siyu migrate`."""
    from crm.database import pending_migrations, sqlite_path

    if sqlite_path(url) is not None:
        return
    await startup.require_database(url)
    pending = await pending_migrations(url)
    if pending:
        startup.fail(
            f"the database schema is behind ({', '.join(pending)}).",
            "Run `siyu migrate` first (once, from one process), then start again.",
        )


@app.command()
def migrate(config: Path | None = ConfigOption) -> None:
    """Create or upgrade the database schema."""
    from crm.database import close_database, sqlite_path
    from crm.database import migrate as migrate_schema

    settings = settings_or_exit(config)

    async def run() -> None:
        if sqlite_path(settings.database_url) is None:
            await startup.require_database(settings.database_url)
        try:
            await migrate_schema(settings.database_url)
        finally:
            await close_database()

    asyncio.run(run())
    typer.echo("schema is up to date")


@app.command()
def chat(
    text: str = typer.Argument(
        ..., help="what the customer (or, with --wecom, the staff member) says"
    ),
    openid: str = typer.Option("o_demo_customer", help="the customer's openid"),
    wecom: bool = typer.Option(
        False,
        "--wecom",
        help="as a staff member in the WeCom app (/help, /find ...), not a customer",
    ),
    user: str = typer.Option("demo_kefu", help="with --wecom: the staff member's WeCom userid"),
    url: str | None = typer.Option(None, help="default: http://server.host:server.port"),
    fake_url: str | None = typer.Option(
        None, help="the fake WeChat API to tell (POST /_fake/inbound); default: the demo's"
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Send a signed, encrypted message to a running server and print the decrypted reply.
    The fake WeChat API learns that the customer wrote, so its service window opens. With
    --wecom the message comes from staff member --user through the WeCom app."""
    settings = settings_or_exit(config)
    base = url or f"http://{settings.server.host}:{settings.server.port}"
    if wecom:
        reply = asyncio.run(_chat_once(_wecom_simulator(settings), base, user, text, wecom=True))
    else:
        fake = fake_url or _local_fake(settings.wechat.oa.api_base_url, settings.server.port)
        asyncio.run(_tell_fake(fake, openid))
        reply = asyncio.run(_chat_once(_oa_simulator(settings), base, openid, text))
    typer.echo(reply)


def _oa_simulator(settings: Settings) -> Simulator:
    from bot.wechat.crypto import MessageCrypto
    from bot.wechat.simulator import Simulator

    oa = settings.wechat.oa
    key = oa.encoding_aes_key.get_secret_value()
    return Simulator(MessageCrypto(oa.token.get_secret_value(), key, oa.app_id))


def _wecom_simulator(settings: Settings) -> Simulator:
    """WeCom encrypts for the corp id, which is also the messages' receiver."""
    from bot.wechat.crypto import MessageCrypto
    from bot.wechat.simulator import Simulator

    w = settings.wechat.wecom
    crypto = MessageCrypto(
        w.token.get_secret_value(), w.encoding_aes_key.get_secret_value(), w.corp_id
    )
    return Simulator(crypto, receiver=w.corp_id)


def _local_fake(api_base_url: str, port: int) -> str:
    """The configured API when it is on this machine (a fake), else the demo's (port + 1)."""
    if api_base_url.startswith(("http://127.0.0.1", "http://localhost")):
        return api_base_url
    return f"http://127.0.0.1:{port + 1}"


async def _tell_fake(fake_url: str, openid: str) -> None:
    """Best effort: no fake listening (a real deployment) is not an error."""
    import aiohttp

    body = {"openid": openid, "kind": "message"}
    try:
        async with aiohttp.ClientSession() as session:
            await session.post(f"{fake_url.rstrip('/')}/_fake/inbound", json=body)
    except aiohttp.ClientError:
        pass


async def _chat_once(
    sim: Simulator, base: str, sender: str, text: str, *, wecom: bool = False
) -> str:
    import aiohttp

    from bot.wechat.simulator import text_xml

    xml = text_xml(sender, sim.receiver, text)
    request = sim.wecom(xml) if wecom else sim.oa_safe(xml, openid=sender)
    path = "/wechat/wecom" if wecom else "/wechat/oa"
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{base}{path}", params=request.params, data=request.body) as resp,
        ):
            body = await resp.read()
            if resp.status != 200:
                return f"[HTTP {resp.status}] {body.decode(errors='replace')}"
    except aiohttp.ClientConnectionError:
        typer.secho(f"cannot reach {base}: start it with `siyu serve` (or `siyu demo`)", err=True)
        raise typer.Exit(1) from None
    fields = sim.read_reply(body)
    if fields is None:
        return "(no reply: the server answered success)"
    return str(fields.get("Content") or fields)
