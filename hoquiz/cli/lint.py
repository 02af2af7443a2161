"""The `lint` command: item-writing warnings for banks that validate."""

from __future__ import annotations

from pathlib import Path

import click

from hoquiz.cli import cli
from hoquiz.cli.options import bank_paths
from hoquiz.cli.output import echo
from hoquiz.text import plural


@cli.command()
@bank_paths
@click.option(
    "--rule", "only", multiple=True, metavar="RULE", help="Run only this rule (repeatable)."
)
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip this rule (repeatable).")
def lint(paths: tuple[Path, ...], only: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """Check banks against item-writing guidance (warnings, not errors).

    Each warning is printed to stderr as PATH:LINE:COL: message [rule-id],
    sorted by file and position, then a count. Banks are validated first;
    invalid ones are reported exactly as by `hoquiz validate`. Without PATH,
    the bundled decks. The rules, their ids and thresholds: docs/lint.md.

    Exit status: 0 no warnings, 1 warnings or invalid banks, 2 usage error.
    """
    from hoquiz.lint import choose_rules, lint_paths

    rules = choose_rules(only, ignore)
    warnings, banks, questions = lint_paths(paths, rules)  # bank by bank
    summary = f"{plural(banks, 'bank')}, {plural(questions, 'question')}"
    if not warnings:
        echo(f"{summary}: no lint warnings")
        return
    for warning in warnings:
        echo(str(warning), err=True)
    files = len({w.path for w in warnings})
    echo(f"{plural(len(warnings), 'warning')} in {plural(files, 'file')}", err=True)
    click.get_current_context().exit(1)
