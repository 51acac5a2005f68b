"""shoal.io.save / load: every estimator round-trips exactly; pickles, tampered and foreign
files are refused with a clear message, and loading never runs code from the file."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import pickle
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from _estimators import all_estimators
from sklearn.base import BaseEstimator, clone
from sklearn.cluster import KMeans as SkKMeans
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

import shoal
from shoal import (
    DBSCAN,
    HDBSCAN,
    AgglomerativeClustering,
    BayesianGaussianMixture,
    Birch,
    GaussianMixture,
    KMeans,
    KModes,
    KPrototypes,
    MiniBatchKMeans,
    SpectralClustering,
)
from shoal._persist import _digest
from shoal.io import load, save

# ------------------------------------------------------------------------------------ helpers


def _blobs(dtype: Any = np.float64, n: int = 30, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 0.6, (n, 3)) for c in (0.0, 4.0, 8.0)])
    return X.astype(dtype)


def assert_same(a: Any, b: Any, where: str = "value") -> None:
    """Exact equality, type and dtype included (NaN equals NaN)."""
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape}"
        if a.dtype == object:
            for i, (x, y) in enumerate(zip(a.ravel(), b.ravel())):
                assert_same(x, y, f"{where}[{i}]")
        else:
            np.testing.assert_array_equal(a, b, err_msg=where, strict=True)
    elif isinstance(a, (float, np.floating)):
        assert a == b or (math.isnan(a) and math.isnan(b)), f"{where}: {a} != {b}"
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif sp.issparse(a):
        assert a.format == b.format and a.shape == b.shape, where
        for part in ("data", "indices", "indptr", "row", "col"):
            if hasattr(a, part):
                assert_same(getattr(a, part), getattr(b, part), f"{where}.{part}")
    elif isinstance(a, np.random.RandomState):
        assert_same(a.get_state(legacy=False), b.get_state(legacy=False), where)
    elif isinstance(a, np.random.Generator):
        assert_same(a.bit_generator.state, b.bit_generator.state, where)
    elif isinstance(a, BaseEstimator):
        assert_same(a.get_params(deep=False), b.get_params(deep=False), f"{where} params")
        assert_same(vars(a), vars(b), f"{where} state")
    elif dataclasses.is_dataclass(a) or hasattr(a, "__dict__") or hasattr(a, "__slots__"):
        names = [s for k in type(a).__mro__ for s in getattr(k, "__slots__", ())]
        names += list(getattr(a, "__dict__", {}))
        assert names, where
        for n in names:
            assert_same(getattr(a, n, None), getattr(b, n, None), f"{where}.{n}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


# Every method that reads new data (or the fitted model) and gives something to compare.
METHODS = {
    "predict": lambda e, X: e.predict(X),
    "transform": lambda e, X: e.transform(X),
    "predict_proba": lambda e, X: e.predict_proba(X),
    "score_samples": lambda e, X: e.score_samples(X),
    "score": lambda e, X: e.score(X),
    "decision_function": lambda e, X: e.decision_function(X),
    "approximate_predict": lambda e, X: e.approximate_predict(X),
    "membership_vector": lambda e, X: e.membership_vector(X),
    "all_points_membership_vectors": lambda e, X: e.all_points_membership_vectors(),
    "dbscan_clustering": lambda e, X: e.dbscan_clustering(1.0),
    "get_feature_names_out": lambda e, X: e.get_feature_names_out(),
}


def _outputs(est: Any, X: Any) -> dict[str, Any]:
    return {name: call(est, X) for name, call in METHODS.items() if hasattr(est, name)}


def round_trip(est: Any, X_new: Any, path: Path) -> Any:
    """Save the fitted ``est``, load it, check class, parameters, every attribute and every
    method's output on new data; then, where it has one, that partial_fit continues alike."""
    save(est, path)
    loaded = load(path)
    assert type(loaded) is type(est)
    assert_same(est.get_params(deep=False), loaded.get_params(deep=False), "params")
    fitted = [k for k in vars(est) if k.endswith("_") and not k.startswith("__")]
    assert fitted, "the estimator was not fitted"
    assert_same(vars(est), vars(loaded), type(est).__name__)
    before, after = _outputs(est, X_new), _outputs(loaded, X_new)
    assert list(before) == list(after)
    assert_same(before, after, "outputs")
    if hasattr(est, "partial_fit"):
        est.partial_fit(X_new)
        loaded.partial_fit(X_new)
        assert_same(
            {k: v for k, v in vars(est).items() if k != "_views"},
            {k: v for k, v in vars(loaded).items() if k != "_views"},
            "after partial_fit",
        )
    return loaded


