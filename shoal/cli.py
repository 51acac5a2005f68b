"""The ``shoal`` command line: cluster a table file, choose k, write a report, run the demo.

    shoal cluster data.csv --algorithm kmeans --n-clusters 4 --out labels.csv --summary s.json
    shoal cluster data.csv -a gmm -k auto --param covariance_type=diag --report report.html
    shoal select data.csv -a kmeans --k-range 2:10 --plot selection.svg
    shoal report data.csv -a hdbscan --param min_cluster_size=20 --out report.html
    shoal demo --out-dir shoal_demo
    shoal --version

User errors (a missing or malformed file, a non-numeric column, an unknown algorithm, a parameter
the estimator rejects) print one line ``error: ...`` on stderr and exit with status 1; typer's
own usage errors exit with 2. Estimators are looked up lazily in :data:`ALGORITHMS`, so the
command line starts without importing numba kernels it does not use.
"""

from __future__ import annotations

import importlib
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
    "kmedoids": ("shoal.centroid.kmedoids", "KMedoids"),
    "kmodes": ("shoal.centroid.kmodes", "KModes"),
    "kprototypes": ("shoal.centroid.kmodes", "KPrototypes"),
    "fuzzy-cmeans": ("shoal.centroid.fuzzy", "FuzzyCMeans"),
    "gmm": ("shoal.mixture.gaussian", "GaussianMixture"),
    "bayesian-gmm": ("shoal.mixture.bayesian", "BayesianGaussianMixture"),
    "meanshift": ("shoal.mode.meanshift", "MeanShift"),
    "medoidshift": ("shoal.mode.meanshift", "MedoidShift"),
    "dbscan": ("shoal.density.dbscan", "DBSCAN"),
    "hdbscan": ("shoal.density.hdbscan", "HDBSCAN"),
    "optics": ("shoal.density.optics", "OPTICS"),
    "agglomerative": ("shoal.hierarchy.agglomerative", "AgglomerativeClustering"),
    "birch": ("shoal.hierarchy.birch", "Birch"),
    "spectral": ("shoal.graph.spectral", "SpectralClustering"),
    "affinity-propagation": ("shoal.graph.affinity", "AffinityPropagation"),
}

#: The parameter that sets the number of clusters, in the order looked for.
_K_PARAMS = ("n_clusters", "n_components")

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


def _check_algorithm(algorithm: str) -> None:
    """A clear error for an unknown ``--algorithm`` name (nothing is imported)."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}.")


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


def _parse_value(text: str) -> Any:
    """``--param`` value: int, float, true/false, none, a JSON list/dict, else the string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    if text.strip()[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"--param value {text!r} is not valid JSON.") from None
    return text


