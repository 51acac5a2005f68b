"""GPU (torch) backend, mixture / mean shift / DBSCAN half: shoal's torch path vs torch SDPA,
shoal's numba path and scikit-learn.

Run: ``python benchmarks/bench_gpu_other.py`` on a CUDA machine (issue 8's sizes), or
``--small`` for tiny sizes on the CPU (checks that everything runs). Cases:

* Gaussian mean shift, one step of every sample at n with d = 2, 16, 64: shoal's streamed
  step (Triton kernel on CUDA, fp32) vs ``scaled_dot_product_attention`` of the same shape in
  fp16 and fp32 (queries ``[y, 1]``, keys ``[x, -|x|^2 / 2]``, values ``x``, scale ``1/h^2``,
  ``h = 0.5 sqrt(d)``);
  quality: max abs error of 256 seeds against a float64 step (data 10 units from the origin).
  Target: <= 2x SDPA's time at fp32 accuracy.
* MeanShift fit (gaussian kernel, bin seeding) of n x 2 (target < 60 s at 1e6).
* GaussianMixture diag n x 64, k=64, exactly 100 EM iterations (target < 2 s at 1e6) and full
  n x 32, k=16; quality: the final lower bound.
* DBSCAN of n 2-D points (target < 2 s at 1e7); quality: labels equal to the numba path's.

Each also runs shoal's CPU (numba) path and scikit-learn on the CPU at a size they can do.
"""

from __future__ import annotations

import argparse
import math
import warnings

import numpy as np
import torch
from _runner import report, timeit
from sklearn.cluster import DBSCAN as SKDBSCAN
from sklearn.cluster import MeanShift as SKMeanShift
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SKGaussianMixture

from shoal import DBSCAN, GaussianMixture, MeanShift
from shoal._kernels.torch_.meanshift import meanshift_gaussian_step, triton_available


def _sync(dev: str) -> None:
    if dev.startswith("cuda"):
        torch.cuda.synchronize()


def _meta(dev: str, a: argparse.Namespace) -> dict:
    meta = {"args": vars(a), "device": dev, "torch": torch.__version__}
    meta["triton"] = triton_available()
    if dev.startswith("cuda"):
        meta["device_name"] = torch.cuda.get_device_name(0)
        meta["cuda"] = torch.version.cuda
        try:
            import subprocess

            meta["driver"] = subprocess.run(
                ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                capture_output=True, text=True, check=False,
            ).stdout.strip()  # fmt: skip
        except OSError:
            meta["driver"] = "unknown"
    return meta


def _ref_step(X: np.ndarray, Y: np.ndarray, h: float) -> np.ndarray:
    X, Y = X.astype(np.float64), Y.astype(np.float64)
    out = np.empty_like(Y)
    for s in range(0, Y.shape[0], 16):
        r2 = ((Y[s : s + 16, None, :] - X[None]) ** 2).sum(-1)
        W = np.exp(-0.5 * (r2 - r2.min(1, keepdims=True)) / h**2)
        out[s : s + 16] = W @ X / W.sum(1)[:, None]
    return out


def bench_step(n: int, dev: str, rows: list) -> None:
    rng = np.random.default_rng(0)
    for d in (2, 16, 64):
        h = 0.5 * math.sqrt(d)  # a few neighbours carry weight at every d
        X = (rng.normal(size=(n, d)) + 10.0).astype(np.float32)
        probe = min(256, n)
        ref = _ref_step(X, X[:probe], h)
        T = torch.from_numpy(X).to(dev)
        out = torch.empty_like(T)
        lm = torch.empty(n, device=dev)
        lp = torch.empty_like(lm)

        def ours(T=T, out=out, lm=lm, lp=lp, h=h):
            meanshift_gaussian_step(T, T, h, out, lm, lp)
            _sync(dev)
            return out

        case = f"meanshift step n={n} d={d}"
        t, got = timeit(ours, warmup=1)
        err = float(np.abs(got[:probe].double().cpu().numpy() - ref).max())
        rows.append({"case": case, "impl": "shoal-torch fp32", "seconds": t, "max_abs_err": err})
        q = torch.cat([T, torch.ones(n, 1, device=dev)], 1)
        k = torch.cat([T, -0.5 * (T * T).sum(1, keepdim=True)], 1)
        for dt, name in ((torch.float16, "torch-sdpa fp16"), (torch.float32, "torch-sdpa fp32")):
            if dt == torch.float16 and not dev.startswith("cuda"):
                continue

            qt, kt, vt = q.to(dt), k.to(dt), T.to(dt)

            def sdpa(q=qt, k=kt, v=vt, h=h):
                o = torch.nn.functional.scaled_dot_product_attention(
                    q[None, None], k[None, None], v[None, None], scale=1.0 / h**2
                )
                _sync(dev)
                return o[0, 0]

            t, o = timeit(sdpa, warmup=1)
            err = float(np.abs(o[:probe].double().cpu().numpy() - ref).max())
            rows.append({"case": case, "impl": name, "seconds": t, "max_abs_err": err})


