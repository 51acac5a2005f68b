"""Shared by the examples: the output folder (first argument, or a new temporary folder)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def output_dir() -> Path:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="shoal-"))
    out.mkdir(parents=True, exist_ok=True)
    return out
