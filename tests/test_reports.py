"""Reports: sections, the notebook's parameters, the fleet run end to end, and a real browser."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
import yaml

from eksplan.errors import EksplanError
from eksplan.guide import GUIDE_URL
from eksplan.report import ClusterReport, render_fleet, slugify
from eksplan.report.html import chart_html
from eksplan.report.runner import check_parameters
from eksplan.spec import ClusterSpec

from .conftest import OUTPUT, ROOT
from .rule_cases import spec as base_spec

HOSTILE = "<script>alert(1)</script>"
QUOTED = 'it\'s "prod"'


@pytest.mark.parametrize("name, slug", [("payments-prod", "payments-prod"), (HOSTILE, "script-alert-1-script"),
                                        (QUOTED, "it-s-prod"), ("***", "cluster")])
def test_slugify(name, slug):
    """Cluster names become safe file names."""
    assert slugify(name) == slug


def test_sections_escape_hostile_text():
    """A cluster name and description full of markup render as text in every section."""
    report = ClusterReport(ClusterSpec.model_validate(base_spec(name=HOSTILE, description="<b>bold</b> & co")))
    html = "".join(str(getattr(report, s)()) for s in ("header", "verdict", "key_figures", "decisions", "findings",
                                                        "configuration", "address_space"))
    assert HOSTILE not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html


def test_chart_specs_cannot_close_their_script():
    """Chart specs are embedded as JSON that no '<' can break out of."""
    html = chart_html({"title": "</script><script>alert(1)</script>"}, "chart-1")
    assert html.count("</script>") == 1 and "\\u003c/script" in html


def test_chart_ids_are_deterministic():
    """Chart ids count from 1 in each report, so stored notebook outputs stay stable."""
    report = ClusterReport(ClusterSpec.model_validate(base_spec()))
    figures = str(report.figures())
    assert re.findall(r'id="(chart-\d+)"', figures) == ["chart-1", "chart-2", "chart-3"]
    assert re.findall(r'id="(chart-\d+)"', str(report.address_space())) == ["chart-4"]


def test_notebook_parameters_are_checked(tmp_path):
    """The report notebook defines every parameter the batch passes; a missing one is caught."""
    check_parameters(("spec_path", "cluster_name"))
    nb = nbformat.read(ROOT / "notebooks" / "cluster_report.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = 'spec_path = ""'
    broken = tmp_path / "report.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(EksplanError, match=r"^report.ipynb: the parameters cell does not define cluster_name$"):
        check_parameters(("spec_path", "cluster_name"), broken)


# -- end to end -------------------------------------------------------------------------------------

def _fleet_file(tmp_path):
    """A fleet with hostile names and two clusters that do not validate."""
    hostile = base_spec(name=HOSTILE, description=f"{HOSTILE} & {QUOTED}")
    quoted = base_spec(name=QUOTED)
    broken = base_spec(name="no-eni-left", **{"vpc_cni.settings": {"MAX_ENI": 1, "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": True},
                                               "vpc.cidrs": ["10.0.0.0/16", "100.64.0.0/16"]})
    broken["subnets"] = broken["subnets"] + [
        {"id": "s-pods-a", "availability_zone": "us-east-1a", "cidr": "100.64.0.0/18", "role": "pods"},
        {"id": "s-pods-b", "availability_zone": "us-east-1b", "cidr": "100.64.64.0/18", "role": "pods"}]
    invalid = base_spec(name="invalid", **{"vpc_cni.version": "1.x"})
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump({"clusters": [hostile, quoted, broken, invalid]}, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fleet")
    out = tmp / "reports"
    lines: list[str] = []
    result = render_fleet([ROOT / "examples", _fleet_file(tmp)], out, jobs=2, progress=lines.append)
    return result, lines


@pytest.mark.slow
def test_fleet_renders_every_valid_cluster(fleet):
    """Every example renders; two invalid specs fail without stopping the rest."""
    result, lines = fleet
    ok = sorted(o.name for o in result.outcomes if o.ok)
    assert ok == sorted(["analytics-ipv6", "claims-sgp", "dev-sandbox", "payments-prod", "retail-constrained",
                         "telco-upf", HOSTILE, QUOTED])
    assert [o for o in result.outcomes if not o.ok] == []
    assert [f["cluster"] for f in result.spec_failures] == ["no-eni-left", "invalid"]
    assert not result.ok
    assert len(lines) == 8 and lines[-1].startswith("[####################] 8/8 ")
    assert not list(result.out_dir.glob(".eksplan-run-*"))  # the run's scratch folder is gone


@pytest.mark.slow
def test_reports_are_offline_and_small(fleet):
    """No report loads anything from a network (links to the guide are only links), and each stays under 2 MB."""
    result, _ = fleet
    pages = sorted(result.out_dir.glob("*.html"))
    assert len(pages) == 10  # 8 reports, the index and the explanation page
    for page in pages:
        text = page.read_text()
        assert not re.search(r"""(src\s*=|<link[^>]*href\s*=|url\()\s*["']?(https?:)?//""", text), page.name
        external = re.findall(r'<a [^>]*href="(https?://[^"]+)"', text)
        assert all(url.startswith(GUIDE_URL) for url in external), page.name
        assert "@import" not in text and "cdn" not in text.lower().replace("cdnjs", "cdn"), page.name
        assert page.stat().st_size < 2_000_000, page.name


@pytest.mark.slow
def test_json_twin_matches_the_report(fleet):
    """Each report has a JSON twin with its decisions and findings."""
    result, _ = fleet
    twin = json.loads((result.out_dir / "telco-upf.json").read_text())
    html = (result.out_dir / "telco-upf.html").read_text()
    assert twin["cluster"] == "telco-upf" and twin["worst_severity"] == "critical"
    for decision in twin["decisions"]:
        assert decision["title"] in html
    assert "multus-thick-pod-lookup-race" in html


def heading(page) -> str:
    """The text of a page's h1, as a browser would show it."""
    from html.parser import HTMLParser

    class H1(HTMLParser):
        inside, text = False, ""

        def handle_starttag(self, tag, attrs):
            self.inside = self.inside or tag == "h1"

        def handle_endtag(self, tag):
            if tag == "h1":
                self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.text += data

    parser = H1()
    parser.feed(page.read_text())
    return parser.text.strip()


@pytest.mark.slow
def test_hostile_names_render_as_text(fleet):
    """A cluster named <script>alert(1)</script> renders as text in its report and the index."""
    result, _ = fleet
    page = (result.out_dir / "script-alert-1-script.html").read_text()
    index = (result.out_dir / "index.html").read_text()
    for text in (page, index):
        assert HOSTILE not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert heading(result.out_dir / "it-s-prod.html") == QUOTED
    assert heading(result.out_dir / "script-alert-1-script.html") == HOSTILE


@pytest.mark.slow
def test_index_lists_reports_and_failures(fleet):
    """The index has a row per report and lists the failures with their errors."""
    result, _ = fleet
    index = (result.out_dir / "index.html").read_text()
    table = index[index.index('id="fleet-table"'):index.index("</table>")]
    assert len(re.findall(r"<tr[ >]", table)) == 1 + 8
    assert "no-eni-left" in index and "leaves no ENI for pod addresses" in index
    assert "invalid" in index and "is not a VPC CNI version" in index


# -- a real browser, with every network request blocked --------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def chromium():
    """The browser eksplan report --pdf would use; the test is skipped without one."""
    from eksplan.report.pdf import PdfError, find_chromium

    try:
        return find_chromium()
    except PdfError:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    executable = chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(profile), executable_path=executable, headless=True,
                                                       args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
        yield context
        context.close()


def open_offline(context, url):
    """Open a page with every non-file request refused; collect console errors and blocked requests."""
    page = context.new_page()
    blocked, errors = [], []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
               else (blocked.append(route.request.url), route.abort()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('.eksplan-chart-view').length === "
                           "document.querySelectorAll('.eksplan-chart-view svg, .eksplan-chart-view canvas').length",
                           timeout=20_000)
    return page, blocked, errors


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("name", ["index", "payments-prod", "retail-constrained"])
def test_pages_in_chromium_offline(fleet, browser, name):
    """Charts are drawn, tables present, no console error and no network request; a screenshot is kept."""
    result, _ = fleet
    page, blocked, errors = open_offline(browser, (result.out_dir / f"{name}.html").as_uri())
    charts = page.locator(".eksplan-chart-view").count()
    assert charts >= 1
    assert page.locator(".eksplan-chart-view svg").count() == charts
    assert page.locator("table").count() >= 1
    assert errors == [] and blocked == []
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"report-{name}.png"), full_page=True)
    page.close()


