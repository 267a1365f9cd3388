"""One family of errors for everything eksplan rejects.

Every error is a :class:`ValueError` whose message quotes the bad value and the rule it
broke, so that callers (the CLI, the report batch) can show it as it is, on one line.
"""

from __future__ import annotations

from .echo import shown

__all__ = [
    "EksplanError",
    "UnknownInstanceType",
    "CniVersionError",
    "CatalogError",
    "MaxPodsError",
    "OutputBusy",
]


class EksplanError(ValueError):
    """Base class of every error eksplan raises on bad input."""

    def lines(self) -> list[str]:
        """The error as lines to show, one per problem (most errors are one problem)."""
        return [str(self)]


class UnknownInstanceType(EksplanError):
    """An instance type that the catalog does not hold."""

    def __init__(self, name: str, suggestion: str | None = None):
        self.name = name
        self.suggestion = suggestion
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"{shown(name)} is not a known instance type{hint}")


class CniVersionError(EksplanError):
    """A VPC CNI version that cannot be parsed."""


class CatalogError(EksplanError):
    """An instance-type snapshot or EC2 capture that cannot be used."""


class MaxPodsError(EksplanError):
    """Arguments to the max-pods calculation that contradict each other or AWS's limits."""


class OutputBusy(EksplanError):
    """Another ``eksplan report`` is writing into the same output folder."""
