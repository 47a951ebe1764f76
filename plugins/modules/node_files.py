#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: node_files
short_description: Bring a whole list of plain files and folders to their state in one call
version_added: 0.1.0
description:
  - Writes, creates or removes every entry of O(files) that differs from what
    it should be, in the given order, and returns the paths it changed. One
    call for what would be one copy or file task per path.
  - Every entry is checked first (absolute path, mode, owner and group that
    exist, a folder that exists or an earlier entry creates, no folder or link
    where a file is wanted), so bad input fails before anything is written.
  - A file is written beside its path and renamed over it. Links are never
    followed or replaced.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  files:
    description: The files and folders, in the order they are brought to their state.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: The absolute path on the node.
        type: path
        required: true
      state:
        description: V(file) holds O(files[].content); V(directory) is a folder; V(absent) is removed.
        type: str
        choices: [file, directory, absent]
        default: file
      content:
        description: The whole text of a file.
        type: str
      mode:
        description: The permissions, in octal (C("0644")); a new file gets 0644 and a new folder 0755 without it.
        type: raw
      owner:
        description: The owner by name or number; left as it is without it.
        type: str
      group:
        description: The group by name or number; left as it is without it.
        type: str
      backup:
        description: Keep the previous file in O(backup_dir) (or beside it) before it is replaced or removed.
        type: bool
        default: false
      diff:
        description: Show the content in diff mode; V(false) shows only that the file changes (for secrets).
        type: bool
        default: true
  backup_dir:
    description: The folder backups go to; beside each file when not given.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
seealso:
  - module: ansible.builtin.copy
  - module: ansible.builtin.file
"""

EXAMPLES = r"""
- name: Write the modules file and a helper in its folder
  nodeops.crio.node_files:
    files:
      - path: /etc/modules-load.d/nodeops-crio.conf
        content: "overlay\nbr_netfilter\n"
        mode: "0644"
      - path: /usr/local/libexec/nodeops-crio
        state: directory
        mode: "0755"
      - path: /etc/systemd/system/crio.service.d/50-nodeops-proxy.conf
        state: absent
  register: written
"""

RETURN = r"""
changed_paths:
  description: The paths written, created or removed (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: ["/etc/modules-load.d/nodeops-crio.conf"]
backups:
  description: The backup of each replaced or removed file that had O(files[].backup).
  returned: always
  type: dict
  sample: {"/etc/systemd/system/crio.service.d/50-nodeops-proxy.conf": "/var/backups/nodeops-crio/50-nodeops-proxy.conf.81.2026-12-03@20:41:07~"}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nodeops.crio.plugins.module_utils._node_files import FilesError, apply, diff, plan


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", choices=["file", "directory", "absent"], default="file"),
                content=dict(type="str"),
                mode=dict(type="raw"),
                owner=dict(type="str"),
                group=dict(type="str"),
                backup=dict(type="bool", default=False),
                diff=dict(type="bool", default=True),
            )),
            backup_dir=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    try:
        steps = plan(module.params["files"])
    except FilesError as error:
        module.fail_json(msg="%s. Nothing was changed." % error, changed_paths=[], backups={})
    done, backups = [], {}
    result = dict(changed=bool(steps), changed_paths=done, backups=backups)
    if module._diff:
        result["diff"] = [diff(step) for step in steps]
    for step in steps:
        path = step["entry"]["path"]
        if not module.check_mode:
            try:
                backup = apply(step, module.params["backup_dir"])
            except OSError as error:
                result.update(changed=bool(done))
                module.fail_json(msg="Writing %s failed: %s. %s" % (
                    path, error.strerror or error, "Changed before it: %s." % ", ".join(done) if done else "Nothing was changed."),
                    **result)
            if backup:
                backups[path] = backup
        done.append(path)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
