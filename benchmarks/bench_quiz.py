"""Time to the first question of `hoquiz quiz`, against same-run baselines.

* Bundled decks, warm bank cache: `hoquiz quiz < /dev/null` against
  `python -c "import click"` (target: within 2.5x).
* The synthetic 10,000-question bank with 100,000 review-log rows in the
  progress database: against the official ``anki`` library opening a
  collection holding the same 10,000 notes and fetching (and rendering) its
  first card (target: below it, ratio < 1).

Also reported, without a target: the same quiz start with a cold bank cache
(the YAML parsed), to show what the cache saves.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from benchmarks.synth import write_synthetic_bank
from benchmarks.timing import PYTHON, hoquiz_argv, result, time_command

REVIEW_ROWS = 100_000

ANKI_FIRST_CARD = """\
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
queued = col.sched.get_queued_cards(fetch_limit=1)
card = col.get_card(queued.cards[0].card.id)
card.question()
col.close()
"""


def fill_history(bank: Path, db: Path, rows: int = REVIEW_ROWS, seed: int = 1) -> int:
    """Write ``rows`` review-mode answers over the bank's cards into a new database.

    Spread over the last year; about a tenth of the cards end up due now.
    Returns the number of cards with a schedule.
    """
    from hoquiz.banks.loader import load_banks
    from hoquiz.store import Answer, Store
    from hoquiz.study.planning import study_cards
    from hoquiz.study.scheduling import CardState, Phase, Rating

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    cards = study_cards(load_banks([bank]))
    per_card = -(-rows // len(cards))
    written = 0
    with Store.open(db) as store, store.batch():
        for card in cards:
            if written >= rows:
                break
            start = now - dt.timedelta(days=rng.uniform(30, 365))
            for n in range(min(per_card, rows - written)):
                at = start + dt.timedelta(days=n * 3)
                rating = Rating.AGAIN if rng.random() < 0.1 else Rating.GOOD
                due = now + dt.timedelta(days=rng.uniform(-3, 30))
                state = CardState(Phase.REVIEW, None, 10.0, 5.0, due, at, n + 1, 0)
                store.record(
                    card.ref,
                    Answer(at, rating, rating != Rating.AGAIN, "x", 4000, "review"),
                    lambda before, state=state: state,
                )
                written += 1
    return written


def build_anki_collection(bank: Path, path: Path) -> Path:
    """An Anki collection with one Basic note per question (front: question, back: answer)."""
    from anki.collection import AddNoteRequest, Collection

    from hoquiz.banks.loader import load_banks
    from hoquiz.render import answer_text, question_text

    path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(path))
    try:
        notetype = col.models.by_name("Basic")
        assert notetype is not None
        deck_id = col.decks.id("Synthetic")
        assert deck_id is not None
        requests = []
        for question in load_banks([bank])[0].questions:
            note = col.new_note(notetype)
            note["Front"] = question_text(question)
            note["Back"] = answer_text(question)
            requests.append(AddNoteRequest(note, deck_id))
        col.add_notes(requests)
    finally:
        col.close()
    return path


def run(workdir: Path) -> list[dict[str, Any]]:
    # Bytecode is written and reused, as after any install (the warm-up run writes it);
    # an inherited PYTHONDONTWRITEBYTECODE would recompile hoquiz on every run.
    cache = {"XDG_CACHE_HOME": str(workdir / "cache"), "PYTHONDONTWRITEBYTECODE": ""}
    import_click = time_command([PYTHON, "-c", "import click"], repeat=11)
    bundled = time_command(
        hoquiz_argv("quiz"),
        env={**cache, "HOQUIZ_DB": str(workdir / "bundled.db")},
        repeat=11,
    )

    bank = write_synthetic_bank(workdir / "synthetic" / "synthetic.yaml")
    db = workdir / "synthetic.db"
    fill_history(bank, db)
    synthetic = time_command(
        hoquiz_argv("quiz", str(bank)), env={**cache, "HOQUIZ_DB": str(db)}, repeat=7
    )
    cold = time_command(
        hoquiz_argv("quiz", str(bank)),
        env={**cache, "XDG_CACHE_HOME": str(workdir / "no-cache"), "HOQUIZ_DB": str(db)},
        repeat=1,
        warmup=0,
    )
    collection = build_anki_collection(bank, workdir / "anki" / "collection.anki2")
    anki = time_command([PYTHON, "-c", ANKI_FIRST_CARD, str(collection)], repeat=7)
    return [
        result(
            "hoquiz quiz < /dev/null, bundled decks (to first question)",
            bundled,
            "python -c 'import click'",
            import_click,
            2.5,
        ),
        result(
            "hoquiz quiz < /dev/null, 10,000 questions, 100,000 reviews",
            synthetic,
            "anki: open 10,000-note collection, first card",
            anki,
            1.0,
        ),
        result(
            "hoquiz quiz < /dev/null, 10,000 questions, cold bank cache (no target)",
            cold,
            "anki: open 10,000-note collection, first card",
            anki,
            float("inf"),
        ),
    ]
