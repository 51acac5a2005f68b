"""KModes / KPrototypes: shoal vs the kmodes package, same data, same start.

Run: ``python benchmarks/bench_kmodes.py [--n 20000 --p 10 --k 8]``. KModes: categorical data
(k planted prototypes, 25% of the values replaced at random), Cao start in both (deterministic,
one run each): they compute the same iterates, so the costs are equal. KPrototypes: 2 numeric
+ ``p // 2`` categorical columns, the same fixed initial prototypes and gamma in both. The
cost is the quality figure. Best of ``--repeat`` warm runs for shoal; one run for kmodes
(seconds to minutes).
"""

from __future__ import annotations

import argparse

import numpy as np
from _runner import report, timeit
from kmodes.kmodes import KModes as RefKModes
from kmodes.kprototypes import KPrototypes as RefKPrototypes

from shoal import KModes, KPrototypes


def _categorical(n: int, p: int, k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    protos = rng.integers(0, 6, (k, p))
    X = protos[rng.integers(0, k, n)]
    flip = rng.random((n, p)) < 0.25
    X[flip] = rng.integers(0, 6, flip.sum())
    return np.array(list("abcdef"))[X]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--p", type=int, default=10)
    ap.add_argument("--k", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    rows = []

    X = _categorical(a.n, a.p, a.k)
    KModes(a.k).fit(X[:500])  # compiled kernels loaded
    case = f"kmodes Cao n={a.n} p={a.p} k={a.k}"
    t, ours = timeit(lambda: KModes(a.k, init="Cao").fit(X), repeat=a.repeat)
    t_ref, ref = timeit(lambda: RefKModes(a.k, init="Cao").fit(X))
    rows.append({"case": case, "impl": "shoal", "seconds": t, "cost": ours.cost_,
                 "n_iter": ours.n_iter_})  # fmt: skip
    rows.append({"case": case, "impl": "kmodes", "seconds": t_ref, "cost": float(ref.cost_),
                 "n_iter": ref.n_iter_, "cost_rel_diff": ours.cost_ / ref.cost_ - 1})  # fmt: skip

    q = a.p // 2
    cat = _categorical(a.n, q, a.k, seed=1)
    rng = np.random.default_rng(2)
    num = rng.normal(size=(a.n, 2)) + (cat[:, :1] == "a") * 3.0
    Xm = np.empty((a.n, 2 + q), dtype=object)
    Xm[:, :2] = num
    Xm[:, 2:] = cat
    start = rng.choice(a.n, a.k, replace=False)
    codes = np.column_stack([np.searchsorted(np.unique(cat[:, j]), cat[start, j])
                             for j in range(q)])  # fmt: skip
    categorical = list(range(2, 2 + q))
    KPrototypes(a.k, categorical=categorical, init=Xm[start], gamma=1.0).fit(Xm[:500])
    case = f"kprototypes fixed start n={a.n} 2 num + {q} cat k={a.k}"
    t, ours = timeit(
        lambda: KPrototypes(a.k, categorical=categorical, init=Xm[start], gamma=1.0).fit(Xm),
        repeat=a.repeat,
    )
    t_ref, ref = timeit(
        lambda: RefKPrototypes(a.k, init=[num[start], codes], n_init=1, gamma=1.0).fit(
            Xm, categorical=categorical
        )
    )
    rows.append({"case": case, "impl": "shoal", "seconds": t, "cost": ours.cost_,
                 "n_iter": ours.n_iter_})  # fmt: skip
    rows.append({"case": case, "impl": "kmodes", "seconds": t_ref, "cost": float(ref.cost_),
                 "n_iter": ref.n_iter_, "cost_rel_diff": ours.cost_ / ref.cost_ - 1})  # fmt: skip
    report("kmodes", rows, meta=vars(a))


if __name__ == "__main__":
    main()
