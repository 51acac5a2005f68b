from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from shoal._backend import select_backend


def test_numpy_input_selects_numba():
    be = select_backend(np.zeros((3, 2)))
    assert be.name == "numba"
    assert be.device == "cpu"
    assert hasattr(be.kernels, "lloyd_step")


def test_bad_device_is_rejected():
    with pytest.raises(ValueError, match="device='tpu' is not valid"):
        select_backend(np.zeros((3, 2)), device="tpu")


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="torch is installed")
def test_cuda_without_torch_names_the_extra():
    with pytest.raises(ImportError, match=r"shoal\[gpu\]"):
        select_backend(np.zeros((3, 2)), device="cuda")


def test_torch_module_reports_missing_kernels_clearly():
    from shoal._kernels import torch_

    # KMeans on tensors runs Lloyd's iterations: the torch backend has no Elkan kernel.
    with pytest.raises(NotImplementedError, match="numba_ backend"):
        torch_.elkan_step  # noqa: B018
    assert not hasattr(torch_, "elkan_step")


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def test_wants_torch_follows_input_and_device(torch):
    from shoal._backend import wants_torch

    assert not wants_torch(np.zeros((2, 2)), None)
    assert not wants_torch(np.zeros((2, 2)), "cpu")
    assert wants_torch(np.zeros((2, 2)), "cuda")
    assert wants_torch(torch.zeros((2, 2)), "auto")
    with pytest.raises(ValueError, match="device='gpu'"):
        wants_torch(np.zeros((2, 2)), "gpu")


def test_to_tensor_checks_like_check_array(torch):
    from shoal._backend import from_tensor, to_tensor

    X = torch.tensor([[0.0, 1.0], [2.0, float("nan")]])
    with pytest.raises(ValueError, match=r"X contains NaN \(first at row 1, column 1\)"):
        to_tensor(X)
    with pytest.raises(ValueError, match="infinity"):
        to_tensor(torch.tensor([[float("inf"), 0.0]]))
    with pytest.raises(ValueError, match="2-D tensor"):
        to_tensor(torch.zeros(3))
    with pytest.raises(ValueError, match="empty"):
        to_tensor(torch.zeros((0, 2)))
    with pytest.raises(ValueError, match="at least 2"):
        to_tensor(torch.zeros((1, 2)), min_samples=2)
    with pytest.raises(ValueError, match="Complex"):
        to_tensor(torch.zeros((2, 2), dtype=torch.complex64))
    t32 = torch.ones((3, 2), dtype=torch.float32)
    assert to_tensor(t32) is t32
    assert to_tensor(torch.ones((3, 2), dtype=torch.int64)).dtype == torch.float64
    a = np.arange(6.0).reshape(3, 2)
    t = to_tensor(a)
    assert t.dtype == torch.float64 and np.array_equal(t.numpy(), a)
    assert isinstance(from_tensor(t, a), np.ndarray)
    assert from_tensor(t, t32) is t
