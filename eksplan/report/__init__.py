"""Reports: one architecture decision report per cluster, and the fleet's index page."""

__all__ = ["ClusterReport", "FleetResult", "render_fleet", "slugify"]


def __getattr__(name: str):
    # Loaded on first use (PEP 562): `eksplan report` starts its kernels before it needs the
    # report model, which takes a tenth of a second to import.
    if name == "ClusterReport":
        from .cluster import ClusterReport

        return ClusterReport
    if name in ("FleetResult", "render_fleet", "slugify"):
        from . import fleet

        return getattr(fleet, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
