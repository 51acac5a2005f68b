"""PyTorch kernels (GPU, and CPU for parity tests): the same names and contracts as ``numba_``.

Not written yet (the GPU issue fills this module). Asking for a kernel raises a clear
``NotImplementedError`` naming the backend that has it.
"""

from __future__ import annotations

from typing import Any


class MissingKernelError(NotImplementedError, AttributeError):
    """A kernel this backend does not have (an AttributeError too, so ``hasattr`` is False)."""


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise MissingKernelError(
        f"The torch_ backend has no kernel {name!r} yet; use the numba_ backend "
        "(pass numpy arrays, device='cpu')."
    )
