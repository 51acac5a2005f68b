"""Each script of examples/ runs, and the numbers it prints match a direct computation from the
files it wrote."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shoal.apps import read_image
from shoal.datasets import load_demo, load_documents
from shoal.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[2]


def run_example(name: str, out: Path) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / f"{name}.py"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def numbers(pattern: str, text: str) -> list[tuple[str, ...]]:
    found = re.findall(pattern, text)
    assert found, f"{pattern!r} not in output:\n{text}"
    return found


def test_quantize_colors(tmp_path):
    text = run_example("quantize_colors", tmp_path)
    original = read_image(tmp_path / "original.png").astype(np.float64)
    n = original.shape[0] * original.shape[1]
    rows = numbers(r"colors=(\d+) psnr=([\d.]+) dB compression_ratio=([\d.]+)", text)
    assert [int(k) for k, _, _ in rows] == [4, 8, 16, 32]
    for k, p, r in rows:
        quant = read_image(tmp_path / f"quantized_{k}.png")
        assert np.unique(quant.reshape(-1, 3), axis=0).shape[0] <= int(k)
        mse = np.mean((original - quant) ** 2)
        assert float(p) == pytest.approx(10 * math.log10(255**2 / mse), abs=1e-4)
        bits = math.ceil(math.log2(int(k)))
        assert float(r) == pytest.approx(24 * n / (n * bits + 24 * int(k)), abs=1e-4)
    psnrs = [float(p) for _, p, _ in rows]
    assert psnrs == sorted(psnrs)


def test_segment_image(tmp_path):
    text = run_example("segment_image", tmp_path)
    ((n_seg, _, ari),) = numbers(r"segments=(\d+) bandwidth=([\d.]+) ari=([\d.]+)", text)
    assert int(n_seg) == 4 and float(ari) > 0.95
    seg = read_image(tmp_path / "segmented.png")
    colours, counts = np.unique(seg.reshape(-1, 3), axis=0, return_counts=True)
    assert colours.shape[0] == int(n_seg)
    sizes = [int(s) for s in numbers(r"segment sizes: ([\d ]+)", text)[0].split()]
    assert sorted(sizes) == sorted(counts.tolist())


def test_customer_segments(tmp_path):
    text = run_example("customer_segments", tmp_path)
    labels = np.loadtxt(tmp_path / "segments.csv", skiprows=1, dtype=np.int64)
    _, _, latent = load_demo(return_segments=True)
    sizes = [int(s) for s in numbers(r"sizes: ([\d ]+)", text)[0].split()]
    assert sizes == np.bincount(labels).tolist()
    (ari,) = numbers(r"ari_vs_latent=([\d.]+)", text)
    assert float(ari) == pytest.approx(adjusted_rand_score(latent, labels), abs=1e-4)
    assert float(ari) > 0.9
    assert len(numbers(r"segment \d+ \(\d+ customers, [\d.]+%\)", text)) == 5
    assert (tmp_path / "profiles.md").read_text().startswith("# Customer segments")


def test_document_topics(tmp_path):
    text = run_example("document_topics", tmp_path)
    _, topics, _ = load_documents(return_topics=True)
    labels = np.loadtxt(tmp_path / "topics.csv", delimiter=",", skiprows=1, dtype=np.int64)[:, 1]
    (ari,) = numbers(r"ari=([\d.]+)", text)
    assert float(ari) == pytest.approx(adjusted_rand_score(topics, labels), abs=1e-4)
    assert float(ari) > 0.9
    sizes = [int(s) for s in numbers(r"topic \d+ \((\d+) docs\)", text)]
    assert sizes == np.bincount(labels).tolist()


def test_anomalies(tmp_path):
    text = run_example("anomalies", tmp_path)
    table = np.loadtxt(tmp_path / "scores.csv", delimiter=",", skiprows=1)
    planted = table[:, 4].astype(bool)
    rows = numbers(r"(gmm|hdbscan): threshold=([-\d.]+) flagged=(\d+) planted_found=(\d+)", text)
    for (method, thr, flagged, found), col in zip(rows, (2, 3)):
        scores = table[:, col]
        expected = np.quantile(scores, 0.98)
        assert float(thr) == pytest.approx(expected, abs=2e-6), method
        flags = scores > expected
        assert int(flagged) == flags.sum()
        assert int(found) == (flags & planted).sum()
        assert int(found) >= 18
