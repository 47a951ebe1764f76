# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Type names for messages, in the words of a playbook's author.

ansible-core 2.19 hands templated values over as its own subclasses of the
builtin types (_AnsibleTaggedInt, _AnsibleTaggedStr, ...); type(x).__name__
would put those internal names in front of the user.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

# Subclasses before their bases: bool is an int, datetime a date.
_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, 'boolean'),
    (int, 'integer'),
    (float, 'float'),
    (str, 'string'),
    (bytes, 'bytes'),
    (datetime.datetime, 'date-time'),
    (datetime.date, 'date'),
    (datetime.time, 'time'),
    ((list, tuple), 'list'),
    (Mapping, 'mapping'),
    ((set, frozenset), 'set'),
)


def plain_type_name(value: object) -> str:
    """integer, string, boolean, float, list, mapping, null...; for any other
    value the name of the nearest builtin type it derives from."""
    if value is None:
        return 'null'
    for kind, name in _NAMES:
        if isinstance(value, kind):
            return name
    for klass in type(value).__mro__:
        if klass.__module__ == 'builtins':
            return klass.__name__
    return type(value).__name__


def with_article(name: str) -> str:
    """'an integer', 'a string'."""
    return ('an ' if name[:1] in tuple('aeiou') else 'a ') + name
