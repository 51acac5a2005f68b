"""PyTorch kernels (GPU, and CPU for parity tests): the same names and contracts as ``numba_``.

Not written yet (the GPU issue fills this module). Asking for a kernel raises a clear
``NotImplementedError`` naming the backend that has it.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError(
        f"The torch_ backend has no kernel {name!r} yet; use the numba_ backend "
        "(pass numpy arrays, device='cpu')."
    )
