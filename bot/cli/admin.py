"""`siyu admin create-token|tokens|revoke`: API tokens from the terminal.

`create-token` prints the new secret alone on its last line (a script takes `tail -n 1`);
it is shown this once and stored only hashed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.app import ConfigOption
from bot.cli.data import CLI, _run
from bot.cli.segments import emit
from crm.models import ApiToken, Role

admin_app = typer.Typer(help="Admin API tokens.", no_args_is_help=True)


def token_json(token: ApiToken) -> dict[str, Any]:
    stamps = ("created_at", "expires_at", "last_used_at", "revoked_at")
    shown: dict[str, Any] = {"id": token.id, "name": token.name, "role": Role(token.role).value,
                             "prefix": token.prefix, "created_by": token.created_by}  # fmt: skip
    for name in stamps:
        value = getattr(token, name)
        shown[name] = None if value is None else value.isoformat()
    return shown


@admin_app.command("create-token")
def create_token(
    name: Annotated[str, typer.Option("--name", help="who or what uses it (unique)")],
    role: Annotated[Role, typer.Option("--role", help="admin, operator or viewer")],
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, max=3650, help="valid this many days")
    ] = None,
    config: Path | None = ConfigOption,
) -> None:
    """Create an API token; its secret is printed once, alone on the last line."""
    from crm import audit, tokens
    from crm.transactions import in_transaction

    async def work() -> tuple[ApiToken, str]:
        async with in_transaction() as tx:
            issued = await tokens.create_token(
                name, role, expires_days=expires_days, actor=CLI, conn=tx
            )
            after = {"name": name, "role": role.value, "expires_at": issued.token.expires_at}
            await audit.record(CLI, "tokens.create", "api_token", issued.token.id, after=after,
                               conn=tx)  # fmt: skip
        return issued.token, issued.secret

    token, secret = _run(config, work)
    typer.echo(f"令牌 {token.id}「{token.name}」（{role.value}）已创建。")
    typer.echo("下面一行是它的密钥，只显示这一次，请妥善保存：")
    typer.echo(secret)


@admin_app.command("tokens")
def list_tokens(config: Path | None = ConfigOption) -> None:
    """Every API token as JSON (never the secret)."""
    from crm import tokens

    async def work() -> list[dict[str, Any]]:
        return [token_json(t) for t in await tokens.list_tokens()]

    emit(_run(config, work))


@admin_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="token id (see `siyu admin tokens`)")],
    config: Path | None = ConfigOption,
) -> None:
    """Revoke a token: refused from its next request on, in every process."""
    from crm import audit, tokens
    from crm.transactions import in_transaction

    async def work() -> dict[str, Any]:
        async with in_transaction() as tx:
            was = (await tokens.get_token(token_id, tx)).revoked_at
            token = await tokens.revoke(token_id, conn=tx)
            await audit.record(CLI, "tokens.revoke", "api_token", token.id,
                               before={"revoked_at": was}, after={"revoked_at": token.revoked_at},
                               conn=tx)  # fmt: skip
        return token_json(token)

    emit(_run(config, work))
