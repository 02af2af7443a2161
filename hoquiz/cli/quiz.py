"""The terminal front end of the quiz engine: read a line, hand it to the :class:`Quiz`, print.

``?``, ``s``, ``u``, ``!`` and ``q`` are read here; everything else is an answer for the
engine to grade. What is printed comes from :mod:`hoquiz.cli.quiz_text`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from hoquiz.cli.quiz_text import (
    Line,
    exam_report_lines,
    feedback_lines,
    help_lines,
    intro_lines,
    override_lines,
    question_lines,
    summary_lines,
    undo_lines,
)
from hoquiz.errors import StoreError
from hoquiz.render import answer_text
from hoquiz.study.days import LOCAL_DAYS, Days
from hoquiz.study.engine import Answered, Asked, Clock, NotAvailable, Quiz, SessionResult
from hoquiz.study.grading import Unparseable
from hoquiz.study.modes import Mode
from hoquiz.study.planning import Deck, StudyCard
from hoquiz.study.settings import DEFAULT_NEW_PER_DAY

if TYPE_CHECKING:
    from hoquiz.store import Store
    from hoquiz.study.scheduling import Scheduler


COMMANDS = frozenset({"q", "s", "u", "!", "?"})
"""What the learner types, alone on a line, to do something other than answer."""


class Console(Protocol):
    """Where a session reads answers and shows text."""

    def show(self, text: str = "", style: str | None = None) -> None:
        """Print ``text`` and a newline; ``style`` is a hint: title, good, bad, dim, key."""

    def ask(self, prompt: str) -> str | None:
        """Show ``prompt`` and read one line; ``None`` at end of input.

        Ctrl-C raises ``KeyboardInterrupt``.
        """


class _Quit(Exception):
    """The learner typed q, or input ended."""


class _Skip(Exception):
    """The learner typed s."""


class _Again(Exception):
    """After u, the question asked again; after an override that ended the asking, ``None``."""

    def __init__(self, asked: Asked | None) -> None:
        super().__init__()
        self.asked = asked


class Session:
    """One quiz session in the terminal: the engine's arguments and a console; call :meth:`run`."""

    def __init__(
        self,
        *,
        cards: Sequence[StudyCard] | Deck,
        store: Store,
        console: Console,
        scheduler: Scheduler,
        rng: random.Random,
        clock: Clock,
        mode: Mode = Mode.REVIEW,
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        limit: int | None = None,
        days: Days = LOCAL_DAYS,
    ) -> None:
        self.mode = mode = Mode(mode)  # ValueError for an unknown mode
        self.console = console
        self.days = days

        def start() -> Quiz:
            return Quiz(
                cards=cards,
                store=store,
                scheduler=scheduler,
                rng=rng,
                clock=clock,
                mode=mode,
                new_per_day=new_per_day,
                limit=limit,
                days=days,
            )

        self._start = start

    def run(self) -> SessionResult:
        """Study until the queue is empty, q, end of input or Ctrl-C; then the summary."""
        quiz = self._start()
        self._show(intro_lines(quiz.intro, self.days))
        interrupted = False
        try:
            asked = quiz.next()
            while asked is not None:
                self._show(question_lines(asked))
                answer = self._self_graded if asked.card.question.self_graded else self._typed
                try:
                    answered = answer(quiz, asked)
                except _Skip:
                    self.console.show("Skipped.", "dim")
                    quiz.skip()
                    asked = quiz.next()
                    continue
                except _Again as again:
                    if again.asked is None:
                        asked = quiz.next()
                        continue
                    self._show(undo_lines(again.asked))
                    asked = again.asked
                    continue
                if answered.feedback:
                    self._show(feedback_lines(answered, self.mode))
                asked = quiz.next()
        except _Quit:
            pass
        except KeyboardInterrupt:
            interrupted = True
            self.console.show()
        result = quiz.finish(interrupted=interrupted)
        self._show(exam_report_lines(result))
        self._show(summary_lines(result, self.days))
        return result

    def _show(self, lines: Iterable[Line]) -> None:
        for text, style in lines:
            self.console.show(text, style)

    def _read(self, prompt: str, asked: Asked, quiz: Quiz) -> str:
        """A line that is not a command: ``?`` shows the help, ``!`` overrides the last verdict.

        Raises:
            _Skip: the learner typed s.
            _Again: the learner typed u, and the last answer was taken back.
            _Quit: the learner typed q, or input ended.
        """
        while True:
            line = self.console.ask(prompt)
            if line is None:
                self.console.show()
                raise _Quit
            word = line.strip().lower()
            if word == "q":
                raise _Quit
            if word == "s":
                raise _Skip
            if word == "?":
                self._show(help_lines(asked, self.mode))
            elif word in ("u", "!"):
                try:
                    if word == "u":
                        raise _Again(quiz.undo())
                    self._show(override_lines(quiz.override()))
                    if quiz.current is None:
                        raise _Again(None)
                except (NotAvailable, StoreError) as error:
                    self.console.show(f"Cannot do that: {error}", "dim")
            else:
                return line

    def _typed(self, quiz: Quiz, asked: Asked) -> Answered:
        while True:
            answered = quiz.submit(self._read("> ", asked, quiz))
            if not isinstance(answered, Unparseable):
                return answered
            self.console.show(f"Not an answer: {answered.hint}", "dim")

    def _self_graded(self, quiz: Quiz, asked: Asked) -> Answered:
        attempt = self._read("(Enter to reveal) > ", asked, quiz)
        self.console.show(f"Answer: {answer_text(asked.card.question)}", "key")
        while True:
            rating = self._read("Recall? 1 again, 2 hard, 3 good, 4 easy > ", asked, quiz)
            answered = quiz.rate(rating, attempt)
            if not isinstance(answered, Unparseable):
                return answered
            self.console.show(f"Not an answer: {answered.hint}", "dim")