def _edit(path: Path, member: str, change: Any) -> None:
    """Rewrite one member of the zip (a valid zip: its CRC is recomputed)."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in members:
            zf.writestr(info, change(data) if info.filename == member else data)


def _edit_meta(path: Path, change: Any, *, rehash: bool) -> None:
    """Change the metadata; with ``rehash``, write the checksum that matches the change (what a
    forger, or a bug, could do) so that the check after the checksum is what is tested."""

    with zipfile.ZipFile(path) as zf:
        blobs = [(n, zf.read(n)) for n in zf.namelist() if n != "shoal.json"]

    def edit(data: bytes) -> bytes:
        meta = json.loads(data)
        change(meta)
        if rehash:
            meta["sha256"] = _digest({k: v for k, v in meta.items() if k != "sha256"}, blobs)
        return json.dumps(meta).encode()

    _edit(path, "shoal.json", edit)


@pytest.fixture
def kmeans_file(tmp_path: Path) -> Path:
    path = tmp_path / "kmeans.shoal"
    save(KMeans(n_clusters=3, n_init=2, random_state=0).fit(_blobs()), path)
    return path


# ------------------------------------------------------------------------- round trips


# float32 for every estimator runs in the slow set; the default run keeps three (their
# float32 state differs most: centres, covariances, a condensed tree).
_FLOAT32_DEFAULT = {"KMeans", "GaussianMixture", "HDBSCAN"}


@pytest.mark.parametrize(
    ("estimator", "dtype"),
    [pytest.param(e, dt, id=f"{type(e).__name__}-{dt.__name__}",
                  marks=() if dt is np.float64 or type(e).__name__ in _FLOAT32_DEFAULT
                  else pytest.mark.slow)
     for e in all_estimators() for dt in (np.float64, np.float32)],
)  # fmt: skip
def test_every_estimator_round_trips(estimator, dtype, tmp_path):
    est = clone(estimator).fit(_blobs(dtype))
    round_trip(est, _blobs(dtype, n=7, seed=1), tmp_path / "model.shoal")


def test_discovery_covers_the_estimators():
    names = {type(e).__name__ for e in all_estimators()}
    assert {"KMeans", "HDBSCAN", "Birch", "GaussianMixture", "SpectralClustering"} <= names


def test_float32_stays_float32_and_array_params_round_trip(tmp_path):
    X = _blobs(np.float32)
    init = X[[0, 30, 60]].copy()
    est = KMeans(n_clusters=3, init=init, n_init=1).fit(X)
    loaded = round_trip(est, _blobs(np.float32, n=5, seed=2), tmp_path / "m.shoal")
    assert loaded.cluster_centers_.dtype == np.float32
    assert loaded.init.dtype == np.float32
    np.testing.assert_array_equal(loaded.init, init)


def _categorical() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    words = np.array(["red", "green", "blue", "gr\u00fcn"], dtype=object)
    X = np.column_stack([words[rng.integers(0, 4, 60)], rng.integers(0, 3, 60).astype(object)])
    return X, X[:9].copy()


@pytest.mark.parametrize(
    ("make", "data"),
    [
        pytest.param(
            lambda: Birch(n_clusters=AgglomerativeClustering(n_clusters=3, linkage="average")),
            None,
            id="Birch-estimator-param",
        ),
        pytest.param(lambda: Birch(threshold=0.3, branching_factor=3), None, id="Birch-deep"),
        pytest.param(lambda: MiniBatchKMeans(n_clusters=3, batch_size=16), None, id="MBK-seedless"),
        pytest.param(lambda: HDBSCAN(store_centers="both"), None, id="HDBSCAN-centers"),
        pytest.param(
            lambda: SpectralClustering(
                n_clusters=3, affinity="nearest_neighbors", n_neighbors=45, random_state=0
            ),
            None,
            id="Spectral-sparse",
        ),
        pytest.param(lambda: AgglomerativeClustering(compute_distances=True), None, id="Agglo"),
        pytest.param(lambda: DBSCAN(eps=0.8, metric_params={"p": 2}), None, id="DBSCAN-dict"),
        *[
            pytest.param(
                lambda c=c: GaussianMixture(n_components=3, covariance_type=c, random_state=0),
                None,
                id=f"GMM-{c}",
            )
            for c in ("full", "tied", "diag", "spherical")
        ],
        pytest.param(
            lambda: BayesianGaussianMixture(
                n_components=3,
                weight_concentration_prior_type="dirichlet_distribution",
                covariance_type="diag",
                random_state=0,
            ),
            None,
            id="BGMM-dirichlet",
        ),
        pytest.param(lambda: KModes(n_clusters=3, n_init=2, random_state=0), "cat", id="KModes"),
        pytest.param(
            lambda: KPrototypes(n_clusters=2, n_init=2, random_state=0, categorical=[1]),
            "mixed",
            id="KPrototypes",
        ),
    ],
)
def test_variants_round_trip(make, data, tmp_path):
    if data is None:
        X, X_new = _blobs(), _blobs(n=6, seed=4)
    elif data == "cat":
        X, X_new = _categorical()
    else:
        rng = np.random.default_rng(5)
        X = np.empty((60, 2), dtype=object)
        X[:, 0] = rng.normal(size=60)
        X[:, 1] = np.array(["a", "b", "c"], dtype=object)[rng.integers(0, 3, 60)]
        X_new = X[:7].copy()
    round_trip(make().fit(X), X_new, tmp_path / "m.shoal")


def test_model_fitted_on_a_data_frame_keeps_its_column_names(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(_blobs(), columns=["income", "spend", "âge"])
    est = GaussianMixture(n_components=3, random_state=0).fit(frame)
    loaded = round_trip(est, frame.iloc[:5], tmp_path / "df.shoal")
    assert loaded.feature_names_in_.dtype == object
    assert list(loaded.feature_names_in_) == ["income", "spend", "âge"]


def test_birch_tree_views_rebuilt_after_load(tmp_path):
    est = Birch(threshold=0.3, branching_factor=3).fit(_blobs())
    before = [s.n_samples_ for s in est.root_.subclusters_]  # builds the cache
    save(est, tmp_path / "b.shoal")
    loaded = load(tmp_path / "b.shoal")
    assert loaded._views is None
    assert [s.n_samples_ for s in loaded.root_.subclusters_] == before
    leaves = []
    leaf = loaded.dummy_leaf_.next_leaf_
    while leaf is not None:
        leaves.append(leaf.centroids_)
        leaf = leaf.next_leaf_
    np.testing.assert_array_equal(np.concatenate(leaves), est.subcluster_centers_)


def test_unfitted_estimator_round_trips(tmp_path):
    init = np.arange(9.0).reshape(3, 3)
    est = KMeans(n_clusters=3, init=init, n_init=1, random_state=np.random.RandomState(7))
    save(est, tmp_path / "u.shoal")
    loaded = load(tmp_path / "u.shoal")
    assert type(loaded) is KMeans
    assert_same(est.get_params(deep=False), loaded.get_params(deep=False))
    assert set(vars(loaded)) == set(est.get_params(deep=False))
    with pytest.raises(NotFittedError):
        check_is_fitted(loaded)
    X = _blobs()
    np.testing.assert_array_equal(loaded.fit(X).labels_, est.fit(X).labels_)


def test_odd_values_round_trip_exactly(tmp_path):
    est = KMeans(n_clusters=2, n_init=1, random_state=0).fit(_blobs())
    gen = np.random.default_rng(11)
    gen.random(3)
    est.extra_ = {
        1: (np.float32(2.5), np.int8(-3), np.uint64(2**64 - 1), np.bool_(True), np.str_("s")),
        "floats": [float("nan"), -math.inf, 1e-310, np.float16(0.1), np.float64("nan")],
        "exotic": [np.complex128(1 + 2j), np.longdouble(1) / 3, np.datetime64("2024-01-02")],
        "none": None,
        "big": 2**80,
        "bytes": b"\x00\xff",
        "dtypes": [np.dtype("<f4"), np.dtype(">i2"), np.float32],
        "objects": np.array([["a", 1], [None, (2, "b")]], dtype=object),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "empty": np.empty((0, 4), dtype=np.int32),
        "structured": np.zeros(2, dtype=[("x", "<f4"), ("n", "<i8")]),
        "csr": sp.random(5, 4, density=0.4, format="csr", random_state=0, dtype=np.float32),
        "csc_array": sp.csc_array(np.eye(3)),
        "coo": sp.coo_matrix(np.eye(2)),
        "lil": sp.lil_matrix(np.eye(2)),
        "generator": gen,
        "pcg_state": np.random.RandomState(np.random.PCG64(3)),
        "nested": [{"k": [np.arange(3)]}],
    }
    save(est, tmp_path / "o.shoal")
    loaded = load(tmp_path / "o.shoal")
    assert_same(est.extra_, loaded.extra_, "extra_")
    assert loaded.extra_["fortran"].flags.f_contiguous
    assert loaded.extra_["generator"].random() == gen.random()


def test_registered_named_tuples_round_trip(tmp_path, monkeypatch):
    from shoal import _persist
    from shoal.centroid._kmeans_core import KMeansResult

    registry = _persist._internal_types()
    key = f"{KMeansResult.__module__}.{KMeansResult.__qualname__}"
    monkeypatch.setattr(_persist, "_internal_types", lambda: {**registry, key: KMeansResult})
    est = KMeans(n_clusters=2, n_init=1).fit(_blobs())
    est.run_ = KMeansResult(est.labels_, est.inertia_, est.cluster_centers_, 3)
    save(est, tmp_path / "n.shoal")
    loaded = load(tmp_path / "n.shoal")
    assert type(loaded.run_) is KMeansResult
    assert_same(tuple(est.run_), tuple(loaded.run_))
    assert loaded.run_.labels is loaded.labels_
    monkeypatch.setattr(_persist, "_internal_types", lambda: registry)
    with pytest.raises(TypeError, match=r"attribute 'run_' is a shoal\.centroid\._kmeans_core"):
        save(est, tmp_path / "n.shoal")


def test_an_array_held_twice_is_one_array_after_loading(tmp_path):
    init = _blobs()[[0, 30, 60]]
    est = KMeans(n_clusters=3, init=init, n_init=1).fit(_blobs())
    est.init_used_ = init
    save(est, tmp_path / "a.shoal")
    loaded = load(tmp_path / "a.shoal")
    assert loaded.init_used_ is loaded.init
    with zipfile.ZipFile(tmp_path / "a.shoal") as zf:
        assert sum(n.endswith(".npy") for n in zf.namelist()) == 3  # init, centres, labels


def test_path_forms_and_file_objects(tmp_path):
    est = KMeans(n_clusters=2, n_init=1, random_state=0).fit(_blobs())
    save(est, str(tmp_path / "s.shoal"))
    save(est, tmp_path / "p.shoal")
    buf = io.BytesIO()
    save(est, buf)
    data = (tmp_path / "p.shoal").read_bytes()
    assert (tmp_path / "s.shoal").read_bytes() == data == buf.getvalue()  # deterministic
    for source in (str(tmp_path / "s.shoal"), tmp_path / "p.shoal", io.BytesIO(data)):
        np.testing.assert_array_equal(load(source).cluster_centers_, est.cluster_centers_)
    with open(tmp_path / "p.shoal", "rb") as fh:
        np.testing.assert_array_equal(load(fh).labels_, est.labels_)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.shoal")


# ---------------------------------------------------------------------------- refusals


class _Marker:
    """Unpickling this touches a file: the proof that a pickle was (not) executed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> Any:
        return (Path.touch, (self.path,))


