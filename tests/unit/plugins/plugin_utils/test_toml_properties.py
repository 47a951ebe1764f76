# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Properties of the TOML editor, on the real fixtures and on generated documents.

- applying the same edit twice changes nothing the second time;
- the lines of keys the edit did not touch are all still there, in order;
- the result parses to exactly the data asked for.

`pytest --hypothesis-profile=thorough` tries 2000 cases a test instead of 100.
"""

from __future__ import annotations

import copy
import datetime
import typing as t

import tomlkit
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_edit import edit_toml, parse, same
from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_scan import COMMENT, KEYVAL, ScannedDocument

TOML_FIXTURES = ['crio-2020.conf', 'crio-config-v1.36.3.conf', '10-crio.conf',
                 'registries.conf', 'registries-shortnames.conf']
KEY_NAMES = st.sampled_from(['a', 'b', 'log_level', 'kata-qemu', 'x.y', 'sp ace', 'q"t', 'é'])
TEXT = st.text(st.characters(blacklist_categories=('Cs',)), max_size=12)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-2 ** 63, 2 ** 63 - 1),
    st.floats(allow_nan=False),
    TEXT,
    st.dates(),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1)),
)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def leaves(data: dict, path: tuple = ()) -> list[tuple[tuple, object]]:
    """Paths to the values of a document that are not tables nor arrays of tables."""
    found = []
    for key, value in data.items():
        if isinstance(value, dict):
            found.extend(leaves(value, path + (key,)))
        elif not (isinstance(value, list) and value and all(isinstance(item, dict) for item in value)):
            found.append((path + (key,), value))
    return found


def tables(data: dict, path: tuple = ()) -> list[tuple]:
    found = [path]
    for key, value in data.items():
        if isinstance(value, dict):
            found.extend(tables(value, path + (key,)))
    return found


def same_type_value(value: object) -> st.SearchStrategy:
    for kind, strategy in ((bool, st.booleans()), (int, st.integers(-10 ** 6, 10 ** 6)), (float, st.floats(allow_nan=False)),
                           (str, TEXT), (list, st.lists(TEXT, max_size=3))):
        if isinstance(value, kind):
            return strategy
    return st.just(value)


def put(tree: dict, path: tuple, value: object) -> None:
    for part in path[:-1]:
        tree = tree.setdefault(part, {})
    tree[path[-1]] = value


def merged(data: object, settings: object) -> object:
    """Settings merged into data: mappings merge, anything else replaces."""
    if not (isinstance(data, dict) and isinstance(settings, dict)):
        return copy.deepcopy(settings)
    result = copy.deepcopy(data)
    for key, value in settings.items():
        result[key] = merged(result[key], value) if key in result else copy.deepcopy(value)
    return result


@st.composite
def fixture_edits(draw: t.Callable, texts: list[str]) -> tuple[str, dict, list, set]:
    """A fixture, settings for it, keys to remove, and the lines the edit may delete."""
    text = draw(st.sampled_from(texts))
    data = parse(text)
    existing = leaves(data)
    settings: dict = {}
    remove: list = []
    touched = set()
    for path, value in draw(st.lists(st.sampled_from(existing), unique_by=lambda leaf: leaf[0], max_size=6)) if existing else []:
        if draw(st.booleans()):
            put(settings, path, draw(same_type_value(value)))
        else:
            remove.append(path)
        touched.add(path)
    for table in draw(st.lists(st.sampled_from(tables(data)), max_size=3)):
        key = draw(KEY_NAMES.filter(lambda key: key not in t.cast(dict, dict_at(data, table))))
        value = draw(st.one_of(SCALARS, st.dictionaries(KEY_NAMES, SCALARS, max_size=3)))
        put(settings, table + (key,), value)
    return text, settings, remove, touched


def dict_at(data: dict, path: tuple) -> object:
    for part in path:
        data = data[part]
    return data


def lines_of(text: str, paths: set) -> set[int]:
    """Lines an edit of these keys may delete: their own lines, comments right above them, blank lines."""
    doc = ScannedDocument(text)
    allowed = {index for index in range(doc.line_count) if not doc.line(index).strip()}
    for position, statement in enumerate(doc.statements):
        if statement.kind == KEYVAL and statement.path in paths:
            allowed.update(range(statement.first, statement.end))
            above = position - 1
            while above >= 0 and doc.statements[above].kind == COMMENT:
                allowed.add(doc.statements[above].first)
                above -= 1
    return allowed


def is_subsequence(items: list[str], sequence: list[str]) -> bool:
    remaining = iter(sequence)
    return all(any(item == candidate for candidate in remaining) for item in items)


@settings(**SETTINGS)
@given(st.data())
def test_edits_of_real_files(fixture_texts: dict[str, str], data: st.DataObject) -> None:
    texts = [fixture_texts[name] for name in TOML_FIXTURES]
    text, settings_, remove, touched = data.draw(fixture_edits(texts))
    result = edit_toml(text, settings_, remove)

    expected = parse(text)
    for path in remove:
        del t.cast(dict, dict_at(expected, path[:-1]))[path[-1]]
    assert same(parse(result.text), merged(expected, settings_))

    again = edit_toml(result.text, settings_, remove)
    assert again.text == result.text
    assert again.changed_keys == []

    allowed = lines_of(text, touched)
    kept = [line for index, line in enumerate(text.split('\n')) if index not in allowed]
    assert is_subsequence(kept, result.text.split('\n'))


def documents(depth: int = 2) -> st.SearchStrategy:
    values = [SCALARS, st.lists(SCALARS, max_size=3)]
    if depth:
        values += [documents(depth - 1), st.lists(documents(depth - 1), min_size=1, max_size=2)]
    return st.dictionaries(KEY_NAMES, st.one_of(*values), max_size=4)


@settings(**SETTINGS)
@given(documents(), documents(), st.data())
def test_edits_of_generated_documents(data: dict, settings_: dict, draws: st.DataObject) -> None:
    """Any settings, with force_type; a key both removed and set is replaced, not merged."""
    text = tomlkit.dumps(data)
    assume(same(parse(text), data))
    replaced = draws.draw(st.lists(st.sampled_from(sorted(settings_)), unique=True)) if settings_ else []
    remove = [(key,) for key in replaced]
    result = edit_toml(text, settings_, remove, force_type=True)
    kept = {key: value for key, value in data.items() if key not in replaced}
    assert same(parse(result.text), merged(kept, settings_))
    again = edit_toml(result.text, settings_, remove)
    assert (again.text, again.changed_keys) == (result.text, [])
