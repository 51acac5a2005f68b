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

__all__ = [
    "Backend",
    "blas_one_thread",
    "from_tensor",
    "is_torch_tensor",
    "select_backend",
    "to_tensor",
    "wants_torch",
]

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


def wants_torch(X: Any, device: str | None) -> bool:
    """True when a fit on ``X`` with the estimator's ``device`` runs on the torch backend.

    A torch tensor always does; numpy-like input does when ``device`` is ``"cuda"``/``"cuda:N"``
    (or ``"cpu"`` together with a tensor). ``None``/``"auto"``/``"cpu"`` with numpy input keep
    the numba backend. Invalid ``device`` values raise ``ValueError`` naming the value.
    """
    if device is not None and device not in _DEVICES and not str(device).startswith("cuda:"):
        raise ValueError(f"device={device!r} is not valid; choose one of {list(_DEVICES)}.")
    if is_torch_tensor(X):
        return True
    return device is not None and str(device).startswith("cuda")


def to_tensor(
    X: Any,
    device: str | None = None,
    *,
    name: str = "X",
    min_samples: int = 1,
    dtype: Any = None,
) -> Any:
    """Validate ``X`` and return it as a 2-D floating torch tensor on the chosen device.

    Same checks and messages as :func:`shoal._validation.check_array` (dimensions, empty input,
    too few samples, complex, NaN/inf naming the first bad cell). float32/float64 tensors keep
    their dtype (``dtype`` forces one); integer/bool tensors become float64 (float32 on devices
    without float64 support is not attempted: the error then comes from torch). ``device``
    ``None``/``"auto"`` keeps a tensor where it is and puts numpy input on the CPU. The input is
    never modified; a tensor already of the right dtype/device/layout is returned as is.
    """
    _torch_kernels()
    import torch

    from ._validation import _check_shape, check_array

    if not is_torch_tensor(X):
        arr = check_array(X, name=name, min_samples=min_samples)
        target = "cpu" if device in (None, "auto") else str(device)
        t = torch.from_numpy(arr).to(target)
        return t if dtype is None else t.to(dtype)
    if X.is_complex():
        raise ValueError(f"Complex data not supported: {name} has dtype {X.dtype}.")
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D tensor of shape (n_samples, n_features); got "
            f"{X.ndim} dimension(s) (shape {tuple(X.shape)})."
        )
    if dtype is None:
        dtype = X.dtype if X.dtype in (torch.float32, torch.float64) else torch.float64
    where = X.device if device in (None, "auto") else torch.device(str(device))
    same = X.dtype == dtype and X.device == where and X.is_contiguous()
    t = X if same and not X.requires_grad else X.detach().to(device=where, dtype=dtype)
    t = t.contiguous()
    _check_shape(t, name, min_samples)
    bad = ~torch.isfinite(t)
    if bool(bad.any()):
        i, j = (int(v) for v in torch.nonzero(bad)[0])
        what = "NaN" if bool(torch.isnan(t[i, j])) else "infinity"
        hint = "; remove or impute missing values." if what == "NaN" else "."
        raise ValueError(f"{name} contains {what} (first at row {i}, column {j}){hint}")
    return t


def from_tensor(value: Any, like: Any) -> Any:
    """Return ``value`` (a tensor) where ``like`` lives: a tensor stays, numpy input gets numpy."""
    if is_torch_tensor(like) or not is_torch_tensor(value):
        return value
    return value.detach().cpu().numpy()


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