def test_refuses_a_pickle_without_running_it(tmp_path):
    marker = tmp_path / "executed"
    payload = pickle.dumps({"model": KMeans(n_clusters=2).fit(_blobs()), "x": _Marker(marker)})
    path = tmp_path / "model.shoal"
    path.write_bytes(payload)
    for source in (path, io.BytesIO(payload)):
        with pytest.raises(ValueError, match=r"is a pickle file\. shoal never unpickles"):
            load(source)
    assert not marker.exists()
    pickle.loads(payload)  # the payload is live: unpickling it does run code
    assert marker.exists()


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_refuses_pickles_of_any_protocol_by_magic_or_name(protocol, tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(KMeans(n_clusters=2), protocol=protocol))
    with pytest.raises(ValueError, match="pickle"):
        load(path)


def test_flipped_byte_in_an_array_is_tampering(kmeans_file):
    with zipfile.ZipFile(kmeans_file) as zf:
        member = next(n for n in zf.namelist() if n.endswith(".npy"))

    def flip(data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 1])

    _edit(kmeans_file, member, flip)
    with pytest.raises(ValueError, match="tampered with or corrupted"):
        load(kmeans_file)


def test_changed_parameter_is_tampering(kmeans_file):
    def change(meta: dict) -> None:
        meta["model"]["params"]["n_clusters"] = 4

    _edit_meta(kmeans_file, change, rehash=False)
    with pytest.raises(ValueError, match="tampered with or corrupted"):
        load(kmeans_file)


