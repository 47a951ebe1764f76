#!/usr/bin/python
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crictl_config
short_description: Manage crictl's configuration file, /etc/crictl.yaml
version_added: 0.1.0
description:
  - Sets the keys of crictl's configuration file and leaves the rest of the file, comments
    included, as it was.
  - crictl refuses to run when the file holds a key it does not know; the task reports such
    keys and fails, or removes them with O(prune=true).
  - >-
    A value is changed only when crictl would read it differently; C(debug: "false") and
    C(debug: False) both stay when O(debug=false).
  - Options left unset leave their key alone.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  path:
    description:
      - Absolute path of the file on the managed node. crictl reads C(/etc/crictl.yaml) unless
        given C(--config) or C($CRI_CONFIG_FILE).
    type: path
    default: /etc/crictl.yaml
  runtime_endpoint:
    description:
      - The C(runtime-endpoint) key; CRI-O listens on V(unix:///var/run/crio/crio.sock).
      - A bare socket path is accepted and written with V(unix://) in front, with a warning.
        crictl itself only adds the scheme with a deprecation notice; the 2020-era advice to drop it
        came from a kubelet 1.13 bug, fixed in December 2018.
      - Schemes other than V(unix), V(tcp) and V(npipe) are refused.
    type: str
  image_endpoint:
    description:
      - The C(image-endpoint) key, same form as O(runtime_endpoint); crictl uses the runtime endpoint when unset.
    type: str
  timeout:
    description:
      - The C(timeout) key, in whole seconds; V(0) means crictl's default of 2 seconds.
    type: int
  debug:
    description:
      - The C(debug) key.
    type: bool
  pull_image_on_create:
    description:
      - The C(pull-image-on-create) key, to pull the image on C(crictl create) too.
    type: bool
  disable_pull_on_run:
    description:
      - The C(disable-pull-on-run) key, to skip pulling the image on C(crictl run).
    type: bool
  prune:
    description:
      - Remove keys crictl does not know instead of failing on them.
    type: bool
    default: false
  create:
    description:
      - Create the file when it does not exist; otherwise a missing file fails the task.
      - The directory must exist.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.files
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - nodeops.crio.config_file
notes:
  - >-
    The file must be what crictl reads, a flat mapping of C(key: value) lines (comments and blank
    lines allowed). Anything else fails the task, naming the line, and the file is left alone.
  - New keys go where crictl would write them, in its order
    (runtime-endpoint, image-endpoint, timeout, debug, pull-image-on-create, disable-pull-on-run).
seealso:
  - module: nodeops.crio.crio_config
"""

EXAMPLES = r"""
- name: Point crictl at CRI-O
  nodeops.crio.crictl_config:
    runtime_endpoint: unix:///var/run/crio/crio.sock
    image_endpoint: unix:///var/run/crio/crio.sock
    timeout: 10

- name: Clean up a crictl.yaml with stray keys and keep a copy
  nodeops.crio.crictl_config:
    runtime_endpoint: unix:///var/run/crio/crio.sock
    prune: true
    backup: true
    mode: "0644"
"""

RETURN = r"""
path:
  description: The file, as an absolute path.
  returned: always
  type: str
  sample: /etc/crictl.yaml
changed_keys:
  description: The keys of the file that were added, changed or pruned (also reported in check mode).
  returned: always
  type: list
  elements: str
  sample: [runtime-endpoint, timeout]
backup_file:
  description: Path of the copy made by O(backup).
  returned: when a backup was made
  type: str
  sample: /etc/crictl.yaml.4242.2026-11-25@13:19:00~
"""

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import CRICTL_CONFIG, fail_outside_action_plugin


def main() -> None:
    fail_outside_action_plugin('crictl_config', CRICTL_CONFIG)


if __name__ == '__main__':
    main()
