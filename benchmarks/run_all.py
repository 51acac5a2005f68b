"""Run every benchmark script, then print one summary table from their JSON results.

Usage: ``python benchmarks/run_all.py [--quick]``. ``--quick`` passes small sizes to the
scripts that take ``--n`` so the whole run takes a minute or two; the published figures in the
README come from the full sizes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "bench_first_call.py": [],
    "bench_kmeans.py": ["--n", "100000"],
    "bench_kmeans_algorithms.py": ["--n", "20000"],
    "bench_minibatch.py": ["--n", "100000"],
    "bench_bisecting.py": ["--n", "50000"],
    "bench_fuzzy.py": ["--n", "20000"],
    "bench_kmedoids.py": ["--n", "1000"],
    "bench_kmodes.py": ["--n", "2000"],
    "bench_dbscan.py": ["--quick"],
    "bench_optics.py": ["--n", "3000"],
    "bench_hdbscan.py": ["--n", "20000", "--skip-slow"],
    "bench_agglomerative.py": ["--n", "3000", "--side", "60"],
    "bench_birch.py": ["--quick"],
    "bench_affinity.py": ["--n", "1000"],
    "bench_spectral.py": ["--n-small", "2000", "--n-large", "5000", "--n-rbf", "1000"],
    "bench_meanshift.py": ["--n-all", "1000", "--n-bin", "10000"],
    "bench_gmm.py": ["--n", "20000"],
    "bench_silhouette.py": [],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    for script, quick_args in SCRIPTS.items():
        if not (HERE / script).exists():
            continue
        args = quick_args if a.quick else []
        print(f"== {script} {' '.join(args)}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE, check=True)
    print("\n== summary (shoal / peer; below 1 means shoal is faster)")
    for path in sorted((HERE / "results").glob("*.json")):
        data = json.loads(path.read_text())
        for row in data["rows"]:
            if "shoal_over_peer" in row:
                print(f"{data['benchmark']:<12} {row['case']:<45} vs {row['impl']:<14} "
                      f"{row['shoal_over_peer']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
