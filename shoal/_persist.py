"""Save and load shoal estimators in a file that holds data only, never code.

A model file is a zip archive with two kinds of member:

``shoal.json``
    The format name (``"shoal-model"``) and version, the shoal version that wrote it, a SHA-256
    of the payload, and the model: the estimator's class *by name* (looked up among shoal's
    public estimators, never imported from a path in the file), ``get_params()`` and every
    fitted attribute, each encoded as a JSON value with a type tag.
``arrays/NNNN.npy``
    One NumPy file per array, read with ``allow_pickle=False``.

What a value may be: ``None``, bool, int, float (also NaN and infinities), str, bytes; lists,
tuples and dicts of values; NumPy arrays of any non-object dtype (an object array is written
element by element as JSON, so only object arrays of such values can be saved, e.g. the string
categories of ``KModes``); NumPy scalars and dtypes; SciPy sparse matrices and arrays;
``numpy.random.RandomState`` and ``Generator`` (their bit generator's state); shoal estimators
(a parameter such as Birch's ``n_clusters`` may be one); and the few internal structures that
fitted estimators keep (``_internal_types``: plain classes, ``__slots__`` classes, dataclasses
and NamedTuples, rebuilt without calling their constructor). Anything else (a callable, a
scikit-learn estimator, a torch tensor) is refused on save with a ``TypeError`` naming the
parameter or attribute (a model fitted on tensors is refused, not silently moved to NumPy:
fitting NumPy input with ``device='cuda'`` gives a model that saves).

Caches that an estimator rebuilds on first use (``_CACHES``) are written as ``None``.

Loading runs no code from the file: no pickle, no import by name, only constructors of
allowlisted shoal classes (whose ``__init__`` stores parameters and nothing else). The
checksum detects corruption and accidental edits; it is not a signature, and anyone can write
a file with a matching checksum, so it does not prove where a file came from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import io
import json
import math
import os
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

__all__ = ["FORMAT", "FORMAT_VERSION", "load", "save"]

FORMAT = "shoal-model"
FORMAT_VERSION = 1
_META = "shoal.json"
_ARRAYS = "arrays/"
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".sav")

# Attributes an estimator rebuilds from its other state on first use; saved as None.
# Birch: linked CFNode views of the flat CF tree (cyclic: leaves link both ways).
# HDBSCAN: the soft-clustering model and the prediction maps (with the search index), derived
# from the condensed tree and the training data.
_CACHES: dict[str, frozenset[str]] = {
    "Birch": frozenset({"_views"}),
    "HDBSCAN": frozenset({"_soft_model", "_predict_cache"}),
}

_BIT_GENERATORS = {
    name: getattr(np.random, name) for name in ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")
}
# NumPy scalars written as JSON (exact: every float of at most 64 bits is a Python float);
# other kinds (complex, long double, datetime, bytes) go to a 0-d array member.
_JSON_SCALAR_KINDS = "biufU"

PathOrFile = str | os.PathLike[str] | IO[bytes]


def _estimator_types() -> dict[str, type]:
    """shoal's public estimator classes by name: the only classes a file may name."""
    import shoal

    found = {}
    for name in shoal.__all__:
        obj = getattr(shoal, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            found[obj.__name__] = obj
    return found


def _internal_types() -> dict[str, type]:
    """Internal structures of fitted estimators, by qualified name (a lookup, never an import
    of a name read from the file)."""
    from .centroid.bisecting import _Node
    from .density._hdbscan_tree import CondensedTree
    from .hierarchy.birch import _CFTree

    return {f"{c.__module__}.{c.__qualname__}": c for c in (_Node, CondensedTree, _CFTree)}


def _is_tensor(v: Any) -> bool:
    from ._backend import is_torch_tensor

    return is_torch_tensor(v)


# ------------------------------------------------------------------------------------ writing


class _Encoder:
    """Turns a value into JSON, collecting its arrays as members to write."""

    def __init__(self) -> None:
        self.members: list[tuple[str, np.ndarray]] = []
        self._active: set[int] = set()  # containers being encoded, to refuse cycles
        self._seen: dict[int, str] = {}
        self._estimators = _estimator_types()
        self._internal = {cls: name for name, cls in _internal_types().items()}

    def array(self, a: np.ndarray, tag: str = "ndarray") -> dict[str, Any]:
        # One member per array object: an array held in two places (a parameter that is also
        # kept by fit) is written once and is one array again after loading. ``members``
        # keeps every array alive, so an id is not reused while encoding.
        name = self._seen.get(id(a))
        if name is None:
            name = f"{_ARRAYS}{len(self.members):04d}.npy"
            self.members.append((name, a))
            self._seen[id(a)] = name
        return {"$": tag, "member": name, "dtype": a.dtype.str, "shape": list(a.shape)}

    def estimator(self, est: Any, where: str) -> dict[str, Any]:
        cls = type(est)
        name = cls.__name__
        if self._estimators.get(name) is not cls:
            raise TypeError(
                f"{where} is a {cls.__module__}.{cls.__qualname__}; a model file holds shoal's "
                f"own estimators only ({', '.join(sorted(self._estimators))})."
            )
        params = est.get_params(deep=False)
        enc_params = {k: self.value(v, f"{where}: parameter {k!r}") for k, v in params.items()}
        skip = _CACHES.get(name, frozenset())
        state = {}
        for k, v in vars(est).items():
            if k in params:
                continue
            state[k] = None if k in skip else self.value(v, f"{where}: attribute {k!r}")
        return {"$": "estimator", "class": name, "params": enc_params, "state": state}

    def value(self, v: Any, where: str) -> Any:
        t = type(v)
        if v is None or t in (bool, int, str):
            return v
        if t is float:
            return v if math.isfinite(v) else {"$": "float", "v": repr(v)}
        if isinstance(v, np.generic):
            kind = v.dtype.kind
            if kind == "U" or (kind in _JSON_SCALAR_KINDS and v.dtype.itemsize <= 8):
                return {"$": "npscalar", "dtype": v.dtype.str, "v": self.value(v.item(), where)}
            if v.dtype.hasobject:
                raise TypeError(f"{where} is a NumPy object scalar, which cannot be saved.")
            return self.array(np.asarray(v), "npscalar")
        if t is np.ndarray:
            if v.dtype == object:
                return self._object_array(v, where)
            if v.dtype.hasobject:
                raise TypeError(f"{where} is a structured array with object fields ({v.dtype}).")
            return self.array(v)
        if isinstance(v, np.dtype):
            if v.hasobject and v != np.dtype(object):
                raise TypeError(f"{where} is a dtype with object fields ({v}).")
            return {"$": "dtype", "v": v.str}
        if isinstance(v, BaseEstimator):
            return self._guarded(v, where, self.estimator)
        if sp.issparse(v):
            return self._sparse(v, where)
        if t is np.random.RandomState:
            state = v.get_state(legacy=False)
            return {"$": "RandomState", "state": self.value(state, where)}
        if t is np.random.Generator:
            return {"$": "Generator", "state": self.value(v.bit_generator.state, where)}
        if t in self._internal:
            return self._guarded(v, where, self._object)
        if t in (list, tuple, dict):
            return self._guarded(v, where, self._container)
        if t is bytes:
            return {"$": "bytes", "hex": v.hex()}
        if isinstance(v, type) and issubclass(v, np.generic):
            return {"$": "dtype", "v": np.dtype(v).str, "scalar_type": True}
        if _is_tensor(v):
            raise TypeError(
                f"{where} is a torch tensor (on {v.device}); a model file holds NumPy arrays. "
                "Fit on NumPy input (device='cuda' still computes on the GPU and keeps NumPy "
                "attributes) to save the model."
            )
        if callable(v):
            raise TypeError(
                f"{where} is a callable ({v!r}); a model file holds data, never code. "
                "Use a string or array form of it, or keep this model in memory."
            )
        raise TypeError(
            f"{where} is a {t.__module__}.{t.__qualname__}, which a shoal model file cannot "
            "hold (it holds numbers, strings, NumPy arrays, SciPy sparse matrices and shoal "
            "estimators)."
        )

    def _guarded(self, v: Any, where: str, encode: Any) -> Any:
        if id(v) in self._active:
            raise TypeError(f"{where} refers back to itself; a model file cannot hold a cycle.")
        self._active.add(id(v))
        try:
            return encode(v, where)
        finally:
            self._active.discard(id(v))

    def _container(self, v: Any, where: str) -> Any:
        if type(v) is list:
            return [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if type(v) is tuple:
            return {
                "$": "tuple",
                "items": [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)],
            }
        items = [
            [self.value(k, f"{where} (a key)"), self.value(x, f"{where}[{k!r}]")]
            for k, x in v.items()
        ]
        return {"$": "dict", "items": items}

    def _object_array(self, a: np.ndarray, where: str) -> dict[str, Any]:
        items = [self.value(x, f"{where}[{i}]") for i, x in enumerate(a.ravel(order="C"))]
        return {"$": "objarray", "shape": list(a.shape), "items": items}

    def _sparse(self, m: Any, where: str) -> dict[str, Any]:
        fmt = m.format
        kind = "array" if isinstance(m, sp.sparray) else "matrix"
        out: dict[str, Any] = {"$": "sparse", "format": fmt, "kind": kind, "shape": list(m.shape)}
        if fmt == "coo":
            parts = {"data": m.data, "row": m.row, "col": m.col}
        else:
            c = m if fmt in ("csr", "csc") else m.tocsr()
            parts = {"data": c.data, "indices": c.indices, "indptr": c.indptr}
        for key, arr in parts.items():
            out[key] = self.value(np.asarray(arr), f"{where}.{key}")
        return out

    def _object(self, obj: Any, where: str) -> dict[str, Any]:
        cls = type(obj)
        if isinstance(obj, tuple):  # a NamedTuple: its fields, rebuilt with _make
            names = list(cls._fields)
        elif dataclasses.is_dataclass(obj):
            names = [f.name for f in dataclasses.fields(obj)]
        else:
            names = list(getattr(obj, "__dict__", {}))
            for klass in cls.__mro__:
                slots = klass.__dict__.get("__slots__", ())
                names += [slots] if isinstance(slots, str) else list(slots)
        state = {
            n: self.value(getattr(obj, n), f"{where}.{n}")
            for n in dict.fromkeys(names)
            if n not in ("__dict__", "__weakref__") and hasattr(obj, n)
        }
        return {"$": "object", "class": self._internal[cls], "state": state}


def _digest(header: dict[str, Any], members: Iterable[tuple[str, bytes]]) -> str:
    """SHA-256 over the metadata (less the digest itself) and each array member, by name."""
    h = hashlib.sha256()
    h.update(json.dumps(header, sort_keys=True, separators=(",", ":"), allow_nan=False).encode())
    for name, data in sorted(members):
        h.update(b"\0" + name.encode() + b"\0" + len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _zipinfo(name: str) -> zipfile.ZipInfo:
    """A member with fixed metadata, so that the same model gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    return info


def save(model: Any, path: PathOrFile) -> None:
    """Write a shoal estimator, fitted or not, to a model file that holds no code.

    Parameters
    ----------
    model : shoal estimator
        Any public shoal estimator (``shoal.KMeans``, ``shoal.HDBSCAN``, ...). Its parameters
        and every fitted attribute are written; NumPy arrays keep their dtype and shape.
    path : str, path-like or binary file object
        Where to write (conventionally ``*.shoal``); a file object must be open for writing
        in binary mode and seekable.

    Raises
    ------
    TypeError
        ``model`` is not a shoal estimator, or a parameter or attribute cannot be written
        without code: a callable (``init=my_function``, a metric function), a scikit-learn
        estimator, a torch tensor. The message names the parameter; nothing is written.

    See Also
    --------
    load : Read a model file back.

    Notes
    -----
    The file is a zip archive: ``shoal.json`` (format name and version, shoal version, a
    SHA-256 of the payload, the class name, ``get_params()`` and the fitted attributes as
    JSON) and one ``.npy`` file per array. The same model gives the same bytes. Caches that
    an estimator rebuilds when needed (Birch's linked node views, HDBSCAN's soft-clustering
    model) are not written. Random states are written as their bit generator's state: a
    ``random_state=None`` estimator that drew from NumPy's global generator gets its own
    generator, in the same state, back.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from shoal import KMeans
    >>> from shoal.io import save, load
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> km = KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "kmeans.shoal"
    >>> save(km, path)
    >>> km2 = load(path)
    >>> bool((km2.predict(X) == km.predict(X)).all())
    True
    """
    if not isinstance(model, BaseEstimator):
        raise TypeError(f"model must be a shoal estimator; got {type(model).__qualname__}.")
    enc = _Encoder()
    tree = enc.estimator(model, type(model).__name__)  # raises before anything is written
    import shoal

    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "shoal_version": shoal.__version__,
        "model": tree,
    }
    blobs = []
    for name, arr in enc.members:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        blobs.append((name, buf.getvalue()))
    meta = {**header, "sha256": _digest(header, blobs)}
    text = json.dumps(meta, indent=1, allow_nan=False)  # attribute order kept

    target: Any = path if hasattr(path, "write") else Path(os.fspath(path)).expanduser()
    with zipfile.ZipFile(target, "w", compresslevel=6) as zf:
        zf.writestr(_zipinfo(_META), text.encode())
        for name, data in blobs:
            zf.writestr(_zipinfo(name), data)


# ------------------------------------------------------------------------------------ reading


class _Decoder:
    """Turns a model's JSON back into values, reading arrays from the verified members."""

    def __init__(self, blobs: dict[str, bytes], where: str) -> None:
        self.blobs = blobs
        self.where = where
        self._estimators = _estimator_types()
        self._internal = _internal_types()
        self._arrays: dict[str, np.ndarray] = {}

    def bad(self, what: str) -> ValueError:
        return ValueError(f"{self.where} is not a well-formed shoal model file: {what}.")

    def array(self, node: dict[str, Any]) -> np.ndarray:
        if node["member"] in self._arrays:
            return self._arrays[node["member"]]
        data = self.blobs.get(node["member"])
        if data is None:
            raise self.bad(f"array member {node['member']!r} is missing")
        try:
            a = np.load(io.BytesIO(data), allow_pickle=False)
        except ValueError as exc:
            raise self.bad(f"{node['member']!r} is not a NumPy array file ({exc})") from None
        if not isinstance(a, np.ndarray) or a.dtype.str != node["dtype"]:
            raise self.bad(f"{node['member']!r} does not hold a {node['dtype']} array")
        if list(a.shape) != node["shape"]:
            raise self.bad(f"{node['member']!r} does not have shape {tuple(node['shape'])}")
        self._arrays[node["member"]] = a
        return a

    def estimator(self, node: dict[str, Any]) -> Any:
        name = node["class"]
        cls = self._estimators.get(name) if isinstance(name, str) else None
        if cls is None:
            raise ValueError(
                f"{self.where} names the estimator class {name!r}, which is not one of shoal's "
                f"estimators ({', '.join(sorted(self._estimators))}); shoal loads only its own "
                "estimators, looked up by name, and never imports a class a file names."
            )
        params = {_attr_name(self, k): self.value(v) for k, v in node["params"].items()}
        try:
            est = cls(**params)
        except TypeError as exc:
            raise ValueError(
                f"{self.where}: {name} does not take the parameters the file holds ({exc}); "
                "the file may have been written by another version of shoal."
            ) from None
        for k, v in (node["state"] or {}).items():
            setattr(est, _attr_name(self, k), self.value(v))
        return est

    def value(self, node: Any) -> Any:
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self.value(x) for x in node]
        if type(node) is not dict:
            raise self.bad(f"unexpected value {node!r}")
        tag = node.get("$")
        if tag == "float":
            if node["v"] not in ("nan", "inf", "-inf"):
                raise self.bad(f"bad float {node['v']!r}")
            return float(node["v"])
        if tag == "ndarray":
            return self.array(node)
        if tag == "npscalar":
            if "member" in node:
                return self.array(node)[()]
            dtype = np.dtype(node["dtype"])
            if dtype.kind not in _JSON_SCALAR_KINDS:
                raise self.bad(f"bad scalar dtype {node['dtype']!r}")
            return dtype.type(self.value(node["v"]))
        if tag == "dtype":
            dtype = np.dtype(node["v"])
            return dtype.type if node.get("scalar_type") else dtype
        if tag == "tuple":
            return tuple(self.value(x) for x in node["items"])
        if tag == "dict":
            return {self.value(k): self.value(v) for k, v in node["items"]}
        if tag == "bytes":
            return bytes.fromhex(node["hex"])
        if tag == "objarray":
            items = [self.value(x) for x in node["items"]]
            out = np.empty(len(items), dtype=object)
            for i, x in enumerate(items):  # element by element: a tuple stays one element
                out[i] = x
            return out.reshape(node["shape"])
        if tag == "estimator":
            return self.estimator(node)
        if tag == "sparse":
            return self._sparse(node)
        if tag == "RandomState":
            state = self.value(node["state"])
            rs = np.random.RandomState(self._bit_generator(state))
            rs.set_state(state)
            return rs
        if tag == "Generator":
            state = self.value(node["state"])
            bg = self._bit_generator(state)
            bg.state = state
            return np.random.Generator(bg)
        if tag == "object":
            cls: Any = self._internal.get(node["class"])
            if cls is None:
                raise self.bad(f"unknown internal structure {node['class']!r}")
            if issubclass(cls, tuple):
                fields = {_attr_name(self, k): self.value(v) for k, v in node["state"].items()}
                if list(fields) != list(cls._fields):
                    raise self.bad(f"{node['class']} needs fields {cls._fields}")
                return cls._make(fields.values())
            obj = cls.__new__(cls)
            for k, v in node["state"].items():
                # object.__setattr__: frozen dataclasses and __slots__ classes alike.
                object.__setattr__(obj, _attr_name(self, k), self.value(v))
            return obj
        raise self.bad(f"unknown value type {tag!r}")

    def _bit_generator(self, state: Any) -> Any:
        name = state.get("bit_generator") if isinstance(state, dict) else None
        if name not in _BIT_GENERATORS:
            raise self.bad(f"unknown bit generator {name!r}")
        return _BIT_GENERATORS[name]()

    def _sparse(self, node: dict[str, Any]) -> Any:
        fmt, kind, shape = node["format"], node["kind"], tuple(node["shape"])
        if kind not in ("array", "matrix") or fmt not in ("csr", "csc", "coo", "bsr", "dia",
                                                          "dok", "lil"):  # fmt: skip
            raise self.bad(f"unknown sparse format {fmt!r} ({kind})")
        data = self.value(node["data"])
        if fmt == "coo":
            row, col = self.value(node["row"]), self.value(node["col"])
            ctor = sp.coo_array if kind == "array" else sp.coo_matrix
            m = ctor((data, (row, col)), shape=shape)
            m.row, m.col = row, col  # keep the saved index dtype
            return m
        indices, indptr = self.value(node["indices"]), self.value(node["indptr"])
        base = "csc" if fmt == "csc" else "csr"
        ctor = getattr(sp, f"{base}_{kind}")
        m = ctor((data, indices, indptr), shape=shape)
        m.indices, m.indptr = indices, indptr  # keep the saved index dtype
        return m if fmt == base else m.asformat(fmt)


def _attr_name(dec: _Decoder, key: Any) -> str:
    """A key read from the file as an attribute name: an identifier, never a dunder."""
    if not isinstance(key, str) or not key.isidentifier() or key.startswith("__"):
        raise dec.bad(f"{key!r} is not an attribute name")
    return key


def _pickle_error(where: str) -> ValueError:
    return ValueError(
        f"{where} is a pickle file. shoal never unpickles: loading a pickle can run any code "
        "it holds. Load it only if you trust its source, with pickle or joblib yourself, and "
        "re-save the model with shoal.io.save."
    )


def _not_shoal(where: str, why: str) -> ValueError:
    return ValueError(f"{where} is not a shoal model file ({why}); write one with shoal.io.save.")


def _tampered(where: str, why: str) -> ValueError:
    return ValueError(f"{where} has been tampered with or corrupted ({why}); refusing to load it.")


def load(path: PathOrFile) -> Any:
    """Read an estimator written by :func:`save`, running no code from the file.

    Parameters
    ----------
    path : str, path-like or binary file object
        A file written by :func:`save`; a file object must be open for reading in binary
        mode and seekable.

    Returns
    -------
    model : shoal estimator
        The estimator, with the saved parameters and fitted attributes: ``predict``,
        ``transform`` and the rest give what they gave before saving.

    Raises
    ------
    ValueError
        The file is a pickle (shoal never unpickles one); is not a shoal model file; was
        written in a newer format version; does not match its checksum (a changed or damaged
        byte anywhere in the payload); or names a class that is not a shoal estimator.
    FileNotFoundError
        ``path`` does not exist.

    See Also
    --------
    save : Write a model file.

    Notes
    -----
    Loading never executes code from the file: arrays are read with
    ``numpy.load(allow_pickle=False)``, the class is looked up by name among shoal's public
    estimators, and the only constructors called are those of shoal's estimators (which
    store parameters and nothing else). The SHA-256 in the file detects corruption and
    accidental edits, not a deliberate forger, who can recompute it: it says nothing about
    where a file came from. A file written by another version of shoal loads with a warning,
    since fitted attributes may differ between versions.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from shoal import GaussianMixture
    >>> from shoal.io import save, load
    >>> X = np.array([[0.0], [0.2], [0.1], [4.0], [4.2], [4.1]])
    >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "gm.shoal"
    >>> save(gm, path)
    >>> type(load(path)).__name__, bool(np.array_equal(load(path).means_, gm.means_))
    ('GaussianMixture', True)
    """
    if hasattr(path, "read"):
        fh: Any = path
        name = getattr(path, "name", None)
        where = repr(name) if isinstance(name, str) else "the file object"
        start = fh.tell()
        head = fh.read(8)
        fh.seek(start)
        return _load(fh, head, where, "")
    p = Path(os.fspath(path)).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"No such file: {p}")
    if p.is_dir():
        raise ValueError(f"{p} is a directory; give a model file written by shoal.io.save.")
    with open(p, "rb") as fh:
        head = fh.read(8)
        fh.seek(0)
        return _load(fh, head, str(p), p.suffix.lower())


