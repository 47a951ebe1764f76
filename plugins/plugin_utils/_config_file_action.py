# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Controller half shared by the config modules, in the manner of ansible.builtin.template.

Read the file on the managed node (one nodeops.crio.node_probe call gives its
stat and content, and its folder's), compute the new text here
with the pure editors in plugin_utils, and write it back through
ansible.builtin.copy, which brings check mode, backup, validate,
owner/group/mode and atomic replacement.  Every argument is checked before
the first write: on the controller before any remote call, and the owner and
group names by the probe that reads the file.  A module that fails once the
new text may be in place is followed by another look, so that the result
says what happened to the file.
"""

from __future__ import annotations

import base64
import os
import posixpath
import re
import time
import typing as t

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import FILE_COMMON_ARGUMENTS
from ansible.plugins.action import ActionBase
from ansible.utils.hashing import checksum_s

from ansible_collections.nodeops.crio.plugins.plugin_utils._type_names import plain_type_name, with_article

_ATTRIBUTE_OPTIONS = tuple(name for name in FILE_COMMON_ARGUMENTS if name != 'unsafe_writes')
_BOM = '\ufeff'
_OCTAL_MODE = re.compile(r'(?:0o)?[0-7]+')
# One clause of a symbolic mode as ansible.builtin.file reads it: who, then
# one or more operator-permissions pairs (u=rw-x+X).
_SYMBOLIC_MODE = re.compile(r'(?:a|[ugo]*)(?:[-+=][rwxXstugo]*)+')


class ConfigError(Exception):
    """Bad input, or a host state the action refuses; the task fails with this message.

    result: what the task did before it failed (changed, diff, backup_file), so
    that a failure after a write still reports the write.
    """

    def __init__(self, message: str, result: t.Mapping[str, t.Any] | None = None) -> None:
        super().__init__(message)
        self.result = dict(result or {})


class RemoteFailure(ConfigError):
    """A module run on the managed node failed; detail is its own message."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__('%s: %s' % (what, detail))
        self.detail = detail


class Outcome:
    """What an edit wants: the new text (None: no file), and the keys it changed."""

    def __init__(self, text: str | None, changed_keys: list[str], warnings: t.Sequence[str] = ()) -> None:
        self.text = text
        self.changed_keys = changed_keys
        self.warnings = list(warnings)


def drop_in_directory(path: str) -> str | None:
    """The nearest ancestor directory of path whose name ends in `.d`, if any.

    Programs read such drop-in directories file by file, and CRI-O reads
    crio.conf.d recursively whatever the file names, so a backup there
    (x.conf.1234.2026-01-01@10:00:00~) would be loaded as configuration.
    """
    directory = posixpath.dirname(posixpath.normpath(path))
    while directory not in ('/', ''):
        if posixpath.basename(directory).endswith('.d'):
            return directory
        directory = posixpath.dirname(directory)
    return None


def attributes_hold(stat: t.Mapping[str, t.Any], args: t.Mapping[str, t.Any]) -> bool:
    """Whether an unchanged file, as nodeops.crio.node_probe describes it, already has the mode, owner and group asked for.

    Anything else asked (SELinux context, attributes, a symbolic mode) is left to
    ansible.builtin.file; a True answer saves that round trip.
    """
    wanted = {name: args[name] for name in _ATTRIBUTE_OPTIONS if args.get(name) is not None}
    mode, owner, group = wanted.pop('mode', None), wanted.pop('owner', None), wanted.pop('group', None)
    if wanted:
        return False
    if mode is not None:
        if not isinstance(mode, int):
            if not re.fullmatch(r'0?[0-7]{3,4}', str(mode)):
                return False
            mode = int(str(mode), 8)
        if 'mode' not in stat or int(stat['mode'], 8) != mode:
            return False
    if owner is not None and str(owner) not in (stat.get('owner'), str(stat.get('uid'))):
        return False
    return group is None or str(group) in (stat.get('group'), str(stat.get('gid')))


def mode_error(mode: object) -> str | None:
    """Why ansible.builtin.copy and file would refuse mode, or None.

    They find out only once the new file is in place, so the action asks first:
    octal digits (a string, or a number as YAML reads 0644), or a symbolic mode
    such as u=rw,g=r,o=r.
    """
    if mode is None:
        return None
    if isinstance(mode, bool) or not isinstance(mode, (int, str)):
        return 'mode: expected octal digits in a string, a number or a symbolic mode, got %s' % with_article(
            plain_type_name(mode)
        )
    if isinstance(mode, int):
        return None if 0 <= mode <= 0o7777 else 'mode: only permission bits, at most 07777 (4095), got %d' % mode
    if mode == 'preserve':
        return (
            'mode: preserve keeps the mode of a source file, and these modules have none; leave mode out to keep '
            "the file's mode, or give it such as '0644'"
        )
    if _OCTAL_MODE.fullmatch(mode):
        return None if int(mode, 8) <= 0o7777 else 'mode: only permission bits, at most 07777, got %r' % str(mode)
    if all(_SYMBOLIC_MODE.fullmatch(clause) for clause in mode.split(',')):
        return None
    return "mode: expected octal digits such as '0644' or a symbolic mode such as 'u=rw,g=r,o=r', got %r" % str(mode)


def is_account_number(name: object) -> bool:
    """Whether an owner or group is a number, which chown takes without a lookup."""
    try:
        int(str(name))
    except ValueError:
        return False
    return True


def split_bom(text: str | None) -> tuple[str, str | None]:
    """A leading byte order mark, and the text after it.

    Editors on Windows save UTF-8 with one; neither TOML nor YAML parsers
    here take it as part of the first key, and the file must keep it.
    """
    if text is not None and text.startswith(_BOM):
        return _BOM, text[len(_BOM) :]
    return '', text


def backup_path(path: str, directory: str | None, now: float, pid: int) -> str:
    """A backup name as ansible.builtin.copy makes them, optionally in another directory."""
    stamp = time.strftime('%Y-%m-%d@%H:%M:%S', time.localtime(now))
    name = '%s.%d.%s~' % (posixpath.basename(path), pid, stamp)
    return posixpath.join(directory or posixpath.dirname(path), name)


class ConfigFileAction(ActionBase):
    """Base of the action plugins; subclasses set argument_spec and implement edit()."""

    # No early remote temp directory: nothing may reach the host before the
    # arguments are checked; _write makes one when it has a file to send.
    TRANSFERS_FILES = False
    argument_spec: t.ClassVar[t.Mapping[str, object]] = {}
    changed_name = 'changed_keys'  # the result's list of what the edit changed
    creates_directory = False  # make a missing directory for a new file, or refuse

    def precheck(self, raw_args: t.Mapping[str, object]) -> None:
        """Checks on the task arguments as given, before spec validation coerces them."""

    def prepare(self, args: dict[str, t.Any]) -> list[str]:
        """Checks and conversions on validated arguments; returns warnings."""
        return []

    def edit(self, path: str, old: str | None, args: dict[str, t.Any]) -> Outcome:
        """The new text for the file at path, which holds old (None: missing)."""
        raise NotImplementedError

    def run(self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        del tmp
        try:
            result.update(self._run(task_vars or {}))
        except ConfigError as error:
            result.update(changed=False)
            result.update(error.result, failed=True, msg=str(error))
        except AnsibleActionFail as error:
            result.update(failed=True, msg=error.message)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _run(self, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        self.precheck(self._task.args)
        args = self.validate_argument_spec(argument_spec=dict(self.argument_spec, **FILE_COMMON_ARGUMENTS))[1]
        warnings = self.prepare(args)
        if args['validate'] is not None and '%s' not in args['validate']:
            raise ConfigError('validate: the command must contain %%s where the new file goes, got %r' % args['validate'])
        problem = mode_error(args['mode'])
        if problem:
            raise ConfigError(problem)
        # Only a path starting with ~ asks the node anything here (its home directory).
        path = self._remote_path('path', self._task.args.get('path', args['path']))
        backup_dir = self._backup_dir(path, args)

        stat, old, folder = self._look(path, args, task_vars)
        # A link is followed as ansible.builtin.copy follows it: the file it points
        # to is written, and its backup goes next to that file.
        real = stat.get('link_target') or path
        if real != path and stat['exists']:
            backup_dir = self._backup_dir(real, args)
        bom, body = split_bom(old)
        outcome = self.edit(path, body, args)
        if outcome.text is not None:
            outcome.text = bom + outcome.text
            if old is None and real != path:
                # copy would replace the link with a regular file.
                raise ConfigError(
                    '%s is a symbolic link to %s, which does not exist; create that file first, set path to it, '
                    'or remove the link' % (path, real)
                )
        result: dict[str, t.Any] = {'changed': False, 'path': path, self.changed_name: outcome.changed_keys}
        try:
            if outcome.text is None:
                # state=absent removes the link itself, as rm does.
                result.update(self._delete(path, old, args, backup_dir, task_vars))
            elif old is None or outcome.text != old:
                result.update(self._write(real, old, outcome.text, args, backup_dir, folder, task_vars))
            elif not attributes_hold(stat, args):
                result.update(self._set_attributes(real, stat, args, task_vars))
        except ConfigError as error:
            error.result = dict(result, **error.result)
            raise
        warnings += outcome.warnings
        if warnings:
            result['warnings'] = warnings
        return result

    # arguments -------------------------------------------------------------

    def _remote_path(self, option: str, value: object) -> str:
        # type=path would expand ~ and $VARS on the controller; the path lives on the node.
        path = self._remote_expand_user(str(value)) if str(value).startswith('~') else str(value)
        if not posixpath.isabs(path):
            raise ConfigError('%s: expected an absolute path on the managed node, got %r' % (option, value))
        return posixpath.normpath(path)

    def _backup_dir(self, path: str, args: dict[str, t.Any]) -> str | None:
        if not args['backup']:
            return None
        if args['backup_dir'] is not None:
            directory = self._remote_path('backup_dir', self._task.args['backup_dir'])
            enclosing = drop_in_directory(posixpath.join(directory, 'backup'))
            if enclosing:
                raise ConfigError(
                    'backup_dir: %s is inside %s, a drop-in directory that is read file by file; '
                    'choose a directory outside it' % (directory, enclosing)
                )
            return directory
        drop_in = drop_in_directory(path)
        if drop_in:
            raise ConfigError(
                'backup: a backup next to %s would sit in %s, a drop-in directory that is read file by '
                'file (CRI-O reads crio.conf.d recursively, whatever the names), so it would be loaded '
                'as configuration; set backup_dir to a directory outside it, e.g. /var/backups/crio' % (path, drop_in)
            )
        return None

    # remote calls ----------------------------------------------------------

    def _module(self, name: str, module_args: dict[str, t.Any], task_vars: dict[str, t.Any], what: str) -> dict[str, t.Any]:
        result = self._execute_module(module_name=name, module_args=module_args, task_vars=task_vars)
        if result.get('failed'):
            detail = result.get('msg') or result.get('module_stderr') or result.get('module_stdout') or 'unknown error'
            for stream in ('stdout', 'stderr'):
                if str(result.get(stream) or '').strip():
                    detail += '; %s: %s' % (stream, str(result[stream]).strip())
            raise RemoteFailure(what, detail)
        return result

    def _look(
        self, path: str, args: dict[str, t.Any], task_vars: dict[str, t.Any]
    ) -> tuple[dict[str, t.Any], str | None, dict[str, t.Any]]:
        """The file's stat and text (None: missing) and its folder's stat, in one round trip
        that also checks the owner and group asked for exist on the node."""
        folder = posixpath.dirname(path)
        accounts = {
            kind: [str(args[option])]
            for option, kind in (('owner', 'users'), ('group', 'groups'))
            if args[option] is not None and not is_account_number(args[option])
        }
        probe = self._module(
            'nodeops.crio.node_probe',
            dict(paths=[path, folder], follow=True, get_content=True, **accounts),
            task_vars,
            'cannot look at %s' % path,
        )
        for option, kind, what in (('owner', 'users', 'user'), ('group', 'groups', 'group')):
            for name in accounts.get(kind, []):
                if probe.get(kind, {}).get(name) is None:
                    raise ConfigError(
                        '%s: the managed node has no %s %r; give a %s it knows, by name or number' % (option, what, name, what)
                    )
        stat = probe['paths'][path]
        if stat.get('error'):
            raise ConfigError('cannot read %s: %s' % (path, stat['error']))
        if not stat['exists']:
            return stat, None, probe['paths'][folder]
        if stat['type'] != 'file':
            raise ConfigError('%s is not a regular file' % path)
        try:
            return stat, base64.b64decode(stat['content']).decode('utf-8'), probe['paths'][folder]
        except UnicodeDecodeError as error:
            raise ConfigError('%s is not UTF-8 text (byte %d): left unchanged' % (path, error.start)) from None

    def _diff(self, path: str, old: str | None, new: str) -> dict[str, t.Any]:
        if not self._task.diff:
            return {}
        return dict(diff=dict(before=old or '', after=new, before_header=path, after_header=path))

    def _write(
        self,
        path: str,
        old: str | None,
        new: str,
        args: dict[str, t.Any],
        backup_dir: str | None,
        folder: dict[str, t.Any],
        task_vars: dict[str, t.Any],
    ) -> dict[str, t.Any]:
        result: dict[str, t.Any] = dict(changed=True, **self._diff(path, old, new))
        if self._task.check_mode:
            # An earlier task that creates the directory did not run in check
            # mode either: predict the file, as a real run after it would write.
            return result
        if old is None and not folder.get('exists') and self.creates_directory:
            self._module(
                'ansible.builtin.file',
                dict(path=posixpath.dirname(path), state='directory'),
                task_vars,
                'cannot create the directory of %s' % path,
            )
        elif old is None and folder.get('type') != 'directory':
            shape = '%s is not a directory' if folder.get('exists') else 'the directory %s does not exist'
            raise ConfigError('cannot create %s: %s' % (path, shape % posixpath.dirname(path)))
        if old is not None and backup_dir is not None:
            result['backup_file'] = self._backup(path, backup_dir, task_vars)
        if self._connection._shell.tmpdir is None:
            self._make_tmp_path()
        source = self._connection._shell.join_path(self._connection._shell.tmpdir, 'source')
        self._transfer_data(source, new)
        self._fixup_perms2((self._connection._shell.tmpdir, source))
        copy_args = dict(
            src=source,
            dest=path,
            follow=True,
            checksum=checksum_s(new),
            validate=args['validate'],
            backup=bool(args['backup'] and backup_dir is None),
            unsafe_writes=args['unsafe_writes'],
        )
        copy_args.update((name, args[name]) for name in _ATTRIBUTE_OPTIONS if args[name] is not None)
        try:
            copied = self._module('ansible.builtin.copy', copy_args, task_vars, '%s was left unchanged' % path)
        except RemoteFailure as failure:
            raise self._copy_failed(path, new, failure, result, task_vars) from None
        if copied.get('backup_file'):
            result['backup_file'] = copied['backup_file']
        return result

    def _look_again(self, path: str, failure: RemoteFailure, task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        """The file's stat with its checksum after a module failed on it."""
        try:
            probe = self._module('nodeops.crio.node_probe', dict(paths=[path], follow=True, get_checksum=True), task_vars, 'look')
        except RemoteFailure as again:
            raise ConfigError(
                '%s: %s; whether it changed is unknown, as looking at it again failed too: %s'
                % (path, failure.detail, again.detail)
            ) from None
        return probe['paths'][path]

    def _copy_failed(
        self, path: str, new: str, failure: RemoteFailure, result: dict[str, t.Any], task_vars: dict[str, t.Any]
    ) -> ConfigError:
        """What to report when copy failed: it may have failed before the new text was
        moved in place (validate, checksum) or after (owner, SELinux, attributes)."""
        kept = {key: value for key, value in result.items() if key == 'backup_file'}
        try:
            now = self._look_again(path, failure, task_vars)
        except ConfigError as unknown:
            unknown.result = kept
            return unknown
        if now.get('checksum') == checksum_s(new):
            return ConfigError(
                '%s: the new text was written, then ansible.builtin.copy failed: %s' % (path, failure.detail), result
            )
        return ConfigError(str(failure), kept)

    def _delete(
        self, path: str, old: str | None, args: dict[str, t.Any], backup_dir: str | None, task_vars: dict[str, t.Any]
    ) -> dict[str, t.Any]:
        if old is None:
            return {}
        result: dict[str, t.Any] = dict(changed=True, **self._diff(path, old, ''))
        if self._task.check_mode:
            return result
        if args['backup']:
            result['backup_file'] = self._backup(path, backup_dir, task_vars)
        self._module('ansible.builtin.file', dict(path=path, state='absent'), task_vars, 'cannot remove %s' % path)
        return result

    def _backup(self, path: str, directory: str | None, task_vars: dict[str, t.Any]) -> str:
        target = backup_path(path, directory, time.time(), os.getpid())
        if directory is not None:
            self._module(
                'ansible.builtin.file',
                dict(path=directory, state='directory'),
                task_vars,
                'cannot create the backup directory %s' % directory,
            )
        self._module(
            'ansible.builtin.copy',
            dict(src=path, dest=target, remote_src=True, mode='preserve'),
            task_vars,
            'cannot back up %s, left it unchanged' % path,
        )
        return target

    def _set_attributes(
        self, path: str, stat: dict[str, t.Any], args: dict[str, t.Any], task_vars: dict[str, t.Any]
    ) -> dict[str, t.Any]:
        file_args = dict(path=path, state='file', follow=True, unsafe_writes=args['unsafe_writes'])
        file_args.update((name, args[name]) for name in _ATTRIBUTE_OPTIONS if args[name] is not None)
        try:
            done = self._module('ansible.builtin.file', file_args, task_vars, 'cannot set the attributes of %s' % path)
        except RemoteFailure as failure:
            # file sets owner, group and mode one by one: some may be set when a later one fails.
            now = self._look_again(path, failure, task_vars)
            changes = [
                '%s %s (was %s)' % (name, now.get(name), stat.get(name))
                for name in ('owner', 'group', 'mode')
                if now.get(name) != stat.get(name)
            ]
            if not changes:
                raise
            raise ConfigError(
                'cannot set all the attributes of %s: %s; set before the failure: %s'
                % (path, failure.detail, ', '.join(changes)),
                {'changed': True},
            ) from None
        result: dict[str, t.Any] = dict(changed=bool(done.get('changed')))
        if self._task.diff and done.get('diff'):
            result['diff'] = done['diff']
        return result