def test_added_member_is_tampering(kmeans_file):
    with zipfile.ZipFile(kmeans_file, "a") as zf:
        zf.writestr("payload.py", b"print('hi')")
    with pytest.raises(ValueError, match=r"tampered with or corrupted.*payload\.py"):
        load(kmeans_file)


def test_every_single_byte_flip_is_refused_or_harmless(kmeans_file):
    """A flipped bit anywhere in the file: a clear ValueError, or (zip fields that hold no
    payload, e.g. a timestamp) the very same model; never another error, never another model."""
    data = kmeans_file.read_bytes()
    reference = load(kmeans_file)
    refused = 0
    for i in range(len(data)):
        damaged = bytearray(data)
        damaged[i] ^= 0x10
        try:
            model = load(io.BytesIO(bytes(damaged)))
        except ValueError as exc:
            assert any(s in str(exc) for s in ("tampered", "not a shoal model", "well-formed"))
            refused += 1
        else:
            assert_same(vars(model), vars(reference), f"flip at {i}")
    assert refused > len(data) // 2


def test_foreign_files_are_not_shoal_models(tmp_path):
    text = tmp_path / "notes.shoal"
    text.write_text("just some text\n")
    other_zip = tmp_path / "other.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("data.csv", "a,b\n1,2\n")
    other_format = tmp_path / "other.shoal"
    with zipfile.ZipFile(other_format, "w") as zf:
        zf.writestr("shoal.json", json.dumps({"format": "something-else"}))
    empty = tmp_path / "empty.shoal"
    empty.write_bytes(b"")
    npy = tmp_path / "array.npy"
    np.save(npy, np.arange(3))
    for path in (text, other_zip, other_format, empty, npy):
        with pytest.raises(ValueError, match="is not a shoal model file"):
            load(path)
    with pytest.raises(ValueError, match="directory"):
        load(tmp_path)


