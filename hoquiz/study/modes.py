"""The quiz modes (a light module: the CLI imports it to parse ``--mode``)."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """How a session picks cards and what it does with the answers.

    * review: due cards, then today's new cards; answers reschedule the cards.
    * cram: every selected question in random order; answers are logged, the
      schedule is not touched.
    * exam: questions drawn at random, no feedback until the end, then a report.
    """

    REVIEW = "review"
    CRAM = "cram"
    EXAM = "exam"
