"""HTML pieces of the reports: Jinja templates with autoescaping, and charts as embeddable specs."""

from __future__ import annotations

import itertools
import json
from functools import lru_cache

from ..echo import counted

__all__ = ["Html", "environment", "chart_html", "vega_bundle", "ChartCounter"]


class Html:
    """An HTML fragment that notebooks display as text/html (and as a short text in plain views).

    ``extra`` adds outputs of other types (e.g. the page title the report template reads).
    """

    def __init__(self, html: str, text: str, extra: dict | None = None):
        self.html = html
        self.text = text
        self.extra = extra or {}

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self.html, "text/plain": self.text, **self.extra}

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.html


@lru_cache(maxsize=1)
def environment():
    """The Jinja environment over the project's templates/ folder, escaping every value."""
    import jinja2

    from .paths import templates_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    env.filters["counted"] = counted
    return env


def _json_for_script(spec: dict) -> str:
    """JSON safe inside a <script> element: no '<' can close it or open a comment."""
    return json.dumps(spec, separators=(",", ":"), sort_keys=True).replace("<", "\\u003c")


class ChartCounter:
    """Deterministic chart ids within one page (chart-1, chart-2...)."""

    def __init__(self, prefix: str = "chart"):
        self._ids = itertools.count(1)
        self.prefix = prefix

    def next(self) -> str:
        return f"{self.prefix}-{next(self._ids)}"


def chart_html(chart, chart_id: str, caption: str = "") -> str:
    """A chart as a placeholder and its Vega-Lite spec; the page's one Vega bundle draws it."""
    from markupsafe import escape

    spec = chart.to_dict(validate=False) if hasattr(chart, "to_dict") else chart
    figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return (f'<figure class="eksplan-chart"><div class="eksplan-chart-view" id="{escape(chart_id)}"></div>'
            f'<script type="application/json" data-chart="{escape(chart_id)}">{_json_for_script(spec)}</script>'
            f"{figcaption}</figure>")


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, from vl-convert-python (no network)."""
    import vl_convert

    return vl_convert.javascript_bundle().replace("</script", "<\\/script")
