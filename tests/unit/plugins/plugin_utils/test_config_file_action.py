# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""attributes_hold: when an unchanged file needs no ansible.builtin.file call."""

from __future__ import annotations

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._config_file_action import attributes_hold, split_bom

STAT = {'exists': True, 'type': 'file', 'mode': '0644', 'uid': 0, 'gid': 0, 'owner': 'root', 'group': 'root'}


@pytest.mark.parametrize('args', [
    {},
    {'mode': None, 'owner': None},
    {'mode': '0644'},
    {'mode': '644'},
    {'mode': 0o644},
    {'owner': 'root', 'group': 'root'},
    {'owner': '0', 'group': 0},
    {'mode': '0644', 'owner': 'root', 'group': 'root'},
])
def test_attributes_already_there(args):
    assert attributes_hold(STAT, args)


@pytest.mark.parametrize('args', [
    {'mode': '0600'},
    {'mode': 0o600},
    {'mode': 'u=rw,go=r'},
    {'mode': 'preserve'},
    {'owner': 'nobody'},
    {'group': 'adm'},
    {'setype': 'container_config_t'},
    {'attributes': '+i'},
])
def test_attributes_left_to_the_file_module(args):
    assert not attributes_hold(STAT, args)


def test_a_stat_without_mode_asks_the_file_module():
    assert not attributes_hold({'exists': True}, {'mode': '0644'})


@pytest.mark.parametrize('text, bom, body', [
    (None, '', None),
    ('', '', ''),
    ('a = 1\n', '', 'a = 1\n'),
    ('\ufeffa = 1\n', '\ufeff', 'a = 1\n'),
    ('\ufeff', '\ufeff', ''),
    ('a = "\ufeff"\n', '', 'a = "\ufeff"\n'),
])
def test_split_bom(text, bom, body):
    assert split_bom(text) == (bom, body)
