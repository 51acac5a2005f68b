"""The fused Triton nearest-centre kernel against its plain-torch fallback, under Triton's CPU
interpreter (TRITON_INTERPRET=1, tiny inputs, in a subprocess: see ``_triton_interp_cases``),
and on CUDA when there is one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _kmeans_torch_data import exact_nearest, near_ties, one_torch_thread  # noqa: F401
from _triton_interp_cases import CASES, SLOW_CASES, random_case

torch = pytest.importorskip("torch")
pytest.importorskip("triton")

import shoal._kernels.torch_ as tk  # noqa: E402
from shoal._kernels.torch_.kmeans import assign_nearest  # noqa: E402

HERE = Path(__file__).parent


def _interpret(tmp_path: Path, slow: bool) -> dict[str, np.ndarray]:
    out = tmp_path / "interp.npz"
    env = dict(os.environ, TRITON_INTERPRET="1")
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), *sys.path])
    args = [sys.executable, str(HERE / "_triton_interp_cases.py"), str(out)]
    proc = subprocess.run(
        [*args, "--slow"] if slow else args, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    with np.load(out) as f:
        return dict(f)


@pytest.fixture(scope="module")
def interp(tmp_path_factory):
    return _interpret(tmp_path_factory.mktemp("interp"), slow=False)


def _assert_same_nearest(res, name, X, C):
    tri = [res[f"{name}/triton/{p}"] for p in ("labels", "best", "second")]
    ref = [res[f"{name}/torch/{p}"] for p in ("labels", "best", "second")]
    np.testing.assert_array_equal(tri[0], ref[0])
    np.testing.assert_array_equal(tri[0], exact_nearest(X, C))
    scale = np.abs(ref[1]).max()
    np.testing.assert_allclose(tri[1], ref[1], atol=1e-5 * scale)
    np.testing.assert_allclose(tri[2], ref[2], atol=1e-5 * scale)


@pytest.mark.parametrize("name", sorted(CASES))
def test_triton_fp32_equals_fallback(interp, name):
    """Several row and centre tiles; d=150 walks the features in tiles (d > 128)."""
    _assert_same_nearest(interp, name, *random_case(*CASES[name]))


def test_triton_tie_goes_to_first_centre(interp):
    np.testing.assert_array_equal(interp["tie/triton/labels"], [0, 0, 1])
    np.testing.assert_array_equal(interp["tie/torch/labels"], [0, 0, 1])


@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_triton_low_precision_recheck(interp, precision):
    """The kernel's coarse distances misorder near-ties (bf16); after the fp32 re-check of the
    rows within the error bound the labels are the fp32 labels, as with the fallback."""
    X, C = near_ties(n=96, seed=1, gap=2e-3)
    truth = exact_nearest(X, C)
    if precision == "bf16":
        assert (interp["near_bf16/triton/labels"] != truth).any()
        assert (interp["near_bf16/torch/labels"] != truth).any()
    for use_triton in (True, False):
        key = f"recheck_{precision}_{use_triton}"
        assert int(interp[f"{key}/n_checked"]) > 0
        np.testing.assert_array_equal(interp[f"{key}/labels"], truth)


@pytest.mark.slow
def test_triton_larger_tiles_equal_fallback(tmp_path):
    res = _interpret(tmp_path, slow=True)
    for name, shape in SLOW_CASES.items():
        _assert_same_nearest(res, name, *random_case(*shape))
    test_triton_tie_goes_to_first_centre(res)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("precision", ["fp32", "tf32", "bf16"])
def test_triton_on_cuda_equals_fallback(precision):
    rng = np.random.default_rng(0)
    X = torch.from_numpy(rng.normal(size=(20000, 32)).astype(np.float32)).cuda()
    C = torch.from_numpy(rng.normal(size=(1000, 32)).astype(np.float32)).cuda()
    c_sq = (C * C).sum(dim=1)
    ref = torch.empty(20000, dtype=torch.int64, device="cuda")
    best = torch.empty(20000, device="cuda")
    second = torch.empty(20000, device="cuda")
    tk.nearest_center(X, C, c_sq, 4096, ref, best, second)
    lab = torch.empty_like(ref)
    assign_nearest(X, C, c_sq, 4096, lab, precision=precision, use_triton=True)
    # Labels may differ from cuBLAS's only where the two best fp32 distances nearly tie.
    differ = (lab != ref).cpu().numpy()
    gap = (second - best).cpu().numpy()
    assert (gap[differ] < 1e-3).all()
    assert differ.mean() < 1e-3
