# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Set keys in block-style YAML files without rewriting them.

KubeletConfiguration files, kubeadm's instance-config.yaml and kubeadm
configuration files are owned by people and by kubeadm; their comments, order
and quoting must survive an edit. A YAML library that loads and dumps the
file loses some of that, so this module edits lines: it finds a key by its
indentation, replaces the value on that line (keeping the quoting style and a
trailing comment) or adds the key at the end of its mapping. Every result is
loaded again and must equal the intended data, so an edit this simple approach
gets wrong fails instead of being written.
"""

from __future__ import annotations

import copy
import json
import re
import typing as t

import yaml

# The same quoted-scalar rules as in crictl.yaml (YAML's own).
from ansible_collections.nodeops.crio.plugins.plugin_utils._crictl_yaml import CrictlEditError, _closing_quote
from ansible_collections.nodeops.crio.plugins.plugin_utils._type_names import plain_type_name, with_article

_MARKER = re.compile(r"^(---|\.\.\.)(\s|$)")
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_/.][A-Za-z0-9_./:@+=-]*")


class YamlEditError(ValueError):
    """The file cannot be edited line by line without guessing."""


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and not _MARKER.match(line)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def render_scalar(value: object, style: str = "") -> str:
    """YAML text for a value; strings keep the given quote style where they can."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if not isinstance(value, str):
        return json.dumps(value)
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == "" and _PLAIN_SAFE.fullmatch(value) and yaml.safe_load(value) == value:
        return value
    return json.dumps(value)


def _split_value(rest: str) -> tuple[str, str, str, str]:
    """Split the text after "key:" into (lead, style, value, trailing_comment)."""
    body = rest.lstrip(" ")
    lead = rest[: len(rest) - len(body)]
    if body[:1] in ("'", '"'):
        try:
            end = _closing_quote(body, 0)
        except CrictlEditError:
            raise YamlEditError("an unterminated quoted value: %s" % body) from None
        return lead, body[0], body[: end + 1], body[end + 1 :]
    comment = 0 if body.startswith("#") else body.find(" #")
    value = body if comment < 0 else body[:comment].rstrip()
    return lead, "", value, body[len(value) :]


class _Document:
    """One YAML document as lines, edited in place."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        content = [i for i, line in enumerate(lines) if _is_content(line)]
        self.first = content[0] if content else None
        self.step = 2
        if not content:
            return
        if lines[content[0]].lstrip()[:1] in ("{", "["):
            raise YamlEditError("the document is in flow style ({...}); only block-style YAML can be edited")
        for i in content:
            if _indent(lines[i]) > _indent(lines[content[0]]):
                self.step = _indent(lines[i]) - _indent(lines[content[0]])
                break

    def _next_content(self, start: int, end: int) -> int | None:
        for i in range(start, end):
            if _is_content(self.lines[i]):
                return i
        return None

    def _value_end(self, key_line: int, end: int, indent: int) -> int:
        """End of the value of the key on key_line: the next line at the key's level."""
        for i in range(key_line + 1, end):
            line = self.lines[i]
            if _is_content(line) and (
                _indent(line) < indent or (_indent(line) == indent and not line.lstrip().startswith("- ") and line.strip() != "-")
            ):
                return i
        return end

    def _last_content(self, start: int, end: int) -> int | None:
        last = None
        for i in range(start, end):
            if _is_content(self.lines[i]):
                last = i
        return last

    def _find_key(self, key: str, start: int, end: int, indent: int) -> tuple[int, int] | None:
        pattern = re.compile(r"^ {%d}(?:%s|\"%s\"|'%s')\s*:(?=\s|$)" % ((indent,) + (re.escape(key),) * 3))
        for i in range(start, end):
            match = pattern.match(self.lines[i])
            if match:
                return i, match.end()
        return None

    def _insert(self, path: list[str], value: object, start: int, end: int, indent: int, key_line: int | None = None) -> None:
        """Add path (a key and maybe its parents) at the end of a mapping."""
        after = self._last_content(start, end)
        at = (after if after is not None else key_line if key_line is not None else -1) + 1
        new = []
        for depth, key in enumerate(path):
            pad = " " * (indent + depth * self.step)
            if depth == len(path) - 1:
                new.append("%s%s: %s\n" % (pad, key, render_scalar(value)))
            else:
                new.append("%s%s:\n" % (pad, key))
        if at > 0 and not self.lines[at - 1].endswith("\n"):
            self.lines[at - 1] += "\n"
        self.lines[at:at] = new

    def set(
        self,
        path: list[str],
        value: object,
        start: int | None = None,
        end: int | None = None,
        indent: int | None = None,
        parent_line: int | None = None,
    ) -> None:
        if start is None or end is None or indent is None:
            if self.first is None:
                self._insert(path, value, 0, len(self.lines), 0, key_line=len(self.lines) - 1)
                return
            start, end, indent = self.first, len(self.lines), _indent(self.lines[self.first])
        found = self._find_key(path[0], start, end, indent)
        if found is None:
            self._insert(path, value, start, end, indent, key_line=parent_line)
            return
        key_line, value_at = found
        value_end = self._value_end(key_line, end, indent)
        child = self._next_content(key_line + 1, value_end)
        line = self.lines[key_line]
        ending = line[len(line.rstrip("\r\n")) :]
        lead, style, old, comment = _split_value(line[value_at : len(line) - len(ending)])
        if len(path) > 1:
            if child is None:
                if old not in ("", "{}", "null", "~"):
                    raise YamlEditError("%s is not a mapping" % path[0])
                self.lines[key_line] = line[:value_at] + (comment and " " + comment.lstrip()) + ending
                self._insert(path[1:], value, key_line + 1, key_line + 1, indent + self.step, key_line=key_line)
                return
            self.set(path[1:], value, child, value_end, _indent(self.lines[child]), key_line)
            return
        if child is not None or old[:1] in ("|", ">", "&", "*", "!"):
            raise YamlEditError("%s holds a block or tagged value; it cannot be replaced line by line" % path[0])
        self.lines[key_line] = line[:value_at] + (lead or " ") + render_scalar(value, style) + comment + ending


