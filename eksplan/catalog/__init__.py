"""EC2 instance types: the bundled snapshot and its loader."""

from .model import BUNDLED_SNAPSHOT, Catalog, InstanceType, load_catalog

__all__ = ["BUNDLED_SNAPSHOT", "Catalog", "InstanceType", "load_catalog"]
