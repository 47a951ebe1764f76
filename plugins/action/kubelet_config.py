# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Controller half of nodeops.crio.kubelet_config: the YAML editing runs here."""

from __future__ import annotations

import typing as t

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_argspecs import KUBELET_CONFIG
from ansible_collections.nodeops.crio.plugins.plugin_utils._config_file_action import ConfigError, ConfigFileAction, Outcome
from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_yaml import YamlEditError, plain_settings, set_values


def leaf_paths(settings: t.Mapping[str, t.Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], t.Any]]:
    """[(path, value)] for every value of a nested mapping that is not itself a non-empty mapping."""
    leaves = []
    for key, value in settings.items():
        if isinstance(value, t.Mapping) and value:
            leaves.extend(leaf_paths(value, prefix + (str(key),)))
        else:
            leaves.append((prefix + (str(key),), value))
    return leaves


class ActionModule(ConfigFileAction):
    argument_spec = KUBELET_CONFIG

    def precheck(self, raw_args: t.Mapping[str, object]) -> None:
        # Checked before spec validation, which would read 'a=1' as {'a': 1}.
        if isinstance(raw_args.get('settings'), str):
            raise ConfigError(
                'settings: expected a mapping (nested mappings for nested keys), got the string %r' % raw_args['settings']
            )

    def prepare(self, args: dict[str, t.Any]) -> list[str]:
        try:
            self.settings = leaf_paths(plain_settings(args['settings']))
        except YamlEditError as error:
            raise ConfigError(str(error)) from None
        if not args['kinds']:
            raise ConfigError('kinds: expected the kinds of document to edit, such as [KubeletConfiguration], got none')
        return []

    def edit(self, path: str, old: str | None, args: dict[str, t.Any]) -> Outcome:
        if old is None and not args['create']:
            raise ConfigError('%s does not exist; set create: true to create it' % path)
        try:
            text, changed, warnings = set_values(old or '', self.settings, args['kinds'])
        except YamlEditError as error:
            raise ConfigError('%s: %s; the file was left unchanged' % (path, error)) from None
        return Outcome(text, changed, ['%s: %s' % (path, warning) for warning in warnings])
