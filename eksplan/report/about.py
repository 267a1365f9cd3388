"""The fleet's explanation page (``about.html``): how eksplan computes, decides and judges.

Written once per fleet beside ``index.html``; every report links to it (the decisions' options
to ``#decision-<id>``, the findings' rules to ``#rule-<id>``). Everything on it comes from the
registries the reports use -- decision options, finding rules, the guide fact-check, the bundled
data's provenance -- so the page cannot say something the reports do not do.
"""

from __future__ import annotations

from datetime import datetime, timezone

from .. import __version__
from ..catalog import Catalog, load_catalog
from ..guide import GUIDE_URL, section_url
from ..rules import FINDING_RULES, SEVERITIES
from .html import environment

__all__ = ["about_html", "data_sources"]


def data_sources(catalog: Catalog | None = None) -> list[dict]:
    """The bundled data eksplan computes from: what each is, where it comes from, how to refresh it."""
    from ..catalog.addon import load_addon_schema
    from ..catalog.bottlerocket import load_bottlerocket_table
    from ..catalog.branch import load_branch_limits

    catalog = catalog or load_catalog()
    branch, bottlerocket, addon = load_branch_limits(), load_bottlerocket_table(), load_addon_schema()
    return [
        {"what": f"Instance types ({len(catalog):,}): ENIs, IPv4 and IPv6 addresses per ENI, network cards, "
                 "vCPUs, hypervisor", "source": catalog.provenance(),
         "refresh": "eksplan instance-types refresh --region REGION (or --from-file, --from-moto)"},
        {"what": f"Trunking and branch ENIs per instance type ({len(branch.types):,}), for security groups for pods",
         "source": branch.provenance(), "refresh": branch.command},
        {"what": f"Bottlerocket's max pods per instance type ({len(bottlerocket.types):,})",
         "source": bottlerocket.provenance(), "refresh": bottlerocket.command},
        {"what": f"The VPC CNI add-on's configuration keys and variables ({len(addon.env):,} variables)",
         "source": addon.source, "refresh": "eksplan addon-schema refresh --from-file FILE"},
    ]


def about_html(catalog: Catalog | None = None, *, index_href: str | None = "index.html",
               generated: str | None = None) -> str:
    """The explanation page as one self-contained HTML document."""
    from ..decisions import DECISION_RULES
    from ..factcheck import fact_check
    from ..rules.observed import OBSERVED_RULES

    catalog = catalog or load_catalog()
    by_severity = {s: [] for s in SEVERITIES}
    for rule in FINDING_RULES + OBSERVED_RULES:
        by_severity[rule.severity].append(rule)
    generated = generated or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return environment().get_template("about.html.j2").render(
        decisions=DECISION_RULES, rules=by_severity, observed={r.id for r in OBSERVED_RULES},
        claims=fact_check(catalog), sources=data_sources(catalog), guide_url=section_url, guide_home=GUIDE_URL,
        index_href=index_href, version=__version__, generated=generated, resources={})
