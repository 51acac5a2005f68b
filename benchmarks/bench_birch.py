"""Birch: shoal vs scikit-learn, same data, same parameters, each in its own process.

Run: ``python benchmarks/bench_birch.py [--quick]``. Cases: Gaussian blobs (10 centres in
[-10, 10]^8, unit spread), 1e4 and 1e5 points in 8-D, threshold=1.0, n_clusters=10 (the issue's
case is the 1e5 one). Each implementation runs in a fresh child process (after a warm-up fit on a
small sample for shoal, so compilation is not timed), which reports the fit's wall time, the
process's peak resident memory and the number of leaf subclusters. Quality: the ARI between the
two labelings (1.0: the same global clusters) and whether the subcluster counts agree.
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

CASES = [(10_000, 8, 1.0, 10), (100_000, 8, 1.0, 10)]  # n, d, threshold, n_clusters


def make(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, (10, d))
    return centers[rng.integers(0, 10, n)] + rng.standard_normal((n, d))


def child(impl: str, n: int, d: int, threshold: float, k: int, out: str) -> None:
    X = make(n, d)
    if impl == "shoal":
        from shoal import Birch

        Birch(threshold=threshold, n_clusters=k).fit(X[:2000])
    else:
        from sklearn.cluster import Birch  # type: ignore[no-redef]
    t0 = time.perf_counter()
    est = Birch(threshold=threshold, n_clusters=k).fit(X)
    t = time.perf_counter() - t0
    np.save(out, est.labels_)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB on Linux
    m = int(est.subcluster_centers_.shape[0])
    print(json.dumps({"seconds": t, "peak_mib": peak, "subclusters": m}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="only the 1e4 case")
    ap.add_argument("--child", nargs=6, metavar=("IMPL", "N", "D", "T", "K", "OUT"))
    a = ap.parse_args()
    if a.child:
        impl, n, d, thr, k, out = a.child
        child(impl, int(n), int(d), float(thr), int(k), out)
        return
    from sklearn.metrics import adjusted_rand_score

    rows = []
    for n, d, thr, k in CASES:
        if a.quick and n > 10_000:
            continue
        case = f"n={n} d={d} threshold={thr} n_clusters={k}"
        res = {}
        with tempfile.TemporaryDirectory() as tmp:
            for impl in ("shoal", "sklearn"):
                out = str(Path(tmp) / f"{impl}.npy")
                cmd = [sys.executable, __file__, "--child", impl, str(n), str(d), str(thr),
                       str(k), out]  # fmt: skip
                line = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                res[impl] = json.loads(line.strip().splitlines()[-1])
                res[impl]["labels"] = np.load(out)
        ari = adjusted_rand_score(res["sklearn"]["labels"], res["shoal"]["labels"])
        for impl in ("shoal", "sklearn"):
            r = res[impl]
            row = {"case": case, "impl": impl, "seconds": r["seconds"],
                   "peak_mib": r["peak_mib"], "subclusters": r["subclusters"]}  # fmt: skip
            if impl == "sklearn":
                row["ari_vs_shoal"] = ari
                row["same_subcluster_count"] = r["subclusters"] == res["shoal"]["subclusters"]
            rows.append(row)
    report("birch", rows, meta=vars(a))


if __name__ == "__main__":
    main()
