"""Run the Triton nearest-centre kernel and its torch fallback on tiny cases under Triton's
CPU interpreter, and save every output to an .npz file (``python _triton_interp_cases.py OUT
[--slow]``).

TRITON_INTERPRET must be set before triton is imported (triton.language's own jitted helpers
are built at import), so the tests run this file in a subprocess with the variable set.
"""

from __future__ import annotations

import os
import sys

import numpy as np

CASES = {"fp32_a": (45, 37, 7), "fp32_b": (33, 5, 20), "fp32_c": (20, 3, 150)}
SLOW_CASES = {"fp32_big": (300, 70, 64)}


def random_case(n: int, k: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n + k + d)
    return (rng.normal(size=(n, d)).astype(np.float32), rng.normal(size=(k, d)).astype(np.float32))


def tie_case() -> tuple[np.ndarray, np.ndarray]:
    C = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 0.0]] * 7, dtype=np.float32)  # > one tile
    X = np.array([[0.0, 0.0], [2.0, 0.0], [-3.0, 0.0]], dtype=np.float32)
    return X, C


def main(out: str, slow: bool) -> None:
    assert os.environ.get("TRITON_INTERPRET") == "1"
    import torch
    from _kmeans_torch_data import near_ties

    import shoal._kernels.torch_ as tk
    from shoal._kernels.torch_ import triton_nearest
    from shoal._kernels.torch_.kmeans import assign_nearest

    assert triton_nearest.interpreting()
    res: dict[str, np.ndarray] = {}

    def both(name, X, C, precision, block_m=16, block_n=16):
        Xt, Ct = torch.from_numpy(X), torch.from_numpy(C)
        c_sq = (Ct * Ct).sum(dim=1)
        n = X.shape[0]
        for impl in ("triton", "torch"):
            lab = torch.empty(n, dtype=torch.int64)
            best, second = torch.empty(n), torch.empty(n)
            if impl == "triton":
                triton_nearest.nearest_center_triton(
                    Xt, Ct, c_sq, lab, best, second, precision=precision, block_m=block_m,
                    block_n=block_n,
                )  # fmt: skip
            else:
                tk.nearest_center(Xt, Ct, c_sq, 16, lab, best, second, precision)
            for part, v in (("labels", lab), ("best", best), ("second", second)):
                res[f"{name}/{impl}/{part}"] = v.numpy()

    cases = dict(CASES, **(SLOW_CASES if slow else {}))
    for name, (n, k, d) in cases.items():
        X, C = random_case(n, k, d)
        bm, bn = (64, 32) if name in SLOW_CASES else (16, 16)
        both(name, X, C, "fp32", bm, bn)
    both("tie", *tie_case(), "fp32")
    X, C = near_ties(n=96, seed=1, gap=2e-3)
    Xt, Ct = torch.from_numpy(X), torch.from_numpy(C)
    for precision in ("tf32", "bf16"):
        both(f"near_{precision}", X, C, precision)
        for use_triton in (True, False):
            lab = torch.empty(96, dtype=torch.int64)
            m = assign_nearest(
                Xt, Ct, (Ct * Ct).sum(dim=1), 32, lab, precision=precision, use_triton=use_triton
            )
            res[f"recheck_{precision}_{use_triton}/labels"] = lab.numpy()
            res[f"recheck_{precision}_{use_triton}/n_checked"] = np.array(m)
    np.savez(out, **res)


if __name__ == "__main__":
    main(sys.argv[1], "--slow" in sys.argv[2:])
