"""The terminal front end of the quiz engine: read a line, hand it to the :class:`Quiz`, print.

``?``, ``s`` and ``q`` are read here; everything else is an answer for the
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
    question_lines,
    summary_lines,
)
from hoquiz.render import answer_text
from hoquiz.study.engine import Answered, Asked, Clock, Quiz, SessionResult
from hoquiz.study.grading import Unparseable
from hoquiz.study.modes import Mode
from hoquiz.study.planning import DEFAULT_NEW_PER_DAY, StudyCard

if TYPE_CHECKING:
    from hoquiz.store import Store
    from hoquiz.study.scheduling import Scheduler


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


class Session:
    """One quiz session in the terminal: the engine's arguments and a console; call :meth:`run`."""

    def __init__(
        self,
        *,
        cards: Sequence[StudyCard],
        store: Store,
        console: Console,
        scheduler: Scheduler,
        rng: random.Random,
        clock: Clock,
        mode: Mode = Mode.REVIEW,
        new_per_day: int = DEFAULT_NEW_PER_DAY,
        limit: int | None = None,
    ) -> None:
        self.mode = mode = Mode(mode)  # ValueError for an unknown mode
        self.console = console

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
            )

        self._start = start

    def run(self) -> SessionResult:
        """Study until the queue is empty, q, end of input or Ctrl-C; then the summary."""
        quiz = self._start()
        self._show(intro_lines(quiz.intro))
        interrupted = False
        try:
            while (asked := quiz.next()) is not None:
                self._show(question_lines(asked))
                answer = self._self_graded if asked.card.question.self_graded else self._typed
                try:
                    answered = answer(quiz, asked)
                except _Skip:
                    self.console.show("Skipped.", "dim")
                    quiz.skip()
                    continue
                if answered.feedback:
                    self._show(feedback_lines(answered))
        except _Quit:
            pass
        except KeyboardInterrupt:
            interrupted = True
            self.console.show()
        result = quiz.finish(interrupted=interrupted)
        self._show(exam_report_lines(result))
        self._show(summary_lines(result))
        return result

    def _show(self, lines: Iterable[Line]) -> None:
        for text, style in lines:
            self.console.show(text, style)

    def _read(self, prompt: str, asked: Asked) -> str:
        """A line that is not ``?`` (which shows the help).

        Raises:
            _Skip: the learner typed s.
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
            if word != "?":
                return line
            self._show(help_lines(asked, self.mode))

    def _typed(self, quiz: Quiz, asked: Asked) -> Answered:
        while True:
            answered = quiz.submit(self._read("> ", asked))
            if not isinstance(answered, Unparseable):
                return answered
            self.console.show(f"Not an answer: {answered.hint}", "dim")

    def _self_graded(self, quiz: Quiz, asked: Asked) -> Answered:
        attempt = self._read("(Enter to reveal) > ", asked)
        self.console.show(f"Answer: {answer_text(asked.card.question)}", "key")
        while True:
            rating = self._read("Recall? 1 again, 2 hard, 3 good, 4 easy > ", asked)
            answered = quiz.rate(rating, attempt)
            if not isinstance(answered, Unparseable):
                return answered
            self.console.show(f"Not an answer: {answered.hint}", "dim")
