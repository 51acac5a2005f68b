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

    with pytest.raises(NotImplementedError, match="numba_ backend"):
        torch_.lloyd_step  # noqa: B018
    assert not hasattr(torch_, "lloyd_step")
