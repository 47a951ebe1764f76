#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kubelet_flags
short_description: Set or remove single kubelet flags in a systemd environment file
version_added: 0.1.0
description:
  - Edits the flags held by one variable of an environment file that
    C(kubelet.service) reads, such as C(KUBELET_EXTRA_ARGS) in
    C(/etc/default/kubelet) or C(/etc/sysconfig/kubelet), or
    C(KUBELET_KUBEADM_ARGS) in kubeadm's C(/var/lib/kubelet/kubeadm-flags.env).
  - A flag that is present keeps its place and its form (C(--name=value) or
    C(--name value)); a new flag goes at the end of the variable; the variable
    is added at the end of the file when missing. Every other byte of the file
    stays as it was.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  path:
    description: The environment file.
    type: path
    required: true
  variable:
    description: The variable that holds the flags.
    type: str
    required: true
  set:
    description: Flags to set, by name without the leading dashes, to their values.
    type: dict
    default: {}
  remove:
    description: Flags to remove, by name without the leading dashes, wherever they are in the variable.
    type: list
    elements: str
    default: []
  create:
    description: Create the file when it does not exist (only when a flag is to be set).
    type: bool
    default: true
  backup:
    description: Keep a timestamped copy of the file before changing it.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.files
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  platform:
    platforms: posix
  diff_mode:
    support: full
notes:
  - systemd splits an unbraced C($VAR) in C(ExecStart=) into words, so a value
    that contains spaces cannot be given to kubelet this way; the module refuses
    a value with the file's quote character in it.
seealso:
  - module: nodeops.crio.kubelet_config
  - module: nodeops.crio.kubelet_facts
"""

EXAMPLES = r"""
- name: Point kubelet 1.26 at CRI-O through its extra flags
  nodeops.crio.kubelet_flags:
    path: /etc/default/kubelet
    variable: KUBELET_EXTRA_ARGS
    set:
      container-runtime-endpoint: unix:///var/run/crio/crio.sock

- name: Drop a flag kubelet 1.36 no longer accepts from kubeadm's flags
  nodeops.crio.kubelet_flags:
    path: /var/lib/kubelet/kubeadm-flags.env
    variable: KUBELET_KUBEADM_ARGS
    remove: [pod-infra-container-image]
"""

RETURN = r"""
changed_flags:
  description: The flags that were (or in check mode would be) set or removed.
  returned: always
  type: list
  elements: str
  sample: ["--container-runtime-endpoint"]
backup_file:
  description: The backup, when one was made.
  returned: when a backup was made
  type: str
"""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_flags import FlagsError, edit_flags


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            variable=dict(type="str", required=True),
            set=dict(type="dict", default={}),
            remove=dict(type="list", elements="str", default=[]),
            create=dict(type="bool", default=True),
            backup=dict(type="bool", default=False),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    path, params = module.params["path"], module.params
    result = dict(changed=False, changed_flags=[], path=path)
    exists = os.path.exists(path)
    before = ""
    if exists:
        with open(path, "rb") as handle:
            before = to_text(handle.read(), errors="surrogate_or_strict")
    try:
        after, result["changed_flags"] = edit_flags(before, params["variable"], params["set"], params["remove"])
    except FlagsError as exc:
        module.fail_json(msg="%s: %s" % (path, exc), **result)
    if not exists and not params["set"]:
        after = before
    if not exists and after != before and not params["create"]:
        module.fail_json(msg="%s does not exist and create is false" % path, **result)

    if after != before:
        result["changed"] = True
        if module._diff:
            result["diff"] = dict(before=before, after=after, before_header=path, after_header=path)
        if not module.check_mode:
            if params["backup"] and exists:
                result["backup_file"] = module.backup_local(path)
            directory = os.path.dirname(path) or "."
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o755)
            handle, temp = tempfile.mkstemp(dir=module.tmpdir)
            with os.fdopen(handle, "wb") as out:
                out.write(to_bytes(after, errors="surrogate_or_strict"))
            module.atomic_move(temp, path, unsafe_writes=params["unsafe_writes"])
    if os.path.exists(path):
        file_args = module.load_file_common_arguments(params)
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