def _parse_params(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--param {item!r} must look like name=value.")
        out[name.strip()] = _parse_value(value)
    return out


def _parse_k(text: str | None) -> int | str | None:
    """``--n-clusters``: a positive integer or 'auto' (a usage error otherwise)."""
    if text is None:
        return None
    if text.strip().lower() == "auto":
        return "auto"
    try:
        k = int(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is neither an integer nor 'auto'.") from None
    return k


def _parse_range(text: str) -> list[int]:
    """``--k-range``: ``2:10`` or ``2..10`` (inclusive) or ``2,4,8``."""
    try:
        for sep in (":", ".."):
            if sep in text:
                lo, hi = (int(v) for v in text.split(sep))
                return list(range(lo, hi + 1))
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--k-range {text!r} must look like 2:10 or 2,3,5.") from None


def _k_param(estimator: Any) -> str | None:
    names = estimator.get_params()
    return next((p for p in _K_PARAMS if p in names), None)


def _make_estimator(
    algorithm: str, n_clusters: int | str | None, params: dict[str, Any], random_state: int | None
) -> Any:
    """The estimator for ``algorithm`` with the command line's parameters set (checked
    against the estimator's own parameter names; values are checked by its fit)."""
    cls = _estimator_class(algorithm)
    estimator = cls()
    valid = estimator.get_params()
    unknown = [p for p in params if p not in valid]
    if unknown:
        raise ValueError(
            f"--param {unknown[0]!r} is not a parameter of {cls.__name__}; "
            f"it has {', '.join(sorted(valid))}."
        )
    settings = dict(params)
    if random_state is not None and "random_state" in valid and "random_state" not in params:
        settings["random_state"] = random_state
    k_name = _k_param(estimator)
    if isinstance(n_clusters, int):
        if k_name is None:
            raise ValueError(
                f"--n-clusters does not apply to {algorithm!r} ({cls.__name__} finds the "
                "number of clusters itself); set its own parameters with --param."
            )
        settings[k_name] = n_clusters
    elif n_clusters == "auto" and k_name is None:
        raise ValueError(f"--n-clusters auto needs an algorithm with n_clusters; {algorithm!r} "
                         "has none.")  # fmt: skip
    estimator.set_params(**settings)
    return estimator


@contextmanager
def _shown_warnings() -> Iterator[None]:
    """Print each distinct user-facing warning once, as ``warning: ...`` on stderr."""
    err = _stderr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    shown = [w for w in caught if not issubclass(w.category, _HIDDEN_WARNINGS)]
    for message in dict.fromkeys(" ".join(str(w.message).split()) for w in shown):
        err.print(f"warning: {message}", markup=False)


def _fit(
    X: np.ndarray,
    names: list[str],
    *,
    algorithm: str,
    n_clusters: int | str | None,
    standardize: bool,
    random_state: int | None,
    params: dict[str, Any] | None = None,
    k_range: list[int] | None = None,
) -> dict[str, Any]:
    """Fit ``algorithm`` on ``X`` (choosing k first when ``n_clusters='auto'``) and return
    the estimator, labels, the selection (or None) and a JSON-ready summary."""
    _check_finite(X, names)
    estimator = _make_estimator(algorithm, n_clusters, params or {}, random_state)
    name = type(estimator).__name__
    Z = _standardize(X) if standardize else X
    selection = None
    with _shown_warnings():
        if n_clusters == "auto":
            from shoal.select import select_k

            ks = [k for k in (k_range or list(range(2, 11))) if k <= X.shape[0]]
            selection = select_k(estimator, Z, ks, "auto", random_state=random_state,
                                 progress=True)  # fmt: skip
            estimator = selection.best_estimator
            _stderr().print(selection.explanation, markup=False)
        else:
            with _stderr().status(f"Fitting {name}…"):
                estimator.fit(Z)
    labels = getattr(estimator, "labels_", None)
    if labels is None:
        labels = estimator.predict(Z)
    labels = np.asarray(labels, dtype=np.int64)
    clusters = np.unique(labels)
    sizes = {int(c): int((labels == c).sum()) for c in clusters}
    means = {int(c): X[labels == c].mean(axis=0) for c in clusters}
    summary = {
        "shoal_version": __version__,
        "algorithm": algorithm,
        "estimator": name,
        "parameters": _jsonable(estimator.get_params()),
        "standardize": standardize,
        "n_samples": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "columns": list(names),
        "n_clusters": int((clusters >= 0).sum()),
        "n_noise": sizes.get(-1, 0),
        "cluster_sizes": {str(c): n for c, n in sizes.items()},
        "inertia": _jsonable(getattr(estimator, "inertia_", None)),
        "inertia_space": "standardized" if standardize else "raw",
        "n_iter": _jsonable(getattr(estimator, "n_iter_", None)),
        "selection": None if selection is None else {
            "k": selection.k, "explanation": selection.explanation,
            "table": _jsonable(selection.table())},
        "cluster_means": {
            str(c): {name: float(v) for name, v in zip(names, m)} for c, m in means.items()
        },
        "overall_means": {name: float(v) for name, v in zip(names, X.mean(axis=0))},
        "overall_stds": {name: float(v) for name, v in zip(names, X.std(axis=0))},
    }  # fmt: skip
    return {"labels": labels, "summary": summary, "estimator": estimator, "X_fit": Z,
            "selection": selection}  # fmt: skip


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


# Options shared by cluster / report / select.
_DataArg = Annotated[
    Path, typer.Argument(help="CSV, TSV, text, Parquet, .npy or .npz file.", show_default=False)
]
_AlgorithmOpt = Annotated[
    str, typer.Option("--algorithm", "-a", help=f"One of: {', '.join(ALGORITHMS)}.")
]
_KOpt = Annotated[
    str | None,
    typer.Option(
        "--n-clusters",
        "-k",
        help="Number of clusters, or 'auto' to choose it (elbow, silhouette, Calinski-Harabasz "
        "and Davies-Bouldin vote); default: the algorithm's own.",
        show_default=False,
    ),
]
_KRangeOpt = Annotated[
    str, typer.Option("--k-range", help="Values of k tried by 'auto' / select: 2:10 or 2,4,8.")
]
_ParamOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        help="Estimator parameter as name=value (repeatable), e.g. --param linkage=average.",
        show_default=False,
    ),
]
_ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        "-c",
        help="Comma-separated column names or positions; default: every numeric column.",
    ),
]
_StandardizeOpt = Annotated[
    bool,
    typer.Option("--standardize/--no-standardize", help="Z-score each column before fitting."),
]
_SeedOpt = Annotated[
    int | None, typer.Option("--random-state", help="Seed for reproducible results.")
]
_DelimiterOpt = Annotated[
    str | None, typer.Option("--delimiter", help="Field separator of a text file.")
]
_KeyOpt = Annotated[str | None, typer.Option("--key", help="Array to read from an .npz.")]


