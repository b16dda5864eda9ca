"""Message templates: Jinja2 in a sandbox, one file per message kind (`<name>.j2`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

TEMPLATE_DIR = Path(__file__).parent


@cache
def environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        undefined=StrictUndefined,
        autoescape=False,  # plain chat text, not HTML; XML escaping happens when replies render
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, /, **variables: Any) -> str:
    static = _static_text(template)
    if static is not None:
        return static
    return environment().get_template(f"{template}.j2").render(**variables).strip()


@cache
def _static_text(template: str) -> str | None:
    """A template that uses no variable says the same every time: render it once."""
    env = environment()
    source, _, _ = env.loader.get_source(env, f"{template}.j2")  # type: ignore[union-attr]
    if meta.find_undeclared_variables(env.parse(source)):
        return None
    return env.get_template(f"{template}.j2").render().strip()
