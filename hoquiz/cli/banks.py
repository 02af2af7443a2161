"""Commands for reading and authoring banks: validate, list, show, schema, new."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hoquiz.cli import cli
from hoquiz.cli.options import bank_paths, load
from hoquiz.cli.output import echo, echo_json
from hoquiz.errors import UsageError
from hoquiz.text import plural

if TYPE_CHECKING:
    from hoquiz.model import AnyQuestion, Bank


@cli.command()
@bank_paths
@click.option(
    "--no-cache", is_flag=True, help="Parse every file again, even those unchanged since checked."
)
def validate(paths: tuple[Path, ...], no_cache: bool) -> None:
    """Check banks and report every problem as PATH:LINE:COL: message.

    PATH is a bank file or a folder searched recursively for *.yaml and
    *.yml (sources.yaml is not a bank). Without PATH, the bundled decks.
    A file found valid is not parsed again until it, its sources.yaml or
    hoquiz changes (the bank cache the quiz reads).
    Exit status: 0 all valid, 1 problems found, 2 usage error.
    """
    from hoquiz.banks.cache import question_counts
    from hoquiz.userdirs import default_cache_dir

    counts = question_counts(list(paths), None if no_cache else default_cache_dir())
    echo(f"{plural(len(counts), 'bank')}, {plural(sum(counts), 'question')} OK")


@cli.command("list")
@bank_paths
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_banks(paths: tuple[Path, ...], as_json: bool) -> None:
    """List banks with their question counts by type and by tag."""
    from hoquiz.banks.loader import scan_banks

    rows = scan_banks(list(paths), _list_row)  # bank by bank: only the rows are kept
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        echo(f"{row['id']}  {row['title']}  ({plural(row['questions'], 'question')})")
        types = ", ".join(f"{k} {v}" for k, v in row["by_type"].items())
        echo(f"  types: {types}")
        if row["by_tag"]:
            tags = ", ".join(f"{k} {v}" for k, v in row["by_tag"].items())
            echo(f"  tags:  {tags}")
    total = sum(r["questions"] for r in rows)
    echo(f"{plural(len(rows), 'bank')}, {plural(total, 'question')}")


def _list_row(bank: Bank) -> dict[str, Any]:
    by_type = Counter(q.type for q in bank.questions)
    by_tag = Counter(t for q in bank.questions for t in q.tags)
    return {
        "id": bank.id,
        "title": bank.title,
        "deck": bank.deck_name,
        "path": str(bank.path),
        "questions": len(bank.questions),
        "by_type": dict(sorted(by_type.items())),
        "by_tag": dict(sorted(by_tag.items())),
    }


@cli.command()
@click.argument("ref", metavar="BANK_ID/QUESTION_ID")
@bank_paths
@click.option(
    "--answer",
    "typed",
    metavar="TEXT",
    help="Print the verdict the quiz gives TEXT instead (exit 0 right, 1 wrong).",
)
def show(ref: str, paths: tuple[Path, ...], typed: str | None) -> None:
    """Show one question as a learner sees it, then its answer, explanation and source.

    Choices, order items and match pairs appear shuffled (the same way each
    time); choice feedback follows the answer. With --answer, only the
    verdict is printed, for the letters `show` prints; a cloze question is
    graded on each of its cards, and the answer is right if one card accepts it.
    """
    from hoquiz.banks.loader import find_question, split_ref
    from hoquiz.model import card_key
    from hoquiz.render import fixed_order, question_sheet

    bank_id, question_id = split_ref(ref)
    bank, question = find_question(load(paths), bank_id, question_id)
    if typed is not None:
        order = fixed_order(question, card_key(bank.id, question.id))
        _show_verdict(question, tuple(order), question.card_numbers, typed)
    for line in question_sheet(bank, question):
        echo(line)


def _show_verdict(
    question: AnyQuestion, order: tuple[int, ...], numbers: tuple[int | None, ...], typed: str
) -> None:
    from hoquiz.model import Flashcard
    from hoquiz.study.grading import Presentation, Unparseable, grade, verdict_line

    if isinstance(question, Flashcard):
        raise UsageError("a flashcard is self-graded: --answer does not apply")
    right = False
    for number in numbers:
        result = grade(question, Presentation(order, number), typed)
        card = f"c{number}: " if len(numbers) > 1 else ""
        if isinstance(result, Unparseable):
            echo(f"{card}Not an answer: {result.hint}")
        else:
            echo(card + verdict_line(result))
            right = right or result.correct
    raise SystemExit(0 if right else 1)


@cli.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the bank format.

    Save it (`hoquiz schema > bank.schema.json`) and point your editor at it
    with this first line in a bank (see docs/bank-format.md):

    \b
        # yaml-language-server: $schema=bank.schema.json
    """
    from hoquiz.banks.schema import bank_schema

    echo_json(bank_schema())


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
def new(path: Path) -> None:
    """Write a starter bank with one commented example of each question type.

    Refuses to overwrite an existing file. Put it in a folder with a
    sources.yaml (or copy the bundled one) and run `hoquiz validate PATH`.
    """
    import secrets

    from hoquiz.banks.scaffold import write_starter_bank

    written = write_starter_bank(path, namespace=secrets.token_hex(6))
    echo(f"wrote {path}")
    if written.sources_created:
        echo(f"wrote {written.sources_created} (declare your reference documents there)")
    echo(f"next: edit it, then run `hoquiz validate {path}`")
