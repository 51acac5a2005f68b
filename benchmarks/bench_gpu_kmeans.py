"""One Lloyd iteration on the GPU: the fused Triton kernel vs a cuBLAS GEMM floor, plain torch,
faiss-gpu (when importable), and shoal's CPU path / scikit-learn on the machine's CPU; k-means++
seeding on the GPU vs the CPU.

An iteration is: nearest centre of every sample, per-cluster sums, new centres. The GEMM floor
is ``X @ C.T`` alone (fp32, tf32 off), the arithmetic every exact method must do; the target is
shoal <= 1.2x the floor. Rows of one case share data and initial centres; the quality figure is
the inertia of the iteration's labels against the centres it started from (float64, exact
differences) and the fraction of labels equal to the fp32 fallback's. The CPU-peer rows run
``KMeans.fit(max_iter=1)`` (one step, then the final assignment), whose ``fit_inertia`` is
against the updated centres: comparable among themselves, not with ``inertia``. The seeding
rows give the potential (inertia) of the chosen centres.

Usage: ``python benchmarks/bench_gpu_kmeans.py`` on a CUDA machine (n=1e7, d=32, k=1000 and
n=1e6, d=128, k=4096; CPU peers at ``--cpu-n`` rows), or ``--small`` to run everything tiny on
the CPU (the Triton rows need CUDA and are skipped there).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from _runner import report, timeit
from sklearn.cluster import KMeans as SKKMeans
from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus

import shoal._kernels.torch_ as tk
from shoal import KMeans, kmeans_plusplus
from shoal._kernels.torch_.kmeans import assign_nearest, exact_fp32_matmul
from shoal.centroid._kmeans_torch import kmeans_plusplus_t


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], Any], device: torch.device, repeat: int) -> tuple[float, Any]:
    def run() -> Any:
        out = fn()
        _sync(device)
        return out

    return timeit(run, repeat=repeat, warmup=1)  # the warm-up call also autotunes Triton


def make_data(n: int, d: int, k: int, device: torch.device, seed: int = 0):
    """float32 blobs generated on the device (no n x d host copy); k initial centres = rows."""
    g = torch.Generator(device=device).manual_seed(seed)
    centres = torch.rand((k, d), generator=g, device=device) * 20 - 10
    X = torch.empty((n, d), device=device)
    step = 1 << 20
    for s in range(0, n, step):
        e = min(n, s + step)
        lab = torch.randint(0, k, (e - s,), generator=g, device=device)
        X[s:e] = centres[lab] + 2.0 * torch.randn((e - s, d), generator=g, device=device)
    idx = torch.randperm(n, generator=g, device=device)[:k]
    return X, X[idx].contiguous()


def lloyd_iteration(X, C, *, precision="fp32", use_triton=None):
    """shoal's iteration: fused nearest centre (Triton on CUDA) + float64 sums + new centres."""
    n, d = X.shape
    k = C.shape[0]
    labels = torch.empty(n, dtype=torch.int64, device=X.device)
    C64 = C.to(torch.float64)
    chunk = tk.chunk_rows(n, k, X)
    checked = assign_nearest(
        X, C, (C64 * C64).sum(dim=1).to(X.dtype), chunk, labels, precision=precision,
        use_triton=use_triton,
    )  # fmt: skip
    sums = torch.zeros((k, d), dtype=torch.float64, device=X.device)
    wsum = torch.zeros(k, dtype=torch.float64, device=X.device)
    step = max(1, (256 << 20) // (8 * d))
    for s in range(0, n, step):
        lab = labels[s : s + step]
        sums.index_add_(0, lab, X[s : s + step].to(torch.float64))
        wsum.index_add_(0, lab, torch.ones_like(lab, dtype=torch.float64))
    new = torch.where(wsum.unsqueeze(1) > 0, sums / wsum.clamp_min(1).unsqueeze(1), C64)
    return labels, new.to(X.dtype), checked


def plain_torch_iteration(X, C):
    """What a user writes in plain torch: chunked cdist + argmin, fp32 index_add_ sums."""
    n, d = X.shape
    k = C.shape[0]
    labels = torch.empty(n, dtype=torch.int64, device=X.device)
    step = tk.chunk_rows(n, k, X)
    for s in range(0, n, step):
        labels[s : s + step] = torch.cdist(X[s : s + step], C).argmin(dim=1)
    sums = torch.zeros((k, d), device=X.device).index_add_(0, labels, X)
    counts = torch.bincount(labels, minlength=k).clamp_min(1).unsqueeze(1)
    return labels, sums / counts


def gemm_floor(X, C):
    """``X @ C.T`` alone, fp32 (tf32 off), into a reused buffer of at most 8 GiB."""
    n, k = X.shape[0], C.shape[0]
    step = max(1, min(n, (8 << 30) // (4 * k)))
    buf = torch.empty((step, k), device=X.device)
    Ct = C.T
    with exact_fp32_matmul():

        def run():
            for s in range(0, n, step):
                e = min(n, s + step)
                torch.mm(X[s:e], Ct, out=buf[: e - s])

        return run


def inertia(X, C, labels) -> float:
    return tk.inertia_dense(X, torch.ones(X.shape[0], dtype=X.dtype, device=X.device), C, labels)


def device_meta(device: torch.device) -> dict[str, Any]:
    meta: dict[str, Any] = {"torch": torch.__version__, "device": str(device)}
    if importlib.util.find_spec("triton") is not None:
        import triton

        meta["triton"] = triton.__version__
    if device.type == "cuda":
        meta["device_name"] = torch.cuda.get_device_name(device)
        meta["cuda"] = torch.version.cuda
        try:
            meta["driver"] = subprocess.run(
                ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
        except (OSError, subprocess.CalledProcessError):
            meta["driver"] = None
    return meta


def faiss_gpu() -> Any:
    try:
        import faiss
    except ImportError:
        return None
    return faiss if getattr(faiss, "get_num_gpus", lambda: 0)() > 0 else None


def run_case(n: int, d: int, k: int, device: torch.device, a: Any, fa: Any) -> list[dict[str, Any]]:
    """The rows of one Lloyd-iteration case (and its CPU peers)."""
    rows: list[dict[str, Any]] = []
    X, C = make_data(n, d, k, device)
    case = f"1 Lloyd iter n={n:g} d={d} k={k} float32 {device.type}"
    ref_labels, _, _ = lloyd_iteration(X, C, use_triton=False)

    def add(impl, t, labels=None, **extra):
        row = {"case": case, "impl": impl, "seconds": t, **extra}
        if labels is not None:
            row["inertia"] = inertia(X, C, labels)
            row["labels_equal"] = float((labels == ref_labels).float().mean())
        rows.append(row)

    if device.type == "cuda":
        t, out = timed(lambda: lloyd_iteration(X, C), device, a.repeat)
        add("shoal-triton-fp32", t, out[0])
        for prec in ("tf32", "bf16"):
            t, out = timed(lambda p=prec: lloyd_iteration(X, C, precision=p), device, a.repeat)
            add(f"shoal-triton-{prec}", t, out[0], rechecked=out[2])
    t, out = timed(lambda: lloyd_iteration(X, C, use_triton=False), device, a.repeat)
    add("shoal-torch-fallback", t, out[0])
    t, _ = timed(gemm_floor(X, C), device, a.repeat)
    add("gemm-floor (X @ C.T)", t)
    t, out = timed(lambda: plain_torch_iteration(X, C), device, a.repeat)
    add("plain-torch (cdist+argmin)", t, out[0])
    if fa is not None:
        Xh, Ch = X.cpu().numpy(), C.cpu().numpy()

        def run_faiss(Xh=Xh, Ch=Ch, d=d, k=k):
            km = fa.Kmeans(d, k, niter=1, gpu=True, max_points_per_centroid=10**9)
            km.train(Xh, init_centroids=Ch)
            return km

        t, _ = timed(run_faiss, device, a.repeat)
        add("faiss-gpu (host data)", t)
    # The CPU peers at a size they can do (same generator, the first cpu_n rows).
    m = min(n, a.cpu_n)
    Xc, Cc = X[:m].cpu().numpy(), C.cpu().numpy()
    ccase = f"1 Lloyd iter n={m:g} d={d} k={k} float32 cpu-peers"
    km = KMeans(k, init=Cc, n_init=1, max_iter=1, tol=0, algorithm="lloyd")
    km.fit(Xc[: 20 * k])  # compile / load the numba cache, untimed
    t, _ = timeit(lambda km=km: km.fit(Xc), repeat=1)
    rows.append({"case": ccase, "impl": "shoal-cpu (numba lloyd)", "seconds": t,
                 "fit_inertia": km.inertia_})  # fmt: skip
    sk = SKKMeans(k, init=Cc, n_init=1, max_iter=1, tol=0, algorithm="lloyd")
    t, _ = timeit(lambda sk=sk: sk.fit(Xc), repeat=1)
    rows.append({"case": ccase, "impl": "sklearn-cpu (lloyd)", "seconds": t,
                 "fit_inertia": sk.inertia_})  # fmt: skip
    if device.type == "cuda":
        Xg = X[:m]
        km_g = KMeans(k, init=C, n_init=1, max_iter=1, tol=0)
        t, _ = timed(lambda km_g=km_g, Xg=Xg: km_g.fit(Xg), device, a.repeat)
        rows.append({"case": ccase, "impl": "shoal-gpu (KMeans.fit, same rows)",
                     "seconds": t, "fit_inertia": km_g.inertia_})  # fmt: skip
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="tiny sizes, CPU")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cpu-n", type=int, default=1_000_000, help="rows for the CPU peers")
    ap.add_argument("--seed-n", type=int, default=1_000_000, help="rows for the seeding case")
    ap.add_argument("--seed-k", type=int, default=1000)
    a = ap.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() and not a.small else "cpu")
    cases = [(10_000_000, 32, 1000), (1_000_000, 128, 4096)]
    if a.small:
        cases = [(20_000, 32, 100), (5_000, 128, 256)]
        a.cpu_n, a.seed_n, a.seed_k = 20_000, 20_000, 100
    rows: list[dict[str, Any]] = []
    fa = faiss_gpu() if device.type == "cuda" else None
    for n, d, k in cases:
        rows += run_case(n, d, k, device, a, fa)
        if device.type == "cuda":
            torch.cuda.empty_cache()

    # k-means++ seeding: on the device vs shoal's CPU path vs scikit-learn.
    n, d, k = a.seed_n, 32, a.seed_k
    Xs, _ = make_data(n, d, k, device, seed=1)
    Xs = Xs - Xs.mean(dim=0)
    w = torch.ones(n, device=device)
    scase = f"k-means++ seeding n={n:g} d={d} k={k} float32"
    t, (Cs, _) = timed(
        lambda: kmeans_plusplus_t(Xs, k, w, np.random.RandomState(0)), device, max(1, a.repeat - 2)
    )
    rows.append({"case": scase, "impl": f"shoal-torch-{device.type}", "seconds": t,
                 "potential": inertia(Xs, Cs, _nearest(Xs, Cs))})  # fmt: skip
    Xh = Xs.cpu().numpy()
    kmeans_plusplus(Xh[: 20 * k], k, random_state=0)
    t, (Ch, _) = timeit(lambda: kmeans_plusplus(Xh, k, random_state=0))
    rows.append({"case": scase, "impl": "shoal-cpu (numba)", "seconds": t,
                 "potential": inertia(Xs, torch.from_numpy(Ch).to(device),
                                      _nearest(Xs, torch.from_numpy(Ch).to(device)))})  # fmt: skip
    t, (Ck, _) = timeit(lambda: sk_kmeans_plusplus(Xh, k, random_state=0))
    Ck_t = torch.from_numpy(np.ascontiguousarray(Ck)).to(device)
    rows.append({"case": scase, "impl": "sklearn-cpu", "seconds": t,
                 "potential": inertia(Xs, Ck_t, _nearest(Xs, Ck_t))})  # fmt: skip
    name = "gpu_kmeans_small" if a.small else "gpu_kmeans"
    report(name, rows, meta={**vars(a), **device_meta(device)})


def _nearest(X, C):
    labels = torch.empty(X.shape[0], dtype=torch.int64, device=X.device)
    tk.nearest_center(X, C, (C * C).sum(dim=1), tk.chunk_rows(X.shape[0], C.shape[0], X), labels)
    return labels


if __name__ == "__main__":
    main()
