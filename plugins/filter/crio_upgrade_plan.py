# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: crio_upgrade_plan
short_description: Decide the CRI-O release of an upgrade, and what must stop it
version_added: 0.1.0
description:
  - Given the CRI-O version a node runs, its kubelet's version and the crio
    role's version variables, returns the release to install and the
    problems that must stop the upgrade before anything changes.
  - The release is O(crio_version); else the newest release in O(releases)
    of the minor of O(kubernetes_version); else that of the kubelet's minor.
    CRI-O X.Y pairs with Kubernetes X.Y only, so a release of another minor
    than the kubelet's is a problem unless O(allow_skew), and one older than
    the installed release is a problem unless O(allow_downgrade).
  - The playbook nodeops.crio.upgrade uses it; it is pure, so it changes nothing.
author:
  - nodeops.crio maintainers
options:
  _input:
    description:
      - The version the node's crio reports (C(ansible_facts.crio.version) of
        M(nodeops.crio.crio_facts)); null when CRI-O is not installed.
    type: str
    required: true
  kubelet:
    description: The kubelet's version (C(ansible_facts.kubelet.version) of M(nodeops.crio.kubelet_facts)); empty without kubelet.
    type: str
    required: true
  crio_version:
    description: The crio role's C(crio_version), a release or a minor; empty when unset.
    type: str
    required: true
  kubernetes_version:
    description: The crio role's C(crio_kubernetes_version); empty when unset.
    type: str
    required: true
  releases:
    description:
      - 'The newest release of each CRI-O minor, by minor, such as C({"1.36": "1.36.3"}).'
      - Null takes the table the crio role installs from.
    type: dict
  allow_skew:
    description: Accept a CRI-O minor other than the kubelet's.
    type: bool
    default: false
  allow_downgrade:
    description: Accept a release older than the installed one.
    type: bool
    default: false
  table:
    description:
      - >-
        The crio role's C(crio_release_table), laid over O(releases), such as
        C({"1.38": {"release": "1.38.0", "pause": "3.10.2"}}); a malformed one is a problem.
    type: dict
    version_added: 0.2.0
"""

EXAMPLES = r"""
- name: Decide
  ansible.builtin.set_fact:
    plan: >-
      {{ ansible_facts.crio.version | nodeops.crio.crio_upgrade_plan(
           ansible_facts.kubelet.version, crio_version, crio_kubernetes_version, {'1.36': '1.36.3'}) }}
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    target:
      description: The release to install; empty when none could be chosen.
      type: str
      sample: 1.36.3
    source:
      description: Where the release comes from.
      type: str
      sample: Kubernetes 1.36 of kubelet v1.36.3
    installed:
      description: The release installed now.
      type: str
      sample: 1.36.2
    kubelet:
      description: The kubelet's version.
      type: str
    change:
      description: V(upgrade), V(downgrade) or V(none); empty when the versions could not be compared.
      type: str
    summary:
      description: The decision in one line, such as C(CRI-O 1.36.2 -> 1.36.3 (Kubernetes 1.36 of kubelet v1.36.3)).
      type: str
    problems:
      description: Why the upgrade must not start, each with what to do.
      type: list
      elements: str
"""

from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import upgrade_plan


def crio_upgrade_plan(
    installed, kubelet, crio_version, kubernetes_version, releases=None, allow_skew=False, allow_downgrade=False, table=None
):
    return upgrade_plan(installed, kubelet, crio_version, kubernetes_version, releases, allow_skew, allow_downgrade, table)


class FilterModule(object):
    def filters(self):
        return {"crio_upgrade_plan": crio_upgrade_plan}
