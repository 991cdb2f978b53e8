"""Jobs the queue tests hand to real workers (imported by the worker by name)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def record(folder: str, label: str) -> None:
    """Leave a file named label in folder."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / label).write_text(str(os.getpid()))


def slow_first_attempt(folder: str) -> None:
    """Attempt n writes attempt-<n> (its pid); the first then hangs until it is killed."""
    path = Path(folder)
    attempt = len(list(path.glob("attempt-*"))) + 1
    (path / f"attempt-{attempt}").write_text(str(os.getpid()))
    if attempt == 1:
        time.sleep(120)
    (path / "done").write_text(str(os.getpid()))
