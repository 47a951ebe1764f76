#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kubelet_facts
short_description: How a node's kubelet is installed and configured
version_added: 0.1.0
description:
  - Reads kubelet's systemd unit as systemd resolves it (the effective
    C(ExecStart=), C(Environment=) and C(EnvironmentFiles=), drop-ins included)
    and expands it into the flags kubelet gets, each with the file and
    variable it comes from.
  - Finds the KubeletConfiguration file (C(--config)), kubeadm's flags file
    and instance configuration, and kubelet's version.
  - Asks the installed kubelet whether it still accepts each of those flags
    (C(kubelet FLAG --version) parses the flag and exits), so a flag a newer
    kubelet removed is found before kubelet is restarted with it.
  - Reads only; safe in check mode. The role nodeops.crio.kubelet uses it.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  service:
    description: kubelet's systemd unit.
    type: str
    default: kubelet.service
  binary:
    description: kubelet's binary; by default the one the unit starts.
    type: path
  probe_flags:
    description: Ask the kubelet binary whether it accepts each flag the unit gives it.
    type: bool
    default: true
  config_dirs:
    description:
      - Drop-in folders to read into RV(ansible_facts.kubelet.config_dir_files) besides kubelet's own
        C(--config-dir), such as the one a role is about to give kubelet.
    type: list
    elements: path
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
attributes:
  check_mode:
    support: full
  platform:
    platforms: posix
  diff_mode:
    support: none
  facts:
    support: full
seealso:
  - module: nodeops.crio.kubelet_config
  - module: nodeops.crio.kubelet_flags
"""

EXAMPLES = r"""
- name: Learn how kubelet is set up
  nodeops.crio.kubelet_facts:

- name: Show where its KubeletConfiguration lives
  ansible.builtin.debug:
    msg: "{{ ansible_facts.kubelet.config_file }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts about the node's kubelet.
  returned: always
  type: dict
  contains:
    kubelet:
      description: How kubelet is installed and configured.
      type: dict
      returned: always
      contains:
        installed:
          description: Whether the unit exists and its binary runs.
          type: bool
        binary:
          description: The kubelet binary the unit starts.
          type: str
          sample: /usr/bin/kubelet
        version:
          description: kubelet's version.
          type: str
          sample: v1.36.3
        minor:
          description: kubelet's minor version, as a number.
          type: int
          sample: 36
        unit:
          description: The unit's load, active and enablement states, its file and drop-ins.
          type: dict
        environment_files:
          description: The unit's environment files in systemd's order, with the variables each sets.
          type: list
          elements: dict
          sample: [{"path": "/etc/default/kubelet", "optional": true, "exists": true, "variables": ["KUBELET_EXTRA_ARGS"]}]
        referenced_variables:
          description: The variables ExecStart expands.
          type: list
          elements: str
          sample: ["KUBELET_CONFIG_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS"]
        flags:
          description:
            - The flags kubelet gets, in order; C(file) and C(variable) say where
              each comes from (both empty for words written in ExecStart itself;
              C(file) empty for C(Environment=) in the unit).
          type: list
          elements: dict
          sample: [{"name": "config", "value": "/var/lib/kubelet/config.yaml", "file": "", "variable": "KUBELET_CONFIG_ARGS"}]
        rejected_flags:
          description: Flags the installed kubelet refuses, with its message.
          type: list
          elements: dict
          sample: [{"name": "pod-infra-container-image", "file": "/var/lib/kubelet/kubeadm-flags.env",
                    "variable": "KUBELET_KUBEADM_ARGS", "message": "unknown flag: --pod-infra-container-image"}]
        config_file:
          description: The KubeletConfiguration file (C(--config)), empty when kubelet has none.
          type: str
          sample: /var/lib/kubelet/config.yaml
        instance_config:
          description: kubeadm's per-node kubelet configuration patch, when it exists.
          type: str
          sample: /var/lib/kubelet/instance-config.yaml
        kubeadm:
          description: The kubeadm binary on the node's PATH, empty when there is none.
          type: str
          sample: /usr/bin/kubeadm
        config_dir_files:
          description:
            - For kubelet's C(--config-dir) and each folder of O(config_dirs), whether it exists and its
              C(.conf) files with their text, mode and owner's uid, in the order kubelet merges them (lexical,
              subfolders included).
          type: dict
          sample: {"/etc/kubernetes/kubelet.conf.d": {"exists": true, "files": [
                   {"path": "/etc/kubernetes/kubelet.conf.d/10-pods.conf", "content": "apiVersion: ...",
                    "mode": "0644", "uid": 0}]}}
        cgroup_version:
          description: The node's cgroup version, V(2) when /sys/fs/cgroup is the unified hierarchy, else V(1).
          type: int
          sample: 2
        user_namespaces:
          description:
            - >-
              What kubelet reads at its start for pods with C(hostUsers false), and as kubelet reads it
              (whether the C(kubelet) user exists, the C(getsubids) tool, and what C(getsubids kubelet) and
              C(getsubids -g kubelet) print; null when they were not run, C(error) when one failed).
          type: dict
          version_added: 0.2.0
          sample: {"user": true, "getsubids": "/usr/bin/getsubids", "uids": "0: kubelet 65536 7208960\\n",
                   "gids": "0: kubelet 65536 7208960\\n", "error": ""}
