from __future__ import annotations

import warnings

import numpy as np
import pytest

from shoal.io import DroppedColumnsWarning, load_table, save_labels

pd = pytest.importorskip("pandas")

RNG = np.random.default_rng(0)
DATA = RNG.normal(size=(12, 3))
NAMES = ["a", "b", "c"]


def _frame():
    df = pd.DataFrame(DATA, columns=NAMES)
    df.insert(1, "name", [f"row{i}" for i in range(len(df))])
    return df


@pytest.mark.parametrize("ext, sep", [(".csv", ","), (".tsv", "\t"), (".txt", ";")])
def test_text_round_trip(tmp_path, ext, sep):
    path = tmp_path / f"data{ext}"
    pd.DataFrame(DATA, columns=NAMES).to_csv(path, sep=sep, index=False)
    X, names = load_table(path)
    assert names == NAMES
    np.testing.assert_allclose(X, DATA)
    assert X.dtype == np.float64


def test_whitespace_text_is_sniffed(tmp_path):
    path = tmp_path / "data.dat"
    lines = ["a b c"] + [" ".join(f"{v:.6f}" for v in row) for row in DATA]
    path.write_text("\n".join(lines) + "\n")
    X, names = load_table(path)
    assert names == NAMES
    np.testing.assert_allclose(X, DATA, atol=1e-6)


def test_explicit_delimiter(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame(DATA, columns=NAMES).to_csv(path, sep="|", index=False)
    X, names = load_table(path, delimiter="|")
    assert names == NAMES
    np.testing.assert_allclose(X, DATA)


def test_compressed_csv(tmp_path):
    path = tmp_path / "data.csv.gz"
    pd.DataFrame(DATA, columns=NAMES).to_csv(path, index=False)
    X, _ = load_table(path)
    np.testing.assert_allclose(X, DATA)


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "data.parquet"
    _frame().to_parquet(path)
    with pytest.warns(DroppedColumnsWarning, match="name"):
        X, names = load_table(path)
    assert names == NAMES
    np.testing.assert_allclose(X, DATA)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_npy_round_trip(tmp_path, dtype):
    path = tmp_path / "data.npy"
    np.save(path, DATA.astype(dtype))
    X, names = load_table(path)
    assert names == ["x0", "x1", "x2"]
    assert X.dtype == dtype
    np.testing.assert_allclose(X, DATA.astype(dtype))


def test_npy_1d_is_one_column(tmp_path):
    path = tmp_path / "v.npy"
    np.save(path, np.arange(5))
    X, names = load_table(path)
    assert X.shape == (5, 1) and names == ["x0"]


def test_npy_structured(tmp_path):
    arr = np.zeros(4, dtype=[("u", "f8"), ("tag", "U3"), ("v", "i4")])
    arr["u"] = [1, 2, 3, 4]
    arr["v"] = [5, 6, 7, 8]
    path = tmp_path / "s.npy"
    np.save(path, arr)
    with pytest.warns(DroppedColumnsWarning, match="tag"):
        X, names = load_table(path)
    assert names == ["u", "v"]
    np.testing.assert_allclose(X[:, 1], [5, 6, 7, 8])


def test_npz_first_and_named(tmp_path):
    path = tmp_path / "data.npz"
    other = np.ones((3, 2))
    np.savez(path, X=DATA, Y=other)
    X, _ = load_table(path)
    np.testing.assert_allclose(X, DATA)
    Y, _ = load_table(path, key="Y")
    np.testing.assert_allclose(Y, other)
    with pytest.raises(ValueError, match="'Z' is not in"):
        load_table(path, key="Z")


def test_column_selection_by_name_and_index(tmp_path):
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    X, names = load_table(path, columns=["c", "a"])
    assert names == ["c", "a"]
    np.testing.assert_allclose(X, DATA[:, [2, 0]])
    X, names = load_table(path, columns=[0, 3])
    assert names == ["a", "c"]
    X, names = load_table(path, columns=["2"])  # a digit string is a position
    assert names == ["b"]


def test_non_numeric_dropped_by_default(tmp_path):
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    with pytest.warns(DroppedColumnsWarning, match="'name'"):
        X, names = load_table(path)
    assert names == NAMES
    np.testing.assert_allclose(X, DATA)


def test_non_numeric_rejected_when_requested(tmp_path):
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"column .name. .* not numeric"):
        load_table(path, columns=["a", "name"])


def test_unknown_column(tmp_path):
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    with pytest.raises(ValueError, match="'zzz' not found"):
        load_table(path, columns=["zzz"])
    with pytest.raises(ValueError, match="out of range"):
        load_table(path, columns=[7])


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        load_table(path)


def test_malformed_csv_names_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3,4\n5,6,7,8\n")
    with pytest.raises(ValueError, match=r"bad\.csv.*line 4"):
        load_table(path)


@pytest.mark.parametrize("text", ["", "a,b,c\n"])
def test_empty_file(tmp_path, text):
    path = tmp_path / "empty.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"empty|no data rows"):
        load_table(path)


def test_no_numeric_columns(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("w,v\nx,y\nz,q\n")
    with pytest.raises(ValueError, match="no numeric columns"):
        load_table(path)


def test_missing_values_become_nan(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n1,2\n,4\n5,6\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, _ = load_table(path)
    assert np.isnan(X[1, 0]) and X.shape == (3, 2)


def test_object_npy_refused(tmp_path):
    path = tmp_path / "obj.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"obj\.npy"):
        load_table(path)


@pytest.mark.parametrize("name", ["labels.csv", "labels.tsv", "labels.npy"])
def test_save_labels_round_trip(tmp_path, name):
    labels = np.array([0, 2, 1, -1, 2])
    path = save_labels(tmp_path / name, labels)
    if name.endswith(".npy"):
        back = np.load(path)
        assert back.dtype == np.int64
    else:
        sep = "\t" if name.endswith(".tsv") else ","
        back = pd.read_csv(path, sep=sep)["label"].to_numpy()
    np.testing.assert_array_equal(back, labels)


def test_save_labels_with_index(tmp_path):
    path = save_labels(tmp_path / "l.csv", [1, 0], index=["r1", "r2"])
    assert path.read_text().splitlines() == ["index,label", "r1,1", "r2,0"]
    with pytest.raises(ValueError, match="must match"):
        save_labels(tmp_path / "l.csv", [1, 0], index=["r1"])


def test_save_labels_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="1-D"):
        save_labels(tmp_path / "l.csv", np.zeros((2, 2), dtype=int))
    with pytest.raises(ValueError, match="integers"):
        save_labels(tmp_path / "l.csv", [0.5, 1.0])
    with pytest.raises(ValueError, match=r"\.npy"):
        save_labels(tmp_path / "l.json", [0, 1])
