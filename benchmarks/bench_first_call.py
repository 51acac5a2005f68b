"""First-call cost of shoal's numba kernels: cold (empty cache) vs warm (cached on disk).

Each measurement is a fresh Python process that imports shoal and fits the default KMeans on a
small float64 array; NUMBA_CACHE_DIR points to a new empty folder for the cold run, and the
warm run reuses it. Usage: ``python benchmarks/bench_first_call.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from _runner import report

SNIPPET = """
import time
t0 = time.perf_counter()
import numpy as np
import shoal
t1 = time.perf_counter()
X = np.random.default_rng(0).standard_normal((2000, 8))
shoal.KMeans(8, random_state=0).fit(X)
t2 = time.perf_counter()
print(f"{t1 - t0:.4f} {t2 - t1:.4f}")
"""


def run(cache_dir: str) -> tuple[float, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", SNIPPET], env=env, capture_output=True, text=True, check=True
    )
    imp, fit = out.stdout.split()
    return float(imp), float(fit)


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        for label in ("cold (empty cache)", "warm (cached)", "warm (cached) again"):
            imp, fit = run(cache)
            rows.append(
                {"case": "import + first KMeans fit", "impl": f"shoal {label}",
                 "seconds": imp + fit, "import_s": imp, "first_fit_s": fit}
            )  # fmt: skip
    report("first_call", rows)


if __name__ == "__main__":
    main()
