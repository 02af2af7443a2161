"""Moments as the progress database stores them: UTC milliseconds since the epoch."""

from __future__ import annotations

import datetime as dt

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)
MIN_MS, MAX_MS = -62_135_596_800_000, 253_402_300_799_999  # the times a datetime holds


def to_ms(moment: dt.datetime) -> int:
    """UTC milliseconds since the epoch."""
    return (moment - _EPOCH) // _MS


def from_ms(ms: int) -> dt.datetime:
    return _EPOCH + ms * _MS
