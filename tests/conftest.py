from __future__ import annotations

import os
import sys
from pathlib import Path

# scikit-learn's check_array_api_input runs only in scipy's array-API mode; set it before
# scipy is imported so that the common checks run in full (none skipped).
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# The tests compile every numba kernel once (about two thirds of a cold run's time). LLVM's
# optimisation level 1 instead of numba's default 3 cuts that compile time by about a fifth
# (the same code, the same threads and parfors, the same IEEE arithmetic: only fewer LLVM
# passes); the kernels then run a little slower, which the small test data does not feel. The
# level-1 code is cached in its own folder so that it never serves a benchmark or a user run
# (those keep numba's default level and cache). Must be set before numba is imported;
# subprocesses started by the tests (CLI, dask workers) inherit both settings.
# Two xdist workers share two cores, and each runs its numba parallel regions on two OpenMP
# threads: with OpenMP's default (spinning) wait policy a waiting thread burns the core the
# other worker needs, which made small fits 4-6x slower when two ran at once (measured: five
# FuzzyCMeans/KMeans/GaussianMixture rounds 0.8 s alone, 2.9-5.1 s side by side, 1.1 s with
# PASSIVE). Passive waiting keeps both threads (the parallel code paths are still tested).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
if "numba" not in sys.modules:
    os.environ.setdefault("NUMBA_OPT", "1")
    os.environ.setdefault(
        "NUMBA_CACHE_DIR", str(Path(__file__).resolve().parent.parent / ".numba_test_cache")
    )


import numpy as np
import pytest


@pytest.fixture
def blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, size=(5, 4))
    y = rng.integers(0, 5, size=600)
    X = centers[y] + rng.standard_normal((600, 4))
    return X, y


def _log_numba_compiles(path: str) -> None:
    """Append 'cpu-seconds<TAB>function<TAB>signature' per numba compilation to ``path``
    (set SHOAL_COMPILE_LOG to find what a cold test run spends compiling). Time spent
    compiling a callee inside its caller is counted once, for the outermost function."""
    import time

    from numba.core import event

    stack: list[float] = []

    class _Log(event.Listener):
        def on_start(self, ev):
            stack.append(time.thread_time())

        def on_end(self, ev):
            t0 = stack.pop()
            if stack:
                return
            disp = ev.data.get("dispatcher")
            name = getattr(getattr(disp, "py_func", None), "__qualname__", "?")
            module = getattr(getattr(disp, "py_func", None), "__module__", "?")
            with open(path, "a") as fh:
                fh.write(f"{time.thread_time() - t0:.3f}\t{module}.{name}\t"
                         f"{ev.data.get('args')}\n")  # fmt: skip

    event.register("numba:compile", _Log())


if os.environ.get("SHOAL_COMPILE_LOG"):
    _log_numba_compiles(os.environ["SHOAL_COMPILE_LOG"])
