"""How eksplan shows what it was given: values shortened with their length, control characters escaped.

Every message that quotes input goes through :func:`shown`, so that it stays one short line
whatever the input holds (a megabyte of text, a list that YAML aliases expand a billion times,
terminal escape sequences) and building it costs little: :mod:`reprlib` looks at a few items
and a few levels only. Every line eksplan prints about input goes through :func:`printable`.
"""

from __future__ import annotations

import math
import re
import reprlib

__all__ = ["shown", "printable", "clipped", "counted", "EscapingStream"]

#: Text up to this length is quoted whole (a path, an id); longer text keeps its first and last characters.
MAX_SHOWN = 200
#: Characters kept of a shortened value.
SHORTENED = 60

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = SHORTENED
_REPR.maxother = SHORTENED
_REPR.maxlong = 40
for _name in ("maxlist", "maxtuple", "maxset", "maxfrozenset", "maxdeque", "maxarray", "maxdict"):
    setattr(_REPR, _name, 4)

_SIZED = ((str, "characters"), (bytes, "bytes"), (dict, "keys"), (list, "items"), (tuple, "items"),
          (set, "items"), (frozenset, "items"))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number it needs, thousands separated.

    >>> counted(1, "node"), counted(2, "address", "addresses"), counted(1200, "pod")
    ('1 node', '2 addresses', '1,200 pods')
    """
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


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
    >>> shown(True)
    'true'
    >>> shown("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx' (1,000 characters)"
    """
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]  # as written in YAML and JSON
    if isinstance(value, int):
        return repr(value) if value.bit_length() <= 128 else _digits(value)
    if isinstance(value, str) and len(value) <= MAX_SHOWN:
        text = repr(value)  # escapes control characters: '\x1b', '\n', '\u202e'
        if len(text) <= 2 * MAX_SHOWN:
            return text
    text = _REPR.repr(value)
    if len(text) > 2 * SHORTENED:
        text = text[:SHORTENED] + "..." + text[-20:]
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


#: Characters that steer a terminal or reorder text: C0 and C1 controls (but newline and tab),
#: DEL, the Unicode line and paragraph separators, and the bidirectional marks and overrides
#: of CVE-2021-42574 ("Trojan Source").
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class EscapingStream:
    """A text stream that writes :data:`TERMINAL_CONTROLS` escaped (``\\x1b``) and the rest unchanged.

    The CLI writes through it, so that no text from input can colour, move, clear or retitle the
    terminal it prints to, whichever report, table or message carries it. It wraps a stream
    without owning it: it never closes it unless asked to.
    """

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(TERMINAL_CONTROLS.sub(_escaped, text))
        return len(text)

    def __getattr__(self, name: str):  # flush, fileno, isatty, close, encoding...
        return getattr(self._stream, name)


def _escaped(match: re.Match) -> str:
    return match.group().encode("unicode_escape").decode("ascii")
