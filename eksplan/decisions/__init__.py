"""Decision rules: one architecture decision record (MADR) each, for the cluster at hand."""

from . import family, ipmode, network, others

#: Every decision rule, in report order.
DECISION_RULES = (family.RULE, ipmode.RULE, network.RULE) + others.RULES

__all__ = ["DECISION_RULES"]
