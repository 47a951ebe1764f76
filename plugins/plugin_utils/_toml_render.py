# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Render TOML keys, values and new tables as text."""

from __future__ import annotations

import datetime
import math
import re
import typing as t

from ansible_collections.nodeops.crio.plugins.plugin_utils._type_names import plain_type_name

_BARE_KEY = re.compile(r'[A-Za-z0-9_-]+\Z')
_BASIC_ESCAPES = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r'}


def render_key(name: str) -> str:
    return name if _BARE_KEY.match(name) else render_string(name)


def render_path(path: t.Sequence[t.Union[str, int]]) -> str:
    """A dotted name for messages and changed_keys: crio.runtime.runtimes."kata.v2"."""
    text = ''
    for part in path:
        if isinstance(part, int):
            text += '[%d]' % part
        else:
            text += ('.' if text else '') + render_key(part)
    return text


def render_string(value: str, literal: bool = False) -> str:
    if literal and "'" not in value and not any(_is_control(char) for char in value):
        return "'%s'" % value
    return '"%s"' % ''.join(_BASIC_ESCAPES.get(char) or ('\\u%04x' % ord(char) if _is_control(char) else char) for char in value)


def _is_control(char: str) -> bool:
    return ord(char) < 0x20 or ord(char) == 0x7F


def is_table_array(value: object) -> t.TypeGuard[list[dict[str, t.Any]]]:
    """True for a value written as [[name]] tables: a non-empty list of mappings."""
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def type_name(value: object) -> str:
    """The TOML name of a value's type, for messages: array and table where
    TOML says so, otherwise the plain name (integer, string, date-time...)."""
    if isinstance(value, list):
        return 'array'
    if isinstance(value, dict):
        return 'table'
    return plain_type_name(value)


class ArrayStyle:
    """How an existing multi-line array is laid out, to lay out its replacement alike."""

    def __init__(self, indent: str, closing_indent: str, trailing_comma: bool) -> None:
        self.indent = indent
        self.closing_indent = closing_indent
        self.trailing_comma = trailing_comma

    @classmethod
    def of(cls, value_text: str) -> ArrayStyle | None:
        """The style of an array written one element per line, None for any other value."""
        lines = value_text.split('\n')
        if not value_text.startswith('[') or len(lines) < 3:
            return None
        elements = [line for line in lines[1:-1] if line.strip() and not line.strip().startswith('#')]
        if not elements:
            return None
        last = elements[-1].split(' #', 1)[0].rstrip()
        return cls(
            indent=elements[0][: len(elements[0]) - len(elements[0].lstrip())],
            closing_indent=lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())],
            trailing_comma=last.endswith(','),
        )


def render_value(value: object, style: ArrayStyle | None = None, literal: bool = False) -> str:
    """TOML text of a value; style lays out a non-empty array one element per line."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'nan'
        if math.isinf(value):
            return 'inf' if value > 0 else '-inf'
        return repr(value)
    if isinstance(value, str):
        return render_string(value, literal)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, list):
        items = [render_value(item) for item in value]
        if style is None or not items:
            return '[%s]' % ', '.join(items)
        body = (',\n' + style.indent).join(items) + (',' if style.trailing_comma else '')
        return '[\n%s%s\n%s]' % (style.indent, body, style.closing_indent)
    if isinstance(value, dict):
        if not value:
            return '{}'
        return '{ %s }' % ', '.join('%s = %s' % (render_key(key), render_value(item)) for key, item in value.items())
    raise TypeError('cannot render %r as TOML' % (value,))


def render_keyval(indent: str, key: t.Sequence[str], value: object) -> str:
    return '%s%s = %s\n' % (indent, '.'.join(render_key(part) for part in key), render_value(value))


def render_tables(path: t.Sequence[str], table: dict, indent: str = '', key_indent: str = '') -> list[list[str]]:
    """New tables as blocks of lines, one block per [header] or [[header]].

    A table holding only sub-tables gets no header of its own (as TOML
    allows), so a new runtime comes out as [crio.runtime.runtimes.NAME] alone.
    """
    simple = [(key, value) for key, value in table.items() if not isinstance(value, dict) and not is_table_array(value)]
    blocks: list[list[str]] = []
    if simple or not table:
        header = '%s[%s]\n' % (indent, '.'.join(render_key(part) for part in path))
        blocks.append([header] + [render_keyval(key_indent, (key,), value) for key, value in simple])
    blocks.extend(_render_children(path, table, indent, key_indent))
    return blocks


def render_table_array(
    path: t.Sequence[str], elements: t.Sequence[dict], indent: str = '', key_indent: str = ''
) -> list[list[str]]:
    """Elements of an array of tables as blocks of lines, each under its [[header]]."""
    blocks = []
    for element in elements:
        header = '%s[[%s]]\n' % (indent, '.'.join(render_key(part) for part in path))
        simple = [(key, value) for key, value in element.items() if not isinstance(value, dict) and not is_table_array(value)]
        blocks.append([header] + [render_keyval(key_indent, (key,), value) for key, value in simple])
        blocks.extend(_render_children(path, element, indent, key_indent))
    return blocks


def _render_children(path: t.Sequence[str], table: dict, indent: str, key_indent: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            blocks.extend(render_tables(tuple(path) + (key,), value, indent, key_indent))
    for key, value in table.items():
        if is_table_array(value):
            blocks.extend(render_table_array(tuple(path) + (key,), value, indent, key_indent))
    return blocks
