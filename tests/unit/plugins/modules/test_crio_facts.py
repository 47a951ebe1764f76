# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""crio_facts through main(), on a node faked at the run_command level with
real outputs of CRI-O 1.36.3 (tests/unit/fixtures/crio_facts)."""

import json
import os

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common import warnings

from ansible_collections.nodeops.crio.plugins.modules import crio_facts
from ansible_collections.nodeops.crio.tests.unit.compat import patch_module_args

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "crio_facts")


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return handle.read()


class FakeNode:
    """Answers the commands crio_facts runs, and records them."""

    def __init__(self, tmp_path, installed=True, running=False, crictl=True, pods=None):
        self.installed = installed
        self.crictl = crictl
        self.socket = str(tmp_path / "crio.sock")
        self.version_file = str(tmp_path / "version")
        # {id: (crictl's items entry, the handler CRI-O recorded)}
        self.pods = pods or {}
        self.commands = []
        self.status_config = fixture("crio-1.36.3-config-default.toml").replace(
            'listen = "/var/run/crio/crio.sock"', 'listen = "%s"' % self.socket).replace(
            'version_file = "/var/run/crio/version"', 'version_file = "%s"' % self.version_file)
        if running:
            open(self.socket, "w").close()

    def bin_path(self, name, required=False, opt_dirs=None):
        if name == "crio" and self.installed:
            return "/usr/local/bin/crio"
        if name == "crictl" and self.crictl:
            return "/usr/local/bin/crictl"
        return None

    def run(self, args, **kwargs):
        args = list(args)
        self.commands.append(args)
        assert args[0] == "timeout", "every command runs under timeout"
        command = args[2:]
        if command == ["/usr/local/bin/crio", "--version"]:
            return 0, "crio version 1.36.3\n   GitCommit: b24632ab\n", ""
        if command == ["/usr/local/bin/crictl", "--version"]:
            return 0, "crictl version v1.36.0\n", ""
        if command == ["/usr/local/bin/crio", "config", "--default"]:
            return 0, fixture("crio-1.36.3-config-default.toml"), "level=info msg=...\n"
        if command[0] == "/usr/local/bin/crio" and command[-1] == "config" and "--config-dir" in command:
            text = fixture("crio-1.36.3-config-bundle.toml")
            return 0, text.replace("[crio.api]", '[crio.api]\nlisten = "%s"' % self.socket), ""
        if command[:2] == ["/usr/local/bin/crio", "status"]:
            return 0, self.status_config, ""
        if command[:5] == ["/usr/local/bin/crictl", "--runtime-endpoint", "unix://" + self.socket, "pods",
                           "--output=json"]:
            return 0, json.dumps({"items": [item for item, _handler in self.pods.values()]}, indent=2), ""
        if command[:5] == ["/usr/local/bin/crictl", "--runtime-endpoint", "unix://" + self.socket, "inspectp",
                           "--output=json"]:
            item, handler = self.pods[command[5]]
            spec = {"annotations": {"io.kubernetes.cri-o.RuntimeHandler": handler,
                                    "io.kubernetes.cri-o.SandboxID": item["id"]}}
            return 0, json.dumps({"status": {"id": item["id"], "state": item["state"]},
                                  "info": {"pid": 4242, "runtimeSpec": spec}}, indent=2), ""
        if command[:4] == ["/usr/local/bin/crictl", "--runtime-endpoint", "unix://" + self.socket, "info"]:
            conditions = [{"type": "RuntimeReady", "status": True}, {"type": "NetworkReady", "status": False}]
            return 0, json.dumps({"status": {"conditions": conditions}}), ""
        raise AssertionError("unexpected command %r" % args)


@pytest.fixture
def node(monkeypatch, tmp_path):
    def make(**kwargs):
        fake = FakeNode(tmp_path, **kwargs)
        monkeypatch.setattr(AnsibleModule, "get_bin_path", fake.bin_path)
        monkeypatch.setattr(AnsibleModule, "run_command", fake.run)
        return fake
    return make


@pytest.fixture
def config_dir(tmp_path):
    path = tmp_path / "crio.conf.d"
    path.mkdir()
    return path


def run(args, capsys, config_dir):
    warnings._global_warnings.clear()  # they outlive main() within one process
    args = dict({"config_path": str(config_dir.parent / "crio.conf"), "config_dir": str(config_dir)}, **args)
    with patch_module_args(args), pytest.raises(SystemExit):
        crio_facts.main()
    return json.loads(capsys.readouterr().out)


def test_no_crio(node, capsys, config_dir):
    node(installed=False, crictl=False)
    result = run({"check_settings": {"crio": {"image": {"registries": ["docker.io"]}}}}, capsys, config_dir)
    facts = result["ansible_facts"]["crio"]
    assert facts["installed"] is False and facts["install_method"] == "none" and facts["version"] is None
    assert result["unknown_settings_checked"] is False
    assert [item["key"] for item in result["removed_settings"]] == ["crio.image.registries"]


def test_stopped_crio_merges_files_over_defaults(node, capsys, config_dir):
    fake = node()
    facts = run({"_ansible_check_mode": True}, capsys, config_dir)["ansible_facts"]["crio"]
    assert facts["version"] == "1.36.3" and facts["crictl_version"] == "1.36.0"
    assert facts["install_method"] == "bundle"
    assert facts["running"] is False and facts["config_source"] == "files"
    assert facts["cgroup_manager"] == "systemd"
    assert facts["default_runtime"] == "crun"
    assert sorted(facts["runtimes"]) == ["crun", "runc"]
    assert facts["runtimes"]["runc"]["runtime_path"] == "/usr/libexec/crio/runc"
    assert facts["config"]["crio"]["image"]["signature_policy"] == "/etc/crio/policy.json"
    assert facts["socket"] == fake.socket
    assert facts["ready"] is False and facts["conditions"] == {}
    # A missing main file is passed as "", which crio skips; a missing path is fatal.
    config_call = [c for c in fake.commands if "--config-dir" in c][0]
    assert config_call[config_call.index("--config") + 1] == ""


def test_running_crio_answers_for_itself(node, capsys, config_dir):
    node(running=True)
    facts = run({}, capsys, config_dir)["ansible_facts"]["crio"]
    assert facts["running"] is True and facts["config_source"] == "daemon"
    assert facts["conditions"] == {"RuntimeReady": True, "NetworkReady": False}
    assert facts["ready"] is True


def test_unknown_settings_warn_or_fail(node, capsys, config_dir):
    node()
    settings = {"crio": {"runtime": {"cgroup_manger": "systemd", "timezone": "Local"}}}
    result = run({"check_settings": settings, "unknown_settings_action": "warn"}, capsys, config_dir)
    assert result["unknown_settings"] == ["crio.runtime.cgroup_manger"]
    assert "CRI-O 1.36.3 does not know these settings" in json.dumps(result["warnings"])
    result = run({"check_settings": settings, "unknown_settings_action": "fail"}, capsys, config_dir)
    assert result["failed"] is True
    assert "CRI-O 1.36.3 does not know these settings" in result["msg"]
    assert "crio.runtime.cgroup_manger" in result["msg"]


def test_removed_options_in_files_are_reported(node, capsys, config_dir):
    node()
    (config_dir.parent / "crio.conf").write_text('[crio]\nfile_locking = false\n[crio.image]\ninsecure_registries = ["r"]\n')
    (config_dir / "99-broken.conf").write_text("[crio\n")  # crio itself reports files it cannot read
    result = run({}, capsys, config_dir)
    removed = result["ansible_facts"]["crio"]["removed_options"]
    assert [(os.path.basename(r["file"]), r["key"]) for r in removed] == [
        ("crio.conf", "crio.file_locking"), ("crio.conf", "crio.image.insecure_registries")]
    assert json.dumps(result["warnings"]).count("crio.conf: crio.") == 2
    result = run({"warn_removed_options": False}, capsys, config_dir)
    assert "crio.conf: crio." not in json.dumps(result.get("warnings", []))


def test_deprecated_settings_warn_once_and_removed_ones_are_returned(node, capsys, config_dir):
    node(installed=False)
    dropin = config_dir / "50-nodeops.conf"
    dropin.write_text("[crio.runtime]\npids_limit = 2048\n")
    (config_dir / "10-operator.conf").write_text("[crio.runtime]\nlog_size_max = 52428800\n")
    settings = {"crio": {"runtime": {"pids_limit": 4096}, "image": {"registries": ["docker.io"]}}}
    result = run({"check_settings": settings, "compare_file": str(dropin)}, capsys, config_dir)
    # ansible-core 2.19 returns each warning as an event with its text in msg.
    warned = [w["event"]["msg"] if isinstance(w, dict) else w for w in result["warnings"]]
    # The role's drop-in is about to be rewritten: its old value is not warned about as well.
    assert [w for w in warned if "pids_limit" in w] == [
        "crio.runtime.pids_limit: deprecated in CRI-O 1.36 in favour of kubelet's podPidsLimit: set kubelet_settings: "
        "{podPidsLimit: 4096} with nodeops.crio.kubelet and leave the crio role's crio_pids_limit null"]
    assert [w for w in warned if "log_size_max" in w] == [
        "%s: crio.runtime.log_size_max: deprecated in CRI-O 1.36 in favour of kubelet's containerLogMaxSize: set "
        "kubelet_settings: {containerLogMaxSize: 50Mi} with nodeops.crio.kubelet and leave the crio role's "
        "crio_log_size_max null" % (config_dir / "10-operator.conf")]
    # A removed option is returned for the caller to refuse, not warned about here.
    assert not [w for w in warned if "registries" in w]
    assert [item["key"] for item in result["removed_settings"]] == ["crio.runtime.pids_limit", "crio.image.registries"]
    quiet = run({"check_settings": settings, "warn_removed_options": False}, capsys, config_dir)
    assert not quiet.get("warnings")


def test_stale_keys_of_the_compared_file(node, capsys, config_dir):
    node(installed=False)
    dropin = config_dir / "50-nodeops.conf"
    dropin.write_text('[crio.runtime]\npids_limit = 5\nlog_level = "debug"\n'
                      '[crio.runtime.runtimes.runc]\nruntime_path = "/r"\nallowed_annotations = []\n')
    settings = {"crio": {"runtime": {"pids_limit": 5, "runtimes": {"runc": {"runtime_path": "/r"}}}}}
    result = run({"check_settings": settings, "compare_file": str(dropin)}, capsys, config_dir)
    assert result["stale_keys"] == [["crio", "runtime", "log_level"],
                                    ["crio", "runtime", "runtimes", "runc", "allowed_annotations"]]
    missing = run({"check_settings": settings, "compare_file": str(config_dir / "none.conf")}, capsys, config_dir)
    assert missing["stale_keys"] == []


def crictl_pod(pod_id, name, namespace, state="SANDBOX_READY"):
    """An item of `crictl pods --output=json`: crictl leaves runtimeHandler empty for pods that named none."""
    return {"id": pod_id, "metadata": {"name": name, "uid": name + "-uid", "namespace": namespace, "attempt": 0},
            "state": state, "createdAt": "1795622856994323301", "labels": {"io.kubernetes.pod.name": name},
            "annotations": {}, "runtimeHandler": ""}


WEB_ID = "5d3c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7"
DNS_ID = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"


def test_list_pods_reports_the_daemons_pods_and_its_version_file(node, capsys, config_dir):
    fake = node(running=True, pods={WEB_ID: (crictl_pod(WEB_ID, "web", "shop"), ""),
                                    DNS_ID: (crictl_pod(DNS_ID, "coredns", "kube-system", "SANDBOX_NOTREADY"), "crun")})
    with open(fake.version_file, "w") as handle:
        handle.write('"1.36.3+b24632ab44955fa84685640d4177f3c554e9f69c"')
    facts = run({"list_pods": True}, capsys, config_dir)["ansible_facts"]["crio"]
    assert facts["pods"] == [
        {"id": WEB_ID, "name": "web", "namespace": "shop", "state": "SANDBOX_READY", "runtime_handler": ""},
        {"id": DNS_ID, "name": "coredns", "namespace": "kube-system", "state": "SANDBOX_NOTREADY",
         "runtime_handler": "crun"},
    ]
    assert facts["state_version"] == "1.36.3+b24632ab44955fa84685640d4177f3c554e9f69c"
    assert facts["state_version_file"] == fake.version_file
    assert facts["internal_wipe"] is True
    endpoint = ["/usr/local/bin/crictl", "--runtime-endpoint", "unix://" + fake.socket]
    crictl = [c[2:] for c in fake.commands if c[2:5] == endpoint and c[5] != "info"]
    assert crictl == [endpoint + ["pods", "--output=json"], endpoint + ["inspectp", "--output=json", WEB_ID],
                      endpoint + ["inspectp", "--output=json", DNS_ID]]


def test_pods_are_listed_only_when_asked(node, capsys, config_dir):
    fake = node(running=True, pods={WEB_ID: (crictl_pod(WEB_ID, "web", "shop"), "")})
    facts = run({}, capsys, config_dir)["ansible_facts"]["crio"]
    assert facts["pods"] == []
    assert not [c for c in fake.commands if "pods" in c or "inspectp" in c]
    # no version file yet (a fresh boot): unreadable, so null
    assert facts["state_version"] is None and facts["state_version_file"] == fake.version_file


def test_internal_wipe_off_in_the_daemons_configuration(node, capsys, config_dir):
    fake = node(running=True)
    fake.status_config = fake.status_config.replace("internal_wipe = true", "internal_wipe = false")
    facts = run({"list_pods": True}, capsys, config_dir)["ansible_facts"]["crio"]
    assert facts["internal_wipe"] is False
    assert facts["pods"] == []