@pytest.mark.slow
@pytest.mark.browser
def test_whatif_slider_changes_the_chart(fleet, browser):
    """Moving a report's Vega-Lite slider redraws its chart with no kernel and no network."""
    result, _ = fleet
    page, _, errors = open_offline(browser, (result.out_dir / "dev-sandbox.html").as_uri())
    chart = page.locator(".eksplan-chart").filter(has_text="What if")
    before = chart.locator("svg").inner_html()
    slider = chart.locator("input[type=range]")
    slider.fill("110")
    slider.dispatch_event("input")
    page.wait_for_timeout(300)
    assert chart.locator("svg").inner_html() != before
    assert errors == []
    page.close()


EXAMPLES = ["analytics-ipv6", "claims-sgp", "dev-sandbox", "payments-prod", "retail-constrained", "telco-upf"]


@pytest.mark.slow
def test_index_triages_worst_first(fleet):
    """Rows run from the worst finding down (critical first); action needed and totals agree with the reports."""
    from eksplan.rules import SEVERITIES

    result, _ = fleet
    index = (result.out_dir / "index.html").read_text()
    table = index[index.index('id="fleet-table"'):index.index("</table>")]
    slugs = re.findall(r'<td><a href="([^"#]+)\.html">', table)
    worst = [json.loads((result.out_dir / f"{slug}.json").read_text())["verdict"]["worst"] for slug in slugs]
    ranks = [SEVERITIES.index(w) if w else len(SEVERITIES) for w in worst]
    assert ranks == sorted(ranks) and slugs[0] == "telco-upf" and worst[0] == "critical"
    needing = sum(w in ("critical", "high") for w in worst)
    assert f"{needing} clusters of {len(slugs)} need action" in index
    assert table.count('<strong class="eksplan-bad">yes</strong>') == needing