def _documents(text: str) -> list[list[str]]:
    """Split a YAML stream into documents (lists of lines), markers included."""
    docs: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines(True):
        if line.startswith("---") and _MARKER.match(line) and any(_is_content(x) for x in current):
            docs.append(current)
            current = []
        current.append(line)
    docs.append(current)
    return docs


def _same(current: object, value: object) -> bool:
    """Equal data; True and 1 differ in YAML, a str subclass (a templated value) does not."""
    return current == value and isinstance(current, bool) == isinstance(value, bool)


def _apply(data: dict[str, t.Any], path: t.Sequence[str], value: object) -> None:
    node = data
    for key in path[:-1]:
        if node.get(key) is None:
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def _lookup(data: dict[str, t.Any], path: t.Sequence[str]) -> tuple[bool, object]:
    node: object = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False, None
        node = node[key]
    return True, node


def plain_settings(value: object, where: str = "settings") -> t.Any:
    """Plain YAML-able data from task input, or a YamlEditError naming the bad element.

    A null is refused as crio_config refuses it: written, it would read as
    "unset" to kubelet and kubeadm, and this module removes no keys.
    """
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (list, tuple)):
        return [plain_settings(item, "%s[%d]" % (where, index)) for index, item in enumerate(value)]
    if isinstance(value, t.Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise YamlEditError(
                    "%s: key %r is %s; YAML keys here are strings, quote it" % (where, key, with_article(plain_type_name(key)))
                )
            result[str.__str__(key)] = plain_settings(item, "%s.%s" % (where, key))
        return result
    if value is None:
        raise YamlEditError("%s: a null value is not written; leave the key out (this module removes no keys)" % where)
    raise YamlEditError("%s: expected a string, number, boolean, list or mapping, got %s" % (where, plain_type_name(value)))


DEFAULT_KINDS = ("KubeletConfiguration",)


def set_values(
    text: str, settings: t.Sequence[tuple[t.Sequence[str], object]], kinds: t.Collection[str] = DEFAULT_KINDS
) -> tuple[str, list[str], list[str]]:
    """Set each (path, value) of settings in the documents of text whose kind is one of kinds.

    A file of one document without a kind (kubeadm's instance-config.yaml, a new
    file) is a patch of whatever reads it and is edited too. A file of one document of
    another kind, or a document that is not a mapping, is refused; in a file of
    several documents the others are left alone, with a warning when none matched.
    Returns (new_text, changed, warnings) with changed a list of dotted paths.
    """
    documents = _documents(text)
    loaded = []
    line = 1
    for lines in documents:
        try:
            data = yaml.safe_load("".join(lines))
        except yaml.YAMLError as exc:
            raise YamlEditError("not valid YAML: %s" % exc) from None
        content = [i for i, x in enumerate(lines) if _is_content(x)]
        if content and not isinstance(data, dict):
            raise YamlEditError(
                "the document at line %d is %s, not a mapping; kubelet_config edits mappings such as a KubeletConfiguration"
                % (line + content[0], with_article(plain_type_name(data)))
            )
        loaded.append(data if content else None)
        line += len(lines)
    if all(data is None for data in loaded):
        loaded[0] = {}  # an empty file: the keys make its first document
    present = [data.get("kind") for data in loaded if data is not None and data.get("kind") is not None]
    # Without a kind, a lone document is a patch; in a stream of them kubeadm would refuse it.
    lone = sum(data is not None for data in loaded) == 1
    chosen = [data is not None and (data.get("kind") in kinds or (lone and data.get("kind") is None)) for data in loaded]
    wanted = ("one of " if len(kinds) > 1 else "") + ", ".join(kinds)
    if not any(chosen) and lone and present:
        raise YamlEditError("the document is of kind %s, not %s; set kinds to edit another kind" % (present[0], wanted))
    warnings = []
    if not any(chosen):
        warnings.append("no document of kind %s, only %s; nothing was changed" % (", ".join(kinds), ", ".join(map(str, present))))
    changed: list[str] = []
    out: list[str] = []
    for lines, data, edit in zip(documents, loaded, chosen, strict=True):
        if not edit or not isinstance(data, dict):
            out.append("".join(lines))
            continue
        doc, expected = _Document(list(lines)), copy.deepcopy(data)
        for path, value in settings:
            found, current = _lookup(data, path)
            if found and _same(current, value):
                continue
            doc.set(list(path), value)
            _apply(expected, path, value)
            changed.append(".".join(path))
        result = "".join(doc.lines)
        if (yaml.safe_load(result) or {}) != expected:
            raise YamlEditError("editing %s line by line would not give the intended data" % ", ".join(changed))
        out.append(result)
    return "".join(out), changed, warnings
