"""Commands for reading and authoring banks: validate, list, show, schema, new."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hoquiz.cli import cli
from hoquiz.cli.options import bank_paths, load
from hoquiz.errors import UsageError
from hoquiz.text import did_you_mean, plural

if TYPE_CHECKING:
    from hoquiz.model import Bank


@cli.command()
@bank_paths
def validate(paths: tuple[Path, ...]) -> None:
    """Check banks and report every problem as PATH:LINE:COL: message.

    PATH is a bank file or a folder searched recursively for *.yaml and
    *.yml (sources.yaml is not a bank). Without PATH, the bundled decks.
    Exit status: 0 all valid, 1 problems found, 2 usage error.
    """
    from hoquiz.banks.loader import scan_banks

    counts = scan_banks(list(paths), lambda bank: len(bank.questions))  # bank by bank
    click.echo(f"{plural(len(counts), 'bank')}, {plural(sum(counts), 'question')} OK")


@cli.command("list")
@bank_paths
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_banks(paths: tuple[Path, ...], as_json: bool) -> None:
    """List banks with their question counts by type and by tag."""
    from hoquiz.banks.loader import scan_banks

    rows = scan_banks(list(paths), _list_row)  # bank by bank: only the rows are kept
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']}  {row['title']}  ({plural(row['questions'], 'question')})")
        types = ", ".join(f"{k} {v}" for k, v in row["by_type"].items())
        click.echo(f"  types: {types}")
        if row["by_tag"]:
            tags = ", ".join(f"{k} {v}" for k, v in row["by_tag"].items())
            click.echo(f"  tags:  {tags}")
    total = sum(r["questions"] for r in rows)
    click.echo(f"{plural(len(rows), 'bank')}, {plural(total, 'question')}")


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
def show(ref: str, paths: tuple[Path, ...]) -> None:
    """Show one question as a learner sees it, then its answer, explanation and source.

    Choices, order items and match pairs appear shuffled (the same way each
    time); choice feedback follows the answer.
    """
    from hoquiz.model import MCQ, Multi, card_key
    from hoquiz.render import LETTERS, answer_text, fixed_order, question_text, source_text

    bank_id, sep, question_id = ref.partition("/")
    if not sep or not bank_id or not question_id:
        raise UsageError(f"expected BANK_ID/QUESTION_ID such as imaging/first-study, got '{ref}'")
    banks = {b.id: b for b in load(paths)}
    bank = banks.get(bank_id)
    if bank is None:
        raise UsageError(f"no bank with id '{bank_id}'{did_you_mean(bank_id, banks)}")
    question = bank.question(question_id)
    if question is None:
        hint = did_you_mean(question_id, [q.id for q in bank.questions])
        raise UsageError(f"bank '{bank_id}' has no question '{question_id}'{hint}")
    order = fixed_order(question, card_key(bank.id, question.id))
    for number in question.card_numbers:
        heading = f"[{bank.id}/{question.id}] {question.type}"
        click.echo(heading + (f", card c{number}" if number is not None else ""))
        click.echo(question_text(question, order, cloze=number))
        click.echo("")
        click.echo(f"Answer: {answer_text(question, order, cloze=number)}")
    if isinstance(question, (MCQ, Multi)):
        for letter, index in zip(LETTERS, order, strict=False):
            choice = question.choices[index]
            if choice.feedback:
                click.echo(f"Feedback on {letter}) {choice.text}: {choice.feedback}")
    click.echo(f"Explanation: {question.explanation}")
    click.echo(f"Source: {source_text(bank, question)}")


@cli.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the bank format.

    Save it (`hoquiz schema > bank.schema.json`) and point your editor at it
    with this first line in a bank (see docs/bank-format.md):

    \b
        # yaml-language-server: $schema=bank.schema.json
    """
    from hoquiz.banks.schema import bank_schema

    click.echo(json.dumps(bank_schema(), indent=2))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
def new(path: Path) -> None:
    """Write a starter bank with one commented example of each question type.

    Refuses to overwrite an existing file. Put it in a folder with a
    sources.yaml (or copy the bundled one) and run `hoquiz validate PATH`.
    """
    from hoquiz.banks.scaffold import write_starter_bank

    written = write_starter_bank(path)
    click.echo(f"wrote {path}")
    if written.sources_created:
        click.echo(f"wrote {written.sources_created} (declare your reference documents there)")
    click.echo(f"next: edit it, then run `hoquiz validate {path}`")
