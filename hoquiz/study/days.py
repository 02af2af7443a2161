"""Study days: where one day of studying ends and the next begins.

A study day runs from :data:`DEFAULT_DAY_STARTS` (4 am, as in Anki) in the
learner's time zone to 4 am the next day, so that a session after midnight
still counts for the evening it belongs to. The new-card allowance, "today"
in the statistics and the due forecast all follow it.

Pure: the moment is always passed in. ``tz=None`` means the system's time
zone (the ``TZ`` variable, else the operating system's setting), read at
each conversion so that a daylight-saving change is followed.
"""

from __future__ import annotations

import datetime as dt

DEFAULT_DAY_STARTS = 4


class Days:
    """The study days of a learner: a time zone and the hour a day starts.

    Args:
        starts: the hour (0-23, local time) a study day starts.
        tz: the learner's time zone; ``None`` for the system's.
    """

    __slots__ = ("starts", "tz")

    def __init__(self, starts: int = DEFAULT_DAY_STARTS, tz: dt.tzinfo | None = None) -> None:
        if not 0 <= starts <= 23:
            raise ValueError("a day starts at an hour from 0 to 23")
        self.starts = starts
        self.tz = tz

    def local(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` (timezone-aware) on the learner's clock."""
        return moment.astimezone(self.tz)

    def date(self, moment: dt.datetime) -> dt.date:
        """The study day ``moment`` belongs to (before the day's start: the day before)."""
        return (self.local(moment) - dt.timedelta(hours=self.starts)).date()

    def start(self, day: dt.date) -> dt.datetime:
        """When study day ``day`` begins, in UTC."""
        opening = dt.datetime.combine(day, dt.time(self.starts))
        local = opening.astimezone() if self.tz is None else opening.replace(tzinfo=self.tz)
        return local.astimezone(dt.UTC)

    def today_started(self, now: dt.datetime) -> dt.datetime:
        """When the study day of ``now`` began, in UTC: the new-card allowance resets then."""
        return self.start(self.date(now))

    def __repr__(self) -> str:
        return f"Days(starts={self.starts}, tz={self.tz!r})"


def parse_moment(text: str, tz: dt.tzinfo | None = None) -> dt.datetime:
    """A moment written as ISO 8601: ``2026-12-08T09:00``, ``2026-12-08 09:00+01:00``.

    Without an offset the time is on the clock of ``tz`` (``None``: the
    system's); a date alone means noon, well inside its study day.

    Raises:
        ValueError: ``text`` is not such a date and time.
    """
    text = text.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date and time such as 2026-12-08T09:00 (ISO 8601)"
        ) from None
    if len(text) <= len("2026-12-08"):
        moment = moment.replace(hour=12)
    if moment.tzinfo is None:
        moment = moment.astimezone() if tz is None else moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC)


LOCAL_DAYS = Days()
"""Days starting at 4 am in the system's time zone: the default."""
