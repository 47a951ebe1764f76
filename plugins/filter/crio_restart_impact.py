# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: crio_restart_impact
short_description: What restarting crio into a release and a default runtime does to the node's pods
version_added: 0.1.0
description:
  - Given what M(nodeops.crio.crio_facts) found with O(nodeops.crio.crio_facts#module:list_pods),
    the CRI-O release to run and the role's C(crio_default_runtime), tells
    whether CRI-O would remove every pod at its start (its version file holds
    another minor), whether the default runtime would change under pods that
    run on the old one, and which pods either would take down.
  - An empty O(default_runtime) keeps the node's current default runtime; a
    node without CRI-O gets crun.
  - The role M(nodeops.crio.crio) and the playbook nodeops.crio.upgrade use it;
    it is pure, so it changes nothing.
author:
  - nodeops.crio maintainers
options:
  _input:
    description: C(ansible_facts.crio) from M(nodeops.crio.crio_facts), gathered before any change.
    type: dict
    required: true
  target:
    description: The CRI-O release that will run, such as C(1.36.3).
    type: str
    required: true
  default_runtime:
    description: The crio role's C(crio_default_runtime); empty keeps the node's.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Decide
  ansible.builtin.set_fact:
    impact: "{{ ansible_facts.crio | nodeops.crio.crio_restart_impact('1.36.3', crio_default_runtime) }}"
"""

RETURN = r"""
_value:
  description: The impact.
  type: dict
  contains:
    default_runtime:
      description: The default runtime to configure.
      type: str
      sample: runc
    default_runtime_kept:
      description: True when O(default_runtime) is empty and the node's current one is kept.
      type: bool
    previous_runtime:
      description: The node's default runtime now; empty without CRI-O.
      type: str
    switch:
      description: Whether the default runtime changes.
      type: bool
    wipe:
      description: Whether CRI-O's next start removes every pod (its version file records another minor).
      type: bool
    wipe_reason:
      description: Why, in one sentence; empty when it does not.
      type: str
    handlers_in_use:
      description: The runtime handlers the running pods use, the default one by its name.
      type: list
      elements: str
    pods:
      description: The running pods (namespace/name) the restart takes down.
      type: list
      elements: str
    remove_pod_ids:
      description: The pods to remove before crio restarts on the new default runtime.
      type: list
      elements: str
    reasons:
      description: Why those pods go down, each in one sentence.
      type: list
      elements: str
    unknown_default:
      description: True when CRI-O is installed but its configuration cannot be read, so the default runtime to keep is unknown.
      type: bool
"""

from ansible_collections.nodeops.crio.plugins.plugin_utils._restart_impact import impact


def crio_restart_impact(crio, target, default_runtime=""):
    return impact(crio, target, default_runtime or "")


class FilterModule(object):
    def filters(self):
        return {"crio_restart_impact": crio_restart_impact}
