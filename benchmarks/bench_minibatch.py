"""MiniBatchKMeans: shoal vs sklearn.cluster.MiniBatchKMeans on the same blobs, in one process.

Run: ``python benchmarks/bench_minibatch.py [--n 100000]``. Both run with the same parameters
and ``random_state``; shoal draws the same batches and reassignments as scikit-learn, so both
stop at the same step and the inertia is the quality figure (it should agree to rounding).
Two regimes per shape: the defaults (early stopping after 10 steps without improvement) and
``max_no_improvement=None, max_iter=10`` (ten full passes of mini-batches). Each call is timed
warm (best of ``--repeat``), shoal after one untimed call that loads the compiled kernels.
"""

from __future__ import annotations

import argparse

import numpy as np
from _runner import report, timeit
from sklearn.cluster import MiniBatchKMeans as SKMiniBatchKMeans
from sklearn.datasets import make_blobs

from shoal import MiniBatchKMeans

SHAPES = [(2, 8), (16, 50), (32, 100)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()

    rows = []
    for d, k in SHAPES:
        X, _ = make_blobs(n_samples=args.n, n_features=d, centers=k, cluster_std=2.0,
                          random_state=0)  # fmt: skip
        X = np.ascontiguousarray(X, dtype=args.dtype)
        for regime, extra in [
            ("early-stop", {}),
            ("10-epochs", {"max_no_improvement": None, "max_iter": 10}),
        ]:
            params = dict(n_clusters=k, batch_size=args.batch_size, random_state=0, **extra)
            case = f"n={args.n},d={d},k={k},{regime}"
            MiniBatchKMeans(**params).fit(X)  # compiled kernels loaded
            s_sec, ours = timeit(
                lambda p=params, X=X: MiniBatchKMeans(**p).fit(X), repeat=args.repeat
            )
            p_sec, ref = timeit(
                lambda p=params, X=X: SKMiniBatchKMeans(**p).fit(X), repeat=args.repeat
            )
            rows.append({"case": case, "impl": "shoal", "seconds": s_sec,
                         "inertia": ours.inertia_, "n_steps": ours.n_steps_})  # fmt: skip
            rows.append({"case": case, "impl": "sklearn", "seconds": p_sec,
                         "inertia": ref.inertia_, "n_steps": ref.n_steps_,
                         "inertia_rel_diff": ours.inertia_ / ref.inertia_ - 1.0})  # fmt: skip
    report(
        f"minibatch_{args.dtype}",
        rows,
        {"n": args.n, "batch_size": args.batch_size, "dtype": args.dtype, "repeat": args.repeat},
    )


if __name__ == "__main__":
    main()
