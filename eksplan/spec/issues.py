"""Problems in spec files as eksplan reports them: located issues, and pydantic's errors as messages.

An issue names the file, the field path from the top of the file (``clusters[2].node_groups[0]
.instance_types[0]``), the cluster by name when it has one, and the bad value, shortened
(:func:`eksplan.echo.shown`); as a line it is printable (control characters escaped).
"""

from __future__ import annotations

import difflib
import re
import typing
from dataclasses import dataclass
from typing import Iterable, Sequence

from pydantic import BaseModel, ValidationError

from ..echo import printable, shown
from ..errors import EksplanError
from .model import ClusterSpec

__all__ = ["SpecIssue", "SpecError", "validation_issues", "format_path"]


@dataclass(frozen=True)
class SpecIssue:
    """One problem in one spec file, located by field path (and by the cluster's name, when it has one)."""

    file: str
    path: str
    message: str
    cluster: str | None = None

    def __str__(self) -> str:
        """One line: ``file: path (cluster 'name'): message``, every control character escaped."""
        where = self.path
        if self.cluster is not None:
            named = f"cluster {shown(self.cluster)}"
            where = f"{where} ({named})" if where else named
        return printable(f"{self.file}: {where}: {self.message}" if where else f"{self.file}: {self.message}")


class SpecError(EksplanError):
    """A spec that cannot be used; carries every issue found."""

    def __init__(self, issues: Sequence[SpecIssue]):
        self.issues = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    def lines(self) -> list[str]:
        return [str(i) for i in self.issues]


# -- pydantic errors as eksplan messages ---------------------------------------------------------
_FLOAT_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,59}")


def format_path(loc: Iterable) -> str:
    """``clusters[2].node_groups[0].name``; a key that is not a plain word shows quoted: ``tags['a b']``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{shown(part)}]"
    return out


def _unwrap(annotation):
    """The model class reachable through Optional / list / tuple / dict / Annotated, if any."""
    for _ in range(6):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        if not args:
            return None
        annotation = args[-1] if typing.get_origin(annotation) is dict else args[0]
    return None


def _model_at(root: type[BaseModel], loc: Sequence) -> type[BaseModel] | None:
    model = root
    for part in loc:
        if isinstance(part, int):
            continue
        fields = {f.validation_alias if isinstance(f.validation_alias, str) else name: f
                  for name, f in model.model_fields.items()}
        if part not in fields:
            return None
        model = _unwrap(fields[part].annotation)
        if model is None:
            return None
    return model


def _keys(model: type[BaseModel]) -> list[str]:
    return [f.validation_alias if isinstance(f.validation_alias, str) else name for name, f in model.model_fields.items()]


def _message(error: dict, root: type[BaseModel]) -> str:
    kind, value, ctx, loc = error["type"], error.get("input"), error.get("ctx") or {}, error["loc"]
    if kind in ("value_error", "assertion_error"):
        inner = ctx.get("error")
        return str(inner) if inner is not None else error["msg"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        key = loc[-1]
        if model is not None:
            keys = _keys(model)
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6) if isinstance(key, str) else []
            if close:
                return f"unknown key {shown(key)} (did you mean {close[0]!r}?)"
            return f"unknown key {shown(key)} (expected one of: {', '.join(keys)})"
        return f"unknown key {shown(key)}"
    if kind == "missing":
        return "required, but missing"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown(value)} is not a whole number"
    if kind in ("float_parsing", "float_type"):
        if isinstance(value, str) and _FLOAT_TEXT.fullmatch(value.strip()):
            return (f"{shown(value)} is text, not a number (YAML 1.1 reads an exponent as a number only with "
                    "a dot and a sign: write 1.0e+3, not 1e3)")
        return f"{shown(value)} is not a number"
    if kind == "finite_number":
        return f"{shown(value)} is not a finite number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown(value)} is not true or false"
    if kind in ("string_type",):
        return f"{shown(value)} is not text"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {shown(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys to values, got {shown(value)}"
    if kind == "literal_error":
        return f"{shown(value)} is not one of {ctx.get('expected')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"),
                 "less_than_equal": ("<=", "le"), "less_than": ("<", "lt")}[kind]
        return f"{shown(value)} must be {bound[0]} {ctx.get(bound[1])}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    return f"{error['msg']} (got {shown(value)})"


def validation_issues(exc: ValidationError, label: str, prefix: tuple = (), root: type[BaseModel] = ClusterSpec,
                      cluster: str | None = None) -> list[SpecIssue]:
    """pydantic's errors for a document validated against ``root``, as located eksplan issues."""
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if p not in ("function-after[_exactly_one()]",))
        issues.append(SpecIssue(label, format_path(prefix + loc), _message(error, root), cluster))
    return issues