def _load(
    data: Path, columns: str | None, delimiter: str | None, key: str | None
) -> tuple[np.ndarray, list[str]]:
    wanted = None
    if columns is not None:
        wanted = [c.strip() for c in columns.split(",") if c.strip()]
        if not wanted:
            raise ValueError(f"--columns {columns!r} names no column.")
    err = _stderr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DroppedColumnsWarning)
        X, names = load_table(data, columns=wanted, delimiter=delimiter, key=key)
    for w in caught:
        prefix = "note" if issubclass(w.category, DroppedColumnsWarning) else "warning"
        err.print(f"{prefix}: {w.message}", markup=False)
    return X, names


def _check_output(path: Path | None, option: str, suffixes: tuple[str, ...]) -> None:
    """Fail before a long fit when an output cannot be written."""
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        raise ValueError(f"{option} {path}: use a file ending in {', '.join(suffixes)}.")
    if not path.parent.exists():
        raise FileNotFoundError(f"{option} {path}: the folder {path.parent} does not exist.")


def _report(path: Path, X: np.ndarray, names: list[str], result: dict[str, Any], *,
            title: str, data_name: str, standardize: bool) -> None:  # fmt: skip
    from shoal.report import write_report

    with _stderr().status("Writing the report…"):
        write_report(path, X, result["estimator"], X_fit=result["X_fit"], feature_names=names,
                     selection=result["selection"], title=title, data_name=data_name,
                     scaling="z-score per column" if standardize else "none")  # fmt: skip


