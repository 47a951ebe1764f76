# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Type names in messages are the playbook author's words, also for ansible-core's tagged values."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._type_names import plain_type_name, with_article
from ansible_collections.nodeops.crio.tests.unit.compat import tagged


@pytest.mark.parametrize('value, name', [
    (True, 'boolean'),
    (1, 'integer'),
    (1.5, 'float'),
    ('x', 'string'),
    (b'x', 'bytes'),
    (None, 'null'),
    ([1], 'list'),
    ((1,), 'list'),
    ({'a': 1}, 'mapping'),
    ({1}, 'set'),
    (datetime.datetime(2020, 1, 1, 10, 0), 'date-time'),
    (datetime.date(2020, 1, 1), 'date'),
    (datetime.time(10, 0), 'time'),
    (object(), 'object'),
    (tagged(80), 'integer'),
    (tagged('x'), 'string'),
    (tagged(1.5), 'float'),
    (tagged([1]), 'list'),
    (tagged({'a': 1}), 'mapping'),
])
def test_plain_type_name(value: object, name: str) -> None:
    assert plain_type_name(value) == name


def test_a_subclass_of_nothing_known_gets_its_builtin_base() -> None:
    class Strange(complex):
        pass

    assert plain_type_name(Strange(1, 2)) == 'complex'


@pytest.mark.parametrize('name, phrase', [('integer', 'an integer'), ('string', 'a string'), ('array', 'an array')])
def test_with_article(name: str, phrase: str) -> None:
    assert with_article(name) == phrase
