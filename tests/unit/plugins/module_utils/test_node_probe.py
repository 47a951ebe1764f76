# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What node_probe sees on a small tree, and when a path falls short of what a task would write."""

from __future__ import annotations

import base64
import grp
import hashlib
import os
import pwd
import stat
import typing as t
from pathlib import Path

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils._node_probe import (
    account_ids, checksum_list_holds, describe, differs, file_digest, list_dir, path_type, read_sysctls, sysctl_path,
    sysctls_writable)

TEXT = b'[crio.runtime]\ncgroup_manager = "systemd"\n'
SHA1 = hashlib.sha1(TEXT).hexdigest()
OWNER = pwd.getpwuid(os.geteuid()).pw_name
GROUP = grp.getgrgid(os.getegid()).gr_name


def put(root: Path, path: str, data: bytes = TEXT, mode: int = 0o644) -> Path:
    local = root / path.lstrip('/')
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(data)
    local.chmod(mode)
    return local


def test_a_missing_path_only_says_so(tmp_path: Path) -> None:
    assert describe('/etc/crio/crio.conf', checksum=True, content=True, root=str(tmp_path)) == {'exists': False}


@pytest.mark.parametrize('checksum, content', [(False, False), (True, False), (False, True), (True, True)])
def test_a_file_gives_checksum_and_content_only_when_asked(tmp_path: Path, checksum: bool, content: bool) -> None:
    put(tmp_path, '/etc/crio/crio.conf', mode=0o640)
    found = describe('/etc/crio/crio.conf', checksum=checksum, content=content, root=str(tmp_path))
    expected: dict[str, t.Any] = {'exists': True, 'type': 'file', 'mode': '0640', 'uid': os.geteuid(), 'gid': os.getegid(),
                                  'owner': OWNER, 'group': GROUP, 'size': len(TEXT)}
    if checksum:
        expected['checksum'] = SHA1
    if content:
        expected['content'] = base64.b64encode(TEXT).decode('ascii')
    assert found == expected


def test_a_directory_has_no_checksum(tmp_path: Path) -> None:
    (tmp_path / 'etc' / 'crio').mkdir(parents=True)
    (tmp_path / 'etc' / 'crio').chmod(0o750)
    found = describe('/etc/crio', checksum=True, content=True, root=str(tmp_path))
    assert found == {'exists': True, 'type': 'directory', 'mode': '0750', 'uid': os.geteuid(), 'gid': os.getegid(),
                     'owner': OWNER, 'group': GROUP, 'size': (tmp_path / 'etc' / 'crio').stat().st_size}


@pytest.mark.parametrize('follow, kind, checksum', [(False, 'link', None), (True, 'file', SHA1)])
def test_a_link_is_followed_only_when_asked(tmp_path: Path, follow: bool, kind: str, checksum: str | None) -> None:
    put(tmp_path, '/etc/crio/crio.conf')
    (tmp_path / 'etc' / 'crio.conf').symlink_to(tmp_path / 'etc' / 'crio' / 'crio.conf')
    found = describe('/etc/crio.conf', follow=follow, checksum=True, root=str(tmp_path))
    assert found['type'] == kind
    assert found.get('checksum') == checksum


def test_a_dangling_link_followed_is_missing_and_says_where_it_points(tmp_path: Path) -> None:
    (tmp_path / 'gone').symlink_to(tmp_path / 'nowhere')
    assert describe('/gone', follow=True, root=str(tmp_path)) == {'exists': False, 'link_target': '/nowhere'}
    assert describe('/gone', root=str(tmp_path))['type'] == 'link'
    assert 'link_target' not in describe('/gone', root=str(tmp_path))


@pytest.mark.parametrize('link, target, real', [
    ('/etc/crio/crio.conf', 'crio.conf.d/00-base.conf', '/etc/crio/crio.conf.d/00-base.conf'),
    ('/etc/crio/crio.conf', '../../opt/crio.conf', '/opt/crio.conf'),
    ('/etc/crio/crio.conf', '/etc/crio/step', '/opt/.hidden/crio.conf'),  # a chain of two links
])
def test_a_followed_link_gives_the_path_it_resolves_to(tmp_path: Path, link: str, target: str, real: str) -> None:
    put(tmp_path, real)
    (tmp_path / 'etc' / 'crio').mkdir(parents=True, exist_ok=True)
    (tmp_path / 'etc' / 'crio' / 'step').symlink_to(tmp_path / 'opt' / '.hidden' / 'crio.conf')
    (tmp_path / link.lstrip('/')).symlink_to(tmp_path / target.lstrip('/') if target.startswith('/') else target)
    found = describe(link, follow=True, checksum=True, root=str(tmp_path))
    assert (found['type'], found['link_target'], found['checksum']) == ('file', real, SHA1)