@app.command()
def cluster(
    data: _DataArg,
    algorithm: _AlgorithmOpt = "kmeans",
    n_clusters: _KOpt = None,
    k_range: _KRangeOpt = "2:10",
    param: _ParamOpt = None,
    columns: _ColumnsOpt = None,
    standardize: _StandardizeOpt = True,
    random_state: _SeedOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write labels here (.csv, .tsv, .parquet or .npy)."),
    ] = None,
    summary_path: Annotated[
        Path | None, typer.Option("--summary", help="Write a JSON summary here.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the HTML report here.")
    ] = None,
    save_model: Annotated[
        Path | None,
        typer.Option(
            "--save-model",
            help="Save the fitted estimator here (shoal.io format, loaded by shoal.io.load).",
        ),
    ] = None,
    delimiter: _DelimiterOpt = None,
    key: _KeyOpt = None,
) -> None:
    """Cluster the rows of DATA and print the size and feature means of each cluster."""
    k = _parse_k(n_clusters)
    out_console = _stdout()
    with _user_errors():
        _check_algorithm(algorithm)  # fail on a bad name before reading a big file
        params = _parse_params(param)
        _check_output(out, "--out", (".csv", ".tsv", ".txt", ".parquet", ".pq", ".npy"))
        _check_output(summary_path, "--summary", (".json",))
        _check_output(report, "--report", (".html", ".htm"))
        _check_output(save_model, "--save-model", (".shoal", ".zip"))
        X, names = _load(data, columns, delimiter, key)
        result = _fit(X, names, algorithm=algorithm, n_clusters=k, standardize=standardize,
                      random_state=random_state, params=params,
                      k_range=_parse_range(k_range))  # fmt: skip
        summary = result["summary"]
        summary["data"] = str(data)
        if out is not None:
            save_labels(out, result["labels"])
        if summary_path is not None:
            _write_json(summary_path, summary)
        if report is not None:
            _report(report, X, names, result, title=f"Clustering of {data.name}",
                    data_name=str(data), standardize=standardize)  # fmt: skip
        if save_model is not None:
            from shoal.io import save

            save(result["estimator"], save_model)

    _print_table(summary, out_console)
    if out is not None:
        out_console.print(f"labels  -> {out}", markup=False)
    else:
        out_console.print("labels not written; pass --out labels.csv to keep them.")
    if summary_path is not None:
        out_console.print(f"summary -> {summary_path}", markup=False)
    if report is not None:
        out_console.print(f"report  -> {report}", markup=False)
    if save_model is not None:
        note = " (fitted on z-scored columns)" if standardize else ""
        out_console.print(f"model   -> {save_model}{note}", markup=False)


@app.command("report")
def report_command(
    data: _DataArg,
    algorithm: _AlgorithmOpt = "kmeans",
    n_clusters: _KOpt = "auto",
    k_range: _KRangeOpt = "2:10",
    param: _ParamOpt = None,
    columns: _ColumnsOpt = None,
    standardize: _StandardizeOpt = True,
    random_state: _SeedOpt = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file.")] = Path("report.html"),
    title: Annotated[str | None, typer.Option("--title", help="Page title.")] = None,
    delimiter: _DelimiterOpt = None,
    key: _KeyOpt = None,
) -> None:
    """Cluster DATA and write the self-contained HTML report (k chosen automatically unless
    --n-clusters is given)."""
    k = _parse_k(n_clusters)
    with _user_errors():
        _check_algorithm(algorithm)
        params = _parse_params(param)
        _check_output(out, "--out", (".html", ".htm"))
        X, names = _load(data, columns, delimiter, key)
        if k == "auto" and _k_param(_estimator_class(algorithm)()) is None:
            k = None  # density and mode seeking algorithms find k themselves
        result = _fit(X, names, algorithm=algorithm, n_clusters=k, standardize=standardize,
                      random_state=random_state, params=params,
                      k_range=_parse_range(k_range))  # fmt: skip
        _report(out, X, names, result, title=title or f"Clustering of {data.name}",
                data_name=str(data), standardize=standardize)  # fmt: skip
    summary = result["summary"]
    _stdout().print(f"{summary['estimator']}: {summary['n_clusters']} clusters; report -> {out}",
                    markup=False)  # fmt: skip


