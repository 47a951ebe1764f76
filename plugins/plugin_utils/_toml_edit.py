# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Edit a TOML document key by key, keeping every byte it was not asked to change.

tomlkit parses (to validate the file and to know its data); the edits are
made on the text itself (see _toml_text), and the result is parsed again and
compared with the data asked for before anyone writes it.
"""

from __future__ import annotations

import copy
import datetime
import math
import re
import tomllib
import typing as t
from collections.abc import Mapping, Sequence

try:
    import tomlkit
    from tomlkit.exceptions import ParseError, TOMLKitError
except ImportError:  # the action plugin reports the missing library
    HAS_TOMLKIT = False
else:
    HAS_TOMLKIT = True

from ansible_collections.nodeops.crio.plugins.plugin_utils import _toml_text as text_ops
from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_render import render_path, type_name
from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_scan import ARRAY_TABLE, TABLE, ScannedDocument
from ansible_collections.nodeops.crio.plugins.plugin_utils._type_names import plain_type_name, with_article

_MISSING = object()
_PARSER_POSITION = re.compile(r' at line \d+ col \d+$')
_STDLIB_POSITION = re.compile(r'\(at line (\d+), column \d+\)$')
# TOML, and so CRI-O's Go parser, holds integers as signed 64-bit numbers;
# Python's have no limit and would be written as text no reader can take.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


class TomlEditError(Exception):
    """The edit cannot be made; the message says why, naming the key."""


class TomlSyntaxError(TomlEditError):
    def __init__(self, message: str, line: int, column: int | None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class EditResult:
    def __init__(self, text: str, changed_keys: list[str], warnings: list[str]) -> None:
        self.text = text
        self.changed_keys = changed_keys
        self.warnings = warnings


def parse(text: str) -> dict:
    """The data of a TOML document as plain Python values."""
    try:
        return tomlkit.parse(text).unwrap()
    except ParseError as error:
        reason = _PARSER_POSITION.sub('', str(error))
        # tomlkit counts columns from 0; editors and people count from 1.
        raise TomlSyntaxError(
            'not valid TOML: %s (line %d, column %d)' % (reason, error.line, error.col + 1), error.line, error.col + 1
        ) from None
    except TOMLKitError as error:
        # tomlkit tells a key defined twice without saying where; the standard
        # library's parser (every controller has Python 3.11+) finds the line.
        reason = str(error).rstrip('.')
        line = _error_line(text)
        if line is None:
            raise TomlEditError('not valid TOML: %s' % reason) from None
        raise TomlSyntaxError('not valid TOML: %s (line %d)' % (reason, line), line, None) from None


def _error_line(text: str) -> int | None:
    """The line tomllib stops at in text, if it stops."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Its column is where it noticed, past the key; only the line is the key's.
        match = _STDLIB_POSITION.search(str(error))
        return int(match.group(1)) if match else None
    return None


