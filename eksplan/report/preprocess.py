"""The report template's preprocessor: what ``templates/eksplan_report/conf.json`` declares it needs.

With it, plain ``jupyter nbconvert --to html --template eksplan_report report.ipynb`` gives the
same page as ``eksplan report``: the notes for authors and the parameters are dropped, a section
whose code cell shows nothing (a parameter hid it) is dropped with its heading, the page title is
the cluster's (from the header's output), the contents list is built from the headings that
remain, and the page carries the Vega bundle that draws its charts offline.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor

__all__ = ["ReportPreprocessor", "heading_anchor"]

REMOVED_TAGS = {"remove-cell", "parameters", "injected-parameters"}
SECTION_PREFIX = "section-"


def css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string that cannot close it or its <style>."""
    out = []
    for ch in text:
        if ch in '"\\<>' or ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


def heading_anchor(text: str) -> str:
    """The id nbconvert gives a markdown heading (its text, spaces as hyphens)."""
    return text.strip().replace(" ", "-")


def _tags(cell) -> set:
    return set(cell.get("metadata", {}).get("tags", []))


class ReportPreprocessor(Preprocessor):
    def preprocess(self, nb, resources):
        from .cluster import TITLE_MIMETYPE

        empty = {tag for cell in nb.cells if cell.cell_type == "code" and not cell.get("outputs")
                 for tag in _tags(cell) if tag.startswith(SECTION_PREFIX)}
        nb.cells = [cell for cell in nb.cells if not (_tags(cell) & (REMOVED_TAGS | empty))]
        toc = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                toc += [(line[3:].strip(), heading_anchor(line[3:])) for line in cell.source.splitlines()
                        if line.startswith("## ")]
            for output in cell.get("outputs", []):
                meta = output.get("data", {}).get(TITLE_MIMETYPE)
                if meta:
                    nb.metadata["title"] = meta["title"]
                    resources["eksplan_cluster"] = meta["cluster"]
                    resources["eksplan_cluster_css"] = css_string(meta["title"])
        resources["eksplan_toc"] = toc
        if "eksplan_vega_bundle" not in resources:
            from .html import vega_bundle

            resources["eksplan_vega_bundle"] = vega_bundle()
        return nb, resources
