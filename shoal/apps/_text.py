"""Documents: a small TF-IDF on scipy.sparse and topics by spherical k-means on it."""

from __future__ import annotations

import numbers
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import check_int, check_real

__all__ = ["ENGLISH_STOP_WORDS", "DocumentTopics", "Tfidf", "cluster_documents"]

# A short list of English function words (articles, pronouns, auxiliaries, prepositions,
# conjunctions, common adverbs): enough to keep them out of the top terms of a topic.
ENGLISH_STOP_WORDS = frozenset(
    """
    a about above after again against all almost also am among an and any are as at be because
    been before being below between both but by can could did do does doing down during each
    either else ever every few for from further had has have having he her here hers herself him
    himself his how however if in into is it its itself just least less many may me might more
    most much must my myself neither no nor not now of off often on once one only or other our
    ours ourselves out over own per rather same she should since so some such than that the their
    theirs them themselves then there these they this those though through thus to too two under
    until up upon us very via was we were what when where whether which while who whom whose why
    will with within without would yet you your yours yourself yourselves
    """.split()
)


class Tfidf:
    """TF-IDF of a list of documents as a scipy CSR matrix (scikit-learn's
    ``TfidfVectorizer`` with word tokens, to 1e-12 for the same settings).

    Tokens are the lower-cased matches of ``token_pattern`` (by default words of two or more
    letters or digits); stop words are dropped. The vocabulary is sorted alphabetically, then
    pruned to terms in at least ``min_df`` and at most ``max_df`` documents, then to the
    ``max_features`` terms most frequent in the whole corpus (ties: alphabetical order). Then
    ``tf = count`` (``1 + ln(count)`` with ``sublinear_tf``), ``idf = ln((1 + n) / (1 + df)) + 1``
    (``ln(n / df) + 1`` without ``smooth_idf``), and each row ``tf * idf`` is scaled to unit
    Euclidean norm (rows without a known term stay zero).

    Parameters
    ----------
    max_features : int or None, default=None
    min_df, max_df : int (a document count) or float in [0, 1] (a fraction), default 1 and 1.0
    stop_words : 'english', iterable of str or None, default=None
        'english' is :data:`ENGLISH_STOP_WORDS` (shoal's own short list).
    lowercase : bool, default=True
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
    smooth_idf, sublinear_tf : bool, default True and False

    Attributes
    ----------
    vocabulary_ : dict of str to int
    idf_ : ndarray of shape (n_terms,)
    """

    def __init__(
        self,
        *,
        max_features: int | None = None,
        min_df: float = 1,
        max_df: float = 1.0,
        stop_words: str | Iterable[str] | None = None,
        lowercase: bool = True,
        token_pattern: str = r"(?u)\b\w\w+\b",
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
    ) -> None:
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.stop_words = stop_words
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _stop_set(self) -> frozenset[str]:
        if self.stop_words is None:
            return frozenset()
        if isinstance(self.stop_words, str):
            if self.stop_words != "english":
                raise ValueError(
                    f"stop_words={self.stop_words!r} is not valid; use 'english', a list of "
                    "words or None."
                )
            return ENGLISH_STOP_WORDS
        return frozenset(self.stop_words)

    def _tokens(self, doc: str) -> list[str]:
        if not isinstance(doc, str):
            raise TypeError(f"documents must be str; got {type(doc).__name__}: {doc!r:.60}.")
        text = doc.lower() if self.lowercase else doc
        stop = self._stop
        return [t for t in self._pattern.findall(text) if t not in stop]

    def _counts(self, docs: list[str], vocab: dict[str, int] | None) -> Any:
        """(CSR counts, vocabulary); with ``vocab`` unknown terms are ignored."""
        growing = vocab is None
        voc: dict[str, int] = {} if vocab is None else vocab
        indptr = [0]
        indices: list[int] = []
        data: list[int] = []
        for doc in docs:
            counts: Counter[int] = Counter()
            for tok in self._tokens(doc):
                j = voc.get(tok)
                if j is None:
                    if not growing:
                        continue
                    j = voc[tok] = len(voc)
                counts[j] += 1
            indices.extend(counts.keys())
            data.extend(counts.values())
            indptr.append(len(indices))
        X = sp.csr_matrix(
            (
                np.asarray(data, dtype=np.float64),
                np.asarray(indices, dtype=np.int64),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(docs), len(voc)),
        )
        X.sort_indices()
        return X, voc

    def _validate(self, docs: Any) -> list[str]:
        if isinstance(docs, str):
            raise TypeError("documents must be a list of str, not a single str.")
        docs = list(docs)
        if not docs:
            raise ValueError("documents is empty; at least one document is needed.")
        for name in ("min_df", "max_df"):
            v = getattr(self, name)
            if isinstance(v, numbers.Integral) and not isinstance(v, bool):
                check_int(name, v, low=0)
            else:
                check_real(name, v, low=0.0, high=1.0)
        check_int("max_features", self.max_features, low=1, allow_none=True)
        self._stop = self._stop_set()
        self._pattern = re.compile(self.token_pattern)
        return docs

    def fit_transform(self, docs: Iterable[str]) -> sp.csr_matrix:
        """Learn the vocabulary and idf of ``docs``; return their (n_docs, n_terms) TF-IDF."""
        docs = self._validate(docs)
        n = len(docs)
        X, voc = self._counts(docs, None)
        # Alphabetical term order (scikit-learn's), then document-frequency pruning.
        terms = sorted(voc)
        order = np.array([voc[t] for t in terms], dtype=np.int64)
        X = X[:, order].tocsr()
        df = np.bincount(X.indices, minlength=X.shape[1])
        max_count = self.max_df if _is_count(self.max_df) else self.max_df * n
        min_count = self.min_df if _is_count(self.min_df) else self.min_df * n
        if max_count < min_count:
            raise ValueError(
                f"max_df={self.max_df} allows fewer documents ({max_count:g}) than "
                f"min_df={self.min_df} requires ({min_count:g})."
            )
        keep = (df <= max_count) & (df >= min_count)
        if self.max_features is not None and keep.sum() > self.max_features:
            tfs = np.asarray(X.sum(axis=0)).ravel()
            cand = np.flatnonzero(keep)
            top = cand[np.argsort(-tfs[cand], kind="stable")[: self.max_features]]
            keep = np.zeros_like(keep)
            keep[top] = True
        cols = np.flatnonzero(keep)
        if cols.size == 0:
            raise ValueError(
                "After pruning, no terms remain; lower min_df, raise max_df or use fewer stop "
                "words."
            )
        X = X[:, cols].tocsr()
        self.vocabulary_ = {terms[j]: i for i, j in enumerate(cols)}
        self._terms = np.array([terms[j] for j in cols], dtype=object)
        df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)
        s = 1.0 if self.smooth_idf else 0.0
        self.idf_ = np.log((n + s) / (df + s)) + 1.0
        return self._weight(X)

    def transform(self, docs: Iterable[str]) -> sp.csr_matrix:
        """TF-IDF of new documents with the fitted vocabulary and idf."""
        if not hasattr(self, "idf_"):
            raise ValueError("This Tfidf is not fitted yet; call fit_transform first.")
        docs = self._validate(docs)
        X, _ = self._counts(docs, dict(self.vocabulary_))
        return self._weight(X)

    def get_feature_names_out(self) -> np.ndarray:
        """The terms, in column order (object array of str)."""
        return self._terms.copy()

    def _weight(self, X: sp.csr_matrix) -> sp.csr_matrix:
        X = X.astype(np.float64)
        if self.sublinear_tf:
            X.data = np.log(X.data) + 1.0
        X.data *= self.idf_[X.indices]
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        norms = np.sqrt(np.bincount(rows, weights=X.data**2, minlength=X.shape[0]))
        norms[norms == 0] = 1.0
        X.data /= norms[rows]
        return X


