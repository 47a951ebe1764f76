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

    def _describe(self, path: str, content: bool) -> dict:
        if path in self.dirs:
            return {'exists': True, 'type': 'directory', 'mode': '0755', 'owner': 'root', 'group': 'root', 'uid': 0, 'gid': 0}
        if path not in self.files:
            return {'exists': False}
        found = {'exists': True, 'type': 'file', 'mode': self.modes.get(path, '0644'), 'owner': 'root', 'group': 'root',
                 'uid': 0, 'gid': 0}
        if content:
            found['content'] = base64.b64encode(self.files[path]).decode('ascii')
        return found

    def _probe(self, args: dict) -> dict:
        return {'paths': {path: self._describe(path, args.get('get_content', False)) for path in args['paths']}}

    def _copy(self, args: dict) -> dict:
        dest = args['dest']
        if posixpath.dirname(dest) not in self.dirs:
            return {'failed': True, 'msg': 'Destination directory %s does not exist' % posixpath.dirname(dest)}
        if args.get('remote_src'):
            self.files[dest] = self.files[args['src']]
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
        self.files[dest] = content
        if args.get('mode'):
            self.modes[dest] = args['mode']
        return result

    def _file(self, args: dict) -> dict:
        path = args['path']
        if args['state'] == 'absent':
            return {'changed': self.files.pop(path, None) is not None, 'path': path}
        if args['state'] == 'directory':
            changed = path not in self.dirs
            self.dirs.add(path)
            return {'changed': changed, 'path': path}
        before = self.modes.get(path, '0644')
        after = args.get('mode') or before
        self.modes[path] = after
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
