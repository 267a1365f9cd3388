"""eksplan: plan Amazon EKS networking with figures that agree with AWS's own.

The public API is importable from here. Submodules load on first use, so ``import eksplan``
stays cheap and never imports pandas, altair or boto3.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> module that defines it (loaded on first access).
_EXPORTS = {
    "Catalog": "eksplan.catalog",
    "InstanceType": "eksplan.catalog",
    "load_catalog": "eksplan.catalog",
    "CniVersion": "eksplan.cniversion",
    "parse_cni_version": "eksplan.cniversion",
    "EksplanError": "eksplan.errors",
    "UnknownInstanceType": "eksplan.errors",
    "CniVersionError": "eksplan.errors",
    "CatalogError": "eksplan.errors",
    "MaxPodsError": "eksplan.errors",
    "MaxPods": "eksplan.maxpods",
    "NodeGroupMaxPods": "eksplan.maxpods",
    "max_pods": "eksplan.maxpods",
    "node_group_max_pods": "eksplan.maxpods",
    "max_pods_table": "eksplan.maxpods",
    "kube_reserved_memory_mib": "eksplan.maxpods",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'eksplan' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
