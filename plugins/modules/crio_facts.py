#!/usr/bin/python
# Copyright: nodeops.crio contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: crio_facts
short_description: "What a node's CRI-O runs: versions, merged configuration, runtimes, readiness"
version_added: 0.1.0
description:
  - Asks the installed C(crio) and C(crictl) what the node runs, instead of
    grepping their text output in playbooks.
  - The merged configuration comes from the running daemon (C(crio status config))
    when its socket answers, else from the configuration files as C(crio config)
    merges them over C(crio config --default).
  - Reads only; safe in check mode.
  - Optionally checks a mapping of CRI-O settings (for example a role's
    C(crio_config_overrides)) against the keys the installed crio knows, and
    against options CRI-O removed, which it would otherwise ignore silently.
  - Also scans the main configuration file and its drop-ins for removed options
    and reports where each one lives now.
author:
  - nodeops.crio maintainers (!UNKNOWN)
options:
  crio_path:
    description: Path of the crio binary; searched in C(PATH), C(/usr/local/bin) and C(/usr/bin) when not given.
    type: path
  crictl_path:
    description: Path of the crictl binary; searched like O(crio_path).
    type: path
  config_path:
    description: The main configuration file crio reads.
    type: path
    default: /etc/crio/crio.conf
  config_dir:
    description: The drop-in directory crio reads.
    type: path
    default: /etc/crio/crio.conf.d
  check_settings:
    description:
      - A nested mapping of CRI-O settings (tables as mappings, as in crio.conf) to check.
      - Keys the installed crio does not know are returned in RV(unknown_settings);
        removed or deprecated options in RV(removed_settings).
    type: dict
  compare_file:
    description:
      - A TOML file to compare with O(check_settings), such as the drop-in a role owns.
      - Its keys that O(check_settings) does not set are returned in RV(stale_keys),
        so that whoever owns the file can remove them.
    type: path
  unknown_settings_action:
    description:
      - What to do with keys of O(check_settings) the installed crio does not know
        (CRI-O itself ignores them silently, so a typo does nothing).
      - V(report) only returns them, V(warn) also warns, V(fail) fails the task.
    type: str
    choices: [report, warn, fail]
    default: report
  warn_removed_options:
    description:
      - Warn about removed or deprecated options found in the configuration files,
        and about deprecated ones in O(check_settings) (they still work, so nothing fails on them).
      - An option of O(compare_file) that O(check_settings) sets again is warned about once, as a setting.
    type: bool
    default: true
  list_pods:
    description:
      - List the pod sandboxes the running daemon has, each with the runtime
        handler CRI-O recorded for it (one C(crictl inspectp) per pod).
      - What a restart of crio into another minor or another default runtime
        would touch; needs crictl and a running daemon.
    type: bool
    default: false
  timeout:
    description: Seconds to wait for each answer of crio or crictl.
    type: int
    default: 15
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
  platform:
    platforms: posix
notes:
  - Readiness conditions need crictl; without it RV(ansible_facts.crio.conditions) is empty.
seealso:
  - module: nodeops.crio.crio_config
"""

EXAMPLES = r"""
- name: Learn what CRI-O runs
  nodeops.crio.crio_facts:

- name: Show the cgroup manager kubelet must agree with
  ansible.builtin.debug:
    msg: "{{ ansible_facts.crio.cgroup_manager }}"

- name: Warn about overrides the installed crio would ignore
  nodeops.crio.crio_facts:
    check_settings:
      crio:
        runtime:
          cgroup_manger: systemd
  register: crio_check

