"""shoal: every classic clustering algorithm behind one scikit-learn-compatible API, fast."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
