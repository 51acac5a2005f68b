"""HDBSCAN prediction on new samples: shoal vs the hdbscan package, same fitted data.

Run: ``python benchmarks/bench_hdbscan_predict.py [--n 50000] [--q 100000] [--d 2 8]``. Both
libraries fit the same blobs (5 % uniform noise; min_cluster_size=15, min_samples 10 in
scikit-learn's convention, 9 for the hdbscan package), then label ``q`` new samples from the
same draw with ``approximate_predict`` and compute their soft memberships with
``membership_vector``. Only the prediction calls are timed (each library's first call, which
may build a search index, and a second call). Quality: ARI between the two libraries' predicted
labels, and the largest difference of the membership vectors (columns matched by the
clusters' training labels; nan when the two fits found different clusters). The fits
themselves can differ (the hdbscan package's tree on tied mutual-reachability distances; on
the 2-D data shoal's labels equal scikit-learn's HDBSCAN), so the fit ARI is printed too.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _runner import report
from bench_hdbscan import make
from sklearn.metrics import adjusted_rand_score


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--q", type=int, default=100_000)
    ap.add_argument("--d", type=int, nargs="+", default=[2, 8])
    a = ap.parse_args()
    import hdbscan

    from shoal import HDBSCAN

    HDBSCAN(min_cluster_size=15, min_samples=10).fit(make(2000, 2)).approximate_predict(
        make(100, 2, seed=1)
    )  # compile
    rows = []
    for d in a.d:
        both = make(a.n + a.q, d)  # fit on n samples, predict the other q (same clusters)
        perm = np.random.default_rng(1).permutation(both.shape[0])
        X, Q = both[perm[: a.n]], both[perm[a.n :]]
        ours = HDBSCAN(min_cluster_size=15, min_samples=10).fit(X)
        ref = hdbscan.HDBSCAN(min_cluster_size=15, min_samples=9, prediction_data=True).fit(X)
        case = f"approximate_predict n={a.n} q={a.q} d={d}"
        t1, (lo, _) = _timed(ours.approximate_predict, Q)
        t2, _ = _timed(ours.approximate_predict, Q)
        r1, (lr, _) = _timed(hdbscan.approximate_predict, ref, Q)
        r2, _ = _timed(hdbscan.approximate_predict, ref, Q)
        ari = adjusted_rand_score(lr, lo)
        fit_ari = adjusted_rand_score(ref.labels_, ours.labels_)
        rows.append({"case": case, "impl": "shoal", "seconds": min(t1, t2), "first": t1,
                     "ari_vs_hdbscan": ari, "fit_ari_vs_hdbscan": fit_ari})  # fmt: skip
        rows.append({"case": case, "impl": "hdbscan", "seconds": min(r1, r2), "first": r1})
        case = f"membership_vector n={a.n} q={a.q} d={d}"
        t1, mo = _timed(ours.membership_vector, Q)
        r1, mr = _timed(hdbscan.membership_vector, ref, Q)
        # Match columns through the training labels (both number their clusters differently).
        cols = [int(np.bincount(ref.labels_[ours.labels_ == c] + 1).argmax()) - 1
                for c in range(mo.shape[1])]  # fmt: skip
        same = mo.shape == mr.shape and min(cols) >= 0
        err = float(np.abs(mo - mr[:, cols]).max()) if same else float("nan")
        rows.append({"case": case, "impl": "shoal", "seconds": t1, "max_abs_diff": err})
        rows.append({"case": case, "impl": "hdbscan", "seconds": r1})
    report("hdbscan_predict", rows, meta=vars(a))


if __name__ == "__main__":
    main()
