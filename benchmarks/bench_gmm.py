"""GaussianMixture: shoal vs sklearn.mixture.GaussianMixture, same data, same initial parameters.

Run: ``python benchmarks/bench_gmm.py [--n 100000 --d 16 --k 10]``. Both start from the same
weights, means and precisions (scikit-learn's after one EM iteration from its k-means init) and
run 20 EM iterations with tol=0, so they compute the same iterates: the final log-likelihood
(lower bound) is the quality figure. Best of ``--repeat`` warm runs each.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from _runner import report, timeit
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SKGaussianMixture

from shoal import GaussianMixture


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=16)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--types", default="full,diag")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument(
        "--cheap-init",
        action="store_true",
        help="start from k random rows, equal weights and the data's variances (skips "
        "scikit-learn's k-means initialisation, slow at n=1e6)",
    )
    a = ap.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)

    X, _ = make_blobs(a.n, a.d, centers=a.k, cluster_std=2.0, random_state=0)
    rows = []
    for ct in a.types.split(","):
        if a.cheap_init:
            rng = np.random.default_rng(0)
            var = X.var(axis=0)
            prec = {"full": np.tile(np.diag(1 / var), (a.k, 1, 1)), "tied": np.diag(1 / var),
                    "diag": np.tile(1 / var, (a.k, 1)),
                    "spherical": np.full(a.k, 1 / var.mean())}[ct]  # fmt: skip
            means = X[rng.choice(a.n, a.k, replace=False)]
            init = dict(weights_init=np.full(a.k, 1.0 / a.k), means_init=means,
                        precisions_init=prec)  # fmt: skip
        else:
            ref0 = SKGaussianMixture(a.k, covariance_type=ct, random_state=0, max_iter=1).fit(X)
            init = dict(weights_init=ref0.weights_, means_init=ref0.means_,
                        precisions_init=ref0.precisions_)  # fmt: skip
        kw = dict(covariance_type=ct, tol=0.0, max_iter=a.iters, **init)
        GaussianMixture(a.k, **kw).fit(X[:2000])  # compiled kernels loaded
        case = f"{a.iters} EM iters n={a.n} d={a.d} k={a.k} {ct}"
        t, ours = timeit(lambda kw=kw: GaussianMixture(a.k, **kw).fit(X), repeat=a.repeat)
        rows.append({"case": case, "impl": "shoal", "seconds": t, "lower_bound": ours.lower_bound_})
        t, ref = timeit(lambda kw=kw: SKGaussianMixture(a.k, **kw).fit(X), repeat=a.repeat)
        rows.append({"case": case, "impl": "sklearn", "seconds": t, "lower_bound": ref.lower_bound_,
                     "lower_bound_diff": ours.lower_bound_ - ref.lower_bound_})  # fmt: skip
    report(f"gmm_n{a.n}_d{a.d}_k{a.k}", rows, meta=vars(a))


if __name__ == "__main__":
    main()
