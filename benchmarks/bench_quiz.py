"""Time to the first question of `hoquiz quiz`, and `hoquiz stats`, against same-run baselines.

* Bundled decks, warm bank cache: `hoquiz quiz < /dev/null` against
  `python -c "import click"` (target: within 2.5x).
* N questions in 100 banks with a history of 10 x N review-log rows (1,000,000
  at 100,000 questions): the warm start against the official ``anki`` library
  opening a collection of the same N notes, its deck selected, and fetching
  and rendering its first card (checked: it prints the card). Target 0.5x.
* The first start after one of the 100 banks was edited, against the warm
  start (target 2x): only the edited bank is parsed again.
* `hoquiz stats` on the same history, against the anki first card (target 1x).

Also reported, without a target: the start with a cold bank cache.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.fixtures import folder
from benchmarks.timing import PYTHON, START_PAIRS, Command, Config, hoquiz_argv, paired, result

ANKI_FIRST_CARD = """\
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
queued = col.sched.get_queued_cards(fetch_limit=1)
card = col.get_card(queued.cards[0].card.id)
print("CARD", card.question()[:40])
col.close()
"""

DAY_MS = 86_400_000


def fill_history(banks: Path, db: Path, rows: int, seed: int = 1) -> int:
    """Write ``rows`` review-mode answers over the banks' cards into a new database.

    Ten answers per studied card, spread over the last year; about a tenth of
    the studied cards are due now, one in a hundred is a leech. Written with
    bulk SQL (the store's schema, created by the store): a quiz would take
    days. Returns the number of studied cards.
    """
    from hoquiz.banks.loader import load_banks
    from hoquiz.store import Store, to_ms
    from hoquiz.study.planning import study_cards

    rng = random.Random(seed)
    now = to_ms(dt.datetime.now(dt.UTC))
    cards = study_cards(load_banks([banks]))
    studied = cards[: min(len(cards), max(1, rows // 10))]
    with Store.open(db):
        pass
    with sqlite3.connect(db) as con:
        card_rows = []
        log_rows = []
        per_card = rows // len(studied)
        for n, card in enumerate(studied, 1):
            start = now - rng.randint(30, 365) * DAY_MS
            lapses = 5 if rng.random() < 0.01 else rng.randint(0, 2)
            due = now + rng.randint(-3 * DAY_MS, 30 * DAY_MS)
            card_rows.append(
                (n, card.key, card.bank.id, card.question_id, card.cloze, card.revision, 2,
                 None, 10.0, 5.0, due, now - DAY_MS, 10, lapses, start, per_card)
            )  # fmt: skip
            for k in range(per_card):
                at = min(now - 1000, start + k * 3 * DAY_MS)
                rating = 1 if rng.random() < 0.1 else 3
                log_rows.append((n, at, rating, int(rating != 1), "x", 4000, "review", 1, 2))
        con.executemany(f"INSERT INTO cards VALUES ({','.join('?' * 16)})", card_rows)
        con.executemany(
            "INSERT INTO review_log (card_id, reviewed_at, rating, correct, answer, duration_ms,"
            " mode, revision, state_before) VALUES (?,?,?,?,?,?,?,?,?)",
            log_rows,
        )
    return len(studied)


def build_anki_collection(banks: Path, path: Path) -> Path:
    """An Anki collection with one Basic note per question, in a selected deck."""
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
        col.decks.select(deck_id)
        requests = []
        for bank in load_banks([banks]):
            for question in bank.questions:
                note = col.new_note(notetype)
                note["Front"] = question_text(question)
                note["Back"] = answer_text(question)
                requests.append(AddNoteRequest(note, deck_id))
        col.add_notes(requests)
    finally:
        col.close()
    return path


def run(workdir: Path, config: Config) -> list[dict[str, Any]]:
    cache = {"XDG_CACHE_HOME": str(workdir / "cache")}
    click = Command([PYTHON, "-c", "import click"])
    bundled = Command(
        hoquiz_argv("quiz"), env={**cache, "HOQUIZ_DB": str(workdir / "bundled.db")}, expect="[1/"
    )
    p = paired(bundled, click, max(config.pairs, START_PAIRS))
    rows = [
        result(
            "hoquiz quiz < /dev/null, bundled decks (to first question)",
            p.a,
            "python -c 'import click'",
            p.b,
            2.5,
            ratio=p.ratio,
        )
    ]
    for n in config.sizes:
        reviews = 10 * n
        # A start takes well under a second at every size: as many pairs as for the
        # start-up rows above (the slow sizes of other benchmarks run fewer).
        pairs = max(config.pairs, START_PAIRS)
        banks = folder(workdir, n, config.files)
        db = workdir / f"history-{n}.db"
        fill_history(banks, db, reviews)
        env = {**cache, "HOQUIZ_DB": str(db)}
        what = f"{n:,} questions in {config.files} banks, {reviews:,} reviews"
        collection = build_anki_collection(banks, workdir / f"anki-{n}" / "collection.anki2")
        anki = Command([PYTHON, "-c", ANKI_FIRST_CARD, str(collection)], expect="CARD")
        anki_name = f"anki: open {n:,}-note collection, first card"
        warm = Command(hoquiz_argv("quiz", str(banks)), env=env, expect="[1/")
        p = paired(warm, anki, pairs)
        rows.append(result(f"hoquiz quiz, {what}, warm", p.a, anki_name, p.b, 0.5, ratio=p.ratio))

        edited = sorted(banks.glob("bank-*.yaml"))[len(list(banks.glob("bank-*.yaml"))) // 2]
        edits = iter(range(10**6))

        def edit(edited: Path = edited, edits: Iterator[int] = edits) -> None:
            with edited.open("a", encoding="utf-8") as handle:
                handle.write(f"# edit {next(edits)}\n")

        after_edit = Command(hoquiz_argv("quiz", str(banks)), env=env, expect="[1/", before=edit)
        p = paired(after_edit, warm, pairs)
        rows.append(
            result(
                f"hoquiz quiz, {what}, one bank edited",
                p.a,
                "the warm start",
                p.b,
                2.0,
                ratio=p.ratio,
            )
        )
        stats = Command(hoquiz_argv("stats", str(banks)), env=env, expect="Cards:")
        p = paired(stats, anki, pairs)
        rows.append(result(f"hoquiz stats, {what}", p.a, anki_name, p.b, 1.0, ratio=p.ratio))
        cold = Command(
            hoquiz_argv("quiz", str(banks)),
            env={**env, "XDG_CACHE_HOME": str(workdir / f"no-cache-{n}")},
            expect="[1/",
        )
        p = paired(cold, anki, 1, warmup=0)
        rows.append(
            result(f"hoquiz quiz, {what}, cold cache", p.a, anki_name, p.b, math.inf, ratio=p.ratio)
        )
    return rows