def test_a_path_that_is_no_link_has_no_link_target(tmp_path: Path) -> None:
    put(tmp_path, '/etc/crio/crio.conf')
    assert 'link_target' not in describe('/etc/crio/crio.conf', follow=True, root=str(tmp_path))


def test_a_fifo_is_other(tmp_path: Path) -> None:
    # Not asking for the checksum: opening a fifo to read waits for a writer.
    os.mkfifo(tmp_path / 'pipe', 0o600)
    found = describe('/pipe', root=str(tmp_path))
    assert (found['type'], found['mode']) == ('other', '0600')


@pytest.mark.parametrize('path, follow, error', [
    ('/etc/crio.conf/x', False, 'Not a directory'), ('/loop', True, 'Too many levels of symbolic links')])
def test_a_path_that_cannot_be_looked_at_gives_an_error(tmp_path: Path, path: str, follow: bool, error: str) -> None:
    # A file used as a folder, and a link to itself: stat fails for another reason than absence.
    put(tmp_path, '/etc/crio.conf')
    (tmp_path / 'loop').symlink_to(tmp_path / 'loop')
    assert describe(path, follow=follow, root=str(tmp_path)) == {'exists': False, 'error': error}


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads every file')
def test_an_unreadable_file_gives_an_error_with_its_stat(tmp_path: Path) -> None:
    put(tmp_path, '/etc/crio/crio.conf', mode=0o000)
    found = describe('/etc/crio/crio.conf', checksum=True, content=True, root=str(tmp_path))
    assert (found['exists'], found['type'], found['mode']) == (True, 'file', '0000')
    assert found['error'] == 'Permission denied'
    assert 'checksum' not in found and 'content' not in found


@pytest.mark.skipif(os.geteuid() != 0, reason='only root can give a file away')
def test_an_owner_without_a_name_is_given_by_number(tmp_path: Path) -> None:
    local = put(tmp_path, '/x')
    os.chown(local, 4242424, 4242424)
    found = describe('/x', root=str(tmp_path))
    assert (found['owner'], found['group'], found['uid'], found['gid']) == ('4242424', '4242424', 4242424, 4242424)


@pytest.mark.parametrize('mode, kind', [
    (stat.S_IFREG | 0o644, 'file'), (stat.S_IFDIR | 0o755, 'directory'), (stat.S_IFLNK | 0o777, 'link'),
    (stat.S_IFIFO | 0o600, 'other'), (stat.S_IFSOCK | 0o755, 'other'), (stat.S_IFCHR | 0o666, 'other'),
])
def test_path_type(mode: int, kind: str) -> None:
    assert path_type(mode) == kind


def test_file_digest_matches_hashlib(tmp_path: Path) -> None:
    local = put(tmp_path, '/big', data=b'\x00\xff' * (1 << 20))
    assert file_digest(str(local), 'sha256') == hashlib.sha256(b'\x00\xff' * (1 << 20)).hexdigest()


FILE = {'exists': True, 'type': 'file', 'mode': '0644', 'uid': 0, 'gid': 5, 'owner': 'root', 'group': 'tty', 'checksum': SHA1}
MISSING = {'exists': False}


@pytest.mark.parametrize('found, wanted, differ', [
    (MISSING, {'state': 'absent'}, False),
    (FILE, {'state': 'absent'}, True),
    (dict(FILE, type='directory'), {'state': 'absent'}, True),
    (MISSING, {}, True),
    (MISSING, {'state': 'directory'}, True),
    (FILE, {}, False),
    (FILE, {'state': None}, False),
    (FILE, {'state': 'directory'}, True),
    (dict(FILE, type='directory'), {'state': 'directory', 'mode': '0644'}, False),
    (dict(FILE, type='directory'), {'state': 'file'}, True),
    (dict(FILE, type='link'), {'state': 'file'}, True),
    (FILE, {'checksum': SHA1}, False),
    (FILE, {'checksum': '0' * 40}, True),
    (dict(FILE, checksum=None), {'checksum': SHA1}, True),
    (FILE, {'mode': '0644'}, False),
    (FILE, {'mode': '644'}, False),
    (FILE, {'mode': 0o644}, False),
    (FILE, {'mode': '0600'}, True),
    (FILE, {'mode': 0o600}, True),
    (FILE, {'mode': '4644'}, True),
    (FILE, {'owner': 'root', 'group': 'tty'}, False),
    (FILE, {'owner': '0', 'group': '5'}, False),
    (FILE, {'owner': 0, 'group': 5}, False),
    (FILE, {'owner': 'nobody'}, True),
    (FILE, {'owner': '1'}, True),
    (FILE, {'group': 'root'}, True),
    (FILE, {'group': '0'}, True),
    (dict(FILE, error='Permission denied'), {}, True),
    (dict(MISSING, error='Permission denied'), {'state': 'absent'}, True),
])
def test_differs(found: dict[str, t.Any], wanted: dict[str, t.Any], differ: bool) -> None:
    assert differs(found, wanted) is differ


