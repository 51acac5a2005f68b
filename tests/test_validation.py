from __future__ import annotations

import numpy as np
import pytest

from shoal import KMeans
from shoal._validation import (
    check_array,
    check_int,
    check_option,
    check_real,
    check_sample_weight,
)


def test_parameter_messages_name_parameter_and_value():
    with pytest.raises(ValueError, match="k=0 must be >= 1"):
        check_int("k", 0, low=1)
    with pytest.raises(TypeError, match="k=True must be an integer"):
        check_int("k", True)
    with pytest.raises(ValueError, match=r"tol=2\.0 must be <= 1"):
        check_real("tol", 2.0, high=1)
    with pytest.raises(ValueError, match=r"ratio=0\.0 must be > 0"):
        check_real("ratio", 0.0, low=0.0, low_inclusive=False)
    with pytest.raises(ValueError, match="tol=nan must be finite"):
        check_real("tol", float("nan"))
    with pytest.raises(ValueError, match=r"mode='x' is not valid; choose one of \['a', 'b'\]"):
        check_option("mode", "x", ["a", "b"])


def test_sample_weight_checks():
    with pytest.raises(ValueError, match="sample_weight has 2 values but X has n_samples=3"):
        check_sample_weight([1, 2], 3, np.float64)
    with pytest.raises(ValueError, match="negative"):
        check_sample_weight([1, -2, 1], 3, np.float64)
    with pytest.raises(ValueError, match="all zero"):
        check_sample_weight([0, 0, 0], 3, np.float64)
    w = np.array([1.0, 2.0, 3.0])
    out = check_sample_weight(w, 3, np.float32)
    assert out.dtype == np.float32
    out[0] = 99
    assert w[0] == 1.0


def test_check_array_keeps_float32_and_converts_ints_and_object_numbers():
    assert check_array(np.ones((3, 2), np.float32)).dtype == np.float32
    assert check_array(np.ones((3, 2), np.int32)).dtype == np.float64
    assert check_array(np.ones((3, 2)).astype(object)).dtype == np.float64
    with pytest.raises(ValueError, match="non-numeric value 'x'"):
        check_array(np.array([[1.0, "x"]], dtype=object))


def test_dataframe_feature_names_and_string_columns():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) ** 2})
    km = KMeans(2, random_state=0).fit(X)
    assert list(km.feature_names_in_) == ["a", "b"]
    bad = X.assign(c=["u"] * 10)
    with pytest.raises(ValueError, match=r"non-numeric columns \['c'\]"):
        KMeans(2).fit(bad)
