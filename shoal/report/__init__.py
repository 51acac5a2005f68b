"""The self-contained HTML report (the ``report`` extra: jinja2 and matplotlib)."""

from ._report import build_report, write_report

__all__ = ["build_report", "write_report"]
