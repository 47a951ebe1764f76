# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Controller half of nodeops.crio.kubelet_flags: the flags are edited here."""

from __future__ import annotations

import typing as t

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_argspecs import KUBELET_FLAGS
from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_flags import FlagsError
from ansible_collections.nodeops.crio.plugins.plugin_utils._config_file_action import ConfigError, ConfigFileAction, Outcome
from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_flags_edit import edit_flags


class ActionModule(ConfigFileAction):
    argument_spec = KUBELET_FLAGS
    changed_name = 'changed_flags'
    # /etc/sysconfig is missing on Debian: the module made the file's directory, so it still does.
    creates_directory = True

    def edit(self, path: str, old: str | None, args: dict[str, t.Any]) -> Outcome:
        if old is None and not args['set']:
            return Outcome(None, [])  # removing flags from no file leaves no file
        try:
            text, changed = edit_flags(old or '', args['variable'], args['set'], args['remove'])
        except FlagsError as error:
            raise ConfigError('%s: %s' % (path, error)) from None
        if old is None and not args['create']:
            raise ConfigError('%s does not exist and create is false' % path)
        return Outcome(text, changed)
