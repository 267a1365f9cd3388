"""JSON with bounded work: nesting capped, whole numbers within 64 bits, no NaN or Infinity, unique keys."""

from __future__ import annotations

import json
import math

from ..echo import shown
from .files import InputError, LIMITS, Limits
from .yamldoc import INT_RANGE

__all__ = ["load_json"]


class _Refused(ValueError):
    """A value JSON's grammar allows but eksplan does not read."""


def _int(text: str) -> int:
    if len(text) > 20 or not INT_RANGE[0] <= (value := int(text)) <= INT_RANGE[1]:
        raise _Refused(f"{shown(text)} is out of range (whole numbers are read up to 64 bits: "
                       f"{INT_RANGE[0]:,} to {INT_RANGE[1]:,})")
    return value


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refused(f"{shown(text)} is out of range (larger than any floating-point number)")
    return value


def _constant(text: str):
    raise _Refused(f"{text} is not a number (JSON has no NaN or Infinity; Python's json module would accept it)")


def _unique(pairs: list) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {shown(key)}")
        out[key] = value
    return out


def _depth(document: object, limit: int) -> int:
    """The nesting depth of ``document``, counted without recursion, stopping past ``limit``."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return deepest


def load_json(text: str, label: str, limits: Limits = LIMITS["json"]) -> object:
    """The JSON document of ``text``; :class:`InputError` names line and column where json does."""
    try:
        document = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=_unique)
    except json.JSONDecodeError as exc:
        raise InputError(label, f"line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg})") from None
    except _Refused as exc:
        raise InputError(label, str(exc)) from None
    except RecursionError:  # the C decoder's own guard against deep nesting
        raise InputError(label, f"nests deeper than {limits.max_depth} levels") from None
    if _depth(document, limits.max_depth) > limits.max_depth:
        raise InputError(label, f"nests deeper than {limits.max_depth} levels")
    return document
