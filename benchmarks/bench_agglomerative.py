"""AgglomerativeClustering: shoal vs scikit-learn and fastcluster.linkage_vector, same data.

Run: ``python benchmarks/bench_agglomerative.py [--n 20000 --d 8 --side 200]``. Ward and single
linkage (the memory-saving vector versions in fastcluster). Quality: the largest difference of
the merge heights against fastcluster's (equal trees give 0), and the ARI of the 10-cluster
cuts. Then connectivity-constrained trees on a ``side x side`` image's pixel grid (ward,
complete, average, single) against scikit-learn's, the only peer with them: the largest
difference of the merge heights (merge by merge) and the ARI of the 10-cluster cuts.
"""

from __future__ import annotations

import argparse

import fastcluster
import numpy as np
from _runner import report, timeit
from scipy.cluster.hierarchy import fcluster
from sklearn.cluster import AgglomerativeClustering as SKAgglomerative
from sklearn.metrics import adjusted_rand_score

from shoal import AgglomerativeClustering


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--d", type=int, default=8)
    ap.add_argument("--side", type=int, default=200)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, (10, a.d))
    X = centers[rng.integers(0, 10, a.n)] + rng.standard_normal((a.n, a.d))
    AgglomerativeClustering(10).fit(X[:300])  # compiled kernels loaded
    AgglomerativeClustering(10, linkage="single").fit(X[:300])
    rows = []
    for method in ("ward", "single"):
        case = f"{method} n={a.n} d={a.d}"
        t, ours = timeit(lambda m=method: AgglomerativeClustering(10, linkage=m).fit(X))
        t_fc, Zf = timeit(lambda m=method: fastcluster.linkage_vector(X, method=m))
        t_sk, sk = timeit(lambda m=method: SKAgglomerative(10, linkage=m).fit(X))
        ref = fcluster(Zf, 10, "maxclust")
        gap = float(np.abs(ours.linkage_matrix_[:, 2] - Zf[:, 2]).max())
        rows += [
            {"case": case, "impl": "shoal", "seconds": t, "max_height_diff": gap,
             "ari_vs_fastcluster": adjusted_rand_score(ref, ours.labels_)},
            {"case": case, "impl": "fastcluster", "seconds": t_fc},
            {"case": case, "impl": "sklearn", "seconds": t_sk,
             "ari_vs_fastcluster": adjusted_rand_score(ref, sk.labels_)},
        ]  # fmt: skip
    rows += _grid_cases(a.side, rng)
    report("agglomerative", rows, meta=vars(a))


def _grid_cases(side: int, rng: np.random.Generator) -> list[dict]:
    from sklearn.feature_extraction.image import grid_to_graph

    yy, xx = np.mgrid[:side, :side] / side
    img = np.sin(6 * xx) + np.cos(5 * yy) + 0.3 * rng.standard_normal((side, side))
    P, G = img.reshape(-1, 1), grid_to_graph(side, side)
    rows = []
    for method in ("ward", "complete", "average", "single"):
        AgglomerativeClustering(3, linkage=method, connectivity=grid_to_graph(8, 8)).fit(P[:64])
        case = f"{method} grid {side}x{side} connectivity"
        t, ours = timeit(
            lambda m=method: AgglomerativeClustering(
                10, linkage=m, connectivity=G, compute_distances=True
            ).fit(P)
        )
        t_sk, sk = timeit(
            lambda m=method: SKAgglomerative(
                10, linkage=m, connectivity=G, compute_distances=True
            ).fit(P)
        )
        rows += [
            {"case": case, "impl": "shoal", "seconds": t,
             "max_height_diff": float(np.abs(ours.distances_ - sk.distances_).max())},
            {"case": case, "impl": "sklearn", "seconds": t_sk,
             "ari_vs_shoal": adjusted_rand_score(sk.labels_, ours.labels_)},
        ]  # fmt: skip
    return rows


if __name__ == "__main__":
    main()
