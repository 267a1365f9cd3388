"""Reading cluster specs from YAML: files, fleets and directories, with every error located.

Each error names the file, the field path from the top of the file (``clusters[2].node_groups[0]
.instance_types[0]``) and the bad value. A bad cluster never hides the others: a fleet yields
its valid clusters and the errors of the rest.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import yaml
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..catalog import Catalog, load_catalog
from ..errors import EksplanError
from .checks import check_cluster
from .model import ClusterSpec

__all__ = ["SpecIssue", "SpecError", "LoadedCluster", "FleetLoad", "load_fleet", "load_cluster", "discover"]

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SpecIssue:
    """One problem in one spec file, located by field path."""

    file: str
    path: str
    message: str
    cluster: str | None = None

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


class SpecError(EksplanError):
    """A spec that cannot be used; carries every issue found."""

    def __init__(self, issues: Sequence[SpecIssue]):
        self.issues = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


@dataclass(frozen=True)
class LoadedCluster:
    """A valid cluster spec and where it came from."""

    spec: ClusterSpec
    file: str
    path: str  # "" for a single-cluster file, "clusters[2]" in a fleet

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass
class FleetLoad:
    """The valid clusters of some files, and the issues of the others."""

    clusters: list[LoadedCluster] = field(default_factory=list)
    issues: list[SpecIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def failed_clusters(self) -> list[tuple[str, str | None, list[SpecIssue]]]:
        """(file, cluster name or path, issues) for each cluster or file that failed."""
        groups: dict[tuple[str, str | None], list[SpecIssue]] = {}
        for issue in self.issues:
            groups.setdefault((issue.file, issue.cluster), []).append(issue)
        return [(f, c, i) for (f, c), i in groups.items()]


# -- YAML --------------------------------------------------------------------------------------
class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that rejects a key given twice (PyYAML would keep the last silently)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, label: str) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([SpecIssue(label, "", "no such file")]) from None
    except IsADirectoryError:
        raise SpecError([SpecIssue(label, "", "is a directory")]) from None
    except UnicodeDecodeError:
        raise SpecError([SpecIssue(label, "", "is not UTF-8 text")]) from None
    except OSError as exc:
        raise SpecError([SpecIssue(label, "", f"cannot be read ({exc.strerror})")]) from None
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError([SpecIssue(label, "", f"{where}YAML syntax error: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([SpecIssue(label, "", f"YAML syntax error: {exc}")]) from None
    if document is None:
        raise SpecError([SpecIssue(label, "", "the file is empty (expected a cluster, or 'clusters:' with a list)")])
    return document


# -- pydantic errors as eksplan messages ---------------------------------------------------------
def _format_path(loc: Iterable) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
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
        key = str(loc[-1])
        if model is not None:
            keys = _keys(model)
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            if close:
                return f"unknown key {key!r} (did you mean {close[0]!r}?)"
            return f"unknown key {key!r} (expected one of: {', '.join(keys)})"
        return f"unknown key {key!r}"
    if kind == "missing":
        return "required, but missing"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{value!r} is not a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"{value!r} is not a number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{value!r} is not true or false"
    if kind in ("string_type",):
        return f"{value!r} is not text"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {value!r}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys to values, got {value!r}"
    if kind == "literal_error":
        return f"{value!r} is not one of {ctx.get('expected')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"),
                 "less_than_equal": ("<=", "le"), "less_than": ("<", "lt")}[kind]
        return f"{value!r} must be {bound[0]} {ctx.get(bound[1])}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    return f"{error['msg']} (got {value!r})"


def _cluster_issues(exc: ValidationError, label: str, prefix: tuple, cluster: str | None) -> list[SpecIssue]:
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(p for p in error["loc"] if p not in ("function-after[_exactly_one()]",))
        issues.append(SpecIssue(label, _format_path(prefix + loc), _message(error, ClusterSpec), cluster))
    return issues


# -- entry points -------------------------------------------------------------------------------
def _valid_part(data: dict, catalog: Catalog) -> tuple[ClusterSpec, set[str]]:
    """A spec holding the top-level fields of ``data`` that are valid on their own, and their names."""
    values, valid = {}, set()
    for name, info in ClusterSpec.model_fields.items():
        if name not in data:
            if not info.is_required():
                valid.add(name)
            continue
        try:
            adapter = _field_adapter(name)
            values[name] = adapter.validate_python(data[name], context={"catalog": catalog})
            valid.add(name)
        except ValidationError:
            pass
    return ClusterSpec.model_construct(**values), valid


@lru_cache(maxsize=None)
def _field_adapter(name: str) -> TypeAdapter:
    info = ClusterSpec.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, info])


def _validate(data: object, label: str, prefix: tuple, catalog: Catalog) -> tuple[LoadedCluster | None, list[SpecIssue]]:
    path = _format_path(prefix)
    if not isinstance(data, dict):
        expected = "a cluster (a mapping with name, region, vpc...)"
        if not prefix:
            expected += ", or 'clusters:' with a list of them"
        return None, [SpecIssue(label, path, f"expected {expected}, got {data!r}")]
    cluster = data.get("name") if isinstance(data.get("name"), str) else None
    try:
        spec = ClusterSpec.model_validate(data, context={"catalog": catalog})
    except ValidationError as exc:
        issues = _cluster_issues(exc, label, prefix, cluster)
        partial, valid = _valid_part(data, catalog)
        seen = {(i.path, i.message) for i in issues}
        for p, m in check_cluster(partial, valid, catalog):
            issue = SpecIssue(label, _format_path(prefix + p), m, cluster)
            if (issue.path, issue.message) not in seen:
                issues.append(issue)
        return None, issues
    problems = [SpecIssue(label, _format_path(prefix + p), m, cluster) for p, m in check_cluster(spec, None, catalog)]
    if problems:
        return None, problems
    if spec.describe_subnets:
        spec, problems = _observe(spec, label, prefix, cluster)
        if problems:
            return None, problems
    if spec.observed:
        observed = (Path(label).parent / spec.observed).resolve()
        if not observed.is_file():
            return None, [SpecIssue(label, _format_path(prefix + ("observed",)),
                                    f"{spec.observed!r}: no such file (the observed state 'eksplan discover' writes)",
                                    cluster)]
        spec = spec.model_copy(update={"observed": str(observed)})
    return LoadedCluster(spec, label, path), []


def _observe(spec: ClusterSpec, label: str, prefix: tuple, cluster: str | None):
    """Fill available addresses and tags from the describe-subnets capture the spec names."""
    from ..subnetfile import apply_observed, read_describe_subnets

    where = _format_path(prefix + ("describe_subnets",))
    capture = Path(label).parent / spec.describe_subnets
    try:
        observed = read_describe_subnets(capture)
        return apply_observed(spec, observed, str(capture)), []
    except SpecError as exc:
        return spec, [SpecIssue(label, where, f"{i.file}: {i.path + ': ' if i.path else ''}{i.message}", cluster)
                      for i in exc.issues]


def _load_file(path: Path, label: str, catalog: Catalog, into: FleetLoad) -> None:
    try:
        document = _read_yaml(path, label)
    except SpecError as exc:
        into.issues.extend(exc.issues)
        return
    if isinstance(document, dict) and "clusters" in document:
        extra = sorted(set(document) - {"clusters"})
        if extra:
            into.issues.append(SpecIssue(label, extra[0], f"unknown key {extra[0]!r} beside 'clusters' (a fleet file holds only 'clusters')"))
        clusters = document["clusters"]
        if not isinstance(clusters, list) or not clusters:
            into.issues.append(SpecIssue(label, "clusters", f"expected a non-empty list of clusters, got {clusters!r}"))
            return
        for index, data in enumerate(clusters):
            loaded, issues = _validate(data, label, ("clusters", index), catalog)
            into.issues.extend(issues)
            if loaded:
                into.clusters.append(loaded)
        return
    loaded, issues = _validate(document, label, (), catalog)
    into.issues.extend(issues)
    if loaded:
        into.clusters.append(loaded)


def discover(inputs: Sequence[str | Path]) -> list[tuple[Path, str]]:
    """The spec files named or contained (``*.yaml``, ``*.yml``, sorted) in ``inputs``, with labels."""
    found = []
    for entry in inputs:
        path = Path(entry)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.suffix in SPEC_SUFFIXES and child.is_file():
                    found.append((child, str(child)))
        else:
            found.append((path, str(entry)))
    return found


def load_fleet(inputs: Sequence[str | Path], catalog: Catalog | None = None) -> FleetLoad:
    """Load every cluster of the given files and directories; never raises on a bad spec."""
    catalog = catalog or load_catalog()
    result = FleetLoad()
    files = discover(inputs)
    for entry in inputs:
        if Path(entry).is_dir() and not any(str(f).startswith(str(Path(entry))) for f, _ in files):
            result.issues.append(SpecIssue(str(entry), "", "no *.yaml or *.yml file in this directory"))
    for path, label in files:
        _load_file(path, label, catalog, result)
    seen: dict[str, LoadedCluster] = {}
    unique = []
    for loaded in result.clusters:
        first = seen.get(loaded.name)
        if first is not None:
            where = f"{first.file}: {first.path}" if first.path else first.file
            result.issues.append(SpecIssue(loaded.file, _format_path(("name",)) if not loaded.path else f"{loaded.path}.name",
                                           f"{loaded.name!r} is already the name of a cluster ({where})", loaded.name))
            continue
        seen[loaded.name] = loaded
        unique.append(loaded)
    result.clusters = unique
    return result


def load_cluster(path: str | Path, name: str | None = None, catalog: Catalog | None = None) -> ClusterSpec:
    """One cluster from a file (the named one in a fleet); raises :class:`SpecError` if invalid."""
    fleet = load_fleet([path], catalog)
    relevant = [i for i in fleet.issues if name is None or i.cluster in (name, None)]
    matches = [c for c in fleet.clusters if name is None or c.name == name]
    if relevant and not matches:
        raise SpecError(relevant)
    if name is None and len(fleet.clusters) + len(fleet.failed_clusters()) > 1:
        names = ", ".join(repr(c.name) for c in fleet.clusters)
        raise SpecError([SpecIssue(str(path), "", f"holds several clusters ({names}): name one")])
    if not matches:
        names = ", ".join(repr(c.name) for c in fleet.clusters) or "none"
        raise SpecError([SpecIssue(str(path), "", f"no cluster named {name!r} (clusters: {names})")])
    return matches[0].spec
