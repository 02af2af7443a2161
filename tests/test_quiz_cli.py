"""`hoquiz quiz` end to end: CliRunner sessions, real processes, the bank cache."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from quiz_banks import ALPHA, BETA, tf_bank, write_banks

from hoquiz.banks import cache
from hoquiz.banks.loader import discover, load_banks
from hoquiz.cli import cli
from hoquiz.cli.study import ClickConsole, use_color
from hoquiz.errors import BankError
from hoquiz.model import (
    MCQ,
    Cloze,
    Flashcard,
    Match,
    Multi,
    Numeric,
    Order,
    Question,
    Short,
    TrueFalse,
)
from hoquiz.render import LETTERS
from hoquiz.store import Store
from hoquiz.study.grading import Presentation
from hoquiz.study.planning import present, study_cards

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cache and data directories under tmp_path; no HOQUIZ_DB or NO_COLOR from outside."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("HOQUIZ_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def right(question: Question, shown: Presentation) -> list[str]:
    """The input lines that answer ``question`` correctly as it was shown."""
    order = list(shown.order)
    if isinstance(question, MCQ):
        return [LETTERS[order.index(question.answer)]]
    if isinstance(question, Multi):
        return [", ".join(LETTERS[order.index(i)] for i in question.answer)]
    if isinstance(question, TrueFalse):
        return ["true" if question.answer else "false"]
    if isinstance(question, Numeric):
        return [f"{question.answer} {question.unit or ''}".strip()]
    if isinstance(question, Short):
        return [question.accept[0].upper()]
    if isinstance(question, Cloze):
        return [next(d.answer for d in question.deletions if d.number == shown.cloze)]
    if isinstance(question, Flashcard):
        return ["", "3"]
    if isinstance(question, Order):
        return [" ".join(LETTERS[order.index(i)] for i in range(len(order)))]
    if isinstance(question, Match):
        return [" ".join(f"{n + 1}{LETTERS[order.index(n)]}" for n in range(len(order)))]
    raise AssertionError(question)


def wrong(question: Question, shown: Presentation) -> list[str]:
    """Input lines that answer ``question`` wrongly (but parseably)."""
    order = list(shown.order)
    if isinstance(question, MCQ):
        return [LETTERS[(order.index(question.answer) + 1) % len(order)]]
    if isinstance(question, Multi):
        return [LETTERS[order.index(question.answer[0])]]
    if isinstance(question, TrueFalse):
        return ["false" if question.answer else "true"]
    if isinstance(question, Numeric):
        return [str(question.answer + question.tolerance + 10)]
    if isinstance(question, Short | Cloze):
        return ["something else"]
    if isinstance(question, Flashcard):
        return ["no idea", "1"]
    if isinstance(question, Order):
        return [" ".join(reversed(right(question, shown)[0].split()))]
    if isinstance(question, Match):
        n = len(order)
        return [" ".join(f"{i + 1}{LETTERS[order.index((i + 1) % n)]}" for i in range(n))]
    raise AssertionError(question)


def scripted(folder: Path, seed: int, answer: object) -> tuple[str, int]:
    """Input for a review session of every new card of ``folder``, in queue order."""
    banks = load_banks([folder])
    rng = random.Random(seed)
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    count = 0
    for card in study_cards(banks):
        if card.sibling_of in seen:
            continue
        seen.add(card.sibling_of)
        shown = present(card, rng)
        lines += answer(card.question, shown)  # type: ignore[operator]
        count += 1
    return "".join(line + "\n" for line in lines), count


@pytest.fixture
def alpha_dir(tmp_path: Path) -> Path:
    return write_banks(tmp_path / "banks", alpha=ALPHA)


def quiz(*args: str, input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["quiz", *args], input=input, env=env)


# -- CliRunner sessions ------------------------------------------------------------------------


def test_every_type_answered_right(alpha_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    text, count = scripted(alpha_dir, 11, right)
    result = quiz(str(alpha_dir), "--db", str(db), "--seed", "11", input=text)
    assert result.exit_code == 0, result.output
    assert count == 9
    out = result.output
    assert out.startswith(
        f"New progress database: {db}\n"
        "Review: 0 due, 9 new (1 bank)\nType ? for help, s to skip, q to quit.\n"
    )
    assert out.count("\nCorrect.\n") == 7
    assert out.count("\nCorrect (accepted 6.5 to 7.5 Gy).\n") == 1
    assert out.count("\nCorrect: rated good.\n") == 1
    assert "Incorrect" not in out
    assert "  answered: 9\n  correct:  9 (100%)\n" in out
    assert "\x1b[" not in out  # no colours when not on a terminal
    with Store.open(db) as store:
        logged = store.reviews()
    assert len(logged) == 9 and all(r.correct for r in logged)


def test_every_type_answered_wrong(alpha_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    text, _ = scripted(alpha_dir, 5, wrong)
    result = quiz(str(alpha_dir), "--db", str(db), "--seed", "5", input=text)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("\nIncorrect. You answered: ") == 8
    assert "\nIncorrect: rated again.\n" in out
    assert "Incorrect. You answered: something else\nAnswer: Indométacine / indomethacin\n" in out
    dose = "Incorrect. You answered: 17.5 Gy (accepted 6.5 to 7.5 Gy)\nAnswer: 7 Gy (± 0.5)\n"
    assert dose in out
    assert "(1 of 2 right choices)" in out
    assert ": A ligand, not the receptor." in out or ": Yes, the R206H variant." in out
    assert out.count("Explanation: ") == 9
    assert out.count("Source: Patient guide to HO, section “") == 9
    assert out.count("Next review: in 1 minute") == 9
    assert "  answered: 9\n  correct:  0 (0%)\n" in out


def test_piped_answers_are_echoed_after_the_prompt(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    result = quiz(str(folder), "--db", str(tmp_path / "p.db"), input="maybe\nt\nq\n")
    assert (
        "\n> maybe\nNot an answer: type t or f (true/false, y/n)\n> t\nCorrect.\n" in result.output
    )
    assert result.exit_code == 0


@pytest.mark.parametrize("ending", ["q\n", "", "t\nt\nq\n"])
def test_quit_or_end_of_input_exit_0_with_a_summary(tmp_path: Path, ending: str) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    db = tmp_path / "p.db"
    result = quiz(str(folder), "--db", str(db), input="t\n" + ending)
    assert result.exit_code == 0
    assert "\nSession summary\n  answered: " in result.output
    assert "  next due: " in result.output
    with Store.open(db) as store:
        assert len(store.reviews()) == 1 + ending.count("t\n")


def test_ctrl_c_exits_130_after_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    db = tmp_path / "p.db"
    answers = iter(["t"])

    def ask(self: ClickConsole, prompt: str) -> str:
        for answer in answers:
            return answer
        raise KeyboardInterrupt

    monkeypatch.setattr(ClickConsole, "ask", ask)
    result = quiz(str(folder), "--db", str(db))
    assert result.exit_code == 130
    assert "  answered: 1\n  correct:  1 (100%)\n" in result.output
    with Store.open(db) as store:
        assert len(store.reviews()) == 1


def test_resume_picks_up_where_the_last_session_stopped(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", a=tf_bank("a", 4))
    db = tmp_path / "p.db"
    first = quiz(str(folder), "--db", str(db), "--new", "3", input="t\nt\nq\n")
    assert first.output.splitlines()[:3] == [
        f"New progress database: {db}",
        "--new 3: this session only (your setting: 20; `hoquiz settings --new 3` keeps it)",
        "Review: 0 due, 3 new (1 bank)",
    ]
    settings = CliRunner().invoke(cli, ["settings", "--db", str(db), "--new", "3"])
    assert settings.output.splitlines()[:2] == [f"Settings in {db}:", "  new cards a day: 3"]
    second = quiz(str(folder), "--db", str(db), input="q\n")  # the setting is kept
    # two started today, one new left; the two learning cards wait in the session
    assert second.output.startswith("Review: 0 due, 1 new, 2 in learning (1 bank)")
    assert "Statement 3 of a is true." in second.output


def test_modes_and_options(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", alpha=ALPHA, beta=BETA)
    db = str(tmp_path / "p.db")
    cram = quiz(str(folder), "--db", db, "--mode", "cram", "--bank", "beta", input="t\nq\n")
    assert cram.output.startswith(
        f"New progress database: {db}\nCram: 3 questions (1 bank); your schedule is not changed\n"
    )
    exam = quiz(str(folder), "--db", db, "--mode", "exam", "--limit", "2", "--seed", "1", input="")
    assert exam.output.startswith("Exam: 2 questions (2 banks); answers and score at the end\n")
    tagged = quiz(str(folder), "--db", db, "--tag", "genetics", input="q\n")
    assert tagged.output.startswith("Review: 0 due, 2 new (1 bank)")
    bad = quiz(str(folder), "--db", db, "--retention", "1.5")
    assert bad.exit_code == 2 and "1.5 is not in the range 0.7<=x<=0.99" in bad.output
    unknown = quiz(str(folder), "--db", db, "--bank", "gamma")
    assert unknown.exit_code == 2 and "no bank with id 'gamma'" in unknown.output


def test_same_seed_same_session(alpha_dir: Path, tmp_path: Path) -> None:
    runs = [
        quiz(str(alpha_dir), "--db", str(tmp_path / f"{n}.db"), "--seed", "42", input="")
        for n in range(2)
    ]
    assert runs[0].output.split("\n", 1)[1] == runs[1].output.split("\n", 1)[1]


def test_database_location(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    result = quiz(str(folder), input="t\n")
    assert result.exit_code == 0
    default = tmp_path / "xdg-data" / "hoquiz" / "progress.db"
    assert default.is_file()
    env_db = tmp_path / "env" / "deep" / "mine.db"
    quiz(str(folder), input="t\n", env={"HOQUIZ_DB": str(env_db)})
    assert env_db.is_file()


def test_foreign_database_is_an_error_and_untouched(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"not a database\n" * 20)
    result = quiz(str(folder), "--db", str(notes), input="t\n")
    assert result.exit_code == 1
    assert result.output == f"Error: cannot use {notes}: it is not a hoquiz progress database\n"
    assert notes.read_bytes() == b"not a database\n" * 20


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert use_color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color() is False


def test_console_styles_when_colour_is_on(capsys: pytest.CaptureFixture[str]) -> None:
    ClickConsole(color=True, echo_input=False).show("Correct.", "good")
    ClickConsole(color=False, echo_input=False).show("Correct.", "good")
    out = capsys.readouterr().out
    assert out == "\x1b[32m\x1b[1mCorrect.\x1b[0m\nCorrect.\n"


def test_help_does_not_import_the_quiz_machinery() -> None:
    code = (
        "import sys, hoquiz.cli; "
        "heavy = {'sqlite3', 'fsrs', 'yaml', 'hoquiz.study.engine', 'hoquiz.cli.quiz'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


# -- real processes ------------------------------------------------------------------------


class Process:
    """A quiz in a child process, fed line by line, its output collected as it comes."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hoquiz", "quiz", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        self.output = b""
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while chunk := self.proc.stdout.read1(4096):  # type: ignore[attr-defined]
            with self.lock:
                self.output += chunk

    def wait_for(self, text: str, timeout: float = 20) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if text.encode() in self.output:
                    return
            time.sleep(0.02)
        raise AssertionError(f"{text!r} not in {self.output.decode()!r}")

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode())
        self.proc.stdin.flush()

    def finish(self) -> int:
        """Close its input (end of input), wait for it and release the pipes."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        code = self.proc.wait(30)
        self.reader.join(5)
        self.proc.stdout.close()
        return code


def child_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(XDG_CACHE_HOME=str(tmp_path / "xdg-cache"), PYTHONPATH=str(ROOT))
    env.pop("NO_COLOR", None)
    return env


def test_sigkill_keeps_every_committed_answer(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", a=tf_bank("a", 5))
    db = tmp_path / "p.db"
    child = Process(str(folder), "--db", str(db), env=child_env(tmp_path))
    child.wait_for("[1/5]")
    child.send("t\n")
    child.wait_for("[2/")
    child.send("f\n")
    child.wait_for("[3/")  # shown only after the second answer was committed
    child.send("t")  # being typed: no Enter yet
    child.proc.send_signal(signal.SIGKILL)
    assert child.finish() == -signal.SIGKILL
    with Store.open(db) as store:
        logged = store.reviews()
        assert [(r.card_key, r.correct) for r in logged] == [("a/q1", True), ("a/q2", False)]
        assert set(store.summaries()) == {"a/q1", "a/q2"}


def test_two_sessions_on_one_database(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", a=tf_bank("a", 4))
    db = tmp_path / "p.db"
    env = child_env(tmp_path)
    one = Process(str(folder), "--db", str(db), env=env)
    one.wait_for("[1/4]")
    two = Process(str(folder), "--db", str(db), env=env)
    two.wait_for("[1/4]")
    for n in range(2, 5):
        one.send("t\n")
        two.send("f\n")
        one.wait_for(f"[{n}/")
        two.wait_for(f"[{n}/")
    assert (one.finish(), two.finish()) == (0, 0)
    with Store.open(db) as store:
        logged = store.reviews()
    assert len(logged) == 6
    assert sorted(r.correct for r in logged) == [False] * 3 + [True] * 3
    assert b"answered: 3" in one.output and b"answered: 3" in two.output


def test_sigint_exits_130_with_the_summary(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", a=tf_bank("a", 3))
    db = tmp_path / "p.db"
    child = Process(str(folder), "--db", str(db), env=child_env(tmp_path))
    child.wait_for("[1/3]")
    child.send("t\n")
    child.wait_for("[2/")
    time.sleep(0.1)
    child.proc.send_signal(signal.SIGINT)
    assert child.proc.wait(20) == 130
    child.finish()
    assert b"Session summary\n  answered: 1\n" in child.output
    assert b"Traceback" not in child.output


# -- the bank cache ------------------------------------------------------------------------


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names the bank files the real loader parses (the cache's fallback)."""
    import hoquiz.banks.loader

    calls: list[str] = []
    real_file = hoquiz.banks.loader.load_bank_file
    real_all = hoquiz.banks.loader.load_banks

    def one(file):  # type: ignore[no-untyped-def]
        calls.append(file.name)
        return real_file(file)

    def every(paths):  # type: ignore[no-untyped-def]
        calls.append("*")
        return real_all(paths)

    monkeypatch.setattr(hoquiz.banks.loader, "load_bank_file", one)
    monkeypatch.setattr(hoquiz.banks.loader, "load_banks", every)
    yield calls


