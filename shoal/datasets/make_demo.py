"""Generate the synthetic ``customers`` demo table (run once; the output is committed).

    python -m shoal.datasets.make_demo

writes ``shoal/datasets/data/customers.csv`` and ``customers_segments.txt`` (the latent segment
of each row, for checking how well a clustering recovers it). The seed is fixed, so running it
again on the same numpy version rewrites the same bytes.

Five segments, each a multivariate normal with segment-specific means and spreads, income and
basket size positively correlated within a segment, values clipped and rounded to plausible
ranges:

=================  =====  ======  ========  ====  ======  ======
segment            rows   income  spending  age   visits  basket
=================  =====  ======  ========  ====  ======  ======
0 budget students  140    26k     32        23    3.0     22
1 young spenders   125    38k     78        28    9.5     38
2 families         135    62k     50        39    5.0     88
3 affluent loyal   95     112k    82        45    7.5     125
4 affluent savers  105    96k     20        57    1.8     64
=================  =====  ======  ========  ====  ======  ======
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 20240611
COLUMNS = ["annual_income", "spending_score", "age", "visits_per_month", "basket_size"]

# (rows, means, standard deviations) per latent segment, in COLUMNS order.
SEGMENTS = [
    (140, [26_000, 32, 23, 3.0, 22], [6_000, 10, 3.5, 1.2, 8]),
    (125, [38_000, 78, 28, 9.5, 38], [8_000, 9, 5.0, 2.5, 12]),
    (135, [62_000, 50, 39, 5.0, 88], [10_000, 9, 6.0, 1.5, 20]),
    (95, [112_000, 82, 45, 7.5, 125], [18_000, 8, 8.0, 2.0, 28]),
    (105, [96_000, 20, 57, 1.8, 64], [15_000, 8, 8.0, 0.8, 18]),
]
LOW = np.array([8_000, 1, 18, 0.0, 3])
HIGH = np.array([250_000, 100, 85, 30.0, 400])
INCOME_BASKET_CORR = 0.5

DATA = Path(__file__).resolve().parent / "data"


def make_customers(seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Return the customers table (n, 5) and the latent segment of each row (n,)."""
    rng = np.random.default_rng(seed)
    blocks, segs = [], []
    for s, (n, mean, std) in enumerate(SEGMENTS):
        corr = np.eye(len(COLUMNS))
        corr[0, 4] = corr[4, 0] = INCOME_BASKET_CORR
        cov = corr * np.outer(std, std)
        blocks.append(rng.multivariate_normal(mean, cov, size=n, method="cholesky"))
        segs.append(np.full(n, s))
    X = np.clip(np.vstack(blocks), LOW, HIGH)
    y = np.concatenate(segs)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    X[:, 0] = np.round(X[:, 0], -2)
    X[:, 1] = np.round(X[:, 1])
    X[:, 2] = np.round(X[:, 2])
    X[:, 3] = np.round(X[:, 3], 1)
    X[:, 4] = np.round(X[:, 4], 2)
    return X, y


def main() -> None:
    """Write the CSV and the segment file under ``shoal/datasets/data``."""
    X, y = make_customers()
    DATA.mkdir(exist_ok=True)
    fmt = ["%.0f", "%.0f", "%.0f", "%.1f", "%.2f"]
    np.savetxt(
        DATA / "customers.csv", X, fmt=fmt, delimiter=",", header=",".join(COLUMNS), comments=""
    )
    np.savetxt(DATA / "customers_segments.txt", y, fmt="%d")
    print(f"wrote {len(y)} rows to {DATA / 'customers.csv'}")


if __name__ == "__main__":
    main()