def _is_count(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


@dataclass(frozen=True)
class DocumentTopics:
    """Result of :func:`cluster_documents`.

    Attributes
    ----------
    labels : ndarray of shape (n_docs,), int64
        Topic of each document; -1 for a document with no term of the vocabulary.
    top_terms : list of list of str
        For each topic, its ``n_top_terms`` heaviest terms (largest centre coordinates).
    centers : ndarray of shape (n_topics, n_terms)
        Unit-norm topic centres in TF-IDF space.
    tfidf : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
        The documents' TF-IDF rows (unit norm).
    vectorizer : Tfidf
        The fitted vectoriser (``transform`` new documents with it, then ``model.predict``).
    vocabulary : ndarray of shape (n_terms,), str
        The terms, in column order.
    model : KMeans
        The fitted spherical k-means (``metric='cosine'``).
    sizes : ndarray of shape (n_topics,), int64
        Documents per topic.
    """

    labels: np.ndarray
    top_terms: list[list[str]]
    centers: np.ndarray
    tfidf: sp.csr_matrix
    vectorizer: Tfidf
    vocabulary: np.ndarray
    model: Any
    sizes: np.ndarray


def cluster_documents(
    docs: Iterable[str],
    n_topics: int,
    *,
    max_features: int | None = 5000,
    min_df: float = 2,
    max_df: float = 0.95,
    stop_words: str | Iterable[str] | None = "english",
    sublinear_tf: bool = True,
    n_top_terms: int = 10,
    n_init: int = 30,
    random_state: Any = None,
) -> DocumentTopics:
    """Group documents into topics: TF-IDF, then spherical k-means on the sparse rows.

    The TF-IDF rows (:class:`Tfidf`) stay a scipy CSR matrix end to end: ``KMeans`` with
    ``metric='cosine'`` runs its CSR kernels (O(nnz k) per iteration, dense centres of
    ``n_terms`` floats). A topic's top terms are the largest coordinates of its unit centre,
    the terms its documents share most.

    Parameters
    ----------
    docs : iterable of str
    n_topics : int >= 1
    max_features, min_df, max_df, stop_words, sublinear_tf
        TF-IDF settings (see :class:`Tfidf`); stop_words='english' is shoal's short list.
        The default ``min_df=2`` drops terms of a single document, which cannot link
        documents into a topic but add noise to the distances.
    n_top_terms : int, default=10
    n_init : int, default=30
        k-means++ restarts; the lowest cosine inertia wins. Spherical k-means on short texts
        has many local optima, and a restart on sparse rows is cheap.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    DocumentTopics
        ``labels``, ``top_terms``, ``centers``, ``tfidf``, ``vectorizer``, ``vocabulary``,
        ``model``, ``sizes``.

    Examples
    --------
    >>> from shoal.apps import cluster_documents
    >>> docs = ["rocket launch orbit", "orbit rocket moon", "bake bread oven", "oven cake bake"]
    >>> res = cluster_documents(docs, 2, random_state=0, min_df=1, max_df=1.0)
    >>> bool(res.labels[0] == res.labels[1] != res.labels[2] == res.labels[3])
    True
    """
    from ..centroid import KMeans

    k = check_int("n_topics", n_topics, low=1)
    check_int("n_top_terms", n_top_terms, low=1)
    assert k is not None
    vec = Tfidf(
        max_features=max_features,
        min_df=min_df,
        max_df=max_df,
        stop_words=stop_words,
        sublinear_tf=sublinear_tf,
    )
    X = vec.fit_transform(docs)
    has_terms = np.diff(X.indptr) > 0
    n_ok = int(has_terms.sum())
    if k > n_ok:
        raise ValueError(
            f"n_topics={k} must be <= the number of documents with a known term ({n_ok})."
        )
    model = KMeans(k, metric="cosine", n_init=n_init, random_state=random_state)
    model.fit(X[has_terms])
    labels = np.full(X.shape[0], -1, dtype=np.int64)
    labels[has_terms] = model.labels_
    terms = vec.get_feature_names_out()
    centers = model.cluster_centers_
    top = [
        [str(terms[j]) for j in np.argsort(-c, kind="stable")[:n_top_terms] if c[j] > 0]
        for c in centers
    ]
    return DocumentTopics(
        labels=labels,
        top_terms=top,
        centers=centers,
        tfidf=X,
        vectorizer=vec,
        vocabulary=terms,
        model=model,
        sizes=np.bincount(model.labels_, minlength=k).astype(np.int64),
    )
