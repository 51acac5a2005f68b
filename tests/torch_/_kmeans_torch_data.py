"""Shared data and device parameters of the torch backend tests (k-means, silhouette)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

CUDA = pytest.param(
    "cuda",
    marks=[
        pytest.mark.gpu,
        pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
    ],
)
DEVICES = ["cpu", CUDA]


@pytest.fixture(autouse=True)
def one_torch_thread():
    """One torch CPU thread per test (restored after): the default run has two xdist workers on
    the CI's two cores, and torch's own threads would oversubscribe them."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def blobs(n_per: int = 120, k: int = 5, d: int = 4, seed: int = 0, spread: float = 8.0):
    """Gaussian blobs with unit variance around ``k`` uniform centres (float64)."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-spread, spread, (k, d))
    return np.concatenate([rng.normal(c, 1.0, (n_per, d)) for c in centres])


def near_ties(n: int = 200, k: int = 8, d: int = 16, seed: int = 0, gap: float = 1e-3):
    """Rows almost equidistant from two centres: ``x = (c_a + c_b) / 2 + eps v + noise``, with
    ``v`` the unit vector from c_b to c_a and the noise orthogonal to it, ``|eps| <= gap``.
    The squared distances to c_a and c_b differ by ``2 eps ||c_a - c_b||``: far above fp32
    rounding, far below the bf16 error bound. Returns (X, C) float32."""
    rng = np.random.default_rng(seed)
    C = rng.normal(0.0, 3.0, (k, d))
    X = np.empty((n, d))
    for i in range(n):
        a, b = rng.choice(k, 2, replace=False)
        v = (C[a] - C[b]) / np.linalg.norm(C[a] - C[b])
        noise = rng.normal(0.0, 0.3, d)
        noise -= noise.dot(v) * v
        X[i] = 0.5 * (C[a] + C[b]) + rng.uniform(-gap, gap) * v + noise
    return X.astype(np.float32), C.astype(np.float32)


def exact_nearest(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """argmin of exact float64 squared differences."""
    X64 = X.astype(np.float64)
    C64 = C.astype(np.float64)
    return ((X64[:, None, :] - C64[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
