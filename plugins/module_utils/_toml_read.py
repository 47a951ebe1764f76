# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Read-only TOML for managed nodes.

Managed nodes have only their distribution's Python (DESIGN principle 1).
Python 3.11+ ships tomllib; older ones (RHEL 9, Ubuntu 22.04) get the small
reader below, which covers the TOML that crio.conf, its drop-ins and
registries.conf use: tables, arrays of tables, dotted and quoted keys,
strings of all four kinds, integers, floats, booleans, arrays and inline
tables. Dates are returned as their text. Nothing here writes TOML: editing
happens on the controller with tomlkit.
"""

import re

from ansible_collections.nodeops.crio.plugins.module_utils._toml_lex import (
    BARE,
    COMMENT,
    END,
    NEWLINE,
    SPACE,
    STRING,
    TomlLexError,
    key_at,
    token_at,
    where,
)

try:
    import tomllib as _tomllib
except ImportError:  # Python < 3.11
    _tomllib = None


class TomlReadError(ValueError):
    """The text is not TOML; the message says where."""


_NUMBER = re.compile(
    r"[+-]?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|inf|nan|"
    r"[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9_]+)?)"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|z|[+-]\d{2}:\d{2})?|\d{2}:\d{2}:\d{2}(\.\d+)?")
_LOCAL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_START = re.compile(r"\d{2}:")


def loads(text):
    """Parse TOML text into plain dicts and lists."""
    if _tomllib is not None:
        try:
            return _tomllib.loads(text)
        except _tomllib.TOMLDecodeError as exc:
            raise TomlReadError(str(exc)) from exc
    return _Reader(text).document()


class _Reader:
    """A parser over the tokens of _toml_lex."""

    def __init__(self, text):
        self.text = text
        self.token = self.lex(0)

    # -- tokens -----------------------------------------------------------
    def lex(self, pos):
        try:
            return token_at(self.text, pos)
        except TomlLexError as exc:
            raise TomlReadError(str(exc)) from None

    def advance(self):
        self.token = self.lex(self.token.end)

    def skip(self, *kinds):
        while self.token.kind in kinds:
            self.advance()

    def at(self, char):
        return self.token.is_punct(char)

    def expect(self, char, what):
        if not self.at(char):
            self.error(what)
        self.advance()

    def error(self, what):
        raise TomlReadError("%s (at %s)" % (what, where(self.text, self.token.start)))

    def end_of_line(self):
        self.skip(SPACE, COMMENT)
        if self.token.kind not in (NEWLINE, END):
            self.error("expected the end of the line")

    # -- structure --------------------------------------------------------
    def document(self):
        root = {}
        table = root
        while True:
            self.skip(SPACE, NEWLINE, COMMENT)
            if self.token.kind == END:
                return root
            if self.at("["):
                self.advance()
                if self.at("["):  # no space between: [[ opens an array of tables
                    self.advance()
                    path = self.key_path()
                    self.expect("]", "expected ]] to close the array of tables")
                    self.expect("]", "expected ]] to close the array of tables")
                    table = self.append_table(root, path)
                else:
                    path = self.key_path()
                    self.expect("]", "expected ] to close the table header")
                    table = self.descend(root, path)
            else:
                self.key_value(table)
            self.end_of_line()

    def descend(self, table, path):
        for part in path:
            value = table.setdefault(part, {})
            if isinstance(value, list) and value and isinstance(value[-1], dict):
                value = value[-1]
            if not isinstance(value, dict):
                self.error("key %r is not a table" % part)
            table = value
        return table

    def append_table(self, root, path):
        parent = self.descend(root, path[:-1])
        array = parent.setdefault(path[-1], [])
        if not isinstance(array, list):
            self.error("key %r is not an array of tables" % path[-1])
        array.append({})
        return array[-1]

    def key_path(self):
        try:
            parts, self.token = key_at(self.text, self.token.start)
        except TomlLexError as exc:
            raise TomlReadError(str(exc)) from None
        return list(parts)

    def key_value(self, table):
        path = self.key_path()
        self.expect("=", "expected = after the key")
        self.skip(SPACE)
        target = self.descend(table, path[:-1])
        if path[-1] in target:
            self.error("key %r is defined twice" % path[-1])
        target[path[-1]] = self.value()

    # -- values -----------------------------------------------------------
    def value(self):
        token = self.token
        if token.kind == STRING:
            self.advance()
            return token.value
        if self.at("["):
            return self.array()
        if self.at("{"):
            return self.inline_table()
        if token.kind != BARE:
            self.error("expected a value")
        text = self.scalar_text()
        if text in ("true", "false"):
            return text == "true"
        if _DATE.fullmatch(text) and not _NUMBER.fullmatch(text):
            return text
        if not _NUMBER.fullmatch(text):
            raise TomlReadError("expected a value (at %s)" % where(self.text, token.start))
        return self.number(text)

    def scalar_text(self):
        """The words of a number, boolean or date: the lexer splits 1.5 and
        1979-05-27 07:32:00 at the dot and the space."""
        start = self.token.start
        while self.token.kind == BARE or self.at("."):
            self.advance()
        if _LOCAL_DATE.fullmatch(self.text, start, self.token.start) and self.token.value == " ":
            time = self.lex(self.token.end)
            if time.kind == BARE and _TIME_START.match(time.value):
                self.token = time
                while self.token.kind == BARE or self.at("."):
                    self.advance()
        return self.text[start:self.token.start]

    @staticmethod
    def number(text):
        clean = text.replace("_", "")
        sign = -1 if clean.startswith("-") else 1
        body = clean.lstrip("+-")
        if body in ("inf", "nan"):
            return sign * float(body)
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if body.startswith(prefix):
                return sign * int(body[2:], base)
        if any(c in body for c in ".eE"):
            return sign * float(body)
        return sign * int(body)

    def array(self):
        self.advance()
        items = []
        while True:
            self.skip(SPACE, NEWLINE, COMMENT)
            if self.at("]"):
                self.advance()
                return items
            items.append(self.value())
            self.skip(SPACE, NEWLINE, COMMENT)
            if self.at(","):
                self.advance()
            elif not self.at("]"):
                self.error("expected , or ] in the array")

    def inline_table(self):
        self.advance()
        table = {}
        self.skip(SPACE)
        if self.at("}"):
            self.advance()
            return table
        while True:
            self.key_value(table)
            self.skip(SPACE)
            if self.at("}"):
                self.advance()
                return table
            self.expect(",", "expected , or } in the inline table")
