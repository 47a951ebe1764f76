# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Statement-level map of a TOML document's text.

The editor changes text, not a re-rendered document, so it needs to know
where each statement (table header, key/value pair, comment, blank line)
starts and ends.  The scanner assumes the text already parsed as valid TOML
(the caller checks that with tomlkit first), which keeps it small: it only
has to find statement boundaries, decode key names and resolve the table
each key belongs to.
"""

from __future__ import annotations

import re
import typing as t

BLANK = 'blank'
COMMENT = 'comment'
TABLE = 'table'
ARRAY_TABLE = 'array_table'
KEYVAL = 'keyval'

_BARE_KEY = re.compile(r'[A-Za-z0-9_-]+')
_SIMPLE_ESCAPES = {
    'b': '\b', 't': '\t', 'n': '\n', 'f': '\f', 'r': '\r', 'e': '\x1b', '"': '"', '\\': '\\',
}
_HEX_ESCAPE_LENGTH = {'x': 2, 'u': 4, 'U': 8}

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
        return self.text[statement.value_start:statement.value_end]


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
        text = self.text
        first = self._line_of(pos)
        start = self._skip_blanks(pos)
        indent = text[pos:start]
        char = text[start:start + 1]
        if char in ('', '\n') or text.startswith('\r\n', start):
            return Statement(BLANK, first, first + 1, indent), self._next_line(start)
        if char == '#':
            return Statement(COMMENT, first, first + 1, indent), self._next_line(start)
        if char == '[':
            return self._header(first, indent, start)
        return self._keyval(first, indent, start)

    def _header(self, first: int, indent: str, start: int) -> tuple[Statement, int]:
        is_array = self.text.startswith('[[', start)
        parts, pos = self._key(start + (2 if is_array else 1))
        pos += 2 if is_array else 1
        statement = Statement(ARRAY_TABLE if is_array else TABLE, first, first + 1, indent)
        statement.key = parts
        statement.path = self._resolve(parts, is_array)
        self.table = statement.path
        return statement, self._next_line(pos)

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

    def _keyval(self, first: int, indent: str, start: int) -> tuple[Statement, int]:
        parts, pos = self._key(start)
        pos = self._skip_blanks(pos)
        if self.text[pos:pos + 1] != '=':
            raise ValueError('expected "=" at offset %d' % pos)
        value_start = self._skip_blanks(pos + 1)
        value_end = self._value_end(value_start)
        next_line = self._next_line(value_end)
        statement = Statement(KEYVAL, first, self._line_of(next_line - 1) + 1, indent)
        statement.key = parts
        statement.table = self.table
        statement.path = self.table + parts
        statement.value_start = value_start
        statement.value_end = value_end
        return statement, next_line

    def _skip_blanks(self, pos: int) -> int:
        while self.text[pos:pos + 1] in (' ', '\t'):
            pos += 1
        return pos

    def _next_line(self, pos: int) -> int:
        newline = self.text.find('\n', pos)
        return len(self.text) if newline < 0 else newline + 1

    def _key(self, pos: int) -> tuple[tuple[str, ...], int]:
        parts: list[str] = []
        while True:
            pos = self._skip_blanks(pos)
            char = self.text[pos:pos + 1]
            if char == '"':
                end = self._string_end(pos)
                parts.append(unescape_basic(self.text[pos + 1:end - 1]))
            elif char == "'":
                end = self._string_end(pos)
                parts.append(self.text[pos + 1:end - 1])
            else:
                match = _BARE_KEY.match(self.text, pos)
                if not match:
                    raise ValueError('expected a key at offset %d' % pos)
                end = match.end()
                parts.append(match.group())
            pos = self._skip_blanks(end)
            if self.text[pos:pos + 1] != '.':
                return tuple(parts), pos
            pos += 1

    def _string_end(self, pos: int) -> int:
        """Offset after the string literal that starts at pos."""
        text = self.text
        quote = text[pos]
        if text.startswith(quote * 3, pos):
            index = pos + 3
            while True:
                if quote == '"' and text[index] == '\\':
                    index += 2
                elif text.startswith(quote * 3, index):
                    run = index
                    while run < len(text) and text[run] == quote and run - index < 5:
                        run += 1
                    return run
                else:
                    index += 1
        index = pos + 1
        while text[index] != quote:
            index += 2 if quote == '"' and text[index] == '\\' else 1
        return index + 1

    def _value_end(self, pos: int) -> int:
        text = self.text
        char = text[pos:pos + 1]
        if char in ('"', "'"):
            return self._string_end(pos)
        if char in ('[', '{'):
            return self._bracket_end(pos)
        end = pos
        while end < len(text) and text[end] not in '#\r\n':
            end += 1
        while end > pos and text[end - 1] in ' \t':
            end -= 1
        return end

    def _bracket_end(self, pos: int) -> int:
        text = self.text
        depth = 0
        while True:
            char = text[pos]
            if char in '"\'':
                pos = self._string_end(pos)
                continue
            if char == '#':
                pos = self._next_line(pos)
                continue
            if char in '[{':
                depth += 1
            elif char in ']}':
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1


def unescape_basic(body: str) -> str:
    """Decode the escapes of a TOML basic string body (no line continuations)."""
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != '\\':
            out.append(char)
            index += 1
            continue
        code = body[index + 1]
        if code in _HEX_ESCAPE_LENGTH:
            digits = _HEX_ESCAPE_LENGTH[code]
            out.append(chr(int(body[index + 2:index + 2 + digits], 16)))
            index += 2 + digits
        else:
            out.append(_SIMPLE_ESCAPES[code])
            index += 2
    return ''.join(out)
