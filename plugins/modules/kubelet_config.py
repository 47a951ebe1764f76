#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kubelet_config
short_description: Set keys in kubelet's and kubeadm's YAML files, keeping everything else
version_added: 0.1.0
description:
  - Sets keys in a block-style YAML file on the node, such as kubelet's
    KubeletConfiguration (C(/var/lib/kubelet/config.yaml)), kubeadm's
    C(/var/lib/kubelet/instance-config.yaml), or the documents of a kubeadm
    configuration file (O(kinds) picks which).
  - Comments, blank lines, key order and quoting of everything else stay as
    they were; a replaced value keeps its quoting style and trailing comment; a
    new key goes at the end of its mapping.
  - The file is edited on the controller, so the node needs no YAML library.
  - The result is loaded again and must equal the intended data; a file this
    line-based editing cannot handle (flow style, a block value where a scalar
    goes) fails and is left untouched.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  path:
    description: The YAML file on the node.
    type: path
    required: true
  settings:
    description:
      - A nested mapping of the keys to set; mappings are walked, every other
        value (scalars and lists) is set as a whole.
      - A null value is refused, naming the key, as M(nodeops.crio.crio_config) refuses it; leave the key out
        instead (this module removes no keys). So is a value YAML cannot hold as written here, such as a date.
      - A new or empty file gets these keys alone; give C(apiVersion) and C(kind) among them when the file needs them.
    type: dict
    required: true
  kinds:
    description:
      - The kinds of document to edit, by their C(kind) key; documents of other kinds are never edited.
      - A file of one document of another kind (a Deployment, a kubeadm C(InitConfiguration) with the default)
        fails the task. In a file of several documents, such as a kubeadm configuration, the others are left
        as they are; when none is of these kinds the task warns and changes nothing.
      - A file of one document without a C(kind), such as kubeadm's C(instance-config.yaml) (a patch of
        kubelet's configuration) or an empty file, is edited whatever O(kinds) says.
      - A document that is not a mapping (a list, a string) fails the task.
    type: list
    elements: str
    default: [KubeletConfiguration]
  create:
    description:
      - Create the file from O(settings) when it does not exist; otherwise a missing file fails the task.
      - The directory must exist.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.files
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - nodeops.crio.config_file
seealso:
  - module: nodeops.crio.kubelet_flags
"""

EXAMPLES = r"""
- name: Wire kubelet to CRI-O in its configuration file
  nodeops.crio.kubelet_config:
    path: /var/lib/kubelet/config.yaml
    settings:
      containerRuntimeEndpoint: unix:///var/run/crio/crio.sock
      imageServiceEndpoint: unix:///var/run/crio/crio.sock
      cgroupDriver: systemd
      runtimeRequestTimeout: 10m

- name: Record the CRI socket in a kubeadm configuration
  nodeops.crio.kubelet_config:
    path: /etc/kubernetes/kubeadm-config.yaml
    kinds: [InitConfiguration, JoinConfiguration]
    settings:
      nodeRegistration:
        criSocket: unix:///var/run/crio/crio.sock

# The default kinds: only the KubeletConfiguration document of the file changes.
- name: Give kubelet the systemd cgroup driver in a kubeadm configuration
  nodeops.crio.kubelet_config:
    path: /etc/kubernetes/kubeadm-config.yaml
    settings:
      cgroupDriver: systemd
"""

RETURN = r"""
changed_keys:
  description: Dotted names of the keys that were (or in check mode would be) set, once for each document.
  returned: always
  type: list
  elements: str
  sample: ["containerRuntimeEndpoint", "cgroupDriver"]
backup_file:
  description: The backup, when one was made.
  returned: when a backup was made
  type: str
"""

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import fail_outside_action_plugin
from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_argspecs import KUBELET_CONFIG


def main():
    fail_outside_action_plugin('kubelet_config', KUBELET_CONFIG)


if __name__ == "__main__":
    main()
