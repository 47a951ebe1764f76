# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Statement-level map of a TOML document's text.

The editor changes text, not a re-rendered document, so it needs to know
where each statement (table header, key/value pair, comment, blank line)
starts and ends.  The scanner assumes the text already parsed as valid TOML
(the caller checks that with tomlkit first), which keeps it small: it only
has to find statement boundaries, decode key names and resolve the table
each key belongs to.  Its tokens come from _toml_lex, the lexer the node-side
reader uses too.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.nodeops.crio.plugins.module_utils._toml_lex import (
    COMMENT as _COMMENT_TOKEN,
)
from ansible_collections.nodeops.crio.plugins.module_utils._toml_lex import (
    END,
    NEWLINE,
    SPACE,
    STRING,
    Token,
    key_at,
    skip_space,
    token_at,
)

BLANK = 'blank'
COMMENT = 'comment'
TABLE = 'table'
ARRAY_TABLE = 'array_table'
KEYVAL = 'keyval'

# A resolved path: table and key names, with an element index after the name
# of an array of tables ([[registry]] -> ('registry', 0), ('registry', 1)).
Path = t.Tuple[t.Union[str, int], ...]


class Statement:
    """One statement of the document, as a range of whole lines."""

    __slots__ = ('kind', 'first', 'end', 'indent', 'path', 'key', 'table', 'value_start', 'value_end')

    def __init__(self, kind: str, first: int, end: int, indent: str = '') -> None:
        self.kind = kind
        self.first = first  # first line index
        self.end = end  # line index after the last line
        self.indent = indent
        self.path: Path = ()  # header: the table; keyval: the full key path
        self.key: tuple[str, ...] = ()  # keyval: the (dotted) key as written
        self.table: Path = ()  # keyval: the table the key sits in
        self.value_start = -1  # keyval: text offsets of the value
        self.value_end = -1

    @property
    def is_header(self) -> bool:
        return self.kind in (TABLE, ARRAY_TABLE)

    def __repr__(self) -> str:
        return 'Statement(%s, lines %d-%d, %r)' % (self.kind, self.first, self.end, self.path)


class ScannedDocument:
    """The text of a document split into lines and statements."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer('\n', text)]
        if self.line_starts[-1] == len(text) and len(self.line_starts) > 1:
            self.line_starts.pop()
        if not text:
            self.line_starts = []
        self.statements = _Scanner(text, self.line_starts).scan()

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line(self, index: int) -> str:
        start = self.line_starts[index]
        end = self.line_starts[index + 1] if index + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end]

    def lines(self) -> list[str]:
        return [self.line(i) for i in range(self.line_count)]

    def headers(self) -> list[int]:
        return [i for i, s in enumerate(self.statements) if s.is_header]

    def keyval(self, path: Path) -> Statement | None:
        for statement in self.statements:
            if statement.kind == KEYVAL and statement.path == path:
                return statement
        return None

    def value_text(self, statement: Statement) -> str:
        return self.text[statement.value_start : statement.value_end]


class _Scanner:
    def __init__(self, text: str, line_starts: list[int]) -> None:
        self.text = text
        self.line_starts = line_starts
        self.table: Path = ()
        self.array_counts: dict[Path, int] = {}

    def scan(self) -> list[Statement]:
        statements = []
        pos = 0
        while pos < len(self.text):
            statement, pos = self._statement(pos)
            statements.append(statement)
        return statements

    def _line_of(self, offset: int) -> int:
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low

    def _statement(self, pos: int) -> tuple[Statement, int]:
        first = self._line_of(pos)
        token = skip_space(self.text, token_at(self.text, pos))
        indent = self.text[pos : token.start]
        if token.kind in (NEWLINE, END):
            return Statement(BLANK, first, first + 1, indent), token.end
        if token.kind == _COMMENT_TOKEN:
            return Statement(COMMENT, first, first + 1, indent), self._next_line(token)
        if token.is_punct('['):
            return self._header(first, indent, token)
        return self._keyval(first, indent, token)

    def _header(self, first: int, indent: str, opening: Token) -> tuple[Statement, int]:
        second = token_at(self.text, opening.end)
        is_array = second.is_punct('[')
        parts, closing = key_at(self.text, second.end if is_array else opening.end)
        if is_array:
            closing = self._expect(closing, ']')
        closing = self._expect(closing, ']')
        statement = Statement(ARRAY_TABLE if is_array else TABLE, first, first + 1, indent)
        statement.key = parts
        statement.path = self._resolve(parts, is_array)
        self.table = statement.path
        return statement, self._next_line(closing)

    def _resolve(self, parts: tuple[str, ...], is_array: bool) -> Path:
        resolved: Path = ()
        for index, part in enumerate(parts):
            resolved += (part,)
            if is_array and index == len(parts) - 1:
                count = self.array_counts.get(resolved, 0)
                self.array_counts[resolved] = count + 1
                resolved += (count,)
            elif resolved in self.array_counts:
                resolved += (self.array_counts[resolved] - 1,)
        return resolved

    def _keyval(self, first: int, indent: str, start: Token) -> tuple[Statement, int]:
        parts, equals = key_at(self.text, start.start)
        value = skip_space(self.text, self._expect(equals, '='))
        after = self._value_end(value)
        next_line = self._next_line(after)
        statement = Statement(KEYVAL, first, self._line_of(next_line - 1) + 1, indent)
        statement.key = parts
        statement.table = self.table
        statement.path = self.table + parts
        statement.value_start = value.start
        statement.value_end = after.start
        return statement, next_line

    def _expect(self, token: Token, char: str) -> Token:
        """The token after token, which must be char."""
        if not token.is_punct(char):
            raise ValueError('expected "%s" at offset %d' % (char, token.start))
        return token_at(self.text, token.end)

    def _next_line(self, token: Token) -> int:
        """Offset of the line after the one token is on, past a trailing comment."""
        while token.kind not in (NEWLINE, END):
            token = token_at(self.text, token.end)
        return token.end

    def _value_end(self, token: Token) -> Token:
        """The token right after the value that starts with token: the value ends
        at its start.  A scalar runs to the comment or the end of the line, so
        the space of 1979-05-27 07:32:00 is inside it."""
        if token.kind == STRING:
            return token_at(self.text, token.end)
        if token.is_punct('[') or token.is_punct('{'):
            depth = 0
            while True:
                if token.kind == END:
                    raise ValueError('unclosed %s' % token.value)
                if token.is_punct('[') or token.is_punct('{'):
                    depth += 1
                elif token.is_punct(']') or token.is_punct('}'):
                    depth -= 1
                    if depth == 0:
                        return token_at(self.text, token.end)
                token = token_at(self.text, token.end)
        last = token
        while token.kind not in (NEWLINE, _COMMENT_TOKEN, END):
            if token.kind != SPACE:
                last = token
            token = token_at(self.text, token.end)
        return token_at(self.text, last.end)
