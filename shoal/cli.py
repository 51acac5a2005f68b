"""The ``shoal`` command line: cluster a table file, or run the bundled demo.

    shoal cluster data.csv --algorithm kmeans --n-clusters 4 --out labels.csv --summary s.json
    shoal demo --out-dir shoal_demo
    shoal --version

User errors (a missing or malformed file, a non-numeric column, an unknown algorithm, a parameter
the estimator rejects) print one line ``error: ...`` on stderr and exit with status 1; typer's
own usage errors exit with 2. Estimators are looked up lazily in :data:`ALGORITHMS`, so the
command line starts without importing numba kernels it does not use.
"""

from __future__ import annotations

import importlib
import inspect
import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from shoal import __version__
from shoal.io import DroppedColumnsWarning, load_table, save_labels

__all__ = ["ALGORITHMS", "app", "main"]

#: ``--algorithm`` name -> (module, class). Imported only when chosen.
ALGORITHMS: dict[str, tuple[str, str]] = {
    "kmeans": ("shoal.centroid.kmeans", "KMeans"),
    "minibatch-kmeans": ("shoal.centroid.minibatch", "MiniBatchKMeans"),
    "bisecting-kmeans": ("shoal.centroid.bisecting", "BisectingKMeans"),
}

# Exceptions that mean "the input or the options are wrong", reported as one line.
_USER_ERRORS = (FileNotFoundError, ValueError, TypeError, ImportError, OSError)

# Warnings meant for developers (numba, numpy deprecations), not for someone running a command.
_HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning)

_TABLE_ROWS = 30  # the rich table shows at most this many feature means; the JSON has all

