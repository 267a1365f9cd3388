"""Parity with AWS's published eni-max-pods.txt (secondary IP, no ceiling).

The reference file is read from outside the project (see conftest.REFERENCE); the test skips
when it is absent.
"""

from __future__ import annotations

import pytest

from eksplan.maxpods import max_pods

# Types whose published figure predates EC2 splitting their interfaces over two network cards:
# the table counted all ENIs, while today's EC2 data puts fewer on the default card, the only
# one the VPC CNI uses. eksplan follows today's data; the test checks that this is the whole
# difference.
SPLIT_OVER_TWO_CARDS = {"i7ie.48xlarge", "i7ie.metal-48xl", "i8ge.48xlarge", "i8ge.metal-48xl"}


def _read_table(path):
    table = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, value = line.split()[:2]
        table[name] = int(value)
    return table


@pytest.fixture(scope="module")
def published(reference_dir):
    path = reference_dir / "eni-max-pods.txt"
    if not path.exists():
        pytest.skip("eni-max-pods.txt not in the reference data")
    return _read_table(path)


def test_every_shared_type_matches(published, catalog):
    """For every type in both, eksplan's secondary-IP max pods equals AWS's table."""
    shared = sorted(set(published) & set(catalog.types))
    assert len(shared) > 1300
    mismatches = {
        name: (max_pods(name, show_max_allowed=True).value, published[name])
        for name in shared
        if max_pods(name, show_max_allowed=True).value != published[name]
    }
    assert set(mismatches) == SPLIT_OVER_TWO_CARDS


@pytest.mark.parametrize("name", sorted(SPLIT_OVER_TWO_CARDS))
def test_known_differences_are_the_network_card_split(published, catalog, name):
    """The four differences are exactly all-cards versus default-card ENIs."""
    it = catalog[name]
    assert it.network_cards == 2 and it.enis < it.total_enis
    assert published[name] == it.total_enis * (it.ipv4_per_eni - 1) + 2
    assert max_pods(it, show_max_allowed=True).value == it.enis * (it.ipv4_per_eni - 1) + 2