"""

import os
import pwd
import re
import shlex

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_flags import FlagsError, parse_assignments, split_flags

_PROPERTIES = "LoadState,ActiveState,UnitFileState,FragmentPath,DropInPaths,ExecStart,EnvironmentFiles,Environment"
_VARIABLE = re.compile(r"^\$(?:\{(\w+)\}|(\w+))$")


def unit_properties(text):
    """systemctl show output as {name: [values]}."""
    found = {}
    for line in text.splitlines():
        name, dummy, value = line.partition("=")
        found.setdefault(name, []).append(value)
    return found


def exec_start(value):
    """(path, argv words) of systemctl's rendering of ExecStart."""
    path = re.search(r"path=(\S+)", value)
    argv = re.search(r"argv\[\]=(.*?) ; ignore_errors=", value)
    return (path.group(1) if path else ""), (argv.group(1).split() if argv else [])


def environment(props):
    """[(name, value, file)] in the order systemd applies them: Environment= first, then the files."""
    assignments = []
    for value in props.get("Environment", []):
        for item in shlex.split(value):
            name, dummy, text = item.partition("=")
            assignments.append((name, text, ""))
    files = []
    for value in props.get("EnvironmentFiles", []):
        if not value:
            continue
        path = value.split(" (")[0]
        entry = dict(path=path, optional="ignore_errors=yes" in value, exists=os.path.isfile(path), variables=[])
        if entry["exists"]:
            with open(path) as handle:
                found = parse_assignments(handle.read())
            entry["variables"] = sorted(found)
            assignments.extend((name, text, path) for name, text in found.items())
        files.append(entry)
    return assignments, files


def expand(words, assignments):
    """The flags of ExecStart's words, each with the file and variable it came from."""
    values = {}
    for name, text, path in assignments:
        values[name] = (text, path)
    chunks, literal = [], []
    for word in words:
        match = _VARIABLE.match(word)
        if not match:
            literal.append(word)
            continue
        if literal:
            chunks.append((literal, "", ""))
            literal = []
        name = match.group(1) or match.group(2)
        text, path = values.get(name, ("", ""))
        chunks.append((text.split() if match.group(2) else [text], path, name))
    if literal:
        chunks.append((literal, "", ""))
    flags = []
    for chunk_words, path, name in chunks:
        try:
            entries = split_flags([w for w in chunk_words if w])
        except FlagsError as exc:
            raise FlagsError("%s in %s: %s" % (name or "ExecStart", path or "the unit", exc))
        for flag, value, form in entries:
            flags.append(dict(name=flag, value=value, form=form, file=path, variable=name))
    return flags


def dropin_files(folder):
    """The .conf files kubelet merges from folder, in its order (lexical per level, subfolders in place)."""
    found = []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return found
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            found.extend(dropin_files(entry.path))
        elif entry.name.endswith(".conf"):
            try:
                info = os.stat(entry.path)
                with open(entry.path, encoding="utf-8", errors="replace") as handle:
                    found.append(dict(path=entry.path, content=handle.read(), mode="%04o" % (info.st_mode & 0o7777),
                                      uid=info.st_uid))
            except OSError as exc:
                found.append(dict(path=entry.path, content="", error=str(exc)))
    return found


def read_config_dirs(flags, extra):
    """{folder: {exists, files}} of kubelet's --config-dir (made absolute, as systemd starts it in /) and extra."""
    own = [os.path.normpath(os.path.join("/", flag["value"])) for flag in flags if flag["name"] == "config-dir" and flag["value"]]
    return dict((folder, dict(exists=os.path.isdir(folder), files=dropin_files(folder))) for folder in own[-1:] + list(extra))


