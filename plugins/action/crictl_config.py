# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Controller half of nodeops.crio.crictl_config: the YAML editing runs here."""

from __future__ import annotations

import typing as t

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import CRICTL_CONFIG
from ansible_collections.nodeops.crio.plugins.plugin_utils._config_file_action import ConfigError, ConfigFileAction, Outcome
from ansible_collections.nodeops.crio.plugins.plugin_utils._crictl_yaml import CrictlEditError, edit_crictl, normalize_endpoint

# option name -> crictl.yaml key
_KEYS = {
    'runtime_endpoint': 'runtime-endpoint',
    'image_endpoint': 'image-endpoint',
    'timeout': 'timeout',
    'debug': 'debug',
    'pull_image_on_create': 'pull-image-on-create',
    'disable_pull_on_run': 'disable-pull-on-run',
}


class ActionModule(ConfigFileAction):
    argument_spec = CRICTL_CONFIG

    def prepare(self, args: dict[str, t.Any]) -> list[str]:
        warnings = []
        self.settings: dict[str, object] = {}
        for option, key in _KEYS.items():
            value = args[option]
            if option.endswith('_endpoint') and value is not None:
                try:
                    value, warning = normalize_endpoint(option, value)
                except CrictlEditError as error:
                    raise ConfigError(str(error)) from None
                warnings.extend([warning] if warning else [])
            self.settings[key] = value
        if args['timeout'] is not None and args['timeout'] < 0:
            raise ConfigError('timeout: expected whole seconds, 0 or more (0: crictl\'s default), got %d' % args['timeout'])
        return warnings

    def edit(self, path: str, old: str | None, args: dict[str, t.Any]) -> Outcome:
        if old is None and not args['create']:
            raise ConfigError('%s does not exist; set create: true to create it' % path)
        try:
            edited = edit_crictl(old or '', self.settings, args['prune'])
        except CrictlEditError as error:
            raise ConfigError('%s: %s; the file was left unchanged' % (path, error)) from None
        return Outcome(edited.text, edited.changed_keys, edited.warnings)
