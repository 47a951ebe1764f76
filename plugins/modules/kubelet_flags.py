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
  - The file is edited on the controller, like the other config modules of
    this collection, so check mode, diff, O(backup), O(validate) and the file
    attributes behave as in M(ansible.builtin.copy).
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
    description:
      - Create the file when it does not exist (only when a flag is to be set).
      - A missing directory of the file is created too, as C(/etc/sysconfig) is missing on Debian.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.files
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - nodeops.crio.config_file
attributes:
  check_mode:
    support: full
    details: Check mode predicts the exact change, diff and RV(changed_flags).
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

- name: Edit a drop-in's flags, keeping the old file outside the drop-in directory
  nodeops.crio.kubelet_flags:
    path: /etc/systemd/system/kubelet.service.d/20-nodeops.env
    variable: KUBELET_EXTRA_ARGS
    set:
      cgroup-driver: systemd
    backup: true
    backup_dir: /var/backups/kubelet
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

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import fail_outside_action_plugin
from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_argspecs import KUBELET_FLAGS


def main():
    fail_outside_action_plugin('kubelet_flags', KUBELET_FLAGS)


if __name__ == "__main__":
    main()