# A damaged archive fails in many ways: a bad CRC or deflate stream, a flag that now says
# "encrypted", a compression method or zip version that does not exist.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
               NotImplementedError, ValueError)  # fmt: skip


def _read(zf: zipfile.ZipFile, name: str, where: str) -> bytes:
    try:
        return zf.read(name)
    except _ZIP_ERRORS as exc:
        raise _tampered(where, f"member {name!r} is unreadable: {exc}") from None


def _load(fh: Any, head: bytes, where: str, suffix: str) -> Any:
    # Protocol 2+ pickles (every pickle Python 3 and joblib write by default) start with
    # PROTO n; an older protocol has no magic, so a pickle's usual names count too.
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise _pickle_error(where)
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if suffix in _PICKLE_SUFFIXES:
            raise _pickle_error(where)
        raise _not_shoal(where, "not a zip archive")
    try:
        zf = zipfile.ZipFile(fh)
    except _ZIP_ERRORS as exc:
        raise _not_shoal(where, f"not a readable zip archive: {exc}") from None
    with zf:
        names = zf.namelist()
        if _META not in names:
            raise _not_shoal(where, f"a zip archive without {_META}")
        try:
            meta = json.loads(_read(zf, _META, where))
        except (ValueError, RecursionError) as exc:
            if "tampered" in str(exc):
                raise
            raise _tampered(where, f"{_META} is not JSON: {exc}") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise _not_shoal(where, f"its {_META} is for format {found!r}, not {FORMAT!r}")
        version = meta.get("format_version")
        if type(version) is not int or version < 1:
            raise _tampered(where, f"format_version is {version!r}")
        if version > FORMAT_VERSION:
            raise ValueError(
                f"{where} was written in shoal model format version {version} (by shoal "
                f"{meta.get('shoal_version')}); this shoal reads format versions up to "
                f"{FORMAT_VERSION}. Upgrade shoal to load it."
            )
        if len(set(names)) != len(names):
            raise _tampered(where, "a member name appears twice")
        blobs = {}
        for name in names:
            if name == _META:
                continue
            if not name.startswith(_ARRAYS):
                raise _tampered(where, f"unexpected member {name!r}")
            blobs[name] = _read(zf, name, where)
    header = {k: v for k, v in meta.items() if k != "sha256"}
    try:
        expected = _digest(header, blobs.items())
    except ValueError as exc:  # NaN or infinity in the JSON: never written by save
        raise _tampered(where, str(exc)) from None
    if meta.get("sha256") != expected:
        raise _tampered(where, "its content does not match the SHA-256 it was saved with")
    import shoal

    if meta.get("shoal_version") != shoal.__version__:
        warnings.warn(
            f"{where} was written by shoal {meta.get('shoal_version')}; this is shoal "
            f"{shoal.__version__}. Fitted attributes are restored as saved; check the model.",
            UserWarning,
            stacklevel=3,
        )
    dec = _Decoder(blobs, where)
    model = meta.get("model")
    try:
        if not isinstance(model, dict) or model.get("$") != "estimator":
            raise dec.bad("no estimator in the metadata")
        return dec.estimator(model)
    except ValueError as exc:
        if str(exc).startswith(where):  # ours, already clear
            raise
        raise dec.bad(f"ValueError: {exc}") from None
    except (KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise dec.bad(f"{type(exc).__name__}: {exc}") from None