@pytest.mark.parametrize('name, path', [
    ('net.ipv4.ip_forward', '/proc/sys/net/ipv4/ip_forward'),
    ('fs.inotify.max_user_watches', '/proc/sys/fs/inotify/max_user_watches'),
])
def test_sysctl_path(name: str, path: str) -> None:
    assert sysctl_path(name) == path


def test_read_sysctls_collapses_whitespace_and_skips_missing(tmp_path: Path) -> None:
    put(tmp_path, '/proc/sys/net/ipv4/ip_forward', b'1\n')
    put(tmp_path, '/proc/sys/net/ipv4/tcp_rmem', b'4096\t131072  6291456\n')
    put(tmp_path, '/proc/sys/kernel/ostype', b'Linux')
    names = ['net.ipv4.ip_forward', 'net.ipv4.tcp_rmem', 'kernel.ostype', 'net.bridge.bridge-nf-call-iptables', 'net.ipv4']
    assert read_sysctls(names, root=str(tmp_path)) == {
        'net.ipv4.ip_forward': '1', 'net.ipv4.tcp_rmem': '4096 131072 6291456', 'kernel.ostype': 'Linux'}
    assert read_sysctls([], root=str(tmp_path)) == {}


def test_list_dir_names_everything_in_a_folder_sorted(tmp_path: Path) -> None:
    put(tmp_path, '/etc/cni/net.d/10-calico.conflist', b'{}')
    put(tmp_path, '/etc/cni/net.d/calico-kubeconfig', b'')
    put(tmp_path, '/etc/cni/net.d/.hidden.conf', b'')
    put(tmp_path, '/etc/cni/net.d/01-first.conf', b'')
    (tmp_path / 'etc' / 'cni' / 'net.d' / 'sub.d').mkdir()
    (tmp_path / 'etc' / 'cni' / 'net.d' / 'gone.conf').symlink_to(tmp_path / 'nowhere')
    # only the names, not what is inside a subfolder
    put(tmp_path, '/etc/cni/net.d/sub.d/99-inner.conf', b'')
    assert list_dir('/etc/cni/net.d', root=str(tmp_path)) == [
        '.hidden.conf', '01-first.conf', '10-calico.conflist', 'calico-kubeconfig', 'gone.conf', 'sub.d']
    # a trailing slash names the same folder
    assert list_dir('/etc/cni/net.d/', root=str(tmp_path)) == list_dir('/etc/cni/net.d', root=str(tmp_path))


def test_list_dir_of_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / 'etc' / 'cni' / 'net.d').mkdir(parents=True)
    assert list_dir('/etc/cni/net.d', root=str(tmp_path)) == []


def test_list_dir_follows_a_link_to_a_folder(tmp_path: Path) -> None:
    put(tmp_path, '/opt/cni/net.d/10-flannel.conflist', b'{}')
    (tmp_path / 'etc' / 'cni').mkdir(parents=True)
    (tmp_path / 'etc' / 'cni' / 'net.d').symlink_to(tmp_path / 'opt' / 'cni' / 'net.d')
    assert list_dir('/etc/cni/net.d', root=str(tmp_path)) == ['10-flannel.conflist']


@pytest.mark.parametrize('path', [
    '/etc/cni/net.d',  # missing
    '/etc/cni',  # missing parent too
    '/etc/crio.conf',  # a file, not a folder
    '/etc/crio.conf/net.d',  # under a file
    '/dangling',  # a link to nothing
])
def test_list_dir_of_what_is_no_folder_is_empty(tmp_path: Path, path: str) -> None:
    put(tmp_path, '/etc/crio.conf')
    (tmp_path / 'dangling').symlink_to(tmp_path / 'nowhere')
    assert list_dir(path, root=str(tmp_path)) == []


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads every folder')
def test_list_dir_of_an_unreadable_folder_is_empty(tmp_path: Path) -> None:
    put(tmp_path, '/etc/cni/net.d/10-calico.conflist', b'{}')
    folder = tmp_path / 'etc' / 'cni' / 'net.d'
    folder.chmod(0o000)
    try:
        assert list_dir('/etc/cni/net.d', root=str(tmp_path)) == []
    finally:
        folder.chmod(0o755)