- name: Fail on them
  ansible.builtin.assert:
    that: crio_check.unknown_settings | length == 0
    fail_msg: "Unknown CRI-O settings: {{ crio_check.unknown_settings | join(', ') }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts about the node's CRI-O.
  returned: always
  type: dict
  contains:
    crio:
      description: What the node's CRI-O runs.
      type: dict
      returned: always
      contains:
        installed:
          description: Whether a crio binary was found.
          type: bool
          sample: true
        binary:
          description: Path of the crio binary.
          type: str
          sample: /usr/local/bin/crio
        version:
          description: CRI-O's version.
          type: str
          sample: 1.36.3
        crictl_version:
          description: crictl's version, when crictl is installed.
          type: str
          sample: 1.36.0
        install_method:
          description:
            - V(bundle) when crio sits where the static bundle's installer puts it,
              V(package) when a package owns it, V(other) otherwise, V(none) when not installed.
          type: str
          sample: bundle
        running:
          description: Whether the daemon answered on its socket.
          type: bool
        config_source:
          description: V(daemon) (crio status config), V(files) (crio config) or V(none).
          type: str
          sample: daemon
        config:
          description: The merged configuration as nested mappings.
          type: dict
        config_error:
          description: Why the configuration could not be read, if it could not.
          type: str
        cgroup_manager:
          description: The cgroup manager (V(systemd) or V(cgroupfs)); kubelet's cgroup driver must agree.
          type: str
          sample: systemd
        default_runtime:
          description: The runtime handler used when a pod names none.
          type: str
          sample: crun
        runtimes:
          description: The runtime tables by handler name.
          type: dict
        socket:
          description: The CRI socket path (crio.api.listen).
          type: str
          sample: /var/run/crio/crio.sock
        pause_image:
          description: The pause image reference.
          type: str
        storage_root:
          description: Where CRI-O stores images and containers.
          type: str
        conditions:
          description: CRI readiness conditions from C(crictl info), as condition type to bool.
          type: dict
          sample: {"RuntimeReady": true, "NetworkReady": true}
        ready:
          description: True when RuntimeReady is true (NetworkReady is reported separately).
          type: bool
        removed_options:
          description: Removed or deprecated options found in the configuration files.
          type: list
          elements: dict
          sample: [{"file": "/etc/crio/crio.conf", "key": "crio.file_locking", "message": "removed in CRI-O 1.16: ..."}]
        state_version:
          description:
            - The version the last crio that ran wrote to its version file
              (C(crio.version_file), on tmpfs, so it outlives a binary upgrade
              until the next boot); null when the file is missing or unreadable.
            - At start CRI-O removes every pod when its major.minor differs
              from this one (and C(internal_wipe) is on).
          type: str
          sample: 1.36.3
        state_version_file:
          description: The version file, C(crio.version_file) of the configuration; empty when none is set.
          type: str
          sample: /var/run/crio/version
        internal_wipe:
          description: Whether CRI-O removes its pods itself at a start that finds another minor's state.
          type: bool
        pods:
          description:
            - With O(list_pods) and a running daemon, its pod sandboxes.
            - V(runtime_handler) is the handler CRI-O recorded; empty means the
              pod named none and runs on the default runtime.
          type: list
          elements: dict
          sample: [{"id": "5d3c...", "name": "hello-7c9f", "namespace": "default", "state": "SANDBOX_READY", "runtime_handler": ""}]
unknown_settings:
  description: Keys of O(check_settings) the installed crio does not know (dotted). Empty when crio is not installed.
  returned: when O(check_settings) is given
  type: list
  elements: str
  sample: ["crio.runtime.cgroup_manger"]
unknown_settings_checked:
  description: Whether O(check_settings) could be checked against an installed crio.
  returned: when O(check_settings) is given
  type: bool
stale_keys:
  description: Keys of O(compare_file) that O(check_settings) does not set, as lists of name parts.
  returned: when O(check_settings) and O(compare_file) are given
  type: list
  elements: list
  sample: [["crio", "runtime", "runtimes", "runc", "allowed_annotations"]]
removed_settings:
  description: Removed or deprecated options in O(check_settings), with where they live now.
  returned: when O(check_settings) is given
  type: list
  elements: dict
  sample: [{"key": "crio.image.registries", "message": "no effect since CRI-O 1.21, ..."}]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nodeops.crio.plugins.module_utils import _crio_facts as cf
from ansible_collections.nodeops.crio.plugins.module_utils._toml_read import TomlReadError, loads

_SEARCH = ["/usr/local/bin", "/usr/bin"]


