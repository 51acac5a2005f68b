"""The top-level package: every public name resolves, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import shoal


def test_every_public_name_resolves():
    assert set(shoal.__all__) == {*shoal._LAZY, *shoal._SUBMODULES, "__version__"}
    for name in shoal.__all__:
        assert getattr(shoal, name) is not None
    assert set(shoal.__all__) <= set(dir(shoal))


def test_import_does_not_load_heavy_dependencies():
    code = ("import sys, shoal; print(','.join(m for m in ('numba', 'sklearn', 'scipy', "
            "'matplotlib', 'torch', 'triton') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()  # fmt: skip
    assert out == ""


def test_numpy_fit_and_silhouette_do_not_import_torch():
    """The GPU backend is optional: numpy-only work never loads torch (or triton)."""
    code = ("import sys, numpy as np; from shoal import KMeans, MiniBatchKMeans; "
            "from shoal.metrics import silhouette_score; X = np.arange(12.0).reshape(6, 2); "
            "KMeans(2, n_init=1, random_state=0).fit(X).predict(X); "
            "MiniBatchKMeans(2, random_state=0).fit(X); silhouette_score(X, [0, 0, 0, 1, 1, 1]); "
            "print(','.join(m for m in ('torch', 'triton') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()  # fmt: skip
    assert out == ""


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'Kmeans'"):
        shoal.Kmeans  # noqa: B018
