"""KMedoids: shoal vs the kmedoids package (Schubert's FasterPAM in Rust), same data.

Run: ``python benchmarks/bench_kmedoids.py [--n 3000 --d 4 --k 8]``. Cases:

* ``fasterpam precomputed``: both get the same float64 distance matrix and the same random
  initial medoids;
* ``fasterpam euclidean``: from the data (the kmedoids package's ``KMedoids`` computes the
  matrix with scikit-learn's ``pairwise_distances``; shoal with its own kernel), same start;
* ``defaults euclidean``: each library's defaults (shoal: k-medoids++ + FasterPAM; kmedoids:
  random + FasterPAM);
* ``pam build``: BUILD then PAM's best-swap SWAP in both (deterministic: same medoids);
* ``alternate``: the Voronoi iteration from the same start.

The loss (sum of distances) is the quality figure. Best of ``--repeat`` warm runs each.
"""

from __future__ import annotations

import argparse

import kmedoids
import numpy as np
from _runner import report, timeit
from sklearn.datasets import make_blobs
from sklearn.metrics import pairwise_distances

from shoal import KMedoids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--d", type=int, default=4)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    X, _ = make_blobs(a.n, a.d, centers=a.k, cluster_std=2.0, random_state=0)
    D = pairwise_distances(X)
    start = np.random.default_rng(0).choice(a.n, a.k, replace=False)
    KMedoids(a.k, method="pam", init="build").fit(X[:200])  # compiled kernels loaded
    KMedoids(a.k, method="alternate").fit(X[:200])
    size = f"n={a.n} d={a.d} k={a.k}"
    rows = []

    def add(case, t, loss, t_ref, loss_ref):
        rows.append({"case": f"{case} {size}", "impl": "shoal", "seconds": t, "loss": loss})
        rows.append({"case": f"{case} {size}", "impl": "kmedoids", "seconds": t_ref,
                     "loss": loss_ref, "loss_rel_diff": loss / loss_ref - 1})  # fmt: skip

    t, ours = timeit(
        lambda: KMedoids(a.k, metric="precomputed", init=start).fit(D), repeat=a.repeat
    )
    t_ref, ref = timeit(lambda: kmedoids.fasterpam(D, start.copy()), repeat=a.repeat)
    add("fasterpam precomputed", t, ours.inertia_, t_ref, float(ref.loss))

    t, ours = timeit(lambda: KMedoids(a.k, init=start).fit(X), repeat=a.repeat)
    t_ref, ref = timeit(
        lambda: kmedoids.fasterpam(pairwise_distances(X), start.copy()), repeat=a.repeat
    )
    add("fasterpam euclidean", t, ours.inertia_, t_ref, float(ref.loss))

    t, ours = timeit(lambda: KMedoids(a.k, random_state=0).fit(X), repeat=a.repeat)
    t_ref, ref = timeit(
        lambda: kmedoids.KMedoids(a.k, metric="euclidean", random_state=0).fit(X),
        repeat=a.repeat,
    )
    add("defaults euclidean", t, ours.inertia_, t_ref, float(ref.inertia_))

    t, ours = timeit(
        lambda: KMedoids(a.k, metric="precomputed", method="pam", init="build").fit(D),
        repeat=a.repeat,
    )
    t_ref, ref = timeit(lambda: kmedoids.pam(D, a.k, init="build"), repeat=a.repeat)
    add("pam build precomputed", t, ours.inertia_, t_ref, float(ref.loss))

    t, ours = timeit(
        lambda: KMedoids(a.k, metric="precomputed", method="alternate", init=start).fit(D),
        repeat=a.repeat,
    )
    t_ref, ref = timeit(lambda: kmedoids.alternating(D, start.copy()), repeat=a.repeat)
    add("alternate precomputed", t, ours.inertia_, t_ref, float(ref.loss))

    report("kmedoids", rows, meta=vars(a))


if __name__ == "__main__":
    main()
