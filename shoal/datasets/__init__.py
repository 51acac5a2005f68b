"""Small data sets bundled with shoal.

``load_demo`` returns ``customers``: a **synthetic** table of 600 shop customers drawn from five
latent segments (budget students, young spenders, families, affluent loyal, affluent savers) by
``shoal/datasets/make_demo.py`` with a fixed seed. No real person is in it. Columns:

``annual_income``
    Yearly income in currency units, rounded to 100 (about 8,000 to 200,000).
``spending_score``
    Shop-assigned score of how much and how often the customer spends, 1 to 100.
``age``
    Age in years, 18 to 85.
``visits_per_month``
    Average number of shop visits a month, one decimal.
``basket_size``
    Average amount spent per visit, two decimals; correlated with income within a segment.

The segments differ in spread as well as in location and overlap a little, so a good clustering
recovers them closely but not perfectly; standardise the columns first (income is in the tens of
thousands, the rest are below a few hundred).

``load_documents`` returns 48 short English documents written for shoal, 12 on each of four
topics (space, cooking, football, markets), for the document-topics example.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Literal, overload

import numpy as np

__all__ = ["load_demo", "load_documents"]

DEMO_COLUMNS = ["annual_income", "spending_score", "age", "visits_per_month", "basket_size"]


def _data_file(name: str) -> Any:
    return resources.files(__name__) / "data" / name


@overload
def load_demo(*, return_segments: Literal[False] = ...) -> tuple[np.ndarray, list[str]]: ...


@overload
def load_demo(*, return_segments: Literal[True]) -> tuple[np.ndarray, list[str], np.ndarray]: ...


def load_demo(
    *, return_segments: bool = False
) -> tuple[np.ndarray, list[str]] | tuple[np.ndarray, list[str], np.ndarray]:
    """Load the synthetic ``customers`` table (600 rows, 5 numeric columns).

    Parameters
    ----------
    return_segments : bool, default=False
        Also return the latent segment (0 to 4) each row was drawn from, to score how well a
        clustering recovers it.

    Returns
    -------
    X : ndarray of shape (600, 5), dtype float64
        The table, in the units described in the module docstring (not standardised).
    column_names : list of str
        ``["annual_income", "spending_score", "age", "visits_per_month", "basket_size"]``.
    segments : ndarray of shape (600,), dtype int64
        Only when ``return_segments`` is true.

    Examples
    --------
    >>> X, names = load_demo()
    >>> X.shape
    (600, 5)
    >>> names[:2]
    ['annual_income', 'spending_score']
    """
    with _data_file("customers.csv").open("r") as fh:
        header = fh.readline().strip().split(",")
        X = np.loadtxt(fh, delimiter=",", dtype=np.float64, ndmin=2)
    if not return_segments:
        return X, header
    with _data_file("customers_segments.txt").open("r") as fh:
        segments = np.loadtxt(fh, dtype=np.int64, ndmin=1)
    return X, header, segments


TOPICS = ["space", "cooking", "football", "markets"]


@overload
def load_documents(*, return_topics: Literal[False] = ...) -> list[str]: ...


@overload
def load_documents(*, return_topics: Literal[True]) -> tuple[list[str], np.ndarray, list[str]]: ...


def load_documents(
    *, return_topics: bool = False
) -> list[str] | tuple[list[str], np.ndarray, list[str]]:
    """Load the bundled corpus: 48 short documents, 12 on each of four topics.

    Parameters
    ----------
    return_topics : bool, default=False
        Also return each document's topic (0 to 3) and the topic names.

    Returns
    -------
    docs : list of str
    topics : ndarray of shape (48,), int64
        Only when ``return_topics`` is true; index into ``topic_names``.
    topic_names : list of str
        ``["space", "cooking", "football", "markets"]``; only when ``return_topics`` is true.

    Examples
    --------
    >>> docs, topics, names = load_documents(return_topics=True)
    >>> len(docs), names[int(topics[0])]
    (48, 'space')
    """
    with _data_file("documents.tsv").open("r", encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh][1:]
    docs = [text for _, text in rows]
    if not return_topics:
        return docs
    topics = np.array([TOPICS.index(t) for t, _ in rows], dtype=np.int64)
    return docs, topics, list(TOPICS)
