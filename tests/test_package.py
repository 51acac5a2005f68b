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
            "'matplotlib') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()  # fmt: skip
    assert out == ""


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'Kmeans'"):
        shoal.Kmeans  # noqa: B018
