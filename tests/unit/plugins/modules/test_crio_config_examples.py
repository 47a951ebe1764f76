# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""crio_config's examples give CRI-O keys the types CRI-O itself has: a reader who copies a force_type
example must not get a file crio refuses to load."""

from __future__ import annotations

import re
import tomllib
import typing as t

import yaml

from ansible_collections.nodeops.crio.plugins.modules import crio_config


def leaves(settings: t.Mapping[str, t.Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], t.Any]]:
    found = []
    for key, value in settings.items():
        if isinstance(value, dict):
            found.extend(leaves(value, prefix + (key,)))
        else:
            found.append((prefix + (key,), value))
    return found


def crio_default(text: str, path: tuple[str, ...]) -> object:
    """The value `crio config` prints, commented out, for a key of its output."""
    table, key = '.'.join(path[:-1]), path[-1]
    body = text.split('[%s]\n' % table, 1)[1].split('\n[', 1)[0]
    line = re.search(r'^# %s = (.*)$' % re.escape(key), body, re.MULTILINE)
    assert line, '%s is not a key crio config prints' % '.'.join(path)
    return tomllib.loads('value = %s' % line.group(1))['value']


def test_force_type_examples_give_keys_their_crio_type(fixture_text) -> None:
    text = fixture_text('crio-config-v1.36.3.conf')
    tasks = [task['nodeops.crio.crio_config'] for task in yaml.safe_load(crio_config.EXAMPLES)]
    forced = [leaf for task in tasks if task.get('force_type') for leaf in leaves(task.get('settings') or {})]
    assert forced
    for path, value in forced:
        assert type(value) is type(crio_default(text, path)), '%s: CRI-O has a %s' % ('.'.join(path), type(crio_default(text, path)))
