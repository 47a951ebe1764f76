# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: ready_static_pods
short_description: The static pods a CRI runtime runs Ready
version_added: 0.1.0
description:
  - From C(crictl pods -o json) and C(crictl ps -o json), the pods kubelet
    made from its manifest folder (annotation C(kubernetes.io/config.source)
    C(file)) whose sandbox is Ready and has a running container, as
    C(namespace/name), sorted.
  - The playbook nodeops.crio.migrate compares them before and after the move.
author:
  - nodeops.crio maintainers
options:
  _input:
    description: C(crictl pods -o json), parsed.
    type: dict
    required: true
  containers:
    description: C(crictl ps -o json), parsed.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Static pods that run
  ansible.builtin.debug:
    msg: "{{ pods.stdout | from_json | nodeops.crio.ready_static_pods(containers.stdout | from_json) }}"
"""

RETURN = r"""
_value:
  description: C(namespace/name) of each Ready static pod.
  type: list
  elements: str
"""

from ansible_collections.nodeops.crio.plugins.plugin_utils._migrate import ready_static_pods as _ready


def ready_static_pods(pods, containers):
    return _ready(pods, containers)


class FilterModule(object):
    def filters(self):
        return {"ready_static_pods": ready_static_pods}
