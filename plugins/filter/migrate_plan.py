# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: migrate_plan
short_description: Plan moving a node's kubelet from containerd or Docker to CRI-O
version_added: 0.1.0
description:
  - Given what M(nodeops.crio.kubelet_facts) found, kubelet's
    KubeletConfiguration, C(systemctl show) of the old runtimes' units and the
    CNI configuration files, tells which runtime kubelet uses now, whether the
    node is already on CRI-O, which units of the old runtime to stop and
    disable, which CRI socket's pods to remove, and what must stop the move.
  - The playbook nodeops.crio.migrate uses it; it is pure, so it changes nothing.
author:
  - nodeops.crio maintainers
options:
  _input:
    description: C(ansible_facts.kubelet) from M(nodeops.crio.kubelet_facts).
    type: dict
    required: true
  config:
    description: kubelet's KubeletConfiguration as a mapping; null when kubelet has none.
    type: dict
  units_text:
    description:
      - Output of C(systemctl show UNIT... --property=Id,LoadState,ActiveState,UnitFileState)
        for C(containerd.service), C(docker.service), C(docker.socket),
        C(cri-docker.service), C(cri-docker.socket) and C(crio.service).
    type: str
    required: true
  crio_endpoint:
    description: CRI-O's endpoint, as C(kubelet_crio_endpoint).
    type: str
    required: true
  cni_files:
    description: Paths of the files in C(/etc/cni/net.d).
    type: list
    elements: str
    required: true
  cni_default_network:
    description: Whether the crio role will add its bridge network (C(crio_cni_default_network)).
    type: bool
    required: true
"""

EXAMPLES = r"""
- name: Plan
  ansible.builtin.set_fact:
    plan: >-
      {{ ansible_facts.kubelet | nodeops.crio.migrate_plan(config, units.stdout,
         'unix:///var/run/crio/crio.sock', cni.files | map(attribute='path') | list, false) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    runtime:
      description: What kubelet uses now, C(containerd), C(docker) (through cri-dockerd), C(crio) or C(unknown).
      type: str
    endpoint:
      description: kubelet's CRI endpoint now.
      type: str
    endpoint_source:
      description: Where that endpoint is set.
      type: str
    done:
      description: kubelet already uses CRI-O; there is nothing to move.
      type: bool
    stop_units:
      description: The old runtime's units that run or start at boot, in the order to stop them.
      type: list
      elements: str
    clean_endpoint:
      description: The old runtime's CRI endpoint whose pods are to be removed; empty when it does not run.
      type: str
    active_units:
      description: The units of C(units_text) that run, sorted.
      type: list
      elements: str
    problems:
      description: Why the node must not be touched, each with what to do.
      type: list
      elements: str
"""

from ansible_collections.nodeops.crio.plugins.plugin_utils._migrate import plan


def migrate_plan(kubelet, config, units_text, crio_endpoint, cni_files, cni_default_network):
    return plan(kubelet, config, units_text, crio_endpoint, cni_files, cni_default_network)


class FilterModule(object):
    def filters(self):
        return {"migrate_plan": migrate_plan}
