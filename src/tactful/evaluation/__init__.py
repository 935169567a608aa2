"""Measurements of the analyzer against labelled data (``tactful eval``)."""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    """``$TACTFUL_SHARED_DATA``, else ``../shared/data`` from here, else beside the project checkout."""
    env = os.environ.get("TACTFUL_SHARED_DATA")
    if env:
        return Path(env)
    beside_cwd = Path("..") / "shared" / "data"
    if beside_cwd.is_dir():
        return beside_cwd
    return Path(__file__).resolve().parents[3].parent / "shared" / "data"
