# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
name: constant
short_description: A value the collection's roles and playbooks share
version_added: 0.1.0
description:
  - Returns the named values, so that the PATH of node commands and the
    download cache are written down once for every role and playbook.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  _terms:
    description: Names of the values, V(node_path), V(cache_dir) or V(kubelet_config_dir).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Run crictl wherever the node keeps it
  ansible.builtin.command: crictl version
  environment:
    PATH: "{{ lookup('nodeops.crio.constant', 'node_path') }}"
  changed_when: false
"""

RETURN = r"""
_raw:
  description: The values, in the order of the names.
  type: list
  elements: str
"""

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible_collections.nodeops.crio.plugins.plugin_utils._constants import CONSTANTS


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        unknown = [term for term in terms if term not in CONSTANTS]
        if unknown:
            raise AnsibleError("nodeops.crio.constant knows %s, not %s" % (", ".join(sorted(CONSTANTS)), ", ".join(unknown)))
        return [CONSTANTS[term] for term in terms]
