"""Everything the CLI prints passes through here: text is made terminal-safe first.

Bank text, file names and database values are untrusted; :func:`terminal_safe`
shows the control characters they may hold instead of sending them to the
terminal. hoquiz's own colours are added after that, by :func:`styled`, so
they still work.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import IO, Any

import click

from hoquiz.text import BIDI_CONTROLS, terminal_safe


@cache
def _json_unsafe() -> re.Pattern[str]:
    """DEL, C1 controls, lone surrogates and bidi controls (compiled when first used)."""
    return re.compile(f"[\x7f-\x9f\ud800-\udfff{BIDI_CONTROLS}]")


def echo(
    text: str = "",
    *,
    err: bool = False,
    nl: bool = True,
    color: bool | None = None,
    file: IO[Any] | None = None,
) -> None:
    """Print ``text`` (made terminal-safe) and a newline, on stderr with ``err``."""
    click.echo(terminal_safe(text), file=file, err=err, nl=nl, color=color)


def styled(text: str, **style: Any) -> str:
    """``text`` made terminal-safe, then styled (``bold=True``, ``fg="green"``...)."""
    return click.style(terminal_safe(text), **style)


def echo_styled(text: str, *, nl: bool = True, color: bool | None = None) -> None:
    """Print text already made safe by :func:`styled` (holding hoquiz's own escapes only)."""
    click.echo(text, nl=nl, color=color)


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON; control characters stay ``\\uXXXX`` escapes."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    # json escapes C0 controls itself; DEL, C1, lone surrogates and bidi controls it leaves raw.
    click.echo(_json_unsafe().sub(lambda m: f"\\u{ord(m.group()):04x}", text))
