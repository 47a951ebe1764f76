# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

import datetime
import math

import pytest
import tomlkit

from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_render import (
    ArrayStyle,
    render_key,
    render_path,
    render_tables,
    render_value,
    type_name,
)


@pytest.mark.parametrize('name, text', [
    ('cgroup_manager', 'cgroup_manager'),
    ('kata-qemu', 'kata-qemu'),
    ('kata.v2', '"kata.v2"'),
    ('a b', '"a b"'),
    ('', '""'),
    ('é', '"é"'),
    ('say "hi"', '"say \\"hi\\""'),
])
def test_render_key(name: str, text: str) -> None:
    assert render_key(name) == text
    assert list(tomlkit.parse('%s = 1' % text).unwrap()) == [name]


@pytest.mark.parametrize('path, text', [
    (('crio', 'runtime', 'runtimes', 'kata.v2'), 'crio.runtime.runtimes."kata.v2"'),
    (('registry', 0, 'mirror'), 'registry[0].mirror'),
    ((), ''),
])
def test_render_path(path: tuple, text: str) -> None:
    assert render_path(path) == text


@pytest.mark.parametrize('value, text', [
    (True, 'true'),
    (0, '0'),
    (-17, '-17'),
    (1.5, '1.5'),
    (1e16, '1e+16'),
    (float('inf'), 'inf'),
    (float('-inf'), '-inf'),
    ('systemd', '"systemd"'),
    ('tab\there\nnl\x7f', '"tab\\there\\nnl\\u007f"'),
    ('C:\\x', '"C:\\\\x"'),
    (datetime.date(2020, 1, 21), '2020-01-21'),
    (datetime.datetime(2020, 1, 21, 8, 30), '2020-01-21T08:30:00'),
    (datetime.datetime(2020, 1, 21, 8, 30, tzinfo=datetime.timezone.utc), '2020-01-21T08:30:00+00:00'),
    (datetime.time(8, 30, 1), '08:30:01'),
    ([], '[]'),
    (['a', 1], '["a", 1]'),
    ({'a': 1, 'b c': [True]}, '{ a = 1, "b c" = [true] }'),
    ({}, '{}'),
])
def test_render_value(value: object, text: str) -> None:
    assert render_value(value) == text
    assert tomlkit.parse('v = ' + text).unwrap()['v'] == value


def test_render_nan() -> None:
    assert math.isnan(tomlkit.parse('v = ' + render_value(float('nan'))).unwrap()['v'])


@pytest.mark.parametrize('value, literal, text', [
    ('/usr/bin/runc', True, "'/usr/bin/runc'"),
    ("it's", True, '"it\'s"'),
    ('a\nb', True, '"a\\nb"'),
])
def test_literal_string_when_possible(value: str, literal: bool, text: str) -> None:
    assert render_value(value, literal=literal) == text


@pytest.mark.parametrize('old, new, text', [
    ('[\n\t"CHOWN",\n\t"KILL",\n]', ['A', 'B'], '[\n\t"A",\n\t"B",\n]'),
    ('[\n  "nofile=5120:5120"\n]', ['x'], '[\n  "x"\n]'),
    ('[\n        "a", \n  # note\n        "b", # last\n    ]', ['x', 'y'], '[\n        "x",\n        "y",\n    ]'),
    ('[\n]', ['x'], '["x"]'),
    ('["a"]', ['x'], '["x"]'),
    ('[\n\t"a",\n]', [], '[]'),
])
def test_array_style_follows_the_old_array(old: str, new: list, text: str) -> None:
    assert render_value(new, ArrayStyle.of(old)) == text


@pytest.mark.parametrize('table, blocks', [
    ({'runtime_path': '/usr/bin/kata', 'runtime_type': 'vm'},
     [['[crio.runtime.runtimes.kata]\n', 'runtime_path = "/usr/bin/kata"\n', 'runtime_type = "vm"\n']]),
    ({}, [['[crio.runtime.runtimes.kata]\n']]),
    ({'sub': {'x': 1}}, [['[crio.runtime.runtimes.kata.sub]\n', 'x = 1\n']]),
    ({'a': 1, 'm': [{'l': 'x'}, {'l': 'y'}], 't': {}},
     [['[crio.runtime.runtimes.kata]\n', 'a = 1\n'], ['[crio.runtime.runtimes.kata.t]\n'],
      ['[[crio.runtime.runtimes.kata.m]]\n', 'l = "x"\n'], ['[[crio.runtime.runtimes.kata.m]]\n', 'l = "y"\n']]),
])
def test_render_tables(table: dict, blocks: list) -> None:
    path = ('crio', 'runtime', 'runtimes', 'kata')
    assert render_tables(path, table) == blocks
    parsed = tomlkit.parse('\n'.join(''.join(block) for block in blocks)).unwrap()
    assert parsed['crio']['runtime']['runtimes']['kata'] == table


def test_render_tables_indents_like_siblings() -> None:
    assert render_tables(('a', 'b'), {'k': 1}, '  ', '    ') == [['  [a.b]\n', '    k = 1\n']]


@pytest.mark.parametrize('value, name', [
    (True, 'boolean'), (1, 'integer'), (1.0, 'float'), ('1', 'string'), ([], 'array'), ({}, 'table'),
    (datetime.datetime(2020, 1, 1), 'date-time'), (datetime.date(2020, 1, 1), 'date'), (datetime.time(), 'time'),
])
def test_type_name(value: object, name: str) -> None:
    assert type_name(value) == name
