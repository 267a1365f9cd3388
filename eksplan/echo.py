"""How eksplan shows what it was given: values shortened with their length, control characters escaped.

Every message that quotes input goes through :func:`shown`, so that it stays one short line
whatever the input holds (a megabyte of text, a list that YAML aliases expand a billion times,
terminal escape sequences) and building it costs little: :mod:`reprlib` looks at a few items
and a few levels only. Every line eksplan prints about input goes through :func:`printable`.
"""

from __future__ import annotations

import math
import reprlib

__all__ = ["shown", "printable", "clipped"]

#: Characters of a quoted value before it is shortened.
MAX_SHOWN = 60

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = MAX_SHOWN
_REPR.maxother = MAX_SHOWN
_REPR.maxlong = 40
for _name in ("maxlist", "maxtuple", "maxset", "maxfrozenset", "maxdeque", "maxarray", "maxdict"):
    setattr(_REPR, _name, 4)

_SIZED = ((str, "characters"), (bytes, "bytes"), (dict, "keys"), (list, "items"), (tuple, "items"),
          (set, "items"), (frozenset, "items"))


def _digits(value: int) -> str:
    """An integer too long to quote: its first digits and how many there are."""
    count = math.floor(abs(value).bit_length() * math.log10(2)) + 1
    if count > 4000:  # beyond what str() converts by default (sys.get_int_max_str_digits)
        return f"an integer of about {count:,} digits"
    text = str(value)
    return f"{text[:20]}... ({len(text.lstrip('-')):,} digits)"


def shown(value: object) -> str:
    """``repr(value)`` when it is short; else its start and end, and its length.

    >>> shown("m5.lrage")
    "'m5.lrage'"
    >>> shown("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx' (1,000 characters)"
    """
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() <= 128 else _digits(value)
    if isinstance(value, str) and len(value) <= MAX_SHOWN:
        text = repr(value)  # escapes control characters: '\x1b', '\n', '\u202e'
        if len(text) <= 2 * MAX_SHOWN:
            return text
    text = _REPR.repr(value)
    if len(text) > 2 * MAX_SHOWN:
        text = text[:MAX_SHOWN] + "..." + text[-20:]
    for kind, unit in _SIZED:
        if isinstance(value, kind) and "..." in text:
            return f"{text} ({len(value):,} {unit})"
    return text


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped (``\\x1b``, ``\\n``, ``\\u202e``).

    Terminal escape sequences, line breaks, NUL bytes and bidirectional overrides from input
    then show as what they are and cannot split, colour or reorder a line of eksplan's output.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def clipped(text: str, limit: int = 2000) -> str:
    """``text`` made printable and cut to ``limit`` characters, saying how long it was."""
    text = printable(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"
