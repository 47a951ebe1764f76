# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""nodeops.crio.node_probe through main(), on a temporary tree."""

from __future__ import annotations

import base64
import functools
import grp
import hashlib
import json
import os
import pwd
import typing as t
from pathlib import Path

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils._node_probe import read_sysctls
from ansible_collections.nodeops.crio.plugins.modules import node_probe
from ansible_collections.nodeops.crio.tests.unit.compat import patch_module_args

TEXT = b'overlay\nbr_netfilter\n'
SHA1 = hashlib.sha1(TEXT).hexdigest()


def run(capsys: pytest.CaptureFixture, **args: t.Any) -> tuple[int, dict[str, t.Any]]:
    with patch_module_args(args), pytest.raises(SystemExit) as error:
        node_probe.main()
    return t.cast(int, error.value.code), json.loads(capsys.readouterr().out)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A modules file, a folder, a link, a checksum list and a /proc/sys, all under tmp_path."""
    (tmp_path / 'modules.conf').write_bytes(TEXT)
    (tmp_path / 'modules.conf').chmod(0o644)
    (tmp_path / 'crio.conf.d').mkdir()
    (tmp_path / 'link.conf').symlink_to(tmp_path / 'modules.conf')
    (tmp_path / 'good.sha256').write_text('%s  %s\n' % (hashlib.sha256(TEXT).hexdigest(), tmp_path / 'modules.conf'))
    (tmp_path / 'bad.sha256').write_text('%s  %s\n' % (hashlib.sha256(b'old').hexdigest(), tmp_path / 'modules.conf'))
    (tmp_path / 'proc' / 'sys' / 'net' / 'ipv4').mkdir(parents=True)
    (tmp_path / 'proc' / 'sys' / 'net' / 'ipv4' / 'tcp_rmem').write_text('4096\t131072\t6291456\n')
    # The module reads the node's /proc/sys; here it reads the tree's.
    monkeypatch.setattr(node_probe, 'read_sysctls', functools.partial(read_sysctls, root=str(tmp_path)))
    return tmp_path


@pytest.mark.parametrize('check_mode', [False, True])
def test_one_call_answers_everything(tree: Path, capsys: pytest.CaptureFixture, check_mode: bool) -> None:
    modules, folder, link, missing = (str(tree / name) for name in ('modules.conf', 'crio.conf.d', 'link.conf', 'missing'))
    code, result = run(
        capsys, _ansible_check_mode=check_mode,
        paths=[link, folder, missing], follow=True, get_checksum=True, get_content=True,
        expect=[
            dict(path=modules, checksum=SHA1, mode='0644', owner=str(os.geteuid())),
            dict(path=modules, mode=0o600),
            dict(path=link, checksum=SHA1),
            dict(path=folder, state='directory'),
            dict(path=folder),
            dict(path=missing, state='absent'),
            dict(path=modules, state='absent'),
        ],
        sysctls=['net.ipv4.tcp_rmem', 'net.ipv4.no_such_key'],
        checksum_lists=[str(tree / 'good.sha256'), str(tree / 'bad.sha256'), str(tree / 'none.sha256')],
    )
    assert code == 0 and result['changed'] is False
    assert set(result['paths']) == {link, folder, missing}
    assert result['paths'][link]['type'] == 'file'
    assert result['paths'][link]['checksum'] == SHA1
    assert base64.b64decode(result['paths'][link]['content']) == TEXT
    assert result['paths'][folder]['type'] == 'directory'
    assert result['paths'][missing] == {'exists': False}
    # Links in expect are not followed: a link where a file is wanted differs.
    assert result['differ'] == [modules, link, folder, modules]
    assert result['sysctls'] == {'net.ipv4.tcp_rmem': '4096 131072 6291456'}
    assert result['sysctls_writable'] is not bool(os.statvfs('/proc/sys').f_flag & os.ST_RDONLY)
    assert result['checksum_lists'] == {str(tree / 'good.sha256'): True, str(tree / 'bad.sha256'): False,
                                        str(tree / 'none.sha256'): False}


def test_nothing_asked_gives_empty_answers(capsys: pytest.CaptureFixture) -> None:
    code, result = run(capsys)
    assert code == 0
    assert (result['paths'], result['differ'], result['sysctls'], result['checksum_lists'], result['listings'],
            result['users'], result['groups']) == ({}, [], {}, {}, {}, {}, {})


@pytest.mark.parametrize('check_mode', [False, True])
def test_users_and_groups_are_looked_up(capsys: pytest.CaptureFixture, check_mode: bool) -> None:
    me, my_group = pwd.getpwuid(os.geteuid()), grp.getgrgid(os.getegid())
    code, result = run(capsys, _ansible_check_mode=check_mode, users=[me.pw_name, 'no-such-user-here'],
                       groups=[my_group.gr_name, 'no-such-group-here'])
    assert code == 0 and result['changed'] is False
    assert result['users'] == {me.pw_name: me.pw_uid, 'no-such-user-here': None}
    assert result['groups'] == {my_group.gr_name: my_group.gr_gid, 'no-such-group-here': None}


def test_list_dirs_names_each_folders_entries(tree: Path, capsys: pytest.CaptureFixture) -> None:
    net = tree / 'net.d'
    net.mkdir()
    for name in ('87-podman.json', '10-calico.conflist', 'calico-kubeconfig'):
        (net / name).write_text('{}')
    folder, missing, a_file = str(tree / 'crio.conf.d'), str(tree / 'missing'), str(tree / 'modules.conf')
    code, result = run(capsys, list_dirs=[str(net), folder, missing, a_file])
    assert code == 0 and result['changed'] is False
    assert result['listings'] == {
        str(net): ['10-calico.conflist', '87-podman.json', 'calico-kubeconfig'],
        folder: [],
        missing: [],
        a_file: [],
    }
    # nothing else was asked
    assert (result['paths'], result['differ'], result['checksum_lists']) == ({}, [], {})


@pytest.mark.parametrize('check_mode', [False, True])
def test_list_dirs_works_in_check_mode_and_beside_the_rest(tree: Path, capsys: pytest.CaptureFixture,
                                                           check_mode: bool) -> None:
    modules = str(tree / 'modules.conf')
    code, result = run(capsys, _ansible_check_mode=check_mode, paths=[modules], list_dirs=[str(tree)])
    assert code == 0 and result['changed'] is False
    assert result['paths'][modules]['type'] == 'file'
    assert result['listings'] == {str(tree): sorted(os.listdir(tree))}
    assert 'modules.conf' in result['listings'][str(tree)] and 'proc' in result['listings'][str(tree)]


@pytest.mark.parametrize('mode', ['0x644', 'rw', 'u=rw,go=r', '0o644', '0999', ''])
def test_a_mode_that_is_not_octal_fails_naming_expect_and_the_path(tree: Path, capsys: pytest.CaptureFixture, mode: str) -> None:
    path = str(tree / 'modules.conf')
    code, result = run(capsys, expect=[dict(path=path, mode='0644'), dict(path=path, mode=mode)])
    assert code == 1 and result['failed'] is True
    assert result['msg'] == 'expect: mode of %s must be octal digits such as 0644, got %r' % (path, mode)


@pytest.mark.parametrize('expect, message', [
    ([dict(mode='0644')], 'missing required arguments: path found in expect'),
    ([dict(path='/x', state='link')], 'value of state must be one of: file, directory, absent, got: link found in expect'),
])
def test_expect_is_validated(capsys: pytest.CaptureFixture, expect: list[dict[str, t.Any]], message: str) -> None:
    code, result = run(capsys, expect=expect)
    assert code == 1
    assert message in result['msg']
