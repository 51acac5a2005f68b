"""The benchmark battery in ../shared/datasets, for quality tests (they skip when it is absent).

Kept out of ``conftest.py`` so that test modules import it by a name no other conftest shadows
(tests/dask has a conftest of its own).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def load_battery(battery: str, name: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """One data set of ../shared/datasets with its reference partitions (skip when absent)."""
    data = DATASETS / battery / f"{name}.data.gz"
    if not data.exists():
        pytest.skip(f"benchmark battery not found at {DATASETS}")
    with gzip.open(data) as fh:
        X = np.loadtxt(fh, ndmin=2)
    labels = []
    for f in sorted((DATASETS / battery).glob(f"{name}.labels*.gz")):
        with gzip.open(f) as fh:
            labels.append(np.loadtxt(fh, dtype=np.int64))
    return X, labels
