"""argparse value types that report eksplan's one-line messages."""

from __future__ import annotations

import argparse

from ..echo import shown
from ..errors import EksplanError

__all__ = ["as_type", "whole_number"]


def as_type(parse):
    """An argparse ``type`` from a parser that raises eksplan's errors (or ValueError)."""

    def convert(text: str):
        try:
            return parse(text)
        except (EksplanError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__
    return convert


def whole_number(minimum: int = 0):
    """An argparse ``type`` for a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        if text.strip().lstrip("+-").isdigit() and len(text.strip().lstrip("+-")) > 18:
            raise EksplanError(f"{shown(text)} is out of range (at most 18 digits)")
        try:
            value = int(text)
        except ValueError:
            raise EksplanError(f"{shown(text)} is not a whole number") from None
        if value < minimum:
            raise EksplanError(f"{value} must be >= {minimum}")
        return value

    parse.__name__ = f"whole_number_from_{minimum}"
    return as_type(parse)