def test_list_dir_of_a_folder_it_may_not_read_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same as above, also as root: listdir refuses.
    put(tmp_path, '/etc/cni/net.d/10-calico.conflist', b'{}')

    def refuse(path: str) -> list[str]:
        raise PermissionError(13, 'Permission denied', path)

    monkeypatch.setattr(os, 'listdir', refuse)
    assert list_dir('/etc/cni/net.d', root=str(tmp_path)) == []


LIST = '/var/cache/nodeops-crio/installed.sha256'


@pytest.fixture
def installed(tmp_path: Path) -> dict[str, bytes]:
    files = {'/usr/local/bin/crio': b'crio binary', '/etc/crio/policy.json': b'{"default": []}\n'}
    for path, data in files.items():
        put(tmp_path, path, data, 0o755)
    return files


def sum_line(path: str, data: bytes, marker: str = ' ') -> str:
    return '%s %s%s\n' % (hashlib.sha256(data).hexdigest(), marker, path)


@pytest.mark.parametrize('text, holds', [
    (sum_line('/usr/local/bin/crio', b'crio binary') + sum_line('/etc/crio/policy.json', b'{"default": []}\n'), True),
    (sum_line('/usr/local/bin/crio', b'crio binary', marker='*'), True),
    (sum_line('/usr/local/bin/crio', b'crio binary').upper().replace('/USR/LOCAL/BIN/CRIO', '/usr/local/bin/crio'), True),
    ('\n' + sum_line('/usr/local/bin/crio', b'crio binary') + '  \n', True),
    (sum_line('/usr/local/bin/crio', b'crio binary') + sum_line('/etc/crio/policy.json', b'{}\n'), False),
    (sum_line('/usr/local/bin/crio', b'crio binary') + sum_line('/usr/local/bin/conmon', b''), False),
    ('', False),
    ('\n\n', False),
    (sum_line('/usr/local/bin/crio', b'crio binary') + '# installed by nodeops.crio\n', False),
    ('%s  /usr/local/bin/crio\n' % hashlib.sha1(b'crio binary').hexdigest(), False),
    ('%s  \n' % hashlib.sha256(b'crio binary').hexdigest(), False),
    (sum_line('/usr/local/bin/crio', b'crio binary', marker='?'), False),
])
def test_checksum_list_holds(tmp_path: Path, installed: dict[str, bytes], text: str, holds: bool) -> None:
    put(tmp_path, LIST, text.encode('utf-8'))
    assert checksum_list_holds(LIST, root=str(tmp_path)) is holds


def test_a_missing_checksum_list_does_not_hold(tmp_path: Path, installed: dict[str, bytes]) -> None:
    assert checksum_list_holds(LIST, root=str(tmp_path)) is False


def test_a_writable_proc_sys_is_told_by_its_mount_not_its_folders() -> None:
    # /proc/sys/net is r-x even for root, so asking the folder said "read-only" on every node.
    writable = not os.statvfs('/proc/sys').f_flag & os.ST_RDONLY
    assert sysctls_writable() is writable
    if writable:
        assert not os.access('/proc/sys/net', os.W_OK)


@pytest.mark.parametrize('flags, writable', [(0, True), (os.ST_RDONLY, False), (os.ST_RDONLY | os.ST_NOSUID, False)])
def test_sysctls_are_writable_unless_proc_sys_is_mounted_read_only(
        monkeypatch: pytest.MonkeyPatch, flags: int, writable: bool) -> None:
    monkeypatch.setattr(os, 'statvfs', lambda path: os.statvfs_result((0,) * 8 + (flags, 255)))
    assert sysctls_writable() is writable


def test_no_proc_sys_means_no_sysctls_to_set(tmp_path: Path) -> None:
    assert sysctls_writable(str(tmp_path)) is False


def test_account_ids_give_none_for_an_unknown_name() -> None:
    known = {'root': ('root', 'x', 0), 'adm': ('adm', 'x', 4)}

    def lookup(name: str) -> tuple[str, str, int]:
        return known[name]  # KeyError, as pwd.getpwnam and grp.getgrnam raise

    assert account_ids(['root', 'nosuch', 'adm'], lookup) == {'root': 0, 'nosuch': None, 'adm': 4}
    assert account_ids([], lookup) == {}