def _ms_data(n: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    centers = rng.uniform(-10, 10, (6, 2))
    return (centers[rng.integers(0, 6, n)] + rng.standard_normal((n, 2))).astype(np.float32)


def bench_meanshift(n: int, n_cpu: int, dev: str, rows: list) -> None:
    kw = dict(bandwidth=1.5, kernel="gaussian", bin_seeding=True)
    X = _ms_data(n)
    t, ours = timeit(lambda: MeanShift(**kw).fit(torch.from_numpy(X).to(dev)))
    rows.append({"case": f"MeanShift gaussian n={n} d=2", "impl": "shoal-torch", "seconds": t,
                 "clusters": int(ours.cluster_centers_.shape[0])})  # fmt: skip
    Xc = _ms_data(n_cpu)
    case = f"MeanShift n={n_cpu} d=2 (CPU size)"
    t, a = timeit(lambda: MeanShift(**kw).fit(torch.from_numpy(Xc).to(dev)))
    rows.append({"case": case, "impl": "shoal-torch", "seconds": t,
                 "clusters": int(a.cluster_centers_.shape[0])})  # fmt: skip
    t, b = timeit(lambda: MeanShift(**kw).fit(Xc))
    same = bool(np.array_equal(a.labels_.cpu().numpy(), b.labels_))
    rows.append({"case": case, "impl": "numba (shoal CPU)", "seconds": t,
                 "clusters": int(b.cluster_centers_.shape[0]), "same_labels": same})  # fmt: skip
    t, c = timeit(lambda: SKMeanShift(bandwidth=1.5, bin_seeding=True).fit(Xc))
    rows.append({"case": case, "impl": "sklearn (flat)", "seconds": t,
                 "clusters": int(c.cluster_centers_.shape[0])})  # fmt: skip


def _gmm_data(n: int, d: int, k: int) -> np.ndarray:
    rng = np.random.default_rng(2)
    centers = rng.uniform(-5, 5, (k, d))
    return (centers[rng.integers(0, k, n)] + rng.standard_normal((n, d))).astype(np.float32)


def bench_gmm(ct: str, n: int, n_cpu: int, d: int, k: int, dev: str, rows: list) -> None:
    kw = dict(covariance_type=ct, max_iter=100, tol=0.0, init_params="random_from_data",
              random_state=0, reg_covar=1e-4)  # fmt: skip
    warnings.simplefilter("ignore", ConvergenceWarning)
    X = _gmm_data(n, d, k)
    T = torch.from_numpy(X).to(dev)
    t, g = timeit(lambda: GaussianMixture(k, **kw).fit(T), warmup=1)
    rows.append({"case": f"GMM {ct} n={n} d={d} k={k} 100 it", "impl": "shoal-torch",
                 "seconds": t, "lower_bound": g.lower_bound_})  # fmt: skip
    Xc = X[:n_cpu]
    case = f"GMM {ct} n={n_cpu} d={d} k={k} 100 it (CPU size)"
    t, a = timeit(lambda: GaussianMixture(k, **kw).fit(torch.from_numpy(Xc).to(dev)))
    rows.append({"case": case, "impl": "shoal-torch", "seconds": t, "lower_bound": a.lower_bound_})
    t, b = timeit(lambda: GaussianMixture(k, **kw).fit(Xc))
    rel = abs(a.lower_bound_ - b.lower_bound_) / abs(b.lower_bound_)
    rows.append({"case": case, "impl": "numba (shoal CPU)", "seconds": t,
                 "lower_bound": b.lower_bound_, "rel_diff": rel})  # fmt: skip
    t, c = timeit(lambda: SKGaussianMixture(k, **kw).fit(Xc))
    rows.append({"case": case, "impl": "sklearn", "seconds": t, "lower_bound": c.lower_bound_})


def bench_dbscan(n: int, n_cpu: int, dev: str, rows: list) -> None:
    rng = np.random.default_rng(3)
    side = math.sqrt(n / 20.0)  # about 20 samples per unit square
    X = rng.uniform(0, side, (n, 2)).astype(np.float32)
    T = torch.from_numpy(X).to(dev)
    t, g = timeit(lambda: DBSCAN(0.3, min_samples=8).fit(T))
    rows.append({"case": f"DBSCAN n={n} d=2", "impl": "shoal-torch", "seconds": t,
                 "clusters": int(g.labels_.max()) + 1})  # fmt: skip
    Xc = X[:n_cpu] * np.float32(math.sqrt(n_cpu / n))
    case = f"DBSCAN n={n_cpu} d=2 (CPU size)"
    t, a = timeit(lambda: DBSCAN(0.3, min_samples=8).fit(torch.from_numpy(Xc).to(dev)))
    rows.append({"case": case, "impl": "shoal-torch", "seconds": t})
    t, b = timeit(lambda: DBSCAN(0.3, min_samples=8).fit(Xc))
    same = bool(np.array_equal(a.labels_.cpu().numpy(), b.labels_))
    rows.append({"case": case, "impl": "numba (shoal CPU)", "seconds": t, "same_labels": same})
    t, c = timeit(lambda: SKDBSCAN(eps=0.3, min_samples=8).fit(Xc))
    rows.append({"case": case, "impl": "sklearn", "seconds": t,
                 "same_labels": bool(np.array_equal(c.labels_, b.labels_))})  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--small", action="store_true", help="tiny sizes on the CPU")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    a = ap.parse_args()
    dev = "cpu" if a.small else a.device
    big = not a.small
    rows: list = []
    bench_step(1_000_000 if big else 2_000, dev, rows)
    bench_meanshift(1_000_000 if big else 3_000, 100_000 if big else 2_000, dev, rows)
    bench_gmm("diag", 1_000_000 if big else 3_000, 100_000 if big else 2_000, 64 if big else 8,
              64 if big else 4, dev, rows)  # fmt: skip
    bench_gmm("full", 100_000 if big else 3_000, 100_000 if big else 2_000, 32 if big else 4,
              16 if big else 3, dev, rows)  # fmt: skip
    bench_dbscan(10_000_000 if big else 5_000, 1_000_000 if big else 3_000, dev, rows)
    report("gpu_other" + ("_small" if a.small else ""), rows, meta=_meta(dev, a))


if __name__ == "__main__":
    main()