def test_unchanged_banks_are_not_parsed_again(tmp_path: Path, loads: list[str]) -> None:
    folder = write_banks(tmp_path / "banks", alpha=ALPHA, beta=BETA)
    where = tmp_path / "c"
    first = cache.load_banks_cached([folder], where)
    second = cache.load_banks_cached([folder], where)
    assert loads == ["alpha.yaml", "beta.yaml"]
    assert second == first == load_banks([folder])
    assert len(list(where.iterdir())) == 2  # one entry per bank file


def test_an_edit_reparses_only_the_edited_bank(tmp_path: Path, loads: list[str]) -> None:
    folder = write_banks(tmp_path / "banks", alpha=ALPHA)
    where = tmp_path / "c"
    cache.load_banks_cached([folder], where)
    bank = folder / "alpha.yaml"
    bank.write_text(ALPHA.replace("Alpha bank", "Alpha bank, edited"))
    edited = cache.load_banks_cached([folder], where)
    assert edited[0].title == "Alpha bank, edited" and loads == ["alpha.yaml"] * 2
    (folder / "sources.yaml").write_text(
        (folder / "sources.yaml").read_text().replace("Patient guide", "The patient guide")
    )
    sourced = cache.load_banks_cached([folder], where)
    assert sourced[0].sources["guide"].title == "The patient guide to HO" and len(loads) == 3
    (folder / "beta.yaml").write_text(BETA)
    assert len(cache.load_banks_cached([folder], where)) == 2 and loads[3:] == ["beta.yaml"]
    cache.load_banks_cached([folder], where)
    assert len(loads) == 4


