#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: node_probe
short_description: Look at many paths, sysctls and checksum lists of a node in one round trip
version_added: 0.1.0
description:
  - Describes paths, compares files and folders with the state a later task
    would give them, reads sysctls, checks sha256sum lists and looks up users
    and groups, all in one call, so that a converged node costs one round trip
    instead of one per file.
  - Reads only; safe in check mode. The role nodeops.crio.crio uses it to skip
    the tasks whose file already holds what they would write, and the config
    modules use it to read their file and to check its owner and group exist
    before they write.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  paths:
    description: Paths to describe in RV(paths).
    type: list
    elements: path
    default: []
  follow:
    description: Describe what a link in O(paths) points to instead of the link.
    type: bool
    default: false
  get_checksum:
    description: Add the sha1 of each regular file in O(paths).
    type: bool
    default: false
  get_content:
    description: Add the content of each regular file in O(paths), base64-encoded.
    type: bool
    default: false
  expect:
    description:
      - Files, folders or absences to compare; those that fall short are listed in RV(differ).
      - Links are not followed, and anything the probe cannot read counts as different.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: The path.
        type: path
        required: true
      state:
        description: What should be there.
        type: str
        choices: [file, directory, absent]
        default: file
      checksum:
        description: The sha1 the file should have.
        type: str
      mode:
        description: The permission bits, in octal such as V(0644).
        type: raw
      owner:
        description: The owner, by name or number.
        type: str
      group:
        description: The group, by name or number.
        type: str
  sysctls:
    description: Sysctls to read into RV(sysctls), by name such as V(net.ipv4.ip_forward).
    type: list
    elements: str
    default: []
  checksum_lists:
    description: Files in the format of C(sha256sum) to check, as C(sha256sum --check --strict) would.
    type: list
    elements: path
    default: []
  list_dirs:
    description: Folders whose entries to name in RV(listings).
    type: list
    elements: path
    default: []
  users:
    description:
      - User names to look up in RV(users), such as the owner a later task will give a file.
      - Names only; a number needs no lookup.
    type: list
    elements: str
    default: []
  groups:
    description: Group names to look up in RV(groups), as O(users).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
seealso:
  - module: ansible.builtin.stat
"""

EXAMPLES = r"""
- name: See which of the role's files need writing
  nodeops.crio.node_probe:
    expect:
      - path: /etc/modules-load.d/nodeops-crio.conf
        checksum: "{{ modules_text | hash('sha1') }}"
        mode: "0644"
      - path: /etc/crio/auth.json
        state: absent
    sysctls: [net.ipv4.ip_forward]
  register: probe

- name: Write the modules file only when it differs
  ansible.builtin.copy:
    content: "{{ modules_text }}"
    dest: /etc/modules-load.d/nodeops-crio.conf
    mode: "0644"
  when: "'/etc/modules-load.d/nodeops-crio.conf' in probe.differ"
"""

RETURN = r"""
paths:
  description:
    - What is at each path of O(paths).
    - With O(follow), a path that is a symbolic link also gets C(link_target), the path it resolves to; for a link
      that points nowhere the path does not exist, and C(link_target) says where it points.
  returned: always
  type: dict
  sample: {"/etc/crio/crio.conf": {"exists": true, "type": "file", "mode": "0644", "uid": 0, "gid": 0,
           "owner": "root", "group": "root", "size": 2048, "checksum": "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"}}
differ:
  description: The paths of O(expect) whose state falls short, in the order given.
  returned: always
  type: list
  elements: str
  sample: ["/etc/modules-load.d/nodeops-crio.conf"]
sysctls:
  description: The value of each sysctl of O(sysctls) that exists; whitespace inside a value is one space.
  returned: always
  type: dict
  sample: {"net.ipv4.ip_forward": "1"}
sysctls_writable:
  description: Whether /proc/sys can be written (a container often gets it read-only).
  returned: always
  type: bool
checksum_lists:
  description: For each list of O(checksum_lists), whether every file it names still has its sha256.
  returned: always
  type: dict
  sample: {"/var/cache/nodeops-crio/installed.sha256": true}
listings:
  description: The names in each folder of O(list_dirs), sorted; empty for a missing folder.
  returned: always
  type: dict
  sample: {"/etc/cni/net.d": ["10-calico.conflist", "calico-kubeconfig"]}
users:
  description: The uid of each name of O(users); null for a name the node has no user for.
  returned: always
  type: dict
  sample: {"root": 0, "nosuchuser": null}
groups:
  description: The gid of each name of O(groups); null for a name the node has no group for.
  returned: always
  type: dict
  sample: {"adm": 4}
"""

import grp
import pwd

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nodeops.crio.plugins.module_utils._node_probe import (
    account_ids, checksum_list_holds, describe, differs, list_dir, read_sysctls, sysctls_writable)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", default=[]),
            follow=dict(type="bool", default=False),
            get_checksum=dict(type="bool", default=False),
            get_content=dict(type="bool", default=False),
            expect=dict(type="list", elements="dict", default=[], options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", choices=["file", "directory", "absent"], default="file"),
                checksum=dict(type="str"),
                mode=dict(type="raw"),
                owner=dict(type="str"),
                group=dict(type="str"),
            )),
            sysctls=dict(type="list", elements="str", default=[]),
            checksum_lists=dict(type="list", elements="path", default=[]),
            list_dirs=dict(type="list", elements="path", default=[]),
            users=dict(type="list", elements="str", default=[]),
            groups=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    for wanted in params["expect"]:
        mode = wanted["mode"]
        if mode is not None and not (isinstance(mode, int) or str(mode).isdigit() and set(str(mode)) <= set("01234567")):
            module.fail_json(msg="expect: mode of %s must be octal digits such as 0644, got %r" % (wanted["path"], mode))
    paths = dict((path, describe(path, params["follow"], params["get_checksum"], params["get_content"]))
                 for path in params["paths"])
    differ = [wanted["path"] for wanted in params["expect"]
              if differs(describe(wanted["path"], checksum=bool(wanted["checksum"])), wanted)]
    module.exit_json(
        changed=False,
        paths=paths,
        differ=differ,
        sysctls=read_sysctls(params["sysctls"]),
        sysctls_writable=sysctls_writable(),
        checksum_lists=dict((path, checksum_list_holds(path)) for path in params["checksum_lists"]),
        listings=dict((path, list_dir(path)) for path in params["list_dirs"]),
        users=account_ids(params["users"], pwd.getpwnam),
        groups=account_ids(params["groups"], grp.getgrnam),
    )


if __name__ == "__main__":
    main()
