"""Shared helpers for the benchmark scripts: time calls, print a table, write JSON.

Each script runs shoal and its peer on the same data in one process and reports seconds, the
ratio shoal/peer and a quality figure. Results go to ``benchmarks/results/<name>.json``.
Timings live here, never in tests.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def timeit(fn: Callable[[], Any], repeat: int = 1, warmup: int = 0) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls after ``warmup`` untimed calls, and the last result."""
    out = None
    for _ in range(warmup):
        out = fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "processor": platform.processor(),
    }


def report(name: str, rows: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> Path:
    """Print ``rows`` as a table and write them with ``meta`` to ``results/<name>.json``.

    Each row holds at least ``case``, ``impl`` and ``seconds``; rows that share a ``case`` are
    compared against the row whose ``impl`` starts with ``shoal`` (ratio = shoal / peer).
    """
    by_case: dict[str, float] = {}
    for r in rows:
        if str(r["impl"]).startswith("shoal"):
            by_case.setdefault(r["case"], r["seconds"])
    for r in rows:
        base = by_case.get(r["case"])
        if base is not None and not str(r["impl"]).startswith("shoal") and r["seconds"] > 0:
            r["shoal_over_peer"] = base / r["seconds"]
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    widths = {k: max(len(k), *(len(_fmt(r.get(k, ""))) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for r in rows:
        print("  ".join(_fmt(r.get(k, "")).ljust(widths[k]) for k in keys))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), "meta": meta or {}, "rows": rows}
    path.write_text(json.dumps(payload, indent=2, default=float))
    print(f"-> {path}")
    return path


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
