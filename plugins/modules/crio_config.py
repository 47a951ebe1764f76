#!/usr/bin/python
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: crio_config
short_description: Edit TOML files such as crio.conf, its drop-ins and registries.conf key by key
version_added: 0.1.0
description:
  - Merges settings into a TOML file on the managed node and removes keys or tables from it,
    the way a careful person would edit it by hand.
  - Everything the task does not change stays byte for byte as it was; comments, blank lines,
    key order, quoting and the commented-out defaults that C(crio config) prints.
  - A new key goes into its table right below its commented-out default (C(# key = value)) when
    the table has one, otherwise after the table's last key. A new table goes below its
    commented-out block (such as C(# [crio.runtime.runtimes.crun])) when the file has one, otherwise
    after the last sub-table of its parent, with one blank line around it.
  - Works on any TOML file; made for C(/etc/crio/crio.conf), the drop-ins in C(/etc/crio/crio.conf.d),
    C(/etc/containers/registries.conf) and the drop-ins in C(/etc/containers/registries.conf.d).
  - The editing runs on the controller and needs the Python library C(tomlkit) there;
    the managed node needs only its Python.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  path:
    description:
      - Absolute path of the TOML file on the managed node.
    type: path
    required: true
  settings:
    description:
      - >-
        A mapping merged into the document. Nested mappings are tables, so a table whose name holds
        dots or dashes needs no quoting or path syntax; C([crio.runtime.runtimes."kata.v2"]) is
        V({crio: {runtime: {runtimes: {kata.v2: {...}}}}}).
      - Values keep their YAML types; string, integer, float, boolean, list (a TOML array), mapping
        (a table) and date, time or date-time when YAML gives one (a quoted date stays a string).
        TOML has no null; a null value is an error.
      - A list replaces the whole array; a list of mappings is written as an array of tables
        (C([[registry]])), and elements that stay equal keep their text.
      - When the file already holds the key with another type (a string where the file has an
        integer, a table where it has a value), the task fails naming the key and both types,
        unless O(force_type=true).
      - Not allowed with O(state=absent).
    type: dict
  remove:
    description:
      - Keys or tables to delete, each given as the list of its name parts, such as
        V([crio, runtime, conmon]) or V([crio, runtime, runtimes, kata.v2]). A dotted string is refused
        because TOML names may themselves contain dots.
      - A removed table goes with its sub-tables and the comment right above its header; a removed
        key goes with its own comment when the two stand alone between blank lines and the comment
        is not a commented-out default.
      - A commented-out table after the removed table's last key that is not inside it, such as
        C(#[crio.runtime.runtimes.kata-fc]) after C([crio.runtime.runtimes.kata-qemu]) in the
        crio.conf kubespray writes, stays byte for byte, with the comment right above it. New
        tables go above such a block too.
      - Names that are not in the file are ignored. Removals happen before O(settings) is merged.
      - A name also given in O(settings) is replaced whole by its settings value instead of merged
        into, so nothing of the old table or array survives; when it already equals that value, the
        file is left as it is. Use this for tables that must hold exactly what the task says, such
        as runtime tables or the C([[registry]]) array.
    type: list
    elements: list
  state:
    description:
      - V(present) merges O(settings) and deletes what O(remove) lists.
      - V(absent) with O(remove) deletes what it lists; V(absent) without O(remove) deletes the file.
    type: str
    choices: [present, absent]
    default: present
  create:
    description:
      - Create the file when it does not exist. Without it, a missing file with O(settings) to
        merge fails the task; a missing file with only O(remove) is left missing.
      - The directory must exist. In check mode a missing directory is no error, and the file is
        predicted as it would be written once an earlier task has created the directory.
    type: bool
    default: false
  force_type:
    description:
      - Replace a value even when the file holds the key with another type; the old key or table
        is removed and the new one written in its place.
      - CRI-O refuses a key of the wrong type at start, so check the type C(crio config --default)
        prints first; some numbers are strings there, such as C(stream_port = "0").
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.files
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - nodeops.crio.config_file
notes:
  - A file that is not valid TOML fails the task with the line of the problem (and its column where the
    parser gives one; a key defined twice is named with the line of its second definition); nothing is changed.
  - Before the new text is written it is parsed again and compared with the data the task asked
    for; a difference fails the task instead of writing a wrong file.
  - CRI-O ignores keys it does not know, so a misspelled key does nothing; check the names against
    C(crio config --default).
seealso:
  - module: nodeops.crio.crictl_config
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Use the systemd cgroup manager, in our own drop-in
  nodeops.crio.crio_config:
    path: /etc/crio/crio.conf.d/50-nodeops.conf
    create: true
    mode: "0644"
    settings:
      crio:
        runtime:
          cgroup_manager: systemd

# A list is the whole array: list every [[registry]] the file should have.
# Entries that stay the same keep their text and comments.
- name: Trust an internal registry over plain HTTP (registries.conf, v2 syntax)
  nodeops.crio.crio_config:
    path: /etc/containers/registries.conf
    backup: true
    settings:
      registry:
        - prefix: registry.example.internal:5000
          location: registry.example.internal:5000
          insecure: true

# CRI-O replaces a runtime table whole, so write it whole: listed in remove
# and given in settings, it holds exactly these keys afterwards.
- name: Add a Kata Containers runtime
  nodeops.crio.crio_config:
    path: /etc/crio/crio.conf.d/60-kata.conf
    create: true
    settings:
      crio:
        runtime:
          runtimes:
            kata-qemu:
              runtime_path: /usr/bin/containerd-shim-kata-v2
              runtime_type: vm
              runtime_root: /run/vc
              privileged_without_host_devices: true
    remove:
      - [crio, runtime, runtimes, kata-qemu]

- name: Remove the 2020-era file locking keys (gone since CRI-O 1.16), keeping a backup
  nodeops.crio.crio_config:
    path: /etc/crio/crio.conf
    remove:
      - [crio, file_locking]
      - [crio, file_locking_path]
    backup: true
    backup_dir: /var/backups/crio

- name: Check a drop-in with crio itself before it goes live
  nodeops.crio.crio_config:
    path: /etc/crio/crio.conf.d/50-nodeops.conf
    settings:
      crio:
        runtime:
          log_size_max: -1
    validate: crio --config %s --config-dir "" config

# metrics_port is an integer in CRI-O (crio config prints 9090); a file that
# quotes it ("9090") does not load. Some keys are strings though: stream_port
# must stay quoted, as "10010".
- name: Give metrics_port back its integer type where a file had it quoted
  nodeops.crio.crio_config:
    path: /etc/crio/crio.conf
    settings:
      crio:
        metrics:
          metrics_port: 9090
    force_type: true

- name: Delete our drop-in
  nodeops.crio.crio_config:
    path: /etc/crio/crio.conf.d/50-nodeops.conf
    state: absent
"""

RETURN = r"""
path:
  description: The file, as an absolute path.
  returned: always
  type: str
  sample: /etc/crio/crio.conf.d/50-nodeops.conf
changed_keys:
  description:
    - The keys added, changed or removed, as dotted TOML names (quoted where a name needs it);
      a whole removed or retyped table or array of tables is one name.
    - Also reported in check mode.
  returned: always
  type: list
  elements: str
  sample: [crio.runtime.cgroup_manager, crio.runtime.runtimes.kata-qemu.runtime_path, crio.file_locking]
backup_file:
  description: Path of the copy made by O(backup).
  returned: when a backup was made
  type: str
  sample: /var/backups/crio/crio.conf.4242.2026-11-25@13:19:00~
"""

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import CRIO_CONFIG, fail_outside_action_plugin


def main() -> None:
    fail_outside_action_plugin('crio_config', CRIO_CONFIG)


if __name__ == '__main__':
    main()
