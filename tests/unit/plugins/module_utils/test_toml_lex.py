# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The TOML lexer, on real CRI-O and containers configuration files and on the corners of TOML."""

from __future__ import annotations

import tomllib
import typing as t

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils._toml_lex import (
    BARE,
    COMMENT,
    END,
    NEWLINE,
    PUNCT,
    SPACE,
    STRING,
    Token,
    TomlLexError,
    key_at,
    token_at,
    tokens,
    unescape_basic,
)

TOML_FIXTURES = ['crio-2020.conf', 'crio-config-v1.36.3.conf', '10-crio.conf', 'registries.conf',
                 'registries-shortnames.conf']


def kinds(text: str) -> list[tuple[str, str]]:
    return [(token.kind, token.value) for token in tokens(text)][:-1]


@pytest.mark.parametrize('name', TOML_FIXTURES)
def test_tokens_cover_a_real_file_exactly(name: str, fixture_text) -> None:
    text = fixture_text(name)
    found = list(tokens(text))
    assert found[-1].kind == END
    assert [token.start for token in found[1:]] == [token.end for token in found[:-1]]
    assert ''.join(text[token.start:token.end] for token in found) == text


@pytest.mark.parametrize('name', TOML_FIXTURES)
def test_strings_of_a_real_file_decode_as_tomllib_does(name: str, fixture_text) -> None:
    text = fixture_text(name)
    for token in tokens(text):
        if token.kind != STRING:
            continue
        assert tomllib.loads('v = ' + text[token.start:token.end])['v'] == token.value, token


@pytest.mark.parametrize('name', TOML_FIXTURES)
def test_comments_and_newlines_of_a_real_file_are_its_lines(name: str, fixture_text) -> None:
    text = fixture_text(name)
    found = list(tokens(text))
    assert sum(token.kind == NEWLINE for token in found) == text.count('\n')
    comments = [token.value for token in found if token.kind == COMMENT]
    assert comments == [line[line.index('#'):] for line in text.splitlines() if line.lstrip().startswith('#')]


def names_in(node: object) -> t.Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from names_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from names_in(item)


@pytest.mark.parametrize('name', TOML_FIXTURES)
def test_keys_of_a_real_file_are_tomllibs(name: str, fixture_text) -> None:
    """Every name key_at reads before an = on a line of keys is one tomllib finds."""
    text = fixture_text(name)
    found = set()
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith(('#', '[')):
            continue
        try:
            parts, after = key_at(line, 0)
        except TomlLexError:
            continue  # a line inside a multi-line array
        if after.is_punct('='):
            found.update(parts)
    assert found <= set(names_in(tomllib.loads(text)))


@pytest.mark.parametrize('text, expected', [
    ('a = 1', [(BARE, 'a'), (SPACE, ' '), (PUNCT, '='), (SPACE, ' '), (BARE, '1')]),
    ('x.y\t=1.5e-3', [(BARE, 'x'), (PUNCT, '.'), (BARE, 'y'), (SPACE, '\t'), (PUNCT, '='), (BARE, '1'), (PUNCT, '.'),
                      (BARE, '5e-3')]),
    ('[[r]]\r\n', [(PUNCT, '['), (PUNCT, '['), (BARE, 'r'), (PUNCT, ']'), (PUNCT, ']'), (NEWLINE, '\r\n')]),
    ('t = {a=[1,2]} # c ] "\n', [(BARE, 't'), (SPACE, ' '), (PUNCT, '='), (SPACE, ' '), (PUNCT, '{'), (BARE, 'a'),
                                 (PUNCT, '='), (PUNCT, '['), (BARE, '1'), (PUNCT, ','), (BARE, '2'), (PUNCT, ']'),
                                 (PUNCT, '}'), (SPACE, ' '), (COMMENT, '# c ] "'), (NEWLINE, '\n')]),
    ('d = 1979-05-27 07:32:00Z', [(BARE, 'd'), (SPACE, ' '), (PUNCT, '='), (SPACE, ' '), (BARE, '1979-05-27'),
                                  (SPACE, ' '), (BARE, '07:32:00Z')]),
    ('# only\r\n', [(COMMENT, '# only'), (NEWLINE, '\r\n')]),
    ('s = \'C:\\p\' "q\\"t"', [(BARE, 's'), (SPACE, ' '), (PUNCT, '='), (SPACE, ' '), (STRING, 'C:\\p'), (SPACE, ' '),
                               (STRING, 'q"t')]),
])
def test_token_kinds(text: str, expected: list) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize('text, value', [
    ('"""\nfirst\n  second \\\n    joined"""', 'first\n  second joined'),
    ("'''\r\nraw \\n'''", 'raw \\n'),
    ('"""x""\\""""', 'x"""'),
    ("''''quoted'''''", "'quoted''"),
    ('"""a\\"""b"""""', 'a"""b""'),
])
def test_multiline_strings(text: str, value: str) -> None:
    token = token_at(text, 0)
    assert (token.kind, token.value, token.multiline, token.end) == (STRING, value, True, len(text))
    assert tomllib.loads('v = ' + text)['v'] == value


@pytest.mark.parametrize('body, decoded', [
    (r'plain', 'plain'),
    (r'a\"b\\c', 'a"b\\c'),
    (r'\t\n\u00e9\U0001F600', '\t\n\u00e9\U0001F600'),
])
def test_unescape_basic(body: str, decoded: str) -> None:
    assert unescape_basic(body) == decoded
    assert token_at('"%s"' % body, 0).value == decoded


@pytest.mark.parametrize('text, message', [
    ('a = "open\nb = 1', 'unterminated string (at line 1, column 10)'),
    ("a = 'open", 'unterminated string (at line 1, column 10)'),
    ('a = """open\n\n', 'unterminated multi-line string (at line 1, column 5)'),
    ('a = "\\q"', 'unknown escape \\q (at line 1, column 6)'),
    ('a = "\\u12"', 'bad \\u escape (at line 1, column 6)'),
    ('\n\na = @', "unexpected character '@' (at line 3, column 5)"),
    ('a = 1\rb', "unexpected character '\\r' (at line 1, column 6)"),
])
def test_errors_say_where(text: str, message: str) -> None:
    with pytest.raises(TomlLexError) as error:
        list(tokens(text))
    assert str(error.value) == message


def test_tokens_are_lazy() -> None:
    """A reader of a commented-out line stops at its first words, before prose's stray quote."""
    found = tokens("CRI-O's default")
    first = next(found)
    assert (first.kind, first.value) == (BARE, 'CRI-O')
    with pytest.raises(TomlLexError):
        next(found)


@pytest.mark.parametrize('text, parts, after', [
    ('a', ('a',), END),
    (' a . "b.c" . \'d e\' = 1', ('a', 'b.c', 'd e'), '='),
    ('crio.runtime.runtimes."kata.qemu"]', ('crio', 'runtime', 'runtimes', 'kata.qemu'), ']'),
    ('1.5 = x', ('1', '5'), '='),
])
def test_key_at(text: str, parts: tuple, after: str) -> None:
    found, token = key_at(text, 0)
    assert found == parts
    assert token.kind == END if after == END else token.is_punct(after)


@pytest.mark.parametrize('text', ['= 1', 'a. = 1', 'a+b = 1', '"""a""" = 1', ''])
def test_key_at_refuses_what_is_no_key(text: str) -> None:
    with pytest.raises(TomlLexError, match='expected a key'):
        key_at(text, 0)


def test_token_repr_names_kind_span_and_value() -> None:
    assert repr(Token(BARE, 0, 1, 'a')) == "Token(bare, 0-1, 'a')"
