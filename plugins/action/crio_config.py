# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Controller half of nodeops.crio.crio_config: the TOML editing runs here."""

from __future__ import annotations

import typing as t

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import CRIO_CONFIG
from ansible_collections.nodeops.crio.plugins.plugin_utils._config_file_action import ConfigError, ConfigFileAction, Outcome
from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_edit import (
    HAS_TOMLKIT,
    TomlEditError,
    edit_toml,
    normalize_remove,
    to_toml_data,
)


class ActionModule(ConfigFileAction):
    argument_spec = CRIO_CONFIG

    def precheck(self, raw_args: t.Mapping[str, object]) -> None:
        if not HAS_TOMLKIT:
            raise ConfigError(
                'nodeops.crio.crio_config needs the Python library tomlkit on the controller '
                '(the host that runs ansible-playbook): pip install tomlkit'
            )
        # Checked before spec validation, which would read 'a=1' as {'a': 1} and split strings into lists.
        if isinstance(raw_args.get('settings'), str):
            raise ConfigError(
                'settings: expected a mapping (nested mappings for tables), got the string %r' % raw_args['settings']
            )
        remove = raw_args.get('remove')
        if isinstance(remove, str):
            raise ConfigError(
                'remove: expected a list of name-part lists such as [[crio, file_locking]], got the string %r' % remove
            )
        if isinstance(remove, list):
            self._normalized(normalize_remove, remove)

    def prepare(self, args: dict[str, t.Any]) -> list[str]:
        self.settings = self._normalized(to_toml_data, args['settings'] or {}, 'settings')
        self.remove = self._normalized(normalize_remove, args['remove'] or [])
        if args['state'] == 'absent' and self.settings:
            raise ConfigError(
                'settings: not used with state=absent; list the keys to delete in remove, or leave both out to delete the file'
            )
        return []

    def edit(self, path: str, old: str | None, args: dict[str, t.Any]) -> Outcome:
        if args['state'] == 'absent' and not self.remove:
            return Outcome(None, [])
        if old is None:
            if args['create'] and args['state'] == 'present':
                old = ''
            elif self.settings:
                raise ConfigError('%s does not exist; set create: true to create it' % path)
            else:
                return Outcome(None, [])
        try:
            edited = edit_toml(old, self.settings, self.remove, args['force_type'])
        except TomlEditError as error:
            raise ConfigError('%s: %s; the file was left unchanged' % (path, error)) from None
        return Outcome(edited.text, edited.changed_keys, edited.warnings)

    @staticmethod
    def _normalized(convert: t.Callable[..., t.Any], *arguments: object) -> t.Any:
        try:
            return convert(*arguments)
        except TomlEditError as error:
            raise ConfigError(str(error)) from None
