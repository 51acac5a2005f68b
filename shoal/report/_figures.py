"""matplotlib figures as inline SVG text that is safe to paste into HTML."""

from __future__ import annotations

import io
import re
from typing import Any

__all__ = ["svg"]

# matplotlib writes the drawn strings into comments and metadata; a comment holding
# "-->" (a user's column name, say) would close the comment early, so all of them go.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)


def svg(fig: Any) -> str:
    """The figure as an ``<svg>`` element: text drawn as paths (no fonts needed, no text
    nodes for user strings), no XML prolog, comments or metadata; the figure is closed."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "path", "svg.hashsalt": "shoal"}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = _METADATA.sub("", _PROLOG.sub("", _COMMENT.sub("", buf.getvalue())))
    if re.search(r"<script|javascript:|\son\w+\s*=", text, re.IGNORECASE):
        raise ValueError("refusing to inline an SVG that carries script")  # pragma: no cover
    return text.strip()
