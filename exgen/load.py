"""The one loader of the JSON and YAML documents a user gives (specs, exam configs, answer keys,
mapping files), within the limits of exgen.limits, with one-line errors naming the file and line.

- size: checked before reading (a file) or parsing (a text);
- JSON: NaN/Infinity literals and integers of more than MAX_INT_DIGITS digits are refused;
  nesting deeper than MAX_DEPTH is refused (exact, after parsing; the C parser itself stops a
  pathological depth with RecursionError, which is reported the same way);
- YAML: parsed to a node graph first (libyaml when available), which is checked before any Python
  object is built: aliases (at most MAX_YAML_ALIASES), the size with aliases expanded (a "billion
  laughs" bomb), recursive aliases, depth; integers too long and non-finite floats (.inf, .nan,
  1e999) are refused at their line; timestamps stay strings (as in JSON).

A finite float of any size is accepted here: the validators of each format check ranges, and the
engine refuses a result that is not finite.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import yaml

from exgen import limits
from exgen.errors import InputFileError
from exgen.limits import LimitError

try:  # libyaml: the same result as the pure-Python parser, much faster
    from yaml import CSafeLoader as _Base
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Base  # type: ignore[assignment]


class DocumentError(InputFileError):
    """A JSON or YAML document that cannot be parsed: names the file and the line."""


def read_document(path: str | Path, fmt: str | None = None) -> Any:
    """Parse a user's .json/.yaml/.yml file (`fmt` "json" or "yaml"; by default from the suffix:
    .json is JSON, anything else YAML). Errors: DocumentError, LimitError (ExgenError both)."""
    p = Path(path)
    if not p.is_file():
        raise DocumentError(f"{p}: {'not a file' if p.exists() else 'no such file'}")
    check_size(p)
    with open(p, "rb") as fh:  # at most one byte past the limit, whatever stat said (/proc, a growing file)
        raw = fh.read(limits.MAX_DOC_BYTES + 1)
    limits.check("bytes in the file", len(raw), limits.MAX_DOC_BYTES, str(p))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DocumentError(f"{p}: line {line}: not UTF-8 text (byte 0x{raw[e.start]:02x})") from None
    return parse_document(text, fmt or ("json" if p.suffix.lower() == ".json" else "yaml"), str(p))


def check_size(path: Path) -> None:
    """Refuse a file larger than MAX_DOC_BYTES before reading it."""
    limits.check("bytes in the file", path.stat().st_size, limits.MAX_DOC_BYTES, str(path))


def parse_document(text: str, fmt: str, source: str) -> Any:
    """Parse JSON (fmt "json") or YAML text within the limits."""
    limits.check("characters in the document", len(text), limits.MAX_DOC_BYTES, source)
    return parse_json(text, source) if fmt == "json" else parse_yaml(text, source)


# ---------------------------------------------------------------- JSON

def _json_constant(name: str) -> Any:
    raise _JSONValueError(f"{name} is not a number exgen accepts (numbers must be finite)",
                          r"[\[:,]\s*" + re.escape(name))


def _json_int(s: str) -> int:
    digits = len(s.lstrip("-"))
    if digits > limits.MAX_INT_DIGITS:
        raise _JSONValueError(f"too many digits in an integer: {digits:,}, the limit is {limits.MAX_INT_DIGITS}",
                              r"\d{%d}" % digits)
    return int(s)


def _json_object(pairs: list) -> dict:
    """A JSON object; a key given twice is an error (never silently the last one)."""
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set = set()
        key = next(k for k, _ in pairs if k in seen or _add(seen, k))
        quoted = re.escape(json.dumps(key)[1:-1])
        # the line of its second occurrence when the key occurs twice in the whole file (otherwise
        # the parser cannot say which object it is: then the message names the key only)
        raise _JSONValueError(f"key {key!r} given twice in one object", r'"%s"\s*:' % quoted, "twice")
    return d


def _json_line(text: str, pattern: str) -> str:
    """'line N: ' of the first match of pattern (the parser does not say where a hook was called;
    on the error path only)."""
    m = re.search(pattern, text)
    return f"line {text.count(chr(10), 0, m.end()) + 1}: " if m else ""


class _JSONValueError(Exception):
    pass


def parse_json(text: str, source: str) -> Any:
    try:
        data = json.loads(text, parse_constant=_json_constant, parse_int=_json_int, object_pairs_hook=_json_object)
    except json.JSONDecodeError as e:
        raise DocumentError(f"{source}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except _JSONValueError as e:
        if len(e.args) > 2:  # a key given twice: its line if the key occurs just twice in the file
            found = list(re.finditer(e.args[1], text))
            line = f"line {text.count(chr(10), 0, found[1].end()) + 1}: " if len(found) == 2 else ""
            raise DocumentError(f"{source}: {line}{e.args[0]}") from None
        raise DocumentError(f"{source}: {_json_line(text, e.args[1])}{e.args[0]}") from None
    except RecursionError:  # the C parser's own stop, far past MAX_DEPTH
        too_deep = True
    else:
        too_deep = json_depth(data, limits.MAX_DEPTH) > limits.MAX_DEPTH
    if too_deep:
        raise LimitError("levels of nesting", f"{limits.MAX_DEPTH + 1} or more", limits.MAX_DEPTH, source,
                         _deep_line(text))
    return data


def _deep_line(text: str) -> str | None:
    """'line N' where the nesting first passes MAX_DEPTH, outside strings (on the error path only)."""
    depth, in_str, esc, line = 0, False, False, 1
    for c in text:
        if c == "\n":
            line += 1
        elif in_str:
            esc, in_str = (not esc and c == "\\"), in_str and (esc or c != '"')
        elif c == '"':
            in_str = True
        elif c in "[{":
            depth += 1
            if depth > limits.MAX_DEPTH:
                return f"line {line}"
        elif c in "]}":
            depth -= 1
    return None


def json_depth(data: Any, stop: int) -> int:
    """The nesting depth of parsed JSON (a scalar is 0), counted up to stop + 1; no recursion."""
    level = [data] if isinstance(data, (list, dict)) else []
    depth = 0
    containers = (list, dict)
    while level and depth <= stop:
        depth += 1
        nxt: list = []
        for o in level:
            nxt += [v for v in (o.values() if type(o) is dict else o) if type(v) in containers]
        level = nxt
    return depth


# ---------------------------------------------------------------- YAML

class _Loader(_Base):
    """A safe loader whose integers and floats are checked at their line; timestamps stay text."""

    def construct_yaml_int(self, node):  # noqa: D102
        digits = sum(c.isdigit() or c in "abcdefABCDEF" for c in node.value)
        if digits > limits.MAX_INT_DIGITS:
            raise LimitError("digits in an integer", digits, limits.MAX_INT_DIGITS, self._source,
                             f"line {node.start_mark.line + 1}")
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):  # noqa: D102
        v = super().construct_yaml_float(node)
        if not math.isfinite(v):
            raise DocumentError(f"{self._source}: line {node.start_mark.line + 1}: {node.value!r} is not a "
                                "finite number (numbers must be finite)")
        return v

    def construct_yaml_timestamp(self, node):  # noqa: D102
        return self.construct_scalar(node)

    _source = "YAML"


# YAML 1.1 (PyYAML) reads 1e-3, 2E5 and 1.5e3 as text (its floats need a dot and a signed
# exponent); JSON and YAML 1.2 read them as numbers, and so does exgen (a spec's learning_rate: 1e-3)
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(
    r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"), list("-+0123456789."))
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def parse_yaml(text: str, source: str) -> Any:
    loader = _Loader(text)
    loader._source = source
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise LimitError("levels of nesting", f"{limits.MAX_DEPTH + 1} or more", limits.MAX_DEPTH,
                             source) from None
        if node is None:
            return None
        check_nodes(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise DocumentError(f"{source}: invalid YAML{where}: {problem}") from None
    finally:
        loader.dispose()


def _children(node) -> list:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_nodes(root, source: str) -> None:
    """Check a composed YAML node graph before it becomes Python objects: aliases (a node met a
    second time), recursive aliases, the size with aliases expanded, and the depth. No recursion."""
    size: dict[int, int] = {}  # id(node) -> values below it, aliases expanded (node included)
    height: dict[int, int] = {}  # id(node) -> levels of nesting at and below it
    open_: set[int] = set()  # nodes whose children are being visited (a cycle if met again)
    aliases = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        line = f"line {node.start_mark.line + 1}"
        if done:
            open_.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in kids)
            container = isinstance(node, (yaml.SequenceNode, yaml.MappingNode))
            height[key] = (1 if container else 0) + max((height[id(c)] for c in kids), default=0)
            if size[key] > limits.MAX_YAML_VALUES:
                raise LimitError("values with the YAML aliases expanded", size[key], limits.MAX_YAML_VALUES,
                                 source, line)
            if height[key] > limits.MAX_DEPTH:
                raise LimitError("levels of nesting", height[key], limits.MAX_DEPTH, source, line)
            continue
        if key in open_:
            raise DocumentError(f"{source}: {line}: a YAML alias refers to a node that contains it (a loop)")
        if key in size:  # this node was met before: an alias of it
            aliases += 1
            if aliases > limits.MAX_YAML_ALIASES:
                raise LimitError("YAML aliases", aliases, limits.MAX_YAML_ALIASES, source, line)
            continue
        if isinstance(node, yaml.MappingNode):  # a key given twice: an error, never silently the last
            keys: set = set()
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    if (k.tag, k.value) in keys:
                        raise DocumentError(f"{source}: line {k.start_mark.line + 1}: key {k.value!r} given "
                                            "twice in one mapping")
                    keys.add((k.tag, k.value))
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))


def _add(seen: set, k: Any) -> bool:
    """Add k to seen; False (so that a generator can go on looking)."""
    seen.add(k)
    return False
