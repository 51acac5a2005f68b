from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


def make_cluster(**kwargs):
    """A small real cluster: worker processes (nannies), one thread each, no dashboard."""
    options = {
        "n_workers": 2,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": ":0",
        "env": {"PYTHONPATH": os.environ.get("PYTHONPATH", ""), "NUMBA_NUM_THREADS": "1"},
    }
    options.update(kwargs)
    return distributed.LocalCluster(**options)


@pytest.fixture(scope="session")
def cluster_client():
    """One LocalCluster for the dask tests (not the default client: tests opt in with
    ``client``, the others run on dask's local scheduler)."""
    with make_cluster() as cluster, distributed.Client(cluster, set_as_default=False) as c:
        yield c


@pytest.fixture
def client(cluster_client):
    """The session's cluster as the current client for one test."""
    with cluster_client.as_current():
        yield cluster_client


@pytest.fixture(scope="session")
def blob_data():
    rng = np.random.default_rng(0)
    centers = rng.uniform(-10, 10, size=(6, 5))
    y = rng.integers(0, 6, size=12000)
    X = centers[y] + rng.standard_normal((12000, 5)) * rng.uniform(0.5, 1.5, size=(12000, 1))
    return X, y, centers


@pytest.fixture
def cluster_factory():
    """``make_cluster`` for tests that need a cluster of their own (memory limits, faults)."""
    return make_cluster
