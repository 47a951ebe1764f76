# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: crio_bridge_plan
short_description: Whether the crio role's bridge CNI network belongs on a node
version_added: 0.1.0
description:
  - CRI-O loads the first CNI configuration of its network_dir by name, so the
    role's bridge beside a cluster's CNI can take pods onto a node-local subnet.
  - With O(_input) V(auto) the bridge is written only where the folder holds no
    other network (C(.conf), C(.conflist) or C(.json), CRI-O's own bridges
    C(10-crio-bridge.conflist) and C(11-crio-ipv4-bridge.conflist) aside) and
    kubelet has not joined a cluster; V(true) always writes it, V(false) never does.
  - The role M(nodeops.crio.crio) uses it; it is pure, so it changes nothing.
author:
  - nodeops.crio maintainers
options:
  _input:
    description: The role's C(crio_cni_default_network), V(true), V(false) or V(auto).
    type: raw
    required: true
  names:
    description: The entries of CRI-O's network_dir.
    type: list
    elements: str
    required: true
  own:
    description: The file name of the role's bridge network.
    type: str
    required: true
  joined:
    description: The kubelet kubeconfig files found on the node.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Decide
  ansible.builtin.set_fact:
    bridge: "{{ 'auto' | nodeops.crio.crio_bridge_plan(['10-calico.conflist'], '10-nodeops-bridge.conflist', []) }}"
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    write:
      description: Whether the bridge is to be there (else it is removed).
      type: bool
    foreign:
      description: The other CNI configurations in the folder.
      type: list
      elements: str
    reason:
      description: Why, in a few words.
      type: str
"""

from ansible_collections.nodeops.crio.plugins.plugin_utils._cni_bridge import decide


def crio_bridge_plan(mode, names, own, joined):
    return decide(mode, names, own, joined)


class FilterModule(object):
    def filters(self):
        return {"crio_bridge_plan": crio_bridge_plan}
