# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""A pretend managed node for the action plugins.

The action plugins reach the node only through ActionBase's _execute_module
(nodeops.crio.node_probe, copy, file) and _transfer_data; the fake answers those the way
the real modules do, on an in-memory file system, and records every call.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import typing as t
from unittest.mock import MagicMock

import pytest


class FakeHost:
    backup_suffix = '.4242.2026-11-25@13:19:00~'

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.modes: dict[str, str] = {}
        self.dirs = {'/', '/etc', '/etc/crio', '/etc/crio/crio.conf.d', '/etc/containers', '/var', '/var/backups'}
        self.transfers: dict[str, bytes] = {}
        self.calls: list[tuple[str, dict]] = []
        self.validator: t.Callable[[bytes], tuple[int, str, str]] = lambda content: (0, '', '')
        self.users = {'root': 0, 'nobody': 65534}
        self.groups = {'root': 0, 'adm': 4}
        self.owners: dict[str, str] = {}
        self.links: dict[str, str] = {}  # symbolic links: path -> absolute target

    def write(self, path: str, text: str | bytes) -> None:
        self.files[path] = text.encode('utf-8') if isinstance(text, str) else text

    def text(self, path: str) -> str:
        return self.files[path].decode('utf-8')

    @property
    def modules(self) -> list[str]:
        return [name for name, dummy in self.calls]

    def execute_module(self, module_name: str, module_args: dict, task_vars: dict | None = None, **kwargs: object) -> dict:
        self.calls.append((module_name, dict(module_args)))
        handler = {
            'nodeops.crio.node_probe': self._probe,
            'ansible.builtin.copy': self._copy,
            'ansible.builtin.file': self._file,
        }[module_name]
        return handler(module_args)

    def transfer_data(self, remote_path: str, data: str | bytes) -> str:
        self.transfers[remote_path] = data.encode('utf-8') if isinstance(data, str) else data
        return remote_path

    def resolve(self, path: str) -> str:
        while path in self.links:
            path = self.links[path]
        return path

    def _describe(self, path: str, content: bool, follow: bool = True) -> dict:
        if follow and path in self.links:
            return dict(self._describe(self.resolve(path), content), link_target=self.resolve(path))
        if path in self.links:
            return {'exists': True, 'type': 'link', 'mode': '0777', 'owner': 'root', 'group': 'root', 'uid': 0, 'gid': 0}
        if path in self.dirs:
            return {'exists': True, 'type': 'directory', 'mode': '0755', 'owner': 'root', 'group': 'root', 'uid': 0, 'gid': 0}
        if path not in self.files:
            return {'exists': False}
        owner = self.owners.get(path, 'root')
        found = {'exists': True, 'type': 'file', 'mode': self.modes.get(path, '0644'), 'owner': owner, 'group': 'root',
                 'uid': self.users.get(owner, owner), 'gid': 0}
        if content:
            found['content'] = base64.b64encode(self.files[path]).decode('ascii')
        return found

    def _probe(self, args: dict) -> dict:
        found = {path: self._describe(path, args.get('get_content', False), args.get('follow', False)) for path in args['paths']}
        for path, described in found.items():
            real = self.resolve(path) if args.get('follow') else path
            if args.get('get_checksum') and real in self.files:
                described['checksum'] = hashlib.sha1(self.files[real]).hexdigest()
        return {'paths': found, 'users': {name: self.users.get(name) for name in args.get('users', [])},
                'groups': {name: self.groups.get(name) for name in args.get('groups', [])}}

    def _attributes(self, path: str, args: dict) -> str | None:
        """Set owner, group, mode and attributes in ansible.builtin.file's order; the error of the first that fails."""
        for option, known in (('owner', self.users), ('group', self.groups)):
            name = args.get(option)
            if name is not None and not str(name).isdigit() and name not in known:
                return 'chown failed: failed to look up %s %s' % ('user' if option == 'owner' else 'group', name)
            if option == 'owner' and name is not None:
                self.owners[path] = name
        mode = args.get('mode')
        if mode is not None:
            if not isinstance(mode, int) and not (str(mode).isdigit() and set(str(mode)) <= set('01234567')):
                return 'mode must be in octal or symbolic form'
            self.modes[path] = mode if isinstance(mode, str) else '%04o' % mode
        if args.get('attributes') not in (None, '', 'e'):
            return 'Error while setting attributes: /usr/bin/chattr: Operation not supported while setting flags'
        return None

    def _copy(self, args: dict) -> dict:
        dest = args['dest']
        # As ansible.builtin.copy: follow=true follows a link to an existing file;
        # a dangling link is replaced by the new file.
        if dest in self.links:
            if args.get('follow') and self.resolve(dest) in self.files:
                dest = self.resolve(dest)
            else:
                del self.links[dest]
        if posixpath.dirname(dest) not in self.dirs:
            return {'failed': True, 'msg': 'Destination directory %s does not exist' % posixpath.dirname(dest)}
        if args.get('remote_src'):
            self.files[dest] = self.files[self.resolve(args['src'])]
            return {'changed': True, 'dest': dest}
        content = self.transfers[args['src']]
        if hashlib.sha1(content).hexdigest() != args['checksum']:
            return {'failed': True, 'msg': 'Copied file does not match the expected checksum. Transfer failed.'}
        result: dict[str, object] = {'changed': True, 'dest': dest}
        if args.get('validate'):
            rc, out, err = self.validator(content)
            if rc:
                return {'failed': True, 'msg': 'failed to validate', 'exit_status': rc, 'stdout': out, 'stderr': err}
        if args.get('backup') and dest in self.files:
            result['backup_file'] = dest + self.backup_suffix
            self.files[dest + self.backup_suffix] = self.files[dest]
        # As ansible.builtin.copy: the new file is moved in place, then its attributes are set.
        self.files[dest] = content
        error = self._attributes(dest, args)
        return {'failed': True, 'msg': error, 'dest': dest} if error else result

    def _file(self, args: dict) -> dict:
        path = args['path']
        if args['state'] == 'absent':
            if path in self.links:
                del self.links[path]
                return {'changed': True, 'path': path}
            return {'changed': self.files.pop(path, None) is not None, 'path': path}
        if args.get('follow'):
            path = self.resolve(path)
        if args['state'] == 'directory':
            changed = path not in self.dirs
            self.dirs.add(path)
            return {'changed': changed, 'path': path}
        before = self.modes.get(path, '0644')
        error = self._attributes(path, args)
        if error:
            return {'failed': True, 'msg': error, 'path': path}
        after = self.modes.get(path, '0644')
        return {'changed': before != after, 'path': path, 'diff': {'before': {'mode': before}, 'after': {'mode': after}}}


