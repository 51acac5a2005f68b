"""Anomaly detection (the seeds' mini project): Gaussian-mixture likelihood and HDBSCAN GLOSH.

Three clusters of normal transactions plus 20 planted anomalies on a wide ring around them.
Both methods flag the top 2% of scores; the script prints each method's threshold, how many
samples it flags and how many of the planted anomalies it finds, and writes ``scores.csv``.

Run: ``python examples/anomalies.py [OUTPUT_DIR]``
"""

from __future__ import annotations

import numpy as np
from _common import output_dir

from shoal.apps import anomaly_scores


def transactions(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    centres = [[0.0, 0.0], [5.0, 1.0], [2.0, 5.0]]
    normal = np.vstack([rng.normal(c, [0.6, 0.4], (320, 2)) for c in centres])
    angle = rng.uniform(0, 2 * np.pi, 20)
    radius = rng.uniform(7, 10, 20)
    planted = np.column_stack([2.3 + radius * np.cos(angle), 2 + radius * np.sin(angle)])
    return np.vstack([normal, planted]), np.r_[np.zeros(960, bool), np.ones(20, bool)]


def main() -> None:
    out = output_dir()
    X, planted = transactions()
    contamination = 0.02
    gmm = anomaly_scores(X, contamination=contamination, n_components=3, random_state=0)
    hdb = anomaly_scores(X, method="hdbscan", contamination=contamination, min_cluster_size=25)
    print(f"samples={X.shape[0]} planted={int(planted.sum())} contamination={contamination}")
    for res in (gmm, hdb):
        found = int((res.is_anomaly & planted).sum())
        print(
            f"{res.method}: threshold={res.threshold:.6f} flagged={int(res.is_anomaly.sum())} "
            f"planted_found={found}"
        )
    np.savetxt(
        out / "scores.csv",
        np.column_stack([X, gmm.scores, hdb.scores, planted]),
        delimiter=",",
        header="x,y,gmm_score,glosh_score,planted",
        comments="",
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