@app.command("select")
def select_command(
    data: _DataArg,
    algorithm: _AlgorithmOpt = "kmeans",
    k_range: _KRangeOpt = "2:10",
    method: Annotated[
        str,
        typer.Option(
            "--method",
            "-m",
            help="'auto', or comma-separated criteria: elbow, silhouette, calinski_harabasz, "
            "davies_bouldin, gap, bic, aic, icl, stability, eigengap.",
        ),
    ] = "auto",
    param: _ParamOpt = None,
    columns: _ColumnsOpt = None,
    standardize: _StandardizeOpt = True,
    random_state: _SeedOpt = 0,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Draw the criteria curves here (.svg, .png or .pdf)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the criteria table here (.csv).")
    ] = None,
    delimiter: _DelimiterOpt = None,
    key: _KeyOpt = None,
) -> None:
    """Fit the algorithm once per k and print each criterion, its choice and the verdict."""
    from shoal.select import select_k

    with _user_errors():
        estimator = _make_estimator(algorithm, None, _parse_params(param), random_state)
        if _k_param(estimator) is None:
            raise ValueError(f"select needs an algorithm with n_clusters; {algorithm!r} has none.")
        _check_output(plot, "--plot", (".svg", ".png", ".pdf"))
        _check_output(out, "--out", (".csv",))
        methods: str | list[str] = "auto" if method.strip() == "auto" else \
            [m.strip() for m in method.split(",") if m.strip()]  # fmt: skip
        X, names = _load(data, columns, delimiter, key)
        _check_finite(X, names)
        Z = _standardize(X) if standardize else X
        ks = _parse_range(k_range)
        with _shown_warnings():
            res = select_k(estimator, Z, ks, methods, random_state=random_state, progress=True)
        if plot is not None:
            _plot_selection(res, plot)
        if out is not None:
            rows = res.table()
            header = list(rows[0])
            lines = [",".join(header)] + [",".join(repr(r[h]) for h in header) for r in rows]
            out.write_text("\n".join(lines) + "\n")
    console = _stdout()
    crits = [c for c in res.scores if c != "gap_se"]
    table = Table(title=f"{type(estimator).__name__}: criteria per k", title_justify="left")
    table.add_column("k", justify="right")
    for c in crits:
        table.add_column(c, justify="right")
    for i, kk in enumerate(res.ks):
        cells = [f"{float(res.scores[c][i]):.4g}" + (" *" if res.chosen.get(c) == kk else "")
                 for c in crits]  # fmt: skip
        table.add_row(str(kk), *cells)
    console.print(table)
    console.print("* = that criterion's choice", markup=False)
    console.print(res.explanation, markup=False)
    if plot is not None:
        console.print(f"plot  -> {plot}", markup=False)
    if out is not None:
        console.print(f"table -> {out}", markup=False)


def _plot_selection(res: Any, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shoal.plot import plot_selection

    crits = [c for c in res.scores if c != "gap_se"]
    cols = min(2, len(crits))
    rows = -(-len(crits) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.4 * rows), squeeze=False)
    for ax, c in zip(axes.ravel(), crits, strict=False):
        plot_selection(res, c, ax=ax)
        ax.set_title(c.replace("_", " "))
    for ax in axes.ravel()[len(crits) :]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


@app.command()
def demo(
    out_dir: Annotated[
        Path,
        typer.Option("--out-dir", "-o", help="Folder for labels, summaries and the report."),
    ] = Path("shoal_demo"),
) -> None:
    """Segment the bundled synthetic customers: choose k, cluster with KMeans, write labels,
    summaries and the HTML report."""
    from shoal.datasets import load_demo

    console = _stdout()
    with _user_errors():
        X, names = load_demo()
        result = _fit(X, names, algorithm="kmeans", n_clusters="auto", standardize=True,
                      random_state=0, k_range=list(range(2, 11)))  # fmt: skip
        summary = result["summary"]
        summary["data"] = "shoal.datasets.load_demo() (synthetic customers)"
        out_dir.mkdir(parents=True, exist_ok=True)
        labels_path = save_labels(out_dir / "labels.csv", result["labels"])
        json_path = out_dir / "summary.json"
        _write_json(json_path, summary)
        md_path = out_dir / "summary.md"
        md_path.write_text(_markdown(summary, "shoal demo: customer segments"))
        report_path = out_dir / "report.html"
        _report(report_path, X, names, result, title="shoal demo: customer segments",
                data_name="shoal.datasets.load_demo() (600 synthetic customers)",
                standardize=True)  # fmt: skip

    _print_table(summary, console)
    console.print(f"wrote {labels_path}, {json_path}, {md_path} and {report_path}", markup=False)