@pytest.mark.parametrize("name", ["Evil", "os.system", "sklearn.cluster.KMeans", "BaseEstimator"])
def test_unknown_class_is_refused_even_with_a_valid_checksum(name, kmeans_file):
    def change(meta: dict) -> None:
        meta["model"]["class"] = name

    _edit_meta(kmeans_file, change, rehash=True)
    with pytest.raises(ValueError, match=re.escape(f"class '{name}', which is not one of shoal's")):
        load(kmeans_file)


def test_forged_structure_is_refused(kmeans_file, tmp_path):
    def dunder(meta: dict) -> None:
        meta["model"]["state"]["__class__"] = None

    _edit_meta(kmeans_file, dunder, rehash=True)
    with pytest.raises(ValueError, match="'__class__' is not an attribute name"):
        load(kmeans_file)

    path = tmp_path / "b.shoal"
    save(Birch().fit(_blobs()), path)

    def internal(meta: dict) -> None:
        meta["model"]["state"]["_tree"]["class"] = "subprocess.Popen"

    _edit_meta(path, internal, rehash=True)
    with pytest.raises(ValueError, match=r"unknown internal structure 'subprocess\.Popen'"):
        load(path)

    est = KMeans(n_clusters=2, n_init=1).fit(_blobs())
    est.names_ = np.array(["a", 1], dtype=object)
    save(est, path)

    def reshape(meta: dict) -> None:
        meta["model"]["state"]["names_"]["shape"] = [3]

    _edit_meta(path, reshape, rehash=True)
    with pytest.raises(ValueError, match="not a well-formed shoal model file: ValueError"):
        load(path)


