"""Read numeric tables, write cluster labels, save and load models.

``load_table`` reads CSV/TSV/text, Parquet, ``.npy`` and ``.npz`` into a float array and the
names of its columns; ``save_labels`` writes labels to CSV or ``.npy``. Text and Parquet go
through pandas (and pyarrow for Parquet), imported only when such a file is read: a missing one
raises ImportError naming the extra, ``pip install "shoal[io]"``. NumPy files need nothing extra.

Non-numeric columns are dropped when no columns are requested, with a
:class:`DroppedColumnsWarning` that names them (the command line prints it as a note); a
requested non-numeric column is an error.

``save`` and ``load`` write and read a fitted (or unfitted) estimator in a file that holds
arrays and JSON parameters only: loading one never runs code, and a pickle is refused
(see ``shoal._persist``).
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._persist import load, save

__all__ = ["DroppedColumnsWarning", "load", "load_table", "save", "save_labels"]

_IO_EXTRA = 'pip install "shoal[io]"'


def __getattr__(name: str) -> Any:
    # save / load live in shoal._persist, which needs scikit-learn and SciPy: imported on
    # first use so that reading a table (and the command line's start) stays light.
    if name in ("save", "load"):
        from . import _persist

        return getattr(_persist, name)
    raise AttributeError(f"module 'shoal.io' has no attribute {name!r}")


_COMPRESSION = (".gz", ".bz2", ".zip", ".xz", ".zst")
_DELIMITERS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}


class DroppedColumnsWarning(UserWarning):
    """Non-numeric columns were left out of the table ``load_table`` returned."""


def _suffix(path: Path) -> str:
    """Lower-case extension, looking through a compression suffix (``a.csv.gz`` -> ``.csv``)."""
    suffixes = [s.lower() for s in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in _COMPRESSION:
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def _import_pandas(what: str) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError(f"Reading {what} needs pandas: {_IO_EXTRA}") from exc
    return pd


def _sniff_delimiter(path: Path) -> str:
    """Guess the delimiter of a text table from its first few lines (regex for whitespace)."""
    with open(path, newline="", errors="replace") as fh:
        sample = "".join(fh.readline() for _ in range(20))
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",\t;| ").delimiter
    except csv.Error:
        sep = ","
    return r"\s+" if sep == " " else sep


def _read_text(path: Path, delimiter: str | None) -> dict[str, Any]:
    pd = _import_pandas(f"text tables like {path.name}")
    if delimiter is None:
        ext = _suffix(path)
        delimiter = _DELIMITERS.get(ext)
        if delimiter is None:
            if path.suffix.lower() in _COMPRESSION:
                delimiter = ","
            else:
                delimiter = _sniff_delimiter(path)
    engine = "python" if len(delimiter) > 1 and delimiter != r"\s+" else "c"
    try:
        frame = pd.read_csv(path, sep=delimiter, engine=engine)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path} is empty.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        detail = " ".join(str(exc).split())
        raise ValueError(f"{path} is not a well-formed table: {detail}") from None
    return _frame_columns(frame, pd)


def _read_parquet(path: Path) -> dict[str, Any]:
    pd = _import_pandas(f"Parquet files like {path.name}")
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"Reading Parquet files needs pyarrow: {_IO_EXTRA}") from exc
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        detail = " ".join(str(exc).split())
        raise ValueError(f"{path} is not a readable Parquet file: {detail}") from None
    return _frame_columns(frame, pd)


def _frame_columns(frame: Any, pd: Any) -> dict[str, Any]:
    """Name -> float64 column, or ``None`` for a non-numeric column, in frame order."""
    out: dict[str, Any] = {}
    for name in frame.columns:
        series = frame[name]
        numeric = pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
        out[str(name)] = series.to_numpy(dtype=np.float64, na_value=np.nan) if numeric else None
    return out


def _array_columns(arr: np.ndarray, source: str) -> dict[str, Any]:
    """Columns of a plain or structured array; plain columns are named ``x0, x1, ...``."""
    if arr.dtype.names:
        if arr.ndim != 1:
            raise ValueError(f"{source}: a structured array must be 1-D; got shape {arr.shape}.")
        return {
            name: (arr[name] if arr.dtype[name].kind in "biuf" else None)
            for name in arr.dtype.names
        }
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"{source} must hold a 1-D or 2-D array; got shape {arr.shape}.")
    numeric = arr.dtype.kind in "biuf"
    return {f"x{j}": (arr[:, j] if numeric else None) for j in range(arr.shape[1])}


def _read_numpy(path: Path, key: str | None) -> dict[str, Any]:
    try:
        loaded = np.load(path, allow_pickle=False)
    except ValueError as exc:
        # allow_pickle=False refuses object arrays; anything else is a damaged file.
        detail = " ".join(str(exc).split())
        raise ValueError(f"{path} is not a readable NumPy file: {detail}") from None
    except (OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"{path} is not a readable NumPy file: {exc}") from None
    if isinstance(loaded, np.ndarray):
        if key is not None:
            raise ValueError(f"key={key!r} only applies to .npz files; {path} is a single array.")
        return _array_columns(loaded, str(path))
    with loaded:
        names = list(loaded.files)
        if not names:
            raise ValueError(f"{path} is empty: the archive holds no arrays.")
        if key is None:
            key = names[0]
        elif key not in names:
            raise ValueError(f"key={key!r} is not in {path}; it holds {names}.")
        return _array_columns(loaded[key], f"{path}[{key!r}]")


def _resolve(spec: int | str, names: list[str], path: Path) -> str:
    """Column name for a requested name or position (a digit string names a position only
    when no column has that name)."""
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        j = int(spec)
        if not -len(names) <= j < len(names):
            raise ValueError(f"column index {j} is out of range: {path} has {len(names)} columns.")
        return names[j]
    if isinstance(spec, str):
        if spec in names:
            return spec
        stripped = spec.strip()
        if stripped in names:
            return stripped
        if stripped.lstrip("-").isdigit():
            return _resolve(int(stripped), names, path)
        raise ValueError(f"column {spec!r} not found in {path}; its columns are {names}.")
    raise TypeError(f"columns must hold names (str) or positions (int); got {spec!r}.")


def load_table(
    path: str | Path,
    *,
    columns: Sequence[int | str] | None = None,
    delimiter: str | None = None,
    key: str | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Load the numeric columns of a table file.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.tsv``/``.tab``, other text (``.txt``, ``.dat``; the delimiter is guessed
        from the content), ``.parquet``/``.pq``, ``.npy`` or ``.npz`` file. Text files may be
        compressed (``.csv.gz``). Text tables need a header row.
    columns : sequence of str or int, optional
        Columns to keep, by name or position, in the order given. A string made of digits
        names a position unless a column has exactly that name. By default every numeric
        column is kept and the others are dropped with a :class:`DroppedColumnsWarning`.
    delimiter : str, optional
        Field separator for text files; by default ``,`` for ``.csv``, tab for ``.tsv`` and
        guessed otherwise.
    key : str, optional
        Array to read from an ``.npz`` archive; by default the first one.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The data, float32 when every kept column is float32 and float64 otherwise. Missing
        values are NaN.
    column_names : list of str
        Names of the kept columns; arrays without names get ``x0, x1, ...``.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is empty or malformed, has no numeric column, or a requested column is
        missing or non-numeric.
    ImportError
        A text or Parquet file was given and pandas (or pyarrow) is not installed.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "points.npy"
    >>> np.save(p, np.arange(6.0).reshape(3, 2))
    >>> X, names = load_table(p)
    >>> X.shape, names
    ((3, 2), ['x0', 'x1'])
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"No such file: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a directory; give a data file.")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty.")

    ext = _suffix(path)
    if ext in (".npy", ".npz"):
        table = _read_numpy(path, key)
    elif ext in (".parquet", ".pq"):
        table = _read_parquet(path)
    else:
        table = _read_text(path, delimiter)

    names = list(table)
    if not names:
        raise ValueError(f"{path} has no columns.")
    if columns is None:
        keep = [n for n in names if table[n] is not None]
        dropped = [n for n in names if table[n] is None]
        if not keep:
            raise ValueError(
                f"{path} has no numeric columns (found {names[:10]}); shoal needs numeric data."
            )
        if dropped:
            warnings.warn(
                f"dropped non-numeric column{'s' if len(dropped) > 1 else ''} "
                f"{', '.join(repr(d) for d in dropped)} from {path.name}",
                DroppedColumnsWarning,
                stacklevel=2,
            )
    else:
        if isinstance(columns, (str, bytes)):
            columns = [columns.decode() if isinstance(columns, bytes) else columns]
        keep = [_resolve(c, names, path) for c in columns]
        if not keep:
            raise ValueError("columns is empty; name at least one column or pass None.")
        for name in keep:
            if table[name] is None:
                raise ValueError(
                    f"column {name!r} in {path} is not numeric; shoal needs numeric data "
                    "(encode it first, or leave it out of columns)."
                )

    X = np.column_stack([np.asarray(table[n]) for n in keep])
    if X.shape[0] == 0:
        raise ValueError(f"{path} has a header but no data rows.")
    if X.dtype != np.float32:
        X = X.astype(np.float64, copy=False)
    return np.ascontiguousarray(X), keep


def save_labels(
    path: str | Path,
    labels: Any,
    *,
    index: Sequence[Any] | None = None,
) -> Path:
    """Write cluster labels to a CSV (header ``label``), Parquet or ``.npy`` file.

    Parameters
    ----------
    path : str or Path
        Output file; ``.npy`` writes a NumPy int64 array, ``.csv``/``.txt`` (and ``.tsv``,
        tab-separated) write a text table, ``.parquet``/``.pq`` a one-column (``label``)
        Parquet table (pandas and pyarrow: the ``io`` extra).
    labels : array-like of shape (n_samples,)
        Integer cluster labels (-1 marks noise).
    index : sequence, optional
        Row identifiers written as a first column ``index`` (text formats only).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = save_labels(pathlib.Path(tempfile.mkdtemp()) / "labels.csv", [0, 1, 1])
    >>> p.read_text().split()
    ['label', '0', '1', '1']
    """
    path = Path(path).expanduser()
    arr = np.asarray(labels)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-D; got shape {arr.shape}.")
    if arr.dtype.kind not in "biu":
        if arr.dtype.kind != "f" or not np.all(arr == np.round(arr)):
            raise ValueError(f"labels must be integers; got dtype {arr.dtype}.")
    arr = arr.astype(np.int64, copy=False)
    if index is not None and len(index) != arr.shape[0]:
        raise ValueError(
            f"index has {len(index)} entries but there are {arr.shape[0]} labels; they must match."
        )

    ext = path.suffix.lower()
    if ext == ".npy":
        if index is not None:
            raise ValueError("index can only be written to a text file (.csv, .tsv, .txt).")
        np.save(path, arr)
        return path
    if ext in (".parquet", ".pq"):
        pd = _import_pandas("Parquet output")
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise ImportError(f"Writing Parquet files needs pyarrow: {_IO_EXTRA}") from exc
        columns = {"label": arr} if index is None else {"index": list(index), "label": arr}
        pd.DataFrame(columns).to_parquet(path, index=False)
        return path
    if ext not in (".csv", ".tsv", ".txt"):
        raise ValueError(
            f"Cannot write labels to {path}: use a .csv, .tsv, .txt, .parquet or .npy file."
        )
    delimiter = "\t" if ext == ".tsv" else ","
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
        if index is None:
            writer.writerow(["label"])
            writer.writerows([int(v)] for v in arr)
        else:
            writer.writerow(["index", "label"])
            writer.writerows(zip(index, arr.tolist()))
    return path
