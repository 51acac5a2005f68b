"""The HTML report: its content against direct computations, escaping, no network, and the
page rendered by headless Chromium (screenshot kept as a test artifact)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from shoal import HDBSCAN, OPTICS, AgglomerativeClustering, KMeans
from shoal.metrics import silhouette_score
from shoal.report import build_report, write_report
from shoal.report._report import _fmt
from shoal.select import mixture_sweep, select_k

EVIL = "<img src=x onerror=alert(1)>"


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html):
    p = _Collect()
    p.feed(html)
    return p


def _data(n=300, seed=0):
    X, _ = make_blobs(n, centers=3, n_features=4, cluster_std=0.8, random_state=seed)
    return X * np.array([1000.0, 1.0, 10.0, 0.1])


@pytest.fixture(scope="module")
def evil_html():
    X = _data()
    Z = (X - X.mean(0)) / X.std(0)
    sel = select_k(KMeans(random_state=0), Z, range(2, 6))
    names = [EVIL, "b", "c", "d"]
    html = build_report(X, sel.best_estimator, X_fit=Z, feature_names=names, selection=sel,
                        title="Report </title><script>alert(2)</script>",
                        data_name="file\"><script>alert(3)</script>.csv",
                        scaling="z-score")  # fmt: skip
    return X, Z, sel, html


def test_user_strings_are_escaped(evil_html):
    *_, html = evil_html
    p = _parse(html)
    tags = {t for t, _ in p.tags}
    assert "script" not in tags and "img" not in tags
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert EVIL in "".join(p.text)  # shown as text
    assert "onerror" not in " ".join(" ".join(a) for _, attrs in p.tags for a in attrs)


def test_no_network_requests(evil_html):
    *_, html = evil_html
    p = _parse(html)
    for tag, attrs in p.tags:
        for key in ("src", "href", "action", "data"):
            assert key not in attrs or not re.match(r"\s*(https?:)?//", attrs[key] or ""), tag
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@import" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_sizes_profiles_and_quality_match_direct_computation(evil_html):
    X, Z, sel, html = evil_html
    labels = sel.best_estimator.labels_
    k = sel.k
    counts = np.bincount(labels)
    for c in range(k):
        row = re.search(rf"<tr><td class=\"l\">{c}</td><td>(\d+)</td><td>([\d.]+)%</td>", html)
        assert row is not None and int(row.group(1)) == counts[c]
        assert float(row.group(2)) == pytest.approx(100 * counts[c] / X.shape[0], abs=0.05)
        prof = re.search(rf"<tr><td class=\"l\">cluster {c}</td>(.*?)</tr>", html)
        cells = re.findall(r"<td class=\"(\w*)\" title=\"z = ([-+.\d]+)\">([^<]*)</td>",
                           prof.group(1))  # fmt: skip
        mean = X[labels == c].mean(0)
        z = (mean - X.mean(0)) / X.std(0)
        assert [m for _, _, m in cells] == [_fmt(float(v)) for v in mean]
        np.testing.assert_allclose([float(v) for _, v, _ in cells], z, atol=0.005)
        assert [cl for cl, _, _ in cells] == ["pos" if v >= 0.5 else "neg" if v <= -0.5 else ""
                                              for v in z]  # fmt: skip
    sil = silhouette_score(Z, labels)
    assert re.search(rf"<td class=\"l\">silhouette</td><td>{re.escape(_fmt(sil))}</td>", html)
    assert sel.explanation in html
    assert html.count("<svg") == 1 + len(sel.scores) + 1  # view, curves, profile heat map


def test_mixture_sweep_and_model_specific_figures():
    X = _data(200)
    sweep = mixture_sweep(X, range(1, 4), ("full", "diag"), random_state=0)
    html = build_report(X, sweep.best_estimator, selection=sweep)
    assert "BIC is lowest for covariance_type=&#39;" in html
    assert html.count("<svg") == 3  # BIC curves, 2-D view with ellipses, profiles
    for model, extra in [(AgglomerativeClustering(3), "dendrogram"),
                         (OPTICS(min_samples=10), "reachability"),
                         (HDBSCAN(min_cluster_size=15), "condensed tree")]:  # fmt: skip
        model.fit(X)
        html = build_report(X, model)
        assert html.count("<svg") == 3, extra
    model = HDBSCAN(min_cluster_size=15).fit(np.vstack([X, [[1e5, 50, 500, 5]]]))
    html = build_report(np.vstack([X, [[1e5, 50, 500, 5]]]), model)
    assert "noise points" in html and "noise points left out" in html


def test_bad_input():
    X = _data(50)
    model = KMeans(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="feature_names has 2 names for 4 columns"):
        build_report(X, model, feature_names=["a", "b"])
    with pytest.raises(ValueError, match="X_fit has 10 rows"):
        build_report(X, model, X_fit=X[:10])
    with pytest.raises(ValueError, match="50 labels for 10 rows"):
        build_report(X[:10], model)


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.skipif(_chromium() is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_report_in_headless_chromium(evil_html, tmp_path):
    X, Z, sel, _ = evil_html
    names = [EVIL, "b", "c", "d"]
    page = write_report(tmp_path / "report.html", X, sel.best_estimator, X_fit=Z,
                        feature_names=names, selection=sel)  # fmt: skip
    artifacts = Path(os.environ.get("SHOAL_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "report.png"
    shot.unlink(missing_ok=True)
    base = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    url = page.resolve().as_uri()
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True,
                         timeout=120, check=True)  # fmt: skip
    rendered = _parse(dom.stdout)
    assert "img" not in {t for t, _ in rendered.tags}
    assert "script" not in {t for t, _ in rendered.tags}
    assert EVIL in "".join(rendered.text)
    assert len([t for t, _ in rendered.tags if t == "svg"]) == 2 + len(sel.scores)
    consoles = [ln for ln in dom.stderr.splitlines() if ":CONSOLE" in ln]
    assert consoles == []
    run = subprocess.run([*base, f"--screenshot={shot}", "--window-size=1200,3000", url],
                         capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    assert [ln for ln in run.stderr.splitlines() if ":CONSOLE" in ln] == []
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(head[16:20], "big") == 1200
    assert int.from_bytes(head[20:24], "big") == 3000