def test_newer_format_version_is_refused(kmeans_file):
    def change(meta: dict) -> None:
        meta["format_version"] = 2

    _edit_meta(kmeans_file, change, rehash=True)
    with pytest.raises(ValueError, match=r"format version 2.*versions up to 1\. Upgrade shoal"):
        load(kmeans_file)


def test_other_shoal_version_loads_with_a_warning(kmeans_file):
    def change(meta: dict) -> None:
        meta["shoal_version"] = "0.0.1"

    _edit_meta(kmeans_file, change, rehash=True)
    expected = re.escape(f"written by shoal 0.0.1; this is shoal {shoal.__version__}")
    with pytest.warns(UserWarning, match=expected):
        assert type(load(kmeans_file)) is KMeans


def _my_init(X, n_clusters, random_state):  # pragma: no cover - never called
    return X[:n_clusters]


@pytest.mark.parametrize(
    ("est", "match"),
    [
        (KMeans(init=_my_init), "parameter 'init' is a callable"),
        (DBSCAN(metric=lambda a, b: 0.0), "parameter 'metric' is a callable"),
        (
            Birch(n_clusters=SkKMeans()),
            "parameter 'n_clusters' is a sklearn.cluster._kmeans.KMeans; a model file holds "
            "shoal's own",
        ),
        (SkKMeans(), "holds shoal's own estimators only"),
    ],
)
def test_what_cannot_be_saved_raises_type_error_and_writes_nothing(est, match, tmp_path):
    path = tmp_path / "m.shoal"
    with pytest.raises(TypeError, match=match):
        save(est, path)
    assert not path.exists()


def test_unsavable_attributes_are_named(tmp_path):
    est = KMeans(n_clusters=2, n_init=1).fit(_blobs())
    est.hook_ = print
    with pytest.raises(TypeError, match="attribute 'hook_' is a callable"):
        save(est, tmp_path / "m.shoal")
    loop: list[Any] = []
    loop.append(loop)
    est.hook_ = loop
    with pytest.raises(TypeError, match=r"attribute 'hook_'\[0\] refers back to itself"):
        save(est, tmp_path / "m.shoal")
    est.hook_ = np.array([object()], dtype=object)
    with pytest.raises(TypeError, match=r"attribute 'hook_'\[0\] is a builtins.object"):
        save(est, tmp_path / "m.shoal")
    with pytest.raises(TypeError, match="model must be a shoal estimator"):
        save(np.arange(3), tmp_path / "m.shoal")
