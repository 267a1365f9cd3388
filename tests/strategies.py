"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from eksplan.catalog import load_catalog

_TYPES = sorted(load_catalog().types.values(), key=lambda t: t.name)


def instance_types():
    """Any instance type of the bundled catalog."""
    return st.sampled_from(_TYPES)


def cni_versions():
    """CNI versions around the feature boundaries (1.7 ... 1.20), or None."""
    return st.none() | st.builds(
        lambda minor, patch: f"1.{minor}.{patch}", st.integers(7, 20), st.integers(0, 5)
    )


@st.composite
def cni_options(draw):
    """A consistent set of max-pods keyword arguments."""
    ipv6 = draw(st.booleans())
    return dict(
        cni_version=draw(cni_versions()),
        prefix_delegation=draw(st.booleans()),
        custom_networking=False if ipv6 else draw(st.booleans()),
        max_eni=draw(st.none() | st.integers(1, 20)),
        security_groups_for_pods=draw(st.booleans()),
        ip_family="ipv6" if ipv6 else "ipv4",
        show_max_allowed=draw(st.booleans()),
    )
