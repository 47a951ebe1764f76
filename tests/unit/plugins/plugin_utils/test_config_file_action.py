# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""attributes_hold: when an unchanged file needs no ansible.builtin.file call."""

from __future__ import annotations

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._config_file_action import attributes_hold, mode_error, split_bom

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


@pytest.mark.parametrize('mode', [
    None, '0644', '644', '0o644', '00644', '7777', 0o644, 420, 0, 0o7777,
    'u=rw,g=r,o=r', 'u+x', 'a-w', 'ug=rwx,o=', '=r', 'go-w', 'u=rwX', 'u+s', 'o+t', 'g=u', 'u=rw-x+X',
])
def test_modes_ansible_takes(mode):
    assert mode_error(mode) is None


@pytest.mark.parametrize('mode, message', [
    ('0999', "mode: expected octal digits such as '0644' or a symbolic mode such as 'u=rw,g=r,o=r', got '0999'"),
    ('8', "got '8'"),
    ('', "got ''"),
    ('rw', "got 'rw'"),
    ('u', "got 'u'"),
    ('x=r', "got 'x=r'"),
    ('ua+x', "got 'ua+x'"),
    ('u=rw,', "got 'u=rw,'"),
    ('u=rwz', "got 'u=rwz'"),
    ('17777', "mode: only permission bits, at most 07777, got '17777'"),
    (0o10000, 'mode: only permission bits, at most 07777 (4095), got 4096'),
    (-1, 'mode: only permission bits, at most 07777 (4095), got -1'),
    (True, 'mode: expected octal digits in a string, a number or a symbolic mode, got a boolean'),
    (1.5, 'mode: expected octal digits in a string, a number or a symbolic mode, got a float'),
    ('preserve', 'mode: preserve keeps the mode of a source file, and these modules have none; leave mode out to keep '
                 "the file's mode"),
])
def test_modes_refused(mode, message):
    assert message in mode_error(mode)
