"""The catalogue's error (kept apart from the loader so that naming it costs no import)."""

from __future__ import annotations

from pathlib import Path


class CatalogueError(ValueError):
    """The catalogue cannot be used. Names the ``file`` and, where known, the ``indicator``."""

    def __init__(self, file: str | Path, reason: str, indicator: str | None = None):
        self.file = str(file)
        self.indicator = indicator
        self.reason = reason
        where = f"{self.file}, indicator '{indicator}'" if indicator else self.file
        super().__init__(f"{where}: {reason}")


__all__ = ["CatalogueError"]
