"""YAML with bounded work: PyYAML's safe loader, with aliases, nesting and numbers kept in check.

PyYAML composes an aliased node once and shares it, so the cost of a "billion laughs" document
(nested aliases, each used several times) only appears when something walks the data as a tree:
validation, or quoting the value in an error message. This loader counts every value as it
will be seen once aliases are expanded, and stops at the limit, at the line and column where it
was crossed, before anything is built. The same idea keeps the Kubernetes API server safe since
CVE-2019-11253 (go-yaml's alias limits).

Beyond the safe loader's own rules (no Python tags):

* nesting deeper than ``max_depth`` (also through aliases), more than ``max_values`` values, a list
  or mapping of more than ``max_items`` entries, and an alias inside its own anchor are refused;
* whole numbers must fit in 64 bits (PyYAML would otherwise build a 4,300-digit integer, or fail
  with a traceback beyond that);
* no implicit dates: ``2024-01-05`` is text, as in YAML 1.2 and in Kubernetes (what PyYAML
  writes reads back the same: it quotes such text);
* merge keys (``<<: *base``) work as the YAML merge-key type defines them: the mapping's own keys
  override merged ones, and earlier mappings in a merged list override later ones; a key given
  twice in the mapping itself is an error (PyYAML would keep the last silently);
* a scalar that its tag cannot read (``!!int four``, ``!!timestamp x``) is an error at its place.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..echo import clipped, shown
from .files import InputError, LIMITS, Limits

__all__ = ["load_yaml", "load_yaml_all", "INT_RANGE"]

MERGE_TAG = "tag:yaml.org,2002:merge"
VALUE_TAG = "tag:yaml.org,2002:value"
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
#: Whole numbers eksplan reads: 64-bit signed, as Kubernetes and AWS APIs use.
INT_RANGE = (-(2**63), 2**63 - 1)


class LimitError(yaml.MarkedYAMLError):
    """A document beyond the limits, or a value its tag cannot read (not a syntax error)."""

    def __init__(self, problem: str, mark):
        super().__init__(problem=problem, problem_mark=mark)


def _tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the limits and rules of the module docstring."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str, limits: Limits):
        super().__init__(stream)
        self.limits = limits
        self._depth = 0  # of the node being composed
        self._deepest = 0  # deepest level reached inside the anchored node being composed
        self._values = 0  # values so far, aliases expanded
        self._expanded: dict[int, tuple[int, int]] = {}  # id(anchored node) -> (values, height)
        self._open: set[str] = set()  # anchors whose node is being composed
        self._flattened: set[int] = set()

    # -- composing: count values and levels as they will be seen, aliases expanded ---------------
    def _reach(self, depth: int, mark) -> None:
        if depth > self.limits.max_depth:
            raise LimitError(f"nests deeper than {self.limits.max_depth} levels", mark)
        self._deepest = max(self._deepest, depth)

    def _count(self, values: int, mark, alias: bool) -> None:
        self._values += values
        if self._values > self.limits.max_values:
            limit = f"{self.limits.max_values:,}"
            if alias:
                raise LimitError(f"aliases expand to more than {limit} values (eksplan reads at most {limit} "
                                 "from one file)", mark)
            raise LimitError(f"more than {limit} values (eksplan reads at most {limit} from one file: "
                             "split it into several files)", mark)

    def compose_node(self, parent, index):
        depth = self._depth + 1
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            if event.anchor in self._open:
                raise LimitError(f"the alias *{event.anchor} is inside its own anchor (a recursive structure)",
                                 event.start_mark)
            node = super().compose_node(parent, index)
            values, height = self._expanded.get(id(node), (1, 1))
            self._reach(depth + height - 1, event.start_mark)
            self._count(values, event.start_mark, alias=True)
            return node
        self._reach(depth, event.start_mark)
        self._count(1, event.start_mark, alias=False)
        anchor = event.anchor
        values, deepest = self._values, self._deepest
        self._deepest = depth
        if anchor is not None:
            self._open.add(anchor)
        self._depth = depth
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth = depth - 1
            self._open.discard(anchor)
        if anchor is not None:
            self._expanded[id(node)] = (self._values - values + 1, self._deepest - depth + 1)
        self._deepest = max(self._deepest, deepest)
        if isinstance(node, (SequenceNode, MappingNode)) and len(node.value) > self.limits.max_items:
            what = "a list of" if isinstance(node, SequenceNode) else "a mapping with"
            raise LimitError(f"{what} {len(node.value):,} entries; eksplan reads at most "
                             f"{self.limits.max_items:,} in one list or mapping", node.start_mark)
        return node

    # -- constructing ------------------------------------------------------------------------------
    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            what = shown(node.value) if isinstance(node, ScalarNode) else f"this {node.id}"
            raise LimitError(f"{what} is not a valid {_tag(node.tag)}", node.start_mark) from exc

    def flatten_mapping(self, node):
        """Own keys unique; merged keys first, so that own keys (constructed last) override them."""
        if id(node) in self._flattened:
            return
        own, merges = [], []
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                merges.append((key_node, value_node))
                continue
            if key_node.tag == VALUE_TAG:
                key_node.tag = STR_TAG
            own.append((key_node, value_node))
        if len(merges) > 1:
            raise ConstructorError(None, None, "duplicate key '<<' (merge several mappings with <<: [*a, *b])",
                                   merges[1][0].start_mark)
        seen = set()
        for key_node, _ in own:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise ConstructorError("while constructing a mapping", node.start_mark,
                                       "found unhashable key", key_node.start_mark) from None
            if duplicate:
                raise ConstructorError(None, None, f"duplicate key {shown(key)}", key_node.start_mark)
            seen.add(key)
        merged = []
        if merges:
            value_node = merges[0][1]
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, MappingNode):
                    raise ConstructorError("while constructing a mapping", node.start_mark,
                                           f"expected a mapping or a list of mappings to merge, found a {source.id}",
                                           source.start_mark)
                self.flatten_mapping(source)
            for source in reversed(sources):  # earlier mappings override later ones
                merged.extend(source.value)
        node.value = merged + own
        self._flattened.add(id(node))

    def construct_undefined(self, node):
        raise LimitError(f"the tag {shown(_tag(node.tag))} is not allowed (eksplan reads plain data: mappings, "
                         "lists, text, numbers, true and false)", node.start_mark)

    def construct_yaml_int(self, node):
        text = self.construct_scalar(node)
        if len(text.replace("_", "")) > 70 or not INT_RANGE[0] <= (value := super().construct_yaml_int(node)) <= INT_RANGE[1]:
            raise LimitError(f"{shown(text)} is out of range (whole numbers are read up to 64 bits: "
                             f"{INT_RANGE[0]:,} to {INT_RANGE[1]:,})", node.start_mark)
        return value


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
BoundedLoader.add_constructor(None, BoundedLoader.construct_undefined)


def _where(exc: yaml.YAMLError, text: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None and isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position)
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1)
        return f"line {line + 1}, column {column + 1}: "
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def _problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, LimitError):
        return exc.problem
    if isinstance(exc, yaml.reader.ReaderError):
        return f"YAML does not allow the character #x{exc.character:02x} here (write it as an escape in double quotes)"
    if isinstance(exc, yaml.MarkedYAMLError):
        return f"YAML syntax error: {clipped(exc.problem or exc.context or 'invalid YAML', 200)}"
    return "YAML syntax error"


def _documents(text: str, label: str, limits: Limits, single: bool) -> list:
    try:
        loader = BoundedLoader(text, limits)
        try:
            if single:
                return [loader.get_single_data()]
            documents = []
            while loader.check_data():
                documents.append(loader.get_data())
            return documents
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise InputError(label, _where(exc, text) + _problem(exc)) from None


def load_yaml(text: str, label: str, limits: Limits = LIMITS["yaml"]) -> object:
    """The one document of ``text`` (None when it is empty); :class:`InputError` names line and column."""
    return _documents(text, label, limits, single=True)[0]


def load_yaml_all(text: str, label: str, limits: Limits = LIMITS["yaml"]) -> list:
    """Every document of ``text`` (``---`` separated), under one set of limits for the whole file."""
    return _documents(text, label, limits, single=False)
