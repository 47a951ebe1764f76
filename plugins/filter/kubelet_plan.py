# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: kubelet_plan
short_description: Plan wiring kubelet to CRI-O, with the preflight problems
version_added: 0.1.0
description:
  - Given what M(nodeops.crio.kubelet_facts) found, the text of kubelet's
    KubeletConfiguration file, and what CRI-O answered, returns the role's drop-in
    (where kubelet has a drop-in folder) or the keys to set in that file, the flag
    edits per environment file, and the problems that must stop the change, each
    with what to do about it.
  - The role M(nodeops.crio.kubelet) uses it; it is pure, so it changes nothing.
author:
  - nodeops.crio maintainers
options:
  _input:
    description: C(ansible_facts.kubelet) from M(nodeops.crio.kubelet_facts).
    type: dict
    required: true
  config_text:
    description: The KubeletConfiguration file's text; null when the file does not exist.
    type: str
  crio:
    description: C(version) and C(cgroup_manager) of CRI-O.
    type: dict
    required: true
  cri:
    description: C(answers) (bool), C(runtime_name) and C(message) from asking the CRI endpoint.
    type: dict
    required: true
  options:
    description:
      - C(endpoint), C(image_endpoint), C(timeout), C(fix_cgroup_driver),
        C(remove_rejected_flags), C(check_skew), C(extra_args_file), C(config_dir),
        C(settings) and C(kubeadm_config), as the role's variables of those names.
      - C(kubeadm_config_text), the text of C(kubeadm_config) (null without one). Before
        kubeadm writes kubelet's file, its KubeletConfiguration document says what kubelet will read.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan
  ansible.builtin.set_fact:
    plan: >-
      {{ ansible_facts.kubelet | nodeops.crio.kubelet_plan(config_text, crio, cri, options) }}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    config_settings:
      description: Keys to set in the KubeletConfiguration file.
      type: dict
    config:
      description:
        - The KubeletConfiguration kubelet runs with once the role is done, its file with its
          drop-ins merged over it as kubelet merges them.
      type: dict
    config_dir:
      description: The drop-in folder the role writes to; empty when it edits the configuration file.
      type: str
    dropin:
      description:
        - The role's drop-in (C(path), C(text), C(differs), and C(files) for M(nodeops.crio.node_files));
          when the role edits the configuration file, the removal of its drop-in from an earlier run, else null.
      type: dict
    kubeadm_kubelet_settings:
      description:
        - The keys the role owns, for the KubeletConfiguration document of a
          kubeadm configuration file, so that kubeadm writes kubelet's file
          already wired.
      type: dict
    kubeadm_kinds:
      description:
        - The kinds of the documents in the kubeadm configuration file, so that the role edits only
          those it has; null without the file, or when it is not YAML.
      type: list
      elements: str
    awaiting_kubeadm:
      description:
        - True when kubelet's configuration file does not exist yet and
          kubeadm is installed, since kubeadm init or join writes that file;
          C(config_settings) is then empty and nothing stops the role.
      type: bool
    flag_edits:
      description: Per environment file and variable, the flags to set and to remove.
      type: list
      elements: dict
    cgroup_driver:
      description: The cgroup driver kubelet uses now (C(current)), where that comes from (C(source)), and CRI-O's (C(wanted)).
      type: dict
    problems:
      description: Why the role must not change anything, each with what to do.
      type: list
      elements: str
"""

from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_plan import plan


def kubelet_plan(kubelet, config_text, crio, cri, options):
    return plan(kubelet, config_text, crio, cri, options)


class FilterModule(object):
    def filters(self):
        return {"kubelet_plan": kubelet_plan}
