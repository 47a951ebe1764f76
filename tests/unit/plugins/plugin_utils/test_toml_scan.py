# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

import pytest
import tomlkit

from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_scan import (
    ARRAY_TABLE,
    BLANK,
    COMMENT,
    KEYVAL,
    TABLE,
    ScannedDocument,
)

TOML_FIXTURES = ['crio-2020.conf', 'crio-config-v1.36.3.conf', '10-crio.conf',
                 'registries.conf', 'registries-shortnames.conf']


def kinds(text: str) -> list[tuple[str, int, int, tuple]]:
    return [(s.kind, s.first, s.end, s.path) for s in ScannedDocument(text).statements]


@pytest.mark.parametrize('text, expected', [
    ('', []),
    ('\n', [(BLANK, 0, 1, ())]),
    ('a = 1', [(KEYVAL, 0, 1, ('a',))]),
    ('# c\n  \n[t]\nk = "v" # c\n', [(COMMENT, 0, 1, ()), (BLANK, 1, 2, ()), (TABLE, 2, 3, ('t',)), (KEYVAL, 3, 4, ('t', 'k'))]),
    ('[ a . "b.c" . \'d e\' ]\nx.y = 1\n', [(TABLE, 0, 1, ('a', 'b.c', 'd e')), (KEYVAL, 1, 2, ('a', 'b.c', 'd e', 'x', 'y'))]),
    ('[[r]]\n[r.m]\n[[r.n]]\n[[r]]\n[[r.n]]\n[[r.n]]\n',
     [(ARRAY_TABLE, 0, 1, ('r', 0)), (TABLE, 1, 2, ('r', 0, 'm')), (ARRAY_TABLE, 2, 3, ('r', 0, 'n', 0)),
      (ARRAY_TABLE, 3, 4, ('r', 1)), (ARRAY_TABLE, 4, 5, ('r', 1, 'n', 0)), (ARRAY_TABLE, 5, 6, ('r', 1, 'n', 1))]),
    ('a = [\n  "]", # ] "\n  \'[\',\n]\nb = 2\n', [(KEYVAL, 0, 4, ('a',)), (KEYVAL, 4, 5, ('b',))]),
    ('s = """\n[not]\n# not\n"""\nt = \'\'\'x\'\'\'\n', [(KEYVAL, 0, 4, ('s',)), (KEYVAL, 4, 5, ('t',))]),
    ('s = """a\\"""b"""""\nn = 1\n', [(KEYVAL, 0, 1, ('s',)), (KEYVAL, 1, 2, ('n',))]),
    ('t = { a = [1, 2], b = "}" }\r\n\r\nu = 1979-05-27 07:32:00Z # c\r\n',
     [(KEYVAL, 0, 1, ('t',)), (BLANK, 1, 2, ()), (KEYVAL, 2, 3, ('u',))]),
])
def test_statements(text: str, expected: list) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize('text, value', [
    ('a = 1', '1'),
    ('a = "x" # c\n', '"x"'),
    ('a=[1,\n2]  \n', '[1,\n2]'),
    ('a = 1979-05-27 07:32:00   # when\n', '1979-05-27 07:32:00'),
    ("a = '''x'''\n", "'''x'''"),
])
def test_value_span(text: str, value: str) -> None:
    doc = ScannedDocument(text)
    assert doc.value_text(doc.statements[0]) == value


@pytest.mark.parametrize('name', TOML_FIXTURES)
def test_fixture_values_match_the_parser(name: str, fixture_text) -> None:
    """Every key the scanner finds holds, as text, the value tomlkit gives for that key."""
    text = fixture_text(name)
    data = tomlkit.parse(text).unwrap()
    doc = ScannedDocument(text)
    keyvals = [s for s in doc.statements if s.kind == KEYVAL]
    for statement in keyvals:
        expected = data
        for part in statement.path:
            expected = expected[part]
        assert tomlkit.parse('v = ' + doc.value_text(statement)).unwrap()['v'] == expected, statement
    assert sum(s.end - s.first for s in doc.statements) == doc.line_count
    assert ''.join(doc.lines()) == text


def test_fixture_headers_cover_the_tables(fixture_text) -> None:
    text = fixture_text('crio-2020.conf')
    headers = [s.path for s in ScannedDocument(text).statements if s.is_header]
    assert headers == [('crio',), ('crio', 'api'), ('crio', 'runtime'), ('crio', 'runtime', 'runtimes', 'runc'),
                       ('crio', 'image'), ('crio', 'network')]
