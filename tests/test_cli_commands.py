"""Every command through the real ``shoal`` entry point (a subprocess), and every algorithm
through ``shoal cluster`` with labels checked against a direct fit of the estimator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from typer.testing import CliRunner

from shoal import cli

pd = pytest.importorskip("pandas")
runner = CliRunner()
EVIL = "<img src=x onerror=alert(1)>"


def _shoal(*args, cwd=None):
    exe = Path(sys.executable).with_name("shoal")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "shoal.cli"]
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300)  # fmt: skip


def _one_line_error(proc, *fragments):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) >= 1 and lines[-1].startswith("error: "), proc.stderr
    assert sum(line.startswith("error: ") for line in lines) == 1
    for f in fragments:
        assert f in lines[-1], lines[-1]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    rng = np.random.default_rng(4)
    centers = np.array([[0.0, 0.0, 0.0], [6.0, 6.0, 0.0], [0.0, 6.0, 6.0]])
    X = np.vstack([c + rng.normal(scale=0.7, size=(40, 3)) for c in centers])
    X = X * np.array([1.0, 100.0, 0.01])  # very different scales: --standardize matters
    path = tmp_path_factory.mktemp("cli") / "blobs.csv"
    pd.DataFrame(X, columns=[EVIL, "v", "w"]).assign(city="x").to_csv(path, index=False)
    return path, X


def _z(X):
    return (X - X.mean(0)) / X.std(0)


# name -> (--param list, n_clusters or None)
CASES = {
    "kmeans": ([], 3),
    "minibatch-kmeans": (["batch_size=64"], 3),
    "bisecting-kmeans": ([], 3),
    "kmedoids": ([], 3),
    "kmodes": (["n_bins=4"], 3),
    "kprototypes": (["categorical=[2]"], 3),
    "fuzzy-cmeans": ([], 3),
    "gmm": (["covariance_type=diag"], 3),
    "bayesian-gmm": (["weight_concentration_prior=0.01"], 3),
    "meanshift": (["bandwidth=1.5"], None),
    "medoidshift": (["bandwidth=1.5"], None),
    "dbscan": (["eps=0.6", "min_samples=5"], None),
    "hdbscan": (["min_cluster_size=10"], None),
    "optics": (["min_samples=10", "max_eps=2.0", "cluster_method=dbscan", "eps=0.6"], None),
    "agglomerative": (["linkage=average"], 3),
    "birch": (["threshold=0.3"], 3),
    "spectral": (["affinity=nearest_neighbors", "n_neighbors=10"], 3),
    "affinity-propagation": (["damping=0.9"], None),
}


def test_every_algorithm_is_covered():
    assert set(CASES) == set(cli.ALGORITHMS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_cluster_every_algorithm_matches_direct_fit(name, table, tmp_path):
    path, X = table
    params, k = CASES[name]
    out = tmp_path / "labels.csv"
    args = ["cluster", str(path), "-a", name, "--random-state", "0", "--out", str(out)]
    args += [a for p in params for a in ("--param", p)]
    if k is not None:
        args += ["-k", str(k)]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    labels = pd.read_csv(out)["label"].to_numpy()
    est = cli._make_estimator(name, k, cli._parse_params(params), 0)
    direct = clone(est).fit(_z(X))
    expected = getattr(direct, "labels_", None)
    if expected is None:
        expected = direct.predict(_z(X))
    np.testing.assert_array_equal(labels, expected)
    if name != "kmodes":  # k-modes on binned continuous columns is not meant to find blobs
        assert adjusted_rand_score(np.repeat([0, 1, 2], 40), labels) > 0.6


def test_param_errors(table):
    path, _ = table
    r = runner.invoke(cli.app, ["cluster", str(path), "-a", "agglomerative", "--param",
                                "linkages=ward"])  # fmt: skip
    assert r.exit_code == 1 and "'linkages' is not a parameter of AgglomerativeClustering" in \
        r.stderr  # fmt: skip
    r = runner.invoke(cli.app, ["cluster", str(path), "-a", "agglomerative", "--param",
                                "linkage=wart"])  # fmt: skip
    assert r.exit_code == 1 and "linkage" in r.stderr and "wart" in r.stderr
    assert "Traceback" not in r.output
    r = runner.invoke(cli.app, ["cluster", str(path), "--param", "n_init"])
    assert r.exit_code == 1 and "name=value" in r.stderr
    r = runner.invoke(cli.app, ["cluster", str(path), "-a", "dbscan", "-k", "3"])
    assert r.exit_code == 1 and "--n-clusters does not apply to 'dbscan'" in r.stderr
    r = runner.invoke(cli.app, ["cluster", str(path), "-k", "many"])
    assert r.exit_code == 2


def test_parse_value():
    assert cli._parse_value("3") == 3 and cli._parse_value("0.5") == 0.5
    assert cli._parse_value("True") is True and cli._parse_value("none") is None
    assert cli._parse_value("[1, 2]") == [1, 2] and cli._parse_value("ward") == "ward"
    assert cli._parse_range("2:5") == [2, 3, 4, 5] == cli._parse_range("2..5")
    assert cli._parse_range("2,4") == [2, 4]


def test_cluster_auto_parquet_and_report_subprocess(table, tmp_path):
    path, _X = table
    out, rep, summ = tmp_path / "l.parquet", tmp_path / "r.html", tmp_path / "s.json"
    proc = _shoal("cluster", path, "-a", "gmm", "-k", "auto", "--k-range", "2:5",
                  "--random-state", "0", "--out", out, "--report", rep,
                  "--summary", summ)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    info = json.loads(summ.read_text())
    assert info["selection"]["k"] == 3 == info["n_clusters"]
    assert "chosen by" in proc.stderr  # the explanation
    labels = pd.read_parquet(out)["label"].to_numpy()
    assert adjusted_rand_score(np.repeat([0, 1, 2], 40), labels) == 1.0
    html = rep.read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "Choosing the number of clusters" in html


def test_select_subprocess(table, tmp_path):
    from shoal import KMeans
    from shoal.select import select_k

    path, X = table
    plot, csv = tmp_path / "sel.svg", tmp_path / "sel.csv"
    proc = _shoal("select", path, "--k-range", "2:6", "--method", "silhouette,elbow",
                  "--random-state", "0", "--plot", plot, "--out", csv)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert plot.read_text().lstrip().startswith("<?xml")
    res = select_k(KMeans(random_state=0), _z(X), range(2, 7), ["silhouette", "elbow"],
                   random_state=0)  # fmt: skip
    got = pd.read_csv(csv)
    np.testing.assert_allclose(got["silhouette"], res.scores["silhouette"], rtol=1e-12)
    np.testing.assert_allclose(got["elbow"], res.scores["elbow"], rtol=1e-12)
    assert res.explanation in proc.stdout
    assert proc.stdout.count(" *") == 2


def test_report_subprocess_density_algorithm(table, tmp_path):
    path, _ = table
    rep = tmp_path / "hd.html"
    proc = _shoal("report", path, "-a", "hdbscan", "--param", "min_cluster_size=10",
                  "--out", rep, "--title", "<b>mine</b>")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    html = rep.read_text()
    assert "<title>&lt;b&gt;mine&lt;/b&gt;</title>" in html
    assert "condensed tree" in html and "HDBSCAN found 3 clusters" in html


@pytest.mark.parametrize(
    ("command", "case"), [("cluster", "missing"), ("select", "malformed"), ("report", "words")]
)
def test_bad_file_subprocess(command, case, tmp_path):
    path, fragment = _bad_file(case, tmp_path)
    _one_line_error(_shoal(command, path), fragment)


def _bad_file(case, tmp_path):
    if case == "missing":
        return tmp_path / "nope.csv", "nope.csv"
    if case == "malformed":
        path = tmp_path / "bad.csv"
        path.write_text("a,b\n1,2\n3,4\n5,6,7\n")
        return path, "bad.csv"
    path = tmp_path / "words.csv"
    path.write_text("a,b\nx,y\nz,w\n")
    return path, "no numeric columns"


def _in_process_error(result, fragment):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and fragment in lines[-1]


@pytest.mark.parametrize("command", ["cluster", "select", "report"])
@pytest.mark.parametrize("case", ["missing", "malformed", "words"])
def test_bad_files_every_command(command, case, tmp_path):
    path, fragment = _bad_file(case, tmp_path)
    _in_process_error(runner.invoke(cli.app, [command, str(path)]), fragment)


def test_bad_output_paths_fail_before_fitting(table, tmp_path):
    path, _ = table
    r = runner.invoke(cli.app, ["cluster", str(path), "--report", str(tmp_path / "r.pdf")])
    _in_process_error(r, "--report")
    r = runner.invoke(cli.app, ["select", str(path), "--plot", str(tmp_path / "no" / "p.svg")])
    _in_process_error(r, "does not exist")


def test_version_subprocess():
    proc = _shoal("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("shoal ")


def _picture(tmp_path):
    """A 48 x 64 picture: a smooth gradient sky over three flat blocks."""
    from PIL import Image

    h, w = 48, 64
    img = np.zeros((h, w, 3), dtype=np.uint8)
    img[:24, :, 0] = np.linspace(40, 200, w).astype(np.uint8)[None, :]
    img[:24, :, 2] = 230
    img[24:, :20] = (200, 30, 30)
    img[24:, 20:44] = (30, 160, 60)
    img[24:, 44:] = (240, 220, 40)
    path = tmp_path / "pic.png"
    Image.fromarray(img).save(path)
    return path, img


def test_quantize_subprocess_numbers_match_direct_computation(tmp_path):
    from PIL import Image

    path, img = _picture(tmp_path)
    out = tmp_path / "q.png"
    proc = _shoal("quantize", path, "--colors", "6", "--out", out)
    assert proc.returncode == 0, proc.stderr
    q = np.asarray(Image.open(out).convert("RGB"))
    assert q.shape == img.shape and len(np.unique(q.reshape(-1, 3), axis=0)) <= 6
    mse = np.mean((q.astype(np.float64) - img) ** 2)
    psnr = 10 * np.log10(255.0**2 / mse)
    n, k = img.shape[0] * img.shape[1], 6
    ratio = 24 * n / (n * np.ceil(np.log2(k)) + 24 * k)
    assert f"PSNR: {psnr:.2f} dB" in proc.stdout
    assert f"compression ratio: {ratio:.2f}" in proc.stdout


def test_segment_subprocess_finds_the_regions(tmp_path):
    from PIL import Image

    img = np.zeros((40, 60, 3), dtype=np.uint8)
    img[:, :20], img[:, 20:40], img[:, 40:] = (220, 20, 20), (20, 200, 40), (30, 30, 230)
    path = tmp_path / "flags.png"
    Image.fromarray(img).save(path)
    labels = tmp_path / "seg.npy"
    proc = _shoal("segment", path, "--labels", labels, "--spatial-weight", "0.1")
    assert proc.returncode == 0, proc.stderr
    assert "3 segments" in proc.stdout
    truth = np.repeat([0, 1, 2], 20)[None, :].repeat(40, 0)
    assert adjusted_rand_score(truth.ravel(), np.load(labels).ravel()) == 1.0
    assert (tmp_path / "flags_segments.png").is_file()


def test_image_commands_bad_files_subprocess(tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_text("not an image")
    _one_line_error(_shoal("quantize", fake, "--colors", "4"), "fake.png")
    r = runner.invoke(cli.app, ["segment", str(tmp_path / "missing.png")])
    _in_process_error(r, "missing.png")


def test_save_model_round_trip(table, tmp_path):
    from shoal.io import load

    path, X = table
    model, labels = tmp_path / "m.shoal", tmp_path / "l.csv"
    r = runner.invoke(cli.app, ["cluster", str(path), "-k", "3", "--random-state", "0",
                                "--save-model", str(model), "--out", str(labels)])  # fmt: skip
    assert r.exit_code == 0, r.output
    km = load(model)
    assert type(km).__name__ == "KMeans" and km.n_clusters == 3
    np.testing.assert_array_equal(km.predict(_z(X)), pd.read_csv(labels)["label"].to_numpy())
    r = runner.invoke(cli.app, ["cluster", str(path), "--save-model", str(tmp_path / "m.pkl")])
    _in_process_error(r, "--save-model")
