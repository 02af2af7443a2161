"""The user's folders for hoquiz's files (platformdirs is imported here only, lazily)."""

from __future__ import annotations

from pathlib import Path


def default_db() -> Path:
    """``progress.db`` in the platform's user data folder for hoquiz."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hoquiz", appauthor=False)) / "progress.db"


def default_cache_dir() -> Path:
    """The platform's user cache folder for hoquiz."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hoquiz", appauthor=False))