app = typer.Typer(
    name="shoal",
    help="Cluster tabular data with shoal's estimators.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _stdout() -> Console:
    return Console(highlight=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}"
    return text or type(exc).__name__


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn a user error into ``error: <message>`` on stderr and exit status 1."""
    try:
        yield
    except _USER_ERRORS as exc:
        typer.echo(f"error: {_one_line(exc)}", err=True)
        raise typer.Exit(code=1) from None


def _estimator_class(algorithm: str) -> type:
    """Import the estimator class registered as ``algorithm``."""
    try:
        module_name, class_name = ALGORITHMS[algorithm]
    except KeyError:
        raise ValueError(
            f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}."
        ) from None
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise ImportError(
                f"algorithm {algorithm!r} is not available in this version of shoal "
                f"({module_name} is missing)."
            ) from None
        raise ImportError(
            f"algorithm {algorithm!r} needs the package {missing!r}, which is not installed."
        ) from None
    try:
        cls: type = getattr(module, class_name)
        return cls
    except AttributeError:
        raise ImportError(
            f"algorithm {algorithm!r} is not available: {module_name} has no {class_name}."
        ) from None


def _check_finite(X: np.ndarray, names: list[str]) -> None:
    bad = ~np.isfinite(X)
    if bad.any():
        col = int(np.flatnonzero(bad.any(axis=0))[0])
        row = int(np.flatnonzero(bad[:, col])[0])
        raise ValueError(
            f"column {names[col]!r} has {int(bad[:, col].sum())} missing or non-finite values "
            f"(first in data row {row + 1}); remove or impute them first."
        )


def _standardize(X: np.ndarray) -> np.ndarray:
    """Z-scores per column; a constant column is centred and left unscaled."""
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - X.mean(axis=0)) / scale


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, bool, type(None))):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return repr(value)


def _fit(
    X: np.ndarray,
    names: list[str],
    *,
    algorithm: str,
    n_clusters: int,
    standardize: bool,
    random_state: int | None,
) -> dict[str, Any]:
    """Fit ``algorithm`` on ``X`` and return the labels and a JSON-ready summary."""
    _check_finite(X, names)
    cls = _estimator_class(algorithm)
    accepted = inspect.signature(cls).parameters
    params = {"n_clusters": n_clusters, "random_state": random_state}
    estimator = cls(**{k: v for k, v in params.items() if k in accepted})
    Z = _standardize(X) if standardize else X

    err = _stderr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with err.status(f"Fitting {cls.__name__}(n_clusters={n_clusters})…"):
            estimator.fit(Z)
    shown = [w for w in caught if not issubclass(w.category, _HIDDEN_WARNINGS)]
    for message in dict.fromkeys(" ".join(str(w.message).split()) for w in shown):
        err.print(f"warning: {message}", markup=False)

    labels = np.asarray(estimator.labels_, dtype=np.int64)
    clusters = np.unique(labels)
    sizes = {int(c): int((labels == c).sum()) for c in clusters}
    means = {int(c): X[labels == c].mean(axis=0) for c in clusters}
    inertia = getattr(estimator, "inertia_", None)
    n_iter = getattr(estimator, "n_iter_", None)
    summary = {
        "shoal_version": __version__,
        "algorithm": algorithm,
        "estimator": cls.__name__,
        "parameters": _jsonable(estimator.get_params()),
        "standardize": standardize,
        "n_samples": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "columns": list(names),
        "n_clusters": int((clusters >= 0).sum()),
        "n_noise": sizes.get(-1, 0),
        "cluster_sizes": {str(c): n for c, n in sizes.items()},
        "inertia": _jsonable(inertia),
        "inertia_space": "standardized" if standardize else "raw",
        "n_iter": _jsonable(n_iter),
        "cluster_means": {
            str(c): {name: float(v) for name, v in zip(names, m)} for c, m in means.items()
        },
        "overall_means": {name: float(v) for name, v in zip(names, X.mean(axis=0))},
        "overall_stds": {name: float(v) for name, v in zip(names, X.std(axis=0))},
    }
    return {"labels": labels, "summary": summary}


def _num(v: float) -> str:
    """Readable number for tables: thousands separators for big values, few decimals."""
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _print_table(summary: dict[str, Any], console: Console) -> None:
    """One column per cluster, one row per feature: stays narrow for wide tables."""
    names: list[str] = summary["columns"]
    shown = names[:_TABLE_ROWS]
    n = summary["n_samples"]
    table = Table(
        title=f"{summary['estimator']}: {summary['n_clusters']} clusters, {n} samples "
        "(feature means per cluster)",
        title_justify="left",
    )
    table.add_column("cluster", no_wrap=True)
    clusters = list(summary["cluster_sizes"])
    for c in clusters:
        table.add_column("noise" if c == "-1" else c, justify="right")
    table.add_row("size", *(str(summary["cluster_sizes"][c]) for c in clusters))
    table.add_row(
        "share", *(f"{summary['cluster_sizes'][c] / n:.1%}" for c in clusters), end_section=True
    )
    for name in shown:
        table.add_row(name, *(_num(summary["cluster_means"][c][name]) for c in clusters))
    console.print(table)
    if len(names) > len(shown):
        console.print(f"({len(names) - len(shown)} more feature means in the JSON summary)")
    if summary["inertia"] is not None:
        console.print(f"inertia ({summary['inertia_space']} data): {summary['inertia']:.6g}")


def _distinguishing(summary: dict[str, Any], cluster: str, top: int = 3) -> list[str]:
    """Features whose cluster mean is at least half a standard deviation from the overall mean."""
    out = []
    for name in summary["columns"]:
        std = summary["overall_stds"][name]
        if std == 0:
            continue
        z = (summary["cluster_means"][cluster][name] - summary["overall_means"][name]) / std
        if abs(z) >= 0.5:
            out.append((abs(z), f"{'high' if z > 0 else 'low'} {name} ({z:+.1f} sd)"))
    return [text for _, text in sorted(out, reverse=True)[:top]]


def _markdown(summary: dict[str, Any], title: str) -> str:
    names: list[str] = summary["columns"]
    n = summary["n_samples"]
    lines = [
        f"# {title}",
        "",
        f"{summary['estimator']} found {summary['n_clusters']} segments in {n} rows "
        f"({', '.join(names)}; {'standardised' if summary['standardize'] else 'raw'} "
        "columns). Means below are in the original units.",
        "",
        "## Segments",
        "",
        "| segment | size | share | " + " | ".join(names) + " |",
        "|---:|---:|---:|" + "---:|" * len(names),
    ]
    for c, size in summary["cluster_sizes"].items():
        means = summary["cluster_means"][c]
        cells = " | ".join(_num(means[x]) for x in names)
        lines.append(f"| {c} | {size} | {size / n:.1%} | {cells} |")
    overall = " | ".join(_num(summary["overall_means"][x]) for x in names)
    lines += [f"| all | {n} | 100% | {overall} |", "", "## What sets each segment apart", ""]
    for c, size in summary["cluster_sizes"].items():
        traits = _distinguishing(summary, c)
        text = ", ".join(traits) if traits else "close to the overall average on every feature"
        lines.append(f"- **Segment {c}** ({size} rows): {text}.")
    lines += [
        "",
        "sd = standard deviations of the whole table away from its overall mean; "
        "features within half a standard deviation are not listed.",
        "",
    ]
    return "\n".join(lines)


def _write_json(path: Path, summary: dict[str, Any]) -> None:
    path.write_text(json.dumps(summary, indent=2) + "\n")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"shoal {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Cluster tabular data with shoal's estimators."""


@app.command()
def cluster(
    data: Annotated[
        Path, typer.Argument(help="CSV, TSV, text, Parquet, .npy or .npz file.", show_default=False)
    ],
    algorithm: Annotated[
        str,
        typer.Option("--algorithm", "-a", help=f"One of: {', '.join(ALGORITHMS)}."),
    ] = "kmeans",
    n_clusters: Annotated[int, typer.Option("--n-clusters", "-k", help="Number of clusters.")] = 8,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            "-c",
            help="Comma-separated column names or positions; default: every numeric column.",
        ),
    ] = None,
    standardize: Annotated[
        bool,
        typer.Option("--standardize/--no-standardize", help="Z-score each column before fitting."),
    ] = True,
    random_state: Annotated[
        int | None, typer.Option("--random-state", help="Seed for reproducible results.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write labels here (.csv or .npy)."),
    ] = None,
    summary_path: Annotated[
        Path | None,
        typer.Option("--summary", help="Write a JSON summary here."),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="Field separator of a text file.")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="Array to read from an .npz.")] = None,
) -> None:
    """Cluster the rows of DATA and print the size and feature means of each cluster."""
    out_console, err = _stdout(), _stderr()
    with _user_errors():
        _estimator_class(algorithm)  # fail on a bad name before reading a big file
        wanted = None
        if columns is not None:
            wanted = [c.strip() for c in columns.split(",") if c.strip()]
            if not wanted:
                raise ValueError(f"--columns {columns!r} names no column.")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DroppedColumnsWarning)
            X, names = load_table(data, columns=wanted, delimiter=delimiter, key=key)
        for w in caught:
            prefix = "note" if issubclass(w.category, DroppedColumnsWarning) else "warning"
            err.print(f"{prefix}: {w.message}", markup=False)

        result = _fit(
            X,
            names,
            algorithm=algorithm,
            n_clusters=n_clusters,
            standardize=standardize,
            random_state=random_state,
        )
        summary = result["summary"]
        summary["data"] = str(data)
        if out is not None:
            save_labels(out, result["labels"])
        if summary_path is not None:
            _write_json(summary_path, summary)

    _print_table(summary, out_console)
    if out is not None:
        out_console.print(f"labels  -> {out}", markup=False)
    else:
        out_console.print("labels not written; pass --out labels.csv to keep them.")
    if summary_path is not None:
        out_console.print(f"summary -> {summary_path}", markup=False)


@app.command()
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out-dir", "-o", help="Folder for labels.csv and the summaries.")
    ] = Path("shoal_demo"),
) -> None:
    """Segment the bundled synthetic customers table with KMeans (k=5) and write the results."""
    from shoal.datasets import load_demo

    console = _stdout()
    with _user_errors():
        X, names = load_demo()
        result = _fit(X, names, algorithm="kmeans", n_clusters=5, standardize=True, random_state=0)
        summary = result["summary"]
        summary["data"] = "shoal.datasets.load_demo() (synthetic customers)"
        out_dir.mkdir(parents=True, exist_ok=True)
        labels_path = save_labels(out_dir / "labels.csv", result["labels"])
        json_path = out_dir / "summary.json"
        _write_json(json_path, summary)
        md_path = out_dir / "summary.md"
        md_path.write_text(_markdown(summary, "shoal demo: customer segments"))

    _print_table(summary, console)
    console.print(f"wrote {labels_path}, {json_path} and {md_path}", markup=False)


def main() -> None:
    """Entry point of the ``shoal`` console script."""
    app(prog_name="shoal")


if __name__ == "__main__":
    main()
