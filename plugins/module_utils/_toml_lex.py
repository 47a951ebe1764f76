# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The one TOML lexer of the collection.

Every reader of TOML text here starts from these tokens: the node-side
reader (_toml_read), the crio_facts helpers that read the keys `crio config`
prints commented out, and the controller's statement scanner that the
editor places its edits with.  The lexer does not know where in a document
it is: a bare word is one token whether it ends up a key, a number or a
date, and `1.5` is three tokens, as `a.b` is.  Whoever reads a value joins
its words.  Runs on managed nodes, so it keeps to the Python 3.8 syntax.
"""

from __future__ import annotations

import re
import typing as t

SPACE = 'space'  # spaces and tabs
NEWLINE = 'newline'  # \n or \r\n
COMMENT = 'comment'  # from # to the end of the line, without the newline
STRING = 'string'  # any of the four kinds; value is the decoded text
BARE = 'bare'  # a run of the characters of bare keys, numbers and dates
PUNCT = 'punct'  # one of [ ] { } = , . ; value is the character
END = 'end'  # the end of the text

_BARE = re.compile(r'[A-Za-z0-9_+:-]+')
_BARE_KEY = re.compile(r'[A-Za-z0-9_-]+\Z')
_PUNCTUATION = '[]{}=,.'
_SIMPLE_ESCAPES = {
    'b': '\b', 't': '\t', 'n': '\n', 'f': '\f', 'r': '\r', 'e': '\x1b', '"': '"', '\\': '\\',
}
_HEX_ESCAPE_LENGTH = {'x': 2, 'u': 4, 'U': 8}
_HEX_DIGITS = re.compile(r'[0-9A-Fa-f]+\Z')


class TomlLexError(ValueError):
    """Text that is no TOML token; the message says where."""

    def __init__(self, what: str, text: str, offset: int) -> None:
        super().__init__('%s (at %s)' % (what, where(text, offset)))
        self.offset = offset


class Token:
    """One token: its kind, its span in the text and its value."""

    __slots__ = ('kind', 'start', 'end', 'value', 'multiline')

    def __init__(self, kind: str, start: int, end: int, value: str, multiline: bool = False) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.multiline = multiline  # strings: written with three quotes

    def is_punct(self, char: str) -> bool:
        return self.kind == PUNCT and self.value == char

    def __repr__(self) -> str:
        return 'Token(%s, %d-%d, %r)' % (self.kind, self.start, self.end, self.value)


def where(text: str, offset: int) -> str:
    """"line L, column C" of an offset, both counted from 1 as editors do."""
    line = text.count('\n', 0, offset) + 1
    column = offset - (text.rfind('\n', 0, offset) + 1) + 1
    return 'line %d, column %d' % (line, column)


def token_at(text: str, pos: int) -> Token:
    """The token that starts at pos."""
    if pos >= len(text):
        return Token(END, len(text), len(text), '')
    char = text[pos]
    if char in ' \t':
        end = pos
        while end < len(text) and text[end] in ' \t':
            end += 1
        return Token(SPACE, pos, end, text[pos:end])
    if char == '\n' or text.startswith('\r\n', pos):
        end = pos + (1 if char == '\n' else 2)
        return Token(NEWLINE, pos, end, text[pos:end])
    if char == '#':
        end = _line_end(text, pos)
        return Token(COMMENT, pos, end, text[pos:end])
    if char in _PUNCTUATION:
        return Token(PUNCT, pos, pos + 1, char)
    if char in '"\'':
        return _string(text, pos)
    match = _BARE.match(text, pos)
    if match is None:
        raise TomlLexError('unexpected character %r' % char, text, pos)
    return Token(BARE, pos, match.end(), match.group())


def tokens(text: str, pos: int = 0) -> t.Iterator[Token]:
    """The tokens from pos to the end of the text, END last; lazily, so a
    reader that stops early never meets an error further on."""
    while True:
        token = token_at(text, pos)
        yield token
        if token.kind == END:
            return
        pos = token.end


def skip_space(text: str, token: Token) -> Token:
    """token, or the token after it when it is spaces."""
    return token_at(text, token.end) if token.kind == SPACE else token


def key_at(text: str, pos: int) -> tuple[tuple[str, ...], Token]:
    """The dotted key that starts at pos (after spaces), as its name parts, and
    the first token after it that is not spaces."""
    parts = []
    while True:
        token = skip_space(text, token_at(text, pos))
        if token.kind == STRING and not token.multiline:
            parts.append(token.value)
        elif token.kind == BARE and _BARE_KEY.match(token.value):
            parts.append(token.value)
        else:
            raise TomlLexError('expected a key', text, token.start)
        after = skip_space(text, token_at(text, token.end))
        if not after.is_punct('.'):
            return tuple(parts), after
        pos = after.end


def _line_end(text: str, pos: int) -> int:
    """Offset of the newline (\n or \r\n) that ends the line at pos, or the text's end."""
    newline = text.find('\n', pos)
    if newline < 0:
        return len(text)
    return newline - 1 if newline > pos and text[newline - 1] == '\r' else newline


