"""Reports: one architecture decision report per cluster, and the fleet's index page."""

from .cluster import ClusterReport
from .fleet import FleetResult, render_fleet, slugify

__all__ = ["ClusterReport", "FleetResult", "render_fleet", "slugify"]