def to_toml_data(value: object, where: str) -> object:
    """Plain TOML-able data from task input, or a TomlEditError naming the bad element."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        if not _INT_MIN <= value <= _INT_MAX:
            raise TomlEditError(
                '%s: %d is too %s; TOML integers are signed 64-bit, from %d to %d'
                % (where, value, 'big' if value > 0 else 'small', _INT_MIN, _INT_MAX)
            )
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, datetime.datetime):
        return datetime.datetime.fromisoformat(value.isoformat())
    if isinstance(value, datetime.date):
        return datetime.date.fromisoformat(value.isoformat())
    if isinstance(value, datetime.time):
        if value.tzinfo is not None:
            raise TomlEditError('%s: a TOML time has no time zone; got %s' % (where, value.isoformat()))
        return datetime.time.fromisoformat(value.isoformat())
    if isinstance(value, (list, tuple)):
        return [to_toml_data(item, '%s[%d]' % (where, index)) for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TomlEditError(
                    '%s: key %r is %s; TOML keys are strings, quote it' % (where, key, with_article(plain_type_name(key)))
                )
            result[str.__str__(key)] = to_toml_data(item, '%s.%s' % (where, render_path((key,))))
        return result
    if value is None:
        raise TomlEditError('%s: TOML has no null value; leave the key out, or list it in remove to delete it' % where)
    raise TomlEditError('%s: expected a string, number, boolean, date, list or mapping, got %s' % (where, plain_type_name(value)))


def normalize_remove(entries: t.Sequence[object]) -> list[tuple[str, ...]]:
    """Paths to remove, each a list of name parts such as [crio, file_locking]."""
    paths = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str) or not isinstance(entry, Sequence) or not entry:
            raise TomlEditError(
                'remove[%d]: expected a list of name parts such as [crio, runtime, conmon], got %r; '
                'a dotted string is not split because TOML names may contain dots' % (index, entry)
            )
        if not all(isinstance(part, str) for part in entry):
            raise TomlEditError('remove[%d]: every name part must be a string, got %r' % (index, entry))
        paths.append(tuple(str.__str__(part) for part in entry))
    return paths


def edit_toml(
    text: str, settings: Mapping | None = None, remove: Sequence[tuple[str, ...]] = (), force_type: bool = False
) -> EditResult:
    """Remove the given keys, then merge settings into the document.

    A path both removed and given in settings is replaced whole by the
    settings value, and left alone when it already equals it.
    """
    settings = dict(settings or {})
    plan = _Plan(text, force_type)
    for path in remove:
        if _lookup(settings, path) is _MISSING:
            plan.remove(path)
        else:
            plan.exact.add(path)
    plan.merge(settings, ())
    if plan.errors:
        raise TomlEditError('; '.join(plan.errors))
    new_text = text
    try:
        for operation, arguments in plan.operations:
            new_text = operation(new_text, *arguments)
        consistent = new_text == text or same(parse(new_text), plan.expected)
    except (ValueError, IndexError, TomlEditError) as error:
        raise TomlEditError(
            'internal error while editing (%s), so nothing was written; please report this with the file and the task' % error
        ) from error
    if not consistent:
        raise TomlEditError(
            'internal error: the edited text does not hold the requested data, so nothing was '
            'written; please report this with the file and the task'
        )
    return EditResult(new_text, plan.changed_keys if new_text != text else [], plan.warnings)


def same(left: object, right: object) -> bool:
    """Equality that tells true from 1, 1 from 1.0, and takes nan as equal to itself."""
    if type(left) is not type(right):
        return False
    # The checks on right repeat the type check above for mypy, which does not carry it over.
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    return left == right


class _Plan:
    """The text operations for an edit, the data they must produce, and what they change."""

    def __init__(self, text: str, force_type: bool) -> None:
        self.expected = parse(text)
        try:
            self.doc = ScannedDocument(text)
        except (ValueError, IndexError) as error:
            raise TomlEditError(
                'internal error: cannot find the statements of this valid TOML file (%s); '
                'please report this with the file' % error
            ) from error
        self.force_type = force_type
        self.exact: set[tuple[str, ...]] = set()  # paths replaced whole, not merged into
        self.deleted: set[tuple[str, ...]] = set()
        self.operations: list[tuple[t.Callable[..., str], tuple]] = []
        self.changed_keys: list[str] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def remove(self, path: tuple[str, ...]) -> None:
        node: object = self.expected
        for depth, part in enumerate(path):
            if isinstance(node, list) and self._is_table_array(path[:depth]):
                raise TomlEditError(
                    'remove %s: %s is an array of tables; it can be removed whole, not key by key'
                    % (render_path(path), render_path(path[:depth]))
                )
            if not isinstance(node, dict):
                raise TomlEditError(
                    'remove %s: %s is %s, not a table'
                    % (render_path(path), render_path(path[:depth]), with_article(type_name(node)))
                )
            if part not in node:
                return
            node = node[part]
        self._delete(path)
        parent = path[:-1]
        while parent and _lookup(self.expected, parent) == {} and not self._written_out(parent):
            # A table that existed only through what was just removed goes with it.
            del _lookup(self.expected, parent[:-1])[parent[-1]]
            parent = parent[:-1]
        self.changed_keys.append(render_path(path))

    def merge(self, settings: dict, table: tuple[str, ...]) -> None:
        for key, value in settings.items():
            path = table + (key,)
            old = _lookup(self.expected, path)
            if path in self.exact:
                if old is _MISSING or not same(old, value):
                    if old is not _MISSING:
                        self._delete(path)
                    self._add(path, value)
                    self.changed_keys.append(render_path(path))
            elif old is _MISSING:
                self._add(path, value)
                self.changed_keys.extend(_leaves(path, value))
            elif isinstance(old, dict) and isinstance(value, dict) and self.doc.keyval(path) is None:
                self.merge(value, path)
            else:
                self._replace(path, old, value)

    def _delete(self, path: tuple[str, ...]) -> None:
        owner = self._inline_owner(path)
        del _lookup(self.expected, path[:-1])[path[-1]]
        self.deleted.add(path)
        if owner is None:
            self.operations.append((text_ops.remove, (path,)))
        else:
            self.operations.append((text_ops.set_value, (owner, copy.deepcopy(_lookup(self.expected, owner)))))

    def _add(self, path: tuple[str, ...], value: object) -> None:
        if '.' in path[-1]:
            self.warnings.append(
                'settings key %r is one TOML key with a dot in its name (written %s); to reach a nested table, '
                'nest mappings instead' % (path[-1], render_path(path[-1:]))
            )
        owner = self._inline_owner(path)
        if owner is not None:
            _lookup(self.expected, path[:-1])[path[-1]] = copy.deepcopy(value)
            self.operations.append((text_ops.set_value, (owner, copy.deepcopy(_lookup(self.expected, owner)))))
            return
        if isinstance(value, dict) and value and all(isinstance(item, dict) for item in value.values()):
            # A table of tables has no header of its own; placing each sub-table
            # on its own lets each find its commented-out block.
            _lookup(self.expected, path[:-1])[path[-1]] = {}
            for key, item in value.items():
                self._add(path + (key,), item)
            return
        operation = text_ops.add_table if isinstance(value, dict) else text_ops.add_key
        self.operations.append((operation, (path, value)))
        _lookup(self.expected, path[:-1])[path[-1]] = copy.deepcopy(value)

    def _replace(self, path: tuple[str, ...], old: object, value: object) -> None:
        old_kind = 'array of tables' if self._is_table_array(path) else type_name(old)
        new_kind = type_name(value)
        fits = (
            isinstance(value, list) and all(isinstance(item, dict) for item in value)
            if old_kind == 'array of tables'
            else old_kind == new_kind
        )
        if isinstance(old, dict) and isinstance(value, dict):
            merged = self._merge_inline(old, value, path)
            if not same(merged, old):
                self.operations.append((text_ops.set_value, (path, merged)))
                self.changed_keys.extend(_changed_leaves(path, old, value))
                _lookup(self.expected, path[:-1])[path[-1]] = merged
            return
        if not fits and not self.force_type:
            self.errors.append(_conflict(path, old_kind, old, value))
            return
        if fits and same(old, value):
            return
        if not fits or (old_kind == 'array of tables' and not value):
            self._delete(path)
            self._add(path, value)
            self.changed_keys.extend(_leaves(path, value))
            return
        if old_kind == 'array of tables' and isinstance(old, list) and isinstance(value, list):
            keep = 0
            while keep < min(len(old), len(value)) and same(old[keep], value[keep]):
                keep += 1
            self.operations.append((text_ops.replace_table_array, (path, value, keep)))
        else:
            self.operations.append((text_ops.set_value, (path, value)))
        _lookup(self.expected, path[:-1])[path[-1]] = copy.deepcopy(value)
        self.changed_keys.append(render_path(path))

    def _merge_inline(self, old: dict, new: dict, path: tuple) -> dict:
        """An inline table's new value: the same merge as for tables, on the data."""
        merged = copy.deepcopy(old)
        for key, value in new.items():
            here = path + (key,)
            current = merged.get(key, _MISSING)
            if isinstance(current, dict) and isinstance(value, dict) and here not in self.exact:
                merged[key] = self._merge_inline(current, value, here)
            elif current is _MISSING or here in self.exact or self.force_type or type_name(current) == type_name(value):
                merged[key] = copy.deepcopy(value)
            else:
                self.errors.append(_conflict(here, type_name(current), current, value))
        return merged

    def _written_out(self, table: tuple) -> bool:
        """True when the table has its own [header] or is an inline table."""
        return self.doc.keyval(table) is not None or any(s.kind == TABLE and s.path == table for s in self.doc.statements)

    def _is_table_array(self, path: tuple) -> bool:
        return any(s.kind == ARRAY_TABLE and s.path[:-1] == path for s in self.doc.statements)

    def _inline_owner(self, path: tuple[str, ...]) -> tuple[str, ...] | None:
        """The key whose inline-table value holds path, if path is inside one."""
        for depth in range(1, len(path)):
            if path[:depth] in self.deleted:
                return None
            if self.doc.keyval(path[:depth]) is not None:
                return path[:depth]
        return None


def _conflict(path: tuple, old_kind: str, old: object, value: object) -> str:
    shown = '' if isinstance(old, (dict, list)) else ' (%s)' % _short(old)
    return '%s: the file has %s%s, settings give %s (%s); give %s, or set force_type: true to replace it' % (
        render_path(path),
        with_article(old_kind),
        shown,
        with_article(type_name(value)),
        _short(value),
        with_article(old_kind),
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def _lookup(data: object, path: tuple) -> t.Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _leaves(path: tuple, value: object) -> list[str]:
    if isinstance(value, dict) and value:
        return [leaf for key, item in value.items() for leaf in _leaves(path + (key,), item)]
    return [render_path(path)]


def _changed_leaves(path: tuple, old: object, new: object) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        return [leaf for key, item in new.items() for leaf in _changed_leaves(path + (key,), old.get(key, _MISSING), item)]
    return [] if same(old, new) else [render_path(path)]
