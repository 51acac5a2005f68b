"""Document topics (the seeds' mini project): TF-IDF, then spherical k-means on sparse rows.

The bundled corpus has 48 short documents on four topics. The script prints each topic's
size and top terms and the adjusted Rand index against the topics the documents were written
on; writes ``topics.csv`` (document, topic) and ``top_terms.txt``.

Run: ``python examples/document_topics.py [OUTPUT_DIR]``
"""

from __future__ import annotations

from _common import output_dir

from shoal.apps import cluster_documents
from shoal.datasets import load_documents
from shoal.metrics import adjusted_rand_score


def main() -> None:
    out = output_dir()
    docs, topics, _ = load_documents(return_topics=True)
    res = cluster_documents(docs, 4, n_top_terms=8, random_state=0)
    n_docs, n_terms = res.tfidf.shape
    print(f"documents={n_docs} terms={n_terms} nnz={res.tfidf.nnz}")
    lines = []
    for t, terms in enumerate(res.top_terms):
        lines.append(f"topic {t} ({res.sizes[t]} docs): {', '.join(terms)}")
        print(lines[-1])
    (out / "top_terms.txt").write_text("\n".join(lines) + "\n")
    with open(out / "topics.csv", "w") as fh:
        fh.write("document,topic\n")
        fh.writelines(f"{i},{t}\n" for i, t in enumerate(res.labels))
    print(f"ari={adjusted_rand_score(topics, res.labels):.4f}")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
