# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: diagnosis
short_description: What is wrong with a CRI-O node, each finding with its fix
version_added: 0.1.0
description:
  - Given what M(nodeops.crio.crio_facts) and M(nodeops.crio.kubelet_facts)
    found and what the C(nodeops.crio.diagnose) playbook reads beside them,
    returns the findings against the failure modes the collection knows,
    each with the check that found it, its severity and the fix.
  - V(problem) findings break the node now or at crio's next start;
    V(warning) findings work today but are deprecated, ignored or waiting to break.
  - Checks C(crio_missing), C(crio_config), C(crio_down), C(removed_option),
    C(drop_in_leftover), C(cni_config_missing), C(crun_too_old),
    C(notready_sandbox), C(pause_image) (the tag of CRI-O's pause image
    against the one kubeadm of the kubelet's minor, else CRI-O's, uses; any
    repository, a mirror too, may serve it), and where kubelet is installed
    C(kubelet_config),
    C(kubelet_flag), C(cri_endpoint), C(cri_endpoint_form), C(cgroup_driver),
    C(version_skew) and C(cgroup_v1); kubelet's settings are read as kubelet
    merges them (flags, then the drop-ins of its C(--config-dir), then its file).
  - It is pure, so it changes nothing.
author:
  - nodeops.crio maintainers
options:
  _input:
    description: What was read on the node.
    type: dict
    required: true
    suboptions:
      crio:
        description: C(ansible_facts.crio) from M(nodeops.crio.crio_facts).
        type: dict
        required: true
      kubelet:
        description: C(ansible_facts.kubelet) from M(nodeops.crio.kubelet_facts); null skips the kubelet checks.
        type: dict
      kubelet_service:
        description: kubelet's unit, for the messages.
        type: str
        default: kubelet.service
      kubelet_config_text:
        description: The text of kubelet's configuration file; null when it could not be read.
        type: str
      runtime_versions:
        description: What each OCI runtime printed for C(--version), by runtime handler.
        type: dict
      cni_dir:
        description: CRI-O's network_dir.
        type: str
        default: /etc/cni/net.d/
      cni_files:
        description: Paths of the files in O(_input.cni_dir).
        type: list
        elements: str
      drop_in_dir:
        description: CRI-O's drop-in folder.
        type: str
        default: /etc/crio/crio.conf.d
      drop_in_files:
        description: Paths of the files under O(_input.drop_in_dir), at any depth.
        type: list
        elements: str
      sandboxes:
        description: The output of C(crictl pods --output json); null when CRI-O was not asked.
        type: str
      release_table:
        description: The crio role's C(crio_release_table), whose pause tags C(pause_image) knows too.
        type: dict
        version_added: 0.2.0
"""

EXAMPLES = r"""
- name: Diagnose the node
  ansible.builtin.set_fact:
    diagnose_result: >-
      {{ {'crio': ansible_facts.crio, 'kubelet': ansible_facts.kubelet,
          'kubelet_config_text': kubelet_config.content | b64decode,
          'cni_files': cni.files | map(attribute='path'),
          'sandboxes': pods.stdout} | nodeops.crio.diagnosis }}
"""

RETURN = r"""
_value:
  description: The diagnosis.
  type: dict
  contains:
    findings:
      description: C(check), C(severity) (V(problem) or V(warning)), C(message) and C(fix) of each finding, in report order.
      type: list
      elements: dict
    skipped:
      description: Checks that could not run, each with why.
      type: list
      elements: str
    clean:
      description: True when no finding is a problem.
      type: bool
    report:
      description: The findings as lines for people; problems first, then warnings, then what was skipped.
      type: list
      elements: str
"""

from ansible_collections.nodeops.crio.plugins.plugin_utils._diagnose import diagnose


def diagnosis(node):
    return diagnose(node)


class FilterModule(object):
    def filters(self):
        return {"diagnosis": diagnosis}
