"""Finding rules: the guide's DON'Ts and hidden conflicts, each a small function with metadata."""

from . import ipmode, multus, networks, nodes, ops, sgp, subnets
from .base import SEVERITIES, Context, Decision, DecisionRule, Finding, FindingRule, Option, Outcome

#: Every finding rule, in report order. An explicit tuple: no rule registers itself on import.
FINDING_RULES: tuple[FindingRule, ...] = (
    ipmode.RULES + nodes.RULES + networks.RULES + sgp.RULES + multus.RULES + ops.RULES + subnets.RULES
)

__all__ = ["FINDING_RULES", "SEVERITIES", "Context", "Decision", "DecisionRule", "Finding", "FindingRule",
           "Option", "Outcome"]
