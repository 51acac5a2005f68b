from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from typer.testing import CliRunner

import shoal
from shoal import cli

pd = pytest.importorskip("pandas")

runner = CliRunner()


class NoisyClusterer(BaseEstimator):
    """Stand-in for a density estimator: marks the first rows as noise and warns once."""

    def __init__(self, n_clusters=2, random_state=None):
        self.n_clusters = n_clusters
        self.random_state = random_state

    def fit(self, X):
        import warnings

        warnings.warn("did not converge", UserWarning, stacklevel=2)
        warnings.warn("old API", DeprecationWarning, stacklevel=2)
        self.labels_ = np.arange(len(X)) % self.n_clusters
        self.labels_[:3] = -1
        return self


@pytest.fixture(autouse=True)
def kmeans_available(monkeypatch):
    """Until shoal's KMeans lands, run the CLI against scikit-learn's as a test double."""
    if importlib.util.find_spec("shoal.centroid.kmeans") is None:
        monkeypatch.setitem(cli.ALGORITHMS, "kmeans", ("sklearn.cluster", "KMeans"))


@pytest.fixture
def blobs_csv(tmp_path):
    rng = np.random.default_rng(1)
    centers = np.array([[0.0, 0.0, 0.0], [8.0, 8.0, 0.0], [0.0, 8.0, 8.0]])
    X = np.vstack([c + rng.normal(size=(40, 3)) for c in centers])
    df = pd.DataFrame(X, columns=["u", "v", "w"])
    df["city"] = rng.choice(["Oslo", "Lima", "Pune"], size=len(df))
    path = tmp_path / "blobs.csv"
    df.to_csv(path, index=False)
    return path, len(df)


def _assert_one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    for fragment in fragments:
        assert fragment in errors[0]


def test_noise_label_and_warnings(blobs_csv, tmp_path, monkeypatch):
    monkeypatch.setitem(cli.ALGORITHMS, "noisy", (__name__, "NoisyClusterer"))
    path, n = blobs_csv
    summary = tmp_path / "s.json"
    args = ["cluster", str(path), "-a", "noisy", "-k", "2", "--summary", str(summary)]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "warning: did not converge" in result.stderr
    assert "old API" not in result.stderr
    assert "noise" in result.stdout
    info = json.loads(summary.read_text())
    assert info["n_noise"] == 3 and info["n_clusters"] == 2
    assert info["inertia"] is None
    assert sum(info["cluster_sizes"].values()) == n


def test_version():
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert shoal.__version__ in result.stdout


def test_help_lists_commands():
    result = runner.invoke(cli.app, ["--help"])
    assert result.exit_code == 0
    assert "cluster" in result.stdout and "demo" in result.stdout


def test_cluster_writes_labels_and_summary(blobs_csv, tmp_path):
    path, n = blobs_csv
    out, summary = tmp_path / "labels.csv", tmp_path / "summary.json"
    args = ["cluster", str(path), "-k", "3", "--random-state", "0"]
    result = runner.invoke(cli.app, [*args, "--out", str(out), "--summary", str(summary)])
    assert result.exit_code == 0, result.output
    assert "note: dropped non-numeric column 'city'" in result.stderr
    labels = pd.read_csv(out)["label"].to_numpy()
    assert labels.shape == (n,)
    assert len(np.unique(labels)) <= 3
    info = json.loads(summary.read_text())
    assert info["algorithm"] == "kmeans"
    assert info["columns"] == ["u", "v", "w"]
    assert info["n_samples"] == n
    assert sum(info["cluster_sizes"].values()) == n
    assert info["parameters"]["n_clusters"] == 3
    assert info["inertia"] is not None and info["inertia"] > 0
    assert set(info["cluster_means"]) == set(info["cluster_sizes"])
    assert "size" in result.stdout


def test_cluster_columns_and_npy_output(blobs_csv, tmp_path):
    path, n = blobs_csv
    out = tmp_path / "labels.npy"
    args = ["cluster", str(path), "-k", "2", "--columns", "u,2", "--no-standardize"]
    result = runner.invoke(cli.app, [*args, "--out", str(out), "--random-state", "3"])
    assert result.exit_code == 0, result.output
    assert "note:" not in result.stderr
    labels = np.load(out)
    assert labels.shape == (n,) and labels.dtype == np.int64
    assert set(np.unique(labels)) <= {0, 1}


def test_cluster_without_out_says_how_to_keep_labels(blobs_csv):
    path, _ = blobs_csv
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2", "--random-state", "0"])
    assert result.exit_code == 0, result.output
    assert "--out" in result.stdout


