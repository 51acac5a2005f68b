"""DBSCAN: shoal vs scikit-learn, same data, same parameters, each in its own process.

Run: ``python benchmarks/bench_dbscan.py [--quick]``. Cases: 1e5 and 1e6 points in 2-D and 1e5
in 8-D (Gaussian blobs with 5 % uniform noise). Each implementation runs in a fresh child process
(after a warm-up fit on a small sample for shoal, so compilation is not timed), which reports the
fit's wall time and the process's peak resident memory (``ru_maxrss``). The quality figures:
whether the labels are identical to scikit-learn's and the ARI between them.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _runner import report

CASES = [  # n, d, eps, min_samples
    (100_000, 2, 0.05, 10),
    (1_000_000, 2, 0.02, 10),
    (100_000, 8, 1.0, 10),
]


def make(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    k = 20
    centers = rng.uniform(-10, 10, (k, d))
    X = centers[rng.integers(0, k, n)] + 0.5 * rng.standard_normal((n, d))
    m = n // 20
    X[:m] = rng.uniform(-12, 12, (m, d))
    return X


def child(impl: str, n: int, d: int, eps: float, ms: int, out: str) -> None:
    X = make(n, d)
    if impl == "shoal":
        from shoal import DBSCAN

        DBSCAN(eps=eps, min_samples=ms).fit(X[:2000])
    else:
        from sklearn.cluster import DBSCAN  # type: ignore[no-redef]
    t0 = time.perf_counter()
    labels = DBSCAN(eps=eps, min_samples=ms).fit(X).labels_
    t = time.perf_counter() - t0
    np.save(out, labels)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    print(json.dumps({"seconds": t, "peak_mib": peak}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="only the 1e5 cases")
    ap.add_argument("--child", nargs=6, metavar=("IMPL", "N", "D", "EPS", "MS", "OUT"))
    a = ap.parse_args()
    if a.child:
        impl, n, d, eps, ms, out = a.child
        child(impl, int(n), int(d), float(eps), int(ms), out)
        return
    from sklearn.metrics import adjusted_rand_score

    rows = []
    for n, d, eps, ms in CASES:
        if a.quick and n > 100_000:
            continue
        case = f"n={n} d={d} eps={eps} min_samples={ms}"
        res = {}
        with tempfile.TemporaryDirectory() as tmp:
            for impl in ("shoal", "sklearn"):
                out = str(Path(tmp) / f"{impl}.npy")
                cmd = [sys.executable, __file__, "--child", impl, str(n), str(d), str(eps),
                       str(ms), out]  # fmt: skip
                line = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                res[impl] = json.loads(line.strip().splitlines()[-1])
                res[impl]["labels"] = np.load(out)
        same = bool(np.array_equal(res["shoal"]["labels"], res["sklearn"]["labels"]))
        ari = float(adjusted_rand_score(res["sklearn"]["labels"], res["shoal"]["labels"]))
        n_clusters = int(res["sklearn"]["labels"].max() + 1)
        for impl in ("shoal", "sklearn"):
            rows.append({"case": case, "impl": impl, "seconds": res[impl]["seconds"],
                         "peak_mib": round(res[impl]["peak_mib"]), "clusters": n_clusters,
                         "same_labels": same, "ari": ari})  # fmt: skip
    report("dbscan", rows, meta=vars(a))


if __name__ == "__main__":
    main()