def _string(text: str, pos: int) -> Token:
    quote = text[pos]
    if text.startswith(quote * 3, pos):
        return _multiline_string(text, pos, quote)
    end = pos + 1
    while True:
        if end >= len(text) or text[end] in '\r\n':
            raise TomlLexError('unterminated string', text, end)
        if text[end] == quote:
            break
        if quote == '"' and text[end] == '\\' and text[end + 1:end + 2] not in ('\r', '\n'):
            end += 1  # the escaped character, a quote perhaps
        end += 1
    body = text[pos + 1:end]
    value = body if quote == "'" else unescape_basic(body, text, pos + 1)
    return Token(STRING, pos, end + 1, value)


def _multiline_string(text: str, pos: int, quote: str) -> Token:
    start = pos + 3
    end = start
    while True:
        if end >= len(text):
            raise TomlLexError('unterminated multi-line string', text, pos)
        if quote == '"' and text[end] == '\\':
            end += 2
        elif text.startswith(quote * 3, end):
            break
        else:
            end += 1
    # Up to two quotes right before the closing three belong to the content.
    extra = 0
    while extra < 2 and text.startswith(quote, end + 3 + extra):
        extra += 1
    body = text[start:end + extra]
    # A newline right after the opening quotes is not part of the value.
    body = body[2:] if body.startswith('\r\n') else body[1:] if body.startswith('\n') else body
    value = body if quote == "'" else unescape_basic(body, text, start, multiline=True)
    return Token(STRING, pos, end + 3 + extra, value, multiline=True)


def unescape_basic(body: str, text: str = '', offset: int = 0, multiline: bool = False) -> str:
    """Decode the escapes of a basic string's body; text and offset place an
    error; multiline lets a line-ending backslash join the lines."""
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char != '\\':
            out.append(char)
            index += 1
            continue
        code = body[index + 1:index + 2]
        if multiline and code in (' ', '\t', '\r', '\n'):
            # A line-ending backslash trims the whitespace and newlines after it.
            index += 1
            while index < len(body) and body[index] in ' \t\r\n':
                index += 1
        elif code in _HEX_ESCAPE_LENGTH:
            digits = body[index + 2:index + 2 + _HEX_ESCAPE_LENGTH[code]]
            if len(digits) != _HEX_ESCAPE_LENGTH[code] or not _HEX_DIGITS.match(digits):
                raise TomlLexError('bad \\%s escape' % code, text or body, offset + index)
            out.append(chr(int(digits, 16)))
            index += 2 + len(digits)
        elif code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            index += 2
        else:
            raise TomlLexError('unknown escape \\%s' % code, text or body, offset + index)
    return ''.join(out)