def test_cluster_npz_key(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "arrays.npz"
    np.savez(path, a=np.zeros((3, 2)), b=rng.normal(size=(20, 2)))
    out = tmp_path / "l.csv"
    args = ["cluster", str(path), "--key", "b", "-k", "2", "--out", str(out)]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert len(out.read_text().splitlines()) == 21


def test_missing_file(tmp_path):
    result = runner.invoke(cli.app, ["cluster", str(tmp_path / "nope.csv"), "-k", "2"])
    _assert_one_line_error(result, "nope.csv")


def test_malformed_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3,4\n5,6,7\n")
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2"])
    _assert_one_line_error(result, "bad.csv", "line 4")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2"])
    _assert_one_line_error(result, "empty")


def test_requested_non_numeric_column(blobs_csv):
    path, _ = blobs_csv
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2", "--columns", "u,city"])
    _assert_one_line_error(result, "'city'", "not numeric")


def test_no_numeric_columns(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("a,b\nx,y\nz,w\n")
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2"])
    _assert_one_line_error(result, "no numeric columns")


def test_missing_values(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b\n1,2\n3,\n5,6\n")
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2"])
    _assert_one_line_error(result, "'b'", "row 2")


def test_unknown_algorithm(blobs_csv):
    path, _ = blobs_csv
    result = runner.invoke(cli.app, ["cluster", str(path), "--algorithm", "kmeens"])
    _assert_one_line_error(result, "unknown algorithm 'kmeens'", "kmeans")


def test_algorithm_module_missing(blobs_csv, monkeypatch):
    monkeypatch.setitem(cli.ALGORITHMS, "future", ("shoal.centroid._not_yet", "Future"))
    path, _ = blobs_csv
    result = runner.invoke(cli.app, ["cluster", str(path), "--algorithm", "future"])
    _assert_one_line_error(result, "'future' is not available")


def test_too_many_clusters(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("a,b\n1,2\n3,4\n5,7\n")
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "10"])
    _assert_one_line_error(result, "n_clusters")


def test_bad_output_extension(blobs_csv, tmp_path):
    path, _ = blobs_csv
    out = tmp_path / "labels.json"
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2", "--out", str(out)])
    _assert_one_line_error(result, "labels.json")


def test_output_folder_missing(blobs_csv, tmp_path):
    path, _ = blobs_csv
    out = tmp_path / "no" / "such" / "labels.csv"
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "2", "--out", str(out)])
    _assert_one_line_error(result, "labels.csv")


def test_usage_error_exits_2(blobs_csv):
    path, _ = blobs_csv
    result = runner.invoke(cli.app, ["cluster", str(path), "-k", "three"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("demo")
    result = runner.invoke(cli.app, ["demo", "--out-dir", str(out_dir)])
    return out_dir, result


def test_demo_writes_four_files(demo_run):
    out_dir, result = demo_run
    assert result.exit_code == 0, result.output
    for name in ("labels.csv", "summary.json", "summary.md", "report.html"):
        assert (out_dir / name).is_file()
        assert name in result.stdout.replace("\n", "")
    info = json.loads((out_dir / "summary.json").read_text())
    labels = pd.read_csv(out_dir / "labels.csv")["label"].to_numpy()
    assert info["n_samples"] == labels.shape[0] == 600
    assert sum(info["cluster_sizes"].values()) == 600
    assert info["selection"]["k"] == info["n_clusters"] == 5  # chosen, not given
    md = (out_dir / "summary.md").read_text()
    assert md.startswith("# ") and "Segment 0" in md and "annual_income" in md
    assert "Choosing the number of clusters" in (out_dir / "report.html").read_text()


def test_demo_through_the_entry_point_is_deterministic(demo_run, tmp_path):
    """The README's main job, run as a user runs it; same files as the in-process run."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("shoal")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "shoal.cli"]
    proc = subprocess.run([*cmd, "demo", "--out-dir", str(tmp_path)], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out_dir, _ = demo_run
    for name in ("labels.csv", "summary.md"):
        assert (tmp_path / name).read_text() == (out_dir / name).read_text()


def test_demo_recovers_latent_segments(demo_run):
    from sklearn.metrics import adjusted_rand_score

    from shoal.datasets import load_demo

    out_dir, _ = demo_run
    labels = pd.read_csv(out_dir / "labels.csv")["label"].to_numpy()
    _, _, segments = load_demo(return_segments=True)
    assert adjusted_rand_score(segments, labels) > 0.8


def test_main_entry_point(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["shoal", "--version"])
    with pytest.raises(SystemExit) as info:
        cli.main()
    assert info.value.code == 0
    assert shoal.__version__ in capsys.readouterr().out
