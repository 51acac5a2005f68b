"""Choose the kernel backend once per fit.

numpy / pandas / list input -> ``shoal._kernels.numba_`` (CPU); a torch tensor or
``device="cuda"`` -> ``shoal._kernels.torch_``. Both modules expose the same function names and
contracts, so an estimator asks ``backend.kernels.<name>`` and never imports a backend itself.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any, NamedTuple

__all__ = ["Backend", "blas_one_thread", "is_torch_tensor", "select_backend"]

_DEVICES = ("auto", "cpu", "cuda")


class Backend(NamedTuple):
    """The chosen backend: its name, its kernel module and the device results live on."""

    name: str
    kernels: ModuleType
    device: str


def is_torch_tensor(X: Any) -> bool:
    """True when ``X`` is a torch tensor (without importing torch when it is not loaded)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(X, torch.Tensor)


def _torch_kernels() -> ModuleType:
    try:
        importlib.import_module("torch")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('The GPU backend needs PyTorch: pip install "shoal[gpu]"') from exc
    return importlib.import_module("shoal._kernels.torch_")


def select_backend(X: Any = None, device: str | None = None) -> Backend:
    """Return the backend for input ``X`` and the estimator's ``device`` parameter.

    Parameters
    ----------
    X : array-like or torch.Tensor, optional
        The input; a torch tensor selects the torch backend on the tensor's device.
    device : {"auto", "cpu", "cuda"} or None
        ``None``/``"auto"`` follow the input; ``"cuda"`` asks for the torch backend on the GPU.

    Returns
    -------
    Backend
    """
    if device is not None and device not in _DEVICES and not str(device).startswith("cuda:"):
        raise ValueError(f"device={device!r} is not valid; choose one of {list(_DEVICES)}.")
    if is_torch_tensor(X):
        return Backend("torch", _torch_kernels(), str(X.device))
    if device is not None and str(device).startswith("cuda"):
        return Backend("torch", _torch_kernels(), str(device))
    return Backend("numba", importlib.import_module("shoal._kernels.numba_"), "cpu")


_CONTROLLER: Any = None


def blas_one_thread() -> Any:
    """Context manager limiting BLAS to one thread.

    Kernels that call BLAS from each numba thread use it to avoid oversubscription
    (scikit-learn does the same with OpenMP). Finding the BLAS libraries takes about a
    millisecond, so the controller is built once per process.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")