@pytest.fixture
def host() -> FakeHost:
    return FakeHost()


@pytest.fixture
def run_action(host: FakeHost) -> t.Callable[..., dict]:
    """Run an ActionModule class with task args against the fake host."""

    def run(action_class: type, args: dict, check_mode: bool = False, diff: bool = True) -> dict:
        task = MagicMock()
        task.args = dict(args)
        task.check_mode = check_mode
        task.diff = diff
        task.async_val = 0
        connection = MagicMock()
        connection._shell.tmpdir = None
        connection._shell.join_path = posixpath.join
        action = action_class(task, connection, play_context=MagicMock(), loader=None, templar=None, shared_loader_obj=None)
        # The plugin loader names each plugin it loads; ansible-core before 2.19 has no default for it.
        action._load_name = 'nodeops.crio.' + action_class.__module__.rsplit('.', 1)[-1]
        action._execute_module = host.execute_module
        action._transfer_data = host.transfer_data
        action._make_tmp_path = lambda remote_user=None: setattr(connection._shell, 'tmpdir', '/tmp/.ansible/tmp-1')
        action._fixup_perms2 = lambda remote_paths, remote_user=None, execute=True: None
        action._remove_tmp_path = lambda tmp_path, force=False: None
        action._remote_expand_user = lambda path, sudoable=True, pathsep=None: '/root' + path[1:]
        return action.run(task_vars={})

    return run
