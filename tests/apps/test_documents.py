"""shoal.apps.Tfidf (== scikit-learn's TfidfVectorizer) and cluster_documents."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from shoal.apps import ENGLISH_STOP_WORDS, Tfidf, cluster_documents
from shoal.datasets import load_documents
from shoal.metrics import adjusted_rand_score

STOP = sorted(ENGLISH_STOP_WORDS)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stop_words": STOP},
        {"min_df": 2, "max_df": 0.5, "sublinear_tf": True},
        {"smooth_idf": False, "min_df": 0.05, "max_df": 20},
        {"lowercase": False, "token_pattern": r"(?u)\b\w+\b"},
    ],
)
def test_tfidf_equals_sklearn(kwargs):
    docs = load_documents()
    ours = Tfidf(**kwargs)
    X = ours.fit_transform(docs)
    ref = TfidfVectorizer(**kwargs)
    R = ref.fit_transform(docs)
    assert sp.isspmatrix_csr(X) and X.dtype == np.float64
    assert ours.vocabulary_ == {t: int(i) for t, i in ref.vocabulary_.items()}
    assert abs(X - R).max() <= 1e-12
    np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-12)
    new = ["The rocket and the galaxy", "pasta with unknown zzzz words", "nothing known here"]
    assert abs(ours.transform(new) - ref.transform(new)).max() <= 1e-12


def test_tfidf_max_features_equals_sklearn_without_ties():
    docs = load_documents()
    kw = {"stop_words": STOP}
    full = TfidfVectorizer(**kw, use_idf=False, norm=None).fit_transform(docs)
    tf = np.sort(np.asarray(full.sum(axis=0)).ravel())[::-1]
    # A cut where no tie straddles the boundary: both pick the same terms.
    limit = next(m for m in range(10, 60) if tf[m - 1] > tf[m])
    X = Tfidf(max_features=limit, **kw).fit_transform(docs)
    R = TfidfVectorizer(max_features=limit, **kw).fit_transform(docs)
    assert X.shape == R.shape == (48, limit)
    assert abs(X - R).max() <= 1e-12


def test_tfidf_bad_input():
    with pytest.raises(TypeError, match="single str"):
        Tfidf().fit_transform("one document")
    with pytest.raises(ValueError, match="no terms remain"):
        Tfidf(min_df=2).fit_transform(["aa bb", "cc dd"])
    with pytest.raises(ValueError, match="stop_words='french'"):
        Tfidf(stop_words="french").fit_transform(["some words"])
    with pytest.raises(ValueError, match="max_df=1"):
        Tfidf(min_df=3, max_df=1).fit_transform(["aa bb", "aa cc", "aa dd"])
    with pytest.raises(ValueError, match=r"max_df=1\.5"):
        Tfidf(max_df=1.5).fit_transform(["aa bb"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cluster_documents_recovers_topics(seed):
    docs, topics, names = load_documents(return_topics=True)
    res = cluster_documents(docs, 4, random_state=seed)
    assert adjusted_rand_score(topics, res.labels) > 0.9
    assert sp.isspmatrix_csr(res.tfidf)
    assert res.centers.shape == (4, res.tfidf.shape[1])
    np.testing.assert_allclose(np.linalg.norm(res.centers, axis=1), 1.0, rtol=1e-6)
    expected = {
        "space": {"space", "orbit", "rocket", "astronomers", "telescope", "planet", "galaxy"},
        "cooking": {"garlic", "oven", "pan", "recipe", "soup", "butter", "sauce", "salt"},
        "football": {"team", "match", "goal", "league", "club", "striker", "stadium"},
        "markets": {"bank", "interest", "rates", "stock", "investors", "bonds", "earnings"},
    }
    for c in range(4):
        majority = names[np.bincount(topics[res.labels == c]).argmax()]
        assert len(set(res.top_terms[c][:5]) & expected[majority]) >= 3, res.top_terms[c]
    assert res.sizes.sum() == 48


def test_cluster_documents_sparse_path_equals_dense_spherical_kmeans():
    from shoal import KMeans

    docs = load_documents()
    res = cluster_documents(docs, 4, random_state=0)
    init = res.centers
    dense = KMeans(4, init=init, metric="cosine", algorithm="lloyd").fit(res.tfidf.toarray())
    again = KMeans(4, init=init, metric="cosine").fit(res.tfidf)
    np.testing.assert_array_equal(again.labels_, dense.labels_)
    np.testing.assert_allclose(again.inertia_, dense.inertia_, rtol=1e-10)


def test_cluster_documents_empty_documents_get_minus_one():
    docs = [*load_documents(), "the of and", "zzz"]
    res = cluster_documents(docs, 4, random_state=0)
    assert res.labels[-1] == -1 and res.labels[-2] == -1
    assert (res.labels[:-2] >= 0).all()


def test_cluster_documents_bad_parameters():
    docs = load_documents()
    with pytest.raises(ValueError, match="n_topics=0"):
        cluster_documents(docs, 0)
    with pytest.raises(ValueError, match="n_topics=60"):
        cluster_documents(docs, 60)
    with pytest.raises(ValueError, match="n_top_terms=0"):
        cluster_documents(docs, 2, n_top_terms=0)


def test_load_documents():
    docs, topics, names = load_documents(return_topics=True)
    assert len(docs) == 48 and all(isinstance(d, str) and d for d in docs)
    assert names == ["space", "cooking", "football", "markets"]
    np.testing.assert_array_equal(np.bincount(topics), [12, 12, 12, 12])
    assert load_documents() == docs