_IMAGE_SUFFIXES = (".png", ".bmp", ".tif", ".tiff", ".gif")  # lossless: the palette survives


@app.command()
def quantize(
    image: Annotated[Path, typer.Argument(help="An image file (PNG, JPEG, BMP, TIFF, ...).")],
    colors: Annotated[int, typer.Option("--colors", "-k", help="Palette size.")] = 16,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Quantised image (lossless: .png, .bmp, .tif, .gif)."),
    ] = None,
    sample_size: Annotated[
        int, typer.Option("--sample-size", help="Pixels k-means is fitted on.")
    ] = 10_000,
    random_state: _SeedOpt = 0,
) -> None:
    """Reduce IMAGE to --colors colours with k-means; print PSNR and the compression ratio."""
    with _user_errors():
        from shoal.apps import quantize_image, read_image, write_image

        target = out if out is not None else image.with_name(f"{image.stem}_{colors}colors.png")
        _check_output(target, "--out", _IMAGE_SUFFIXES)
        pixels = read_image(image)
        with _stderr().status(f"Quantising to {colors} colours…"), _shown_warnings():
            res = quantize_image(pixels, colors, sample_size=sample_size,
                                 random_state=random_state)  # fmt: skip
        write_image(target, res.image)
    h, w = pixels.shape[:2]
    console = _stdout()
    console.print(f"{image.name}: {w} x {h} pixels, {res.n_colors} colours", markup=False)
    console.print(f"PSNR: {res.psnr:.2f} dB", markup=False)
    console.print(
        f"compression ratio: {res.compression_ratio:.2f} (24 bits per pixel -> a "
        f"{res.n_colors}-colour palette and its indices)",
        markup=False,
    )
    console.print(f"image -> {target}", markup=False)


@app.command()
def segment(
    image: Annotated[Path, typer.Argument(help="An image file (PNG, JPEG, BMP, TIFF, ...).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Segments painted with their mean colour (.png, ...)."),
    ] = None,
    labels_out: Annotated[
        Path | None, typer.Option("--labels", help="Segment of each pixel, (H, W) .npy.")
    ] = None,
    bandwidth: Annotated[
        float | None, typer.Option("--bandwidth", help="Mean-shift bandwidth (default: estimated).")
    ] = None,
    spatial_weight: Annotated[
        float, typer.Option("--spatial-weight", help="Weight of position against colour.")
    ] = 0.5,
    max_pixels: Annotated[
        int, typer.Option("--max-pixels", help="Pixels the modes are found from.")
    ] = 10_000,
    random_state: _SeedOpt = 0,
) -> None:
    """Segment IMAGE by mean shift in the joint (x, y, colour) space."""
    with _user_errors():
        from shoal.apps import read_image, segment_image, write_image

        target = out if out is not None else image.with_name(f"{image.stem}_segments.png")
        _check_output(target, "--out", _IMAGE_SUFFIXES)
        _check_output(labels_out, "--labels", (".npy",))
        pixels = read_image(image)
        with _stderr().status("Mean shift…"), _shown_warnings():
            res = segment_image(pixels, bandwidth=bandwidth, spatial_weight=spatial_weight,
                                max_pixels=max_pixels, random_state=random_state)  # fmt: skip
        write_image(target, res.image)
        if labels_out is not None:
            np.save(labels_out, res.labels)
    console = _stdout()
    console.print(f"{image.name}: {res.n_segments} segments (bandwidth {res.bandwidth:.3g})",
                  markup=False)  # fmt: skip
    console.print(f"image  -> {target}", markup=False)
    if labels_out is not None:
        console.print(f"labels -> {labels_out}", markup=False)


def main() -> None:
    """Entry point of the ``shoal`` console script."""
    app(prog_name="shoal")


if __name__ == "__main__":
    main()