@pytest.mark.slow
def test_about_page_is_written_and_linked(fleet):
    """Every report links to the fleet's explanation page, which the run writes beside the index."""
    result, _ = fleet
    about = (result.out_dir / "about.html").read_text()
    page = (result.out_dir / "payments-prod.html").read_text()
    for anchor in re.findall(r'href="about\.html#([^"]+)"', page):
        assert f'id="{anchor}"' in about, anchor


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("name", EXAMPLES)
def test_first_screen_answers(fleet, browser, name):
    """At 1280x800 the title names the cluster and the worst finding shows without scrolling; at 400 px wide
    nothing scrolls sideways; the back link leads to the index."""
    result, _ = fleet
    document = json.loads((result.out_dir / f"{name}.json").read_text())
    page, blocked, errors = open_offline(browser, (result.out_dir / f"{name}.html").as_uri())
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.title() == f"{name} — EKS networking decisions"
    head = page.locator(".eksplan-verdict-head")
    box = head.bounding_box()
    assert box["y"] + box["height"] <= 800
    worst = document["verdict"]["worst_title"]
    assert (worst or "No finding") in head.inner_text()
    first_action = page.locator(".eksplan-actions li").first
    if document["verdict"]["actions"]:
        assert first_action.bounding_box()["y"] < 800
    page.set_viewport_size({"width": 400, "height": 800})
    page.wait_for_timeout(200)  # the charts re-lay out
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.locator("a[rel=up]").click()
    page.wait_for_url("**/index.html")
    assert page.locator("#fleet-table").count() == 1
    assert errors == [] and blocked == []
    page.close()


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_prints_the_report_with_its_working(fleet, tmp_path):
    """--pdf's printer: the PDF is titled by the cluster, opens on its verdict, and carries the derivations
    (collapsed on screen, expanded in print)."""
    from pypdf import PdfReader

    from eksplan.report.pdf import print_pdf

    result, _ = fleet
    chromium()
    pdf = print_pdf(result.out_dir / "payments-prod.html", tmp_path / "payments-prod.pdf")
    reader = PdfReader(pdf)
    assert reader.metadata.title == "payments-prod — EKS networking decisions"
    first = reader.pages[0].extract_text()
    document = json.loads((result.out_dir / "payments-prod.json").read_text())
    assert "payments-prod" in first and document["verdict"]["worst_title"] in first
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "kubelet max pods" in text  # a derivation line, inside a collapsed <details> on screen
    assert not list(tmp_path.glob("*.part"))