def test_an_edit_that_restores_size_and_time_is_seen(tmp_path: Path, loads: list[str]) -> None:
    folder = write_banks(tmp_path / "banks", alpha=ALPHA)
    where = tmp_path / "c"
    bank = folder / "alpha.yaml"
    before = bank.stat()
    cache.load_banks_cached([folder], where)
    bank.write_text(ALPHA.replace("Alpha bank", "Alpha bunk"))  # same length
    os.utime(bank, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert bank.stat().st_size == before.st_size
    assert cache.load_banks_cached([folder], where)[0].title == "Alpha bunk"


def test_a_file_is_hashed_again_only_when_its_stat_stamp_moves(
    tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    hashed: list[str] = []
    real = hashlib.file_digest

    def counting(handle, digest):  # type: ignore[no-untyped-def]
        hashed.append(Path(handle.name).name)
        return real(handle, digest)

    monkeypatch.setattr(hashlib, "file_digest", counting)
    monkeypatch.setattr(cache, "_RACY_NS", -(10**12))  # trust stamps of files just written
    folder = write_banks(tmp_path / "banks", alpha=ALPHA)
    where = tmp_path / "c"
    bank = folder / "alpha.yaml"
    cache.load_banks_cached([folder], where)
    assert sorted(hashed) == ["alpha.yaml", "sources.yaml"]
    cache.load_banks_cached([folder], where)
    assert len(hashed) == 2  # unchanged stamps: the recorded digests
    before = bank.stat()
    time.sleep(0.05)  # past the granularity of the change time
    bank.write_text(ALPHA.replace("Alpha bank", "Alpha bunk"))  # same length
    os.utime(bank, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cache.load_banks_cached([folder], where)[0].title == "Alpha bunk"
    assert hashed[2:] == ["alpha.yaml"] and loads == ["alpha.yaml"] * 2


def test_a_file_hashed_just_after_a_change_is_trusted_once_it_settles(
    tmp_path: Path, loads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    hashed: list[str] = []
    real = hashlib.file_digest

    def counting(handle, digest):  # type: ignore[no-untyped-def]
        hashed.append(Path(handle.name).name)
        return real(handle, digest)

    monkeypatch.setattr(hashlib, "file_digest", counting)
    folder = write_banks(tmp_path / "banks", alpha=ALPHA)
    where = tmp_path / "c"
    monkeypatch.setattr(cache, "_RACY_NS", 10**18)  # hashed "just after" a change: not trusted
    cache.load_banks_cached([folder], where)
    cache.load_banks_cached([folder], where)
    assert sorted(hashed) == ["alpha.yaml", "alpha.yaml", "sources.yaml", "sources.yaml"]
    monkeypatch.setattr(cache, "_RACY_NS", -(10**12))  # the files have settled
    cache.load_banks_cached([folder], where)  # hashed once more, and the stamps kept
    assert len(hashed) == 6
    index = cache.load_index([folder], where)
    assert len(hashed) == 6 and loads == ["alpha.yaml"]  # no hashing, no parsing
    assert [cache.materialize(row[-1], row[0]) for row in index[0][1]] == list(
        cache.load_banks_cached([folder], where)[0].questions
    )


def test_damaged_question_lines_are_found_when_shown(tmp_path: Path, loads: list[str]) -> None:
    from hoquiz.study.planning import indexed_cards

    folder = write_banks(tmp_path / "banks", beta=BETA)
    where = tmp_path / "c"
    right = cache.load_banks_cached([folder], where)
    [entry] = where.iterdir()
    data = entry.read_bytes()
    prompt = right[0].questions[1].prompt.encode()  # type: ignore[union-attr]
    entry.write_bytes(data.replace(prompt, prompt.swapcase(), 1))
    cards = indexed_cards(cache.load_index([folder], where))  # the index line is intact
    assert loads == ["beta.yaml"]
    assert [c.question for c in cards] == list(right[0].questions)
    assert loads == ["beta.yaml"] * 2 and not entry.exists()  # the YAML, once; entry dropped


def test_cache_failures_fall_back_to_loading(tmp_path: Path, loads: list[str]) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    where = tmp_path / "c"
    cache.load_banks_cached([folder], where)
    [entry] = where.iterdir()
    entry.write_bytes(b"garbage")
    assert cache.load_banks_cached([folder], where)[0].id == "beta"
    assert len(loads) == 2
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    assert cache.load_banks_cached([folder], blocked)[0].id == "beta"


def test_a_changed_byte_in_an_entry_is_rebuilt_never_shown(
    tmp_path: Path, loads: list[str]
) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    where = tmp_path / "c"
    right = cache.load_banks_cached([folder], where)
    [entry] = where.iterdir()
    data = entry.read_bytes()
    prompt = right[0].questions[0].prompt.encode()  # type: ignore[union-attr]
    assert prompt in data
    entry.write_bytes(data.replace(prompt, prompt.swapcase(), 1))  # same length, wrong text
    assert cache.load_banks_cached([folder], where) == right
    assert len(loads) == 2
    entry.write_bytes(data[: len(data) // 2])  # truncated
    assert cache.load_banks_cached([folder], where) == right


def test_an_entry_cannot_name_code_to_run(tmp_path: Path) -> None:
    import json
    import zlib

    folder = write_banks(tmp_path / "banks", beta=BETA)
    where = tmp_path / "c"
    right = cache.load_banks_cached([folder], where)
    [entry] = where.iterdir()
    header = json.loads(entry.read_bytes().split(b"\n", 1)[0])
    # A well-formed entry, every checksum right, naming a class outside the model.
    columns = {"ids": "", "kinds": "", "tags": "", "tag_sets": [], "revisions": [], "numbers": []}
    bank = {"c": "Popen", "f": {"args": ["touch", "pwned"]}}
    index = json.dumps({"bank": bank, **columns}).encode()
    assert b"Popen" not in entry.read_bytes()
    header.update(keys_bytes=0, index_crc32=zlib.crc32(index + b"\n"), lines_crc32=zlib.crc32(b""))
    entry.write_bytes(json.dumps(header).encode() + b"\n" + index + b"\n\n")
    assert cache.load_banks_cached([folder], where) == right
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_errors_are_never_cached(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA.replace("answer: true", "answer: yes!", 1))
    where = tmp_path / "c"
    for _ in range(2):
        with pytest.raises(BankError):
            cache.load_banks_cached([folder], where)
    assert not where.exists() or not any(where.iterdir())


def test_cache_finds_the_files_the_loader_finds(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", alpha=ALPHA, beta=BETA)
    (folder / "sub").mkdir()
    (folder / "sub" / "gamma.yml").write_text(tf_bank("gamma", 1))
    (folder / "sub" / "sources.yml").write_text("sources: []\n")
    (folder / "notes.txt").write_text("x")
    for inputs in ([folder], [folder / "alpha.yaml", folder], [folder / "sub" / "gamma.yml"]):
        assert cache.bank_files(inputs) == discover(inputs)
    assert cache.bank_files([tmp_path / "missing"]) is None


def test_quiz_start_up_reads_the_cache_only(tmp_path: Path) -> None:
    folder = write_banks(tmp_path / "banks", beta=BETA)
    db = tmp_path / "p.db"
    code = (
        "import sys\n"
        "from hoquiz.cli import cli\n"
        f"cli(['quiz', {str(folder)!r}, '--db', {str(db)!r}], standalone_mode=False)\n"
        "print(sorted({'yaml', 'hoquiz.banks.loader', 'fsrs'} & set(sys.modules)))\n"
    )
    env = child_env(tmp_path)
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            check=True,
        )
        for _ in range(2)
    ]
    assert runs[0].stdout.endswith("['hoquiz.banks.loader', 'yaml']\n")  # cold: parsed
    assert runs[1].stdout.endswith("[]\n")  # warm: no YAML, no FSRS before an answer


def test_long_lines_wrap_on_a_terminal_only() -> None:
    from hoquiz.cli.study import wrap

    assert wrap("  b) " + "bone " * 12, 30) == (
        "  b) bone bone bone bone bone\n     bone bone bone bone bone\n     bone bone"
    )
    assert wrap("Explanation: " + "x " * 10, 30) == "Explanation: x x x x x x x x x\n             x"
    assert wrap("short line", 30) == "short line"


def test_cached_index_decodes_a_question_only_when_shown(tmp_path: Path) -> None:
    from hoquiz.study.planning import indexed_cards

    folder = write_banks(tmp_path / "banks", alpha=ALPHA, beta=BETA)
    where = tmp_path / "c"
    cold = indexed_cards(cache.load_index([folder], where))
    warm_index = cache.load_index([folder], where)
    assert all(isinstance(row[5], cache.Pending) for _, rows in warm_index for row in rows)
    warm = indexed_cards(warm_index)
    eager = study_cards(load_banks([folder]))
    assert [c.key for c in warm] == [c.key for c in cold] == [c.key for c in eager]
    assert [(c.kind, c.revision, c.cloze) for c in warm] == [
        (c.kind, c.revision, c.cloze) for c in eager
    ]
    first = warm[0]
    assert isinstance(first._question, cache.Pending)  # not read yet
    assert first.question == eager[0].question
    assert not isinstance(first._question, cache.Pending)
    assert warm_index[0][0].questions == () and warm_index[0][0].title == "Alpha bank"


def test_cached_index_columns_are_the_loaded_banks(tmp_path: Path) -> None:
    """Tag sets past the ASCII codes, revisions in runs, cloze numbers of several shapes."""
    lines = ["id: many", "title: Many bank", "questions:"]
    for n in range(130):
        lines += [f"  - id: q{n}", f"    tags: [t{n}, shared]", f"    revision: {1 + n // 40}"]
        if n % 3:
            lines += ["    type: true_false", f"    prompt: Claim {n} holds.", "    answer: true"]
        else:
            deletions = " ".join(f"{{{{c{k}::w{k}}}}}" for k in range(1, 2 + n % 4))
            lines += ["    type: cloze", f'    text: "Words {deletions} here."']
        lines += ["    explanation: Why.", "    source: {doc: guide, section: Causes}"]
    folder = write_banks(tmp_path / "banks", many="\n".join(lines) + "\n", alpha=ALPHA)
    where = tmp_path / "c"
    eager = cache.index_banks(load_banks([folder]))
    for _ in range(2):  # cold (written), then warm (read)
        index = cache.load_index([folder], where)
        assert [bank for bank, _ in index] == [bank for bank, _ in eager]
        for (_, rows), (_, expected) in zip(index, eager, strict=True):
            assert [row[:5] for row in rows] == [row[:5] for row in expected]
            assert rows.keys_text() == expected.keys_text()
            assert rows.max_revision == expected.max_revision
            assert rows.key_set() == set(expected.card_keys())
    assert len({row[3] for row in index[1][1]}) == 130


def _rewrite_index(entry: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change an entry's index line and check it again: only its own checks can catch it."""
    import json
    import zlib

    header_line, line, rest = entry.read_bytes().split(b"\n", 2)
    header = json.loads(header_line)
    keys, rest = rest[: header["keys_bytes"]], rest[header["keys_bytes"] + 1 :]
    index = json.loads(line)
    change(index)
    line = json.dumps(index).encode()
    header["index_crc32"] = zlib.crc32(line + b"\n" + keys)
    entry.write_bytes(b"\n".join([json.dumps(header).encode(), line, keys, rest]))


@pytest.mark.parametrize(
    "change",
    [
        lambda index: index.update(kinds="?" + index["kinds"][1:]),  # no such type
        lambda index: index.update(kinds=index["kinds"][1:]),  # a type short
        lambda index: index.update(tags="~" + index["tags"][1:]),  # no such set of tags
        lambda index: index.update(ids=index["ids"] + " extra"),  # an id too many
        lambda index: index.update(numbers=[[[1, 2], [0, 500]]]),  # a row past the end
        lambda index: index.update(numbers=[[[1, 2], []]]),  # cloze numbers of no row
        lambda index: index.update(numbers=[[["1"], [0]]]),  # a number as text
    ],
)
def test_an_entry_whose_columns_do_not_agree_is_a_miss(
    tmp_path: Path, loads: list[str], change: Callable[[dict[str, Any]], None]
) -> None:
    """Columns are decoded when first used, so all of them are checked when the entry is read."""
    folder = write_banks(tmp_path / "banks", beta=BETA)
    where = tmp_path / "c"
    right = cache.load_banks_cached([folder], where)
    [entry] = where.iterdir()
    _rewrite_index(entry, change)
    index = cache.load_index([folder], where)
    assert loads == ["beta.yaml"] * 2  # the entry refused: the bank parsed again
    assert [cache.materialize(row[5], row[0]) for row in index[0][1]] == list(right[0].questions)
    assert cache.load_banks_cached([folder], where) == right and len(loads) == 2  # rewritten


def test_a_quiz_leaves_garbage_collection_as_it_found_it(tmp_path: Path) -> None:
    import gc

    folder = write_banks(tmp_path / "banks", alpha=ALPHA)
    db = str(tmp_path / "p.db")
    for argv in (["quiz", str(folder)], ["quiz", str(tmp_path / "none")]):
        for _ in range(2):  # a new database, then an existing one
            CliRunner().invoke(cli, [*argv, "--db", db], input="q\n")
            assert gc.isenabled() and gc.get_freeze_count() == 0


def test_an_entry_rewritten_as_it_was_is_still_read(tmp_path: Path, loads: list[str]) -> None:
    """The control of the test above: its rewriting alone is no miss."""
    folder = write_banks(tmp_path / "banks", beta=BETA)
    where = tmp_path / "c"
    right = cache.load_banks_cached([folder], where)
    [entry] = where.iterdir()
    _rewrite_index(entry, lambda index: None)
    assert cache.load_banks_cached([folder], where) == right
    assert loads == ["beta.yaml"]  # read from the entry: no parse


def test_an_entry_whose_card_keys_are_cut_short_is_a_miss(tmp_path: Path, loads: list[str]) -> None:
    import json

    folder = write_banks(tmp_path / "banks", beta=BETA)
    where = tmp_path / "c"
    right = cache.load_banks_cached([folder], where)
    [entry] = where.iterdir()
    header_line, rest = entry.read_bytes().split(b"\n", 1)
    header = json.loads(header_line)
    for size in (header["keys_bytes"] + 5, -1, "12"):
        entry.write_bytes(json.dumps({**header, "keys_bytes": size}).encode() + b"\n" + rest)
        assert cache.load_banks_cached([folder], where) == right
    assert len(loads) == 4