class _Node(object):
    """Runs crio and crictl on the node with the module's timeout."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.crio = self._binary("crio", self.params["crio_path"])
        self.crictl = self._binary("crictl", self.params["crictl_path"])
        self._defaults = None

    def _binary(self, name, given):
        if given:
            return given if os.access(given, os.X_OK) else None
        return self.module.get_bin_path(name, opt_dirs=_SEARCH)

    def run(self, *args):
        timeout = str(self.params["timeout"])
        rc, out, err = self.module.run_command(["timeout", timeout] + list(args))
        return rc, out, err

    def install_method(self):
        if not self.crio:
            return "none"
        for query in (["dpkg-query", "-S"], ["rpm", "-qf"]):
            tool = self.module.get_bin_path(query[0])
            if tool and self.run(tool, *(query[1:] + [os.path.realpath(self.crio)]))[0] == 0:
                return "package"
        return "bundle" if self.crio == "/usr/local/bin/crio" else "other"

    def defaults(self):
        """The text of `crio config --default` (every option, set to its default)."""
        if self._defaults is None:
            rc, out, err = self.run(self.crio, "config", "--default")
            if rc != 0:
                raise RuntimeError("crio config --default failed: %s" % (err.strip() or out.strip()))
            self._defaults = out
        return self._defaults

    def file_config(self):
        """crio config over crio config --default: the merged file configuration."""
        main = self.params["config_path"]
        args = [self.crio, "--config", main if os.path.exists(main) else "", "--config-dir", self.params["config_dir"]]
        rc, current, err = self.run(*(args + ["config"]))
        if rc != 0:
            raise RuntimeError("crio config failed: %s" % (err.strip() or current.strip()))
        return _merge(loads(self.defaults()), loads(current))

    def daemon_config(self, socket):
        rc, out, _err = self.run(self.crio, "status", "--socket", socket, "config")
        return loads(out) if rc == 0 and out.strip() else None

    def pods(self, socket):
        if not self.crictl:
            return []
        endpoint = ["--runtime-endpoint", "unix://" + socket]
        rc, out, _err = self.run(self.crictl, *(endpoint + ["pods", "--output=json"]))
        if rc != 0:
            return []
        inspections = {}
        for pod in cf.parse_pods(out, {}):
            rc, text, _err = self.run(self.crictl, *(endpoint + ["inspectp", "--output=json", pod["id"]]))
            if rc == 0:
                inspections[pod["id"]] = text
        return cf.parse_pods(out, inspections)

    def conditions(self, socket):
        if not self.crictl:
            return {}
        rc, out, _err = self.run(self.crictl, "--runtime-endpoint", "unix://" + socket, "info")
        return cf.parse_conditions(out) if rc == 0 else {}


def _merge(base, top):
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _config_files(main, drop_in_dir):
    files = [main] if os.path.isfile(main) else []
    for root, _dirs, names in sorted(os.walk(drop_in_dir)):
        files.extend(os.path.join(root, name) for name in sorted(names))
    return files


def removed_in_files(main, drop_in_dir):
    found = []
    for path in _config_files(main, drop_in_dir):
        try:
            with open(path) as handle:
                document = loads(handle.read())
        except (IOError, OSError, UnicodeDecodeError, TomlReadError):
            continue  # crio itself reports files it cannot read
        for item in cf.removed_settings(document):
            item["file"] = path
            found.append(item)
    return found


def gather(node, facts):
    facts["version"] = cf.parse_crio_version(node.run(node.crio, "--version")[1])
    facts["config_source"] = "none"
    try:
        files = node.file_config()
    except (RuntimeError, TomlReadError) as exc:
        facts["config_error"] = str(exc)
        return
    socket = cf.summarize_config(files)["socket"] or "/var/run/crio/crio.sock"
    running = node.daemon_config(socket) if os.path.exists(socket) else None
    facts["running"] = running is not None
    facts["config"] = running if running is not None else files
    facts["config_source"] = "daemon" if running is not None else "files"
    facts.update(cf.summarize_config(facts["config"]))
    facts["socket"] = facts["socket"] or socket
    state = cf.state_files(facts["config"])
    facts["state_version_file"] = state["version_file"]
    facts["internal_wipe"] = state["internal_wipe"]
    facts["state_version"] = read_version_file(state["version_file"])
    if running is not None:
        facts["conditions"] = node.conditions(facts["socket"])
        facts["ready"] = bool(facts["conditions"].get("RuntimeReady"))
        if node.params["list_pods"]:
            facts["pods"] = node.pods(facts["socket"])


def read_version_file(path):
    if not path:
        return None
    try:
        with open(path) as handle:
            return cf.parse_version_file(handle.read())
    except (IOError, OSError, UnicodeDecodeError):
        return None


def stale_keys(module, path, settings):
    if not os.path.isfile(path):
        return []
    try:
        with open(path) as handle:
            document = loads(handle.read())
    except (IOError, OSError, UnicodeDecodeError, TomlReadError) as exc:
        module.fail_json(msg="Cannot read %s: %s" % (path, exc))
    return [list(key) for key in cf.stale_keys(document, settings)]


def report_unknown(module, unknown, version, result):
    if not unknown or module.params["unknown_settings_action"] == "report":
        return
    msg = ("CRI-O %s does not know these settings and would ignore them: %s (its known keys: crio config --default)"
           % (version or "(unknown version)", ", ".join(unknown)))
    if module.params["unknown_settings_action"] == "fail":
        module.fail_json(msg=msg, **result)
    module.warn(msg)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            crio_path=dict(type="path"),
            crictl_path=dict(type="path"),
            config_path=dict(type="path", default="/etc/crio/crio.conf"),
            config_dir=dict(type="path", default="/etc/crio/crio.conf.d"),
            check_settings=dict(type="dict"),
            compare_file=dict(type="path"),
            unknown_settings_action=dict(type="str", choices=["report", "warn", "fail"], default="report"),
            warn_removed_options=dict(type="bool", default=True),
            list_pods=dict(type="bool", default=False),
            timeout=dict(type="int", default=15),
        ),
        supports_check_mode=True,
    )
    node = _Node(module)
    facts = dict(installed=bool(node.crio), binary=node.crio, version=None, crictl_version=None,
                 install_method=node.install_method(), running=False, config_source="none", config={},
                 conditions={}, ready=False, removed_options=[], state_version=None, state_version_file="",
                 internal_wipe=True, pods=[])
    if node.crictl:
        facts["crictl_version"] = cf.parse_crictl_version(node.run(node.crictl, "--version")[1])
    if node.crio:
        gather(node, facts)
    facts["removed_options"] = removed_in_files(module.params["config_path"], module.params["config_dir"])
    settings = module.params["check_settings"]
    removed = cf.removed_settings(settings or {})
    if module.params["warn_removed_options"]:
        compare = os.path.normpath(module.params["compare_file"]) if module.params["compare_file"] else None
        rewritten = set(item["key"] for item in removed)
        for item in facts["removed_options"]:
            if not (os.path.normpath(item["file"]) == compare and item["key"] in rewritten):
                module.warn("%s: %s: %s" % (item["file"], item["key"], item["message"]))
        for item in filter(cf.deprecated, removed):
            module.warn("%s: %s" % (item["key"], item["message"]))

    result = dict(changed=False, ansible_facts=dict(crio=facts))
    if settings is not None:
        result["removed_settings"] = removed
        result["unknown_settings"] = []
        result["unknown_settings_checked"] = False
        if module.params["compare_file"]:
            result["stale_keys"] = stale_keys(module, module.params["compare_file"], settings)
        if node.crio:
            try:
                known = cf.known_keys(node.defaults())
            except RuntimeError as exc:
                module.fail_json(msg="Cannot check settings against the installed crio: %s" % exc)
            result["unknown_settings"] = unknown = cf.unknown_settings(settings, known)
            result["unknown_settings_checked"] = True
            report_unknown(module, unknown, facts.get("version"), result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