def _version(module, binary):
    rc, out, err = module.run_command([binary, "--version"])
    match = re.search(r"Kubernetes (v(\d+)\.(\d+)\.\d+\S*)", out)
    if rc != 0 or not match:
        return "", 0, (err or out).strip()
    return match.group(1), int(match.group(3)), ""


def _rejection(module, binary, flag):
    word = "--" + flag["name"] + ("" if flag["value"] is None else "=" + flag["value"])
    rc, out, err = module.run_command([binary, word, "--version"])
    if rc == 0:
        return ""
    said = re.search(r'err="(?:failed to parse kubelet flag: )?(.*?)"\s*$', err.strip())
    return said.group(1).replace('\\"', '"') if said else (err or out).strip()


def user_namespaces(module):
    """The kubelet user's subordinate IDs as kubelet reads them: getsubids, and only when that user exists."""
    found = dict(user=True, getsubids="", uids=None, gids=None, error="")
    try:
        pwd.getpwnam("kubelet")
    except KeyError:
        return dict(found, user=False)
    found["getsubids"] = module.get_bin_path("getsubids") or ""
    if found["getsubids"]:
        for key, extra in (("uids", []), ("gids", ["-g"])):
            command = ["getsubids"] + extra + ["kubelet"]
            rc, out, err = module.run_command([found["getsubids"]] + command[1:])
            if rc != 0:
                found["error"] = "`%s` answered %r (exit %d)" % (" ".join(command), (err or out).strip(), rc)
                break
            found[key] = out
    return found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            service=dict(type="str", default="kubelet.service"),
            binary=dict(type="path"),
            probe_flags=dict(type="bool", default=True),
            config_dirs=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    facts = dict(installed=False, binary="", version="", minor=0, unit={}, environment_files=[], referenced_variables=[],
                 flags=[], rejected_flags=[], config_file="", instance_config="", user_namespaces={},
                 kubeadm=module.get_bin_path("kubeadm") or "",
                 cgroup_version=2 if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else 1)
    rc, out, err = module.run_command(["systemctl", "show", module.params["service"], "--property=" + _PROPERTIES])
    if rc != 0:
        module.fail_json(msg="systemctl show %s failed: %s" % (module.params["service"], err.strip()))
    props = unit_properties(out)
    first = dict((name, values[0]) for name, values in props.items())
    facts["unit"] = dict(load_state=first.get("LoadState", ""), active_state=first.get("ActiveState", ""),
                         unit_file_state=first.get("UnitFileState", ""), fragment_path=first.get("FragmentPath", ""),
                         drop_in_paths=first.get("DropInPaths", "").split())
    path, words = exec_start(first.get("ExecStart", ""))
    facts["binary"] = module.params["binary"] or path
    assignments, facts["environment_files"] = environment(props)
    facts["referenced_variables"] = [m.group(1) or m.group(2) for m in map(_VARIABLE.match, words[1:]) if m]
    try:
        facts["flags"] = expand(words[1:], assignments)
    except FlagsError as exc:
        module.fail_json(msg="cannot read kubelet's flags from %s: %s" % (module.params["service"], exc))
    configs = [flag["value"] for flag in facts["flags"] if flag["name"] == "config"]
    facts["config_file"] = configs[-1] if configs else ""
    facts["config_dir_files"] = read_config_dirs(facts["flags"], module.params["config_dirs"])
    if facts["config_file"]:
        instance = os.path.join(os.path.dirname(facts["config_file"]), "instance-config.yaml")
        facts["instance_config"] = instance if os.path.isfile(instance) else ""

    if facts["unit"]["load_state"] == "loaded" and facts["binary"] and os.access(facts["binary"], os.X_OK):
        facts["version"], facts["minor"], problem = _version(module, facts["binary"])
        if problem:
            module.fail_json(msg="%s --version failed: %s" % (facts["binary"], problem))
        facts["installed"] = True
        facts["user_namespaces"] = user_namespaces(module)
        if module.params["probe_flags"]:
            for flag in facts["flags"]:
                message = _rejection(module, facts["binary"], flag)
                if message:
                    facts["rejected_flags"].append(dict(flag, message=message))
    module.exit_json(changed=False, ansible_facts=dict(kubelet=facts))


if __name__ == "__main__":
    main()
