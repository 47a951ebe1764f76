# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The kubelet role's decisions: what goes where, and what stops it."""

import copy

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_plan import duration_seconds, plan

CRIO = "unix:///var/run/crio/crio.sock"
CONTAINERD = "unix:///var/run/containerd/containerd.sock"
KUBEADM_FLAGS = "/var/lib/kubelet/kubeadm-flags.env"
DEFAULT = "/etc/default/kubelet"


def flag(name, value, path=KUBEADM_FLAGS, variable="KUBELET_KUBEADM_ARGS"):
    return dict(name=name, value=value, form="eq", file=path, variable=variable)


KUBEADM_NODE = dict(
    version="v1.36.3", minor=36, config_file="/var/lib/kubelet/config.yaml",
    flags=[flag("config", "/var/lib/kubelet/config.yaml", "", "KUBELET_CONFIG_ARGS"),
           flag("container-runtime-endpoint", CONTAINERD), flag("v", "2"),
           flag("node-labels", "pool=blue", DEFAULT, "KUBELET_EXTRA_ARGS")],
    rejected_flags=[],
    environment_files=[dict(path=KUBEADM_FLAGS), dict(path=DEFAULT)],
    referenced_variables=["KUBELET_KUBECONFIG_ARGS", "KUBELET_CONFIG_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS"],
)
CONFIG = "kind: KubeletConfiguration\ncgroupDriver: systemd\ncontainerRuntimeEndpoint: %s\n" % CONTAINERD
CRIO_FACTS = dict(version="1.36.3", cgroup_manager="systemd")
CRI = dict(answers=True, runtime_name="cri-o", message="")
OPTIONS = dict(endpoint=CRIO, image_endpoint="", timeout="10m", fix_cgroup_driver=True, config_dir="", settings={},
               remove_rejected_flags=False, check_skew=True, extra_args_file=DEFAULT)


def run(kubelet=None, config=CONFIG, crio=None, cri=None, **options):
    return plan(kubelet or KUBEADM_NODE, config, crio or CRIO_FACTS, cri or CRI, dict(OPTIONS, **options))


def node(**changes):
    result = copy.deepcopy(KUBEADM_NODE)
    result.update(changes)
    return result


def test_kubeadm_node_gets_config_keys_and_loses_the_overriding_flag():
    result = run()
    assert result["problems"] == []
    assert result["config_settings"] == {"containerRuntimeEndpoint": CRIO, "imageServiceEndpoint": CRIO,
                                         "cgroupDriver": "systemd", "runtimeRequestTimeout": "10m"}
    assert result["flag_edits"] == [dict(path=KUBEADM_FLAGS, variable="KUBELET_KUBEADM_ARGS", set={},
                                         remove=["container-runtime-endpoint"])]
    assert result["cgroup_driver"] == dict(current="systemd", source="cgroupDriver in /var/lib/kubelet/config.yaml",
                                           wanted="systemd")


def test_kubelet_before_1_27_gets_its_endpoints_as_flags_in_place():
    result = run(node(version="v1.26.15", minor=26), crio=dict(CRIO_FACTS, version="1.26.4"))
    assert result["problems"] == []
    assert set(result["config_settings"]) == {"cgroupDriver", "runtimeRequestTimeout"}
    assert result["flag_edits"] == [
        dict(path=DEFAULT, variable="KUBELET_EXTRA_ARGS", set={"image-service-endpoint": CRIO}, remove=[]),
        dict(path=KUBEADM_FLAGS, variable="KUBELET_KUBEADM_ARGS", set={"container-runtime-endpoint": CRIO}, remove=[]),
    ]


def test_without_a_configuration_file_everything_is_a_flag():
    kubelet = node(config_file="", flags=[flag("cgroup-driver", "cgroupfs", DEFAULT, "KUBELET_EXTRA_ARGS")])
    result = run(kubelet, config=None)
    assert result["config_settings"] == {}
    assert result["flag_edits"] == [dict(path=DEFAULT, variable="KUBELET_EXTRA_ARGS", remove=[], set={
        "cgroup-driver": "systemd", "container-runtime-endpoint": CRIO, "image-service-endpoint": CRIO,
        "runtime-request-timeout": "10m"})]


def test_a_cgroup_driver_mismatch_stops_when_not_to_be_fixed():
    result = run(crio=dict(CRIO_FACTS, cgroup_manager="cgroupfs"), fix_cgroup_driver=False)
    assert result["problems"] == [
        "kubelet's cgroup driver is systemd (cgroupDriver in /var/lib/kubelet/config.yaml) but CRI-O's cgroup_manager "
        "is cgroupfs; pods would fail (\"Failed to create existing container\"). Set kubelet_fix_cgroup_driver: true "
        "to make kubelet follow CRI-O, or set CRI-O's cgroup_manager to systemd (crio_cgroup_manager)"]
    assert "cgroupDriver" not in result["config_settings"]


def test_a_cgroup_driver_flag_wins_over_the_file_and_kubelet_defaults_to_cgroupfs():
    flagged = node(flags=KUBEADM_NODE["flags"] + [flag("cgroup-driver", "cgroupfs", DEFAULT, "KUBELET_EXTRA_ARGS")])
    assert run(flagged)["cgroup_driver"]["current"] == "cgroupfs"
    assert run(config="kind: KubeletConfiguration\n")["cgroup_driver"]["current"] == "cgroupfs"
    assert run(flagged, fix_cgroup_driver=False)["problems"][0].startswith(
        "kubelet's cgroup driver is cgroupfs (--cgroup-driver in KUBELET_EXTRA_ARGS in /etc/default/kubelet)")


@pytest.mark.parametrize("kube, crio, ok", [
    ("v1.36.3", "1.36.0", True), ("v1.35.2", "1.36.3", True), ("v1.36.3", "1.35.6", False), ("v1.34.1", "1.36.3", False),
])
def test_skew(kube, crio, ok):
    result = run(node(version=kube), crio=dict(CRIO_FACTS, version=crio))
    assert (result["problems"] == []) is ok
    assert run(node(version=kube), crio=dict(CRIO_FACTS, version=crio), check_skew=False)["problems"] == []


def test_old_kubelet_and_missing_crio_are_refused():
    assert "upgrade kubelet to 1.24" in run(node(version="v1.23.17"), check_skew=False)["problems"][0]
    assert "CRI-O's version is unknown" in run(crio=dict(version="", cgroup_manager=""))["problems"][0]


def test_a_silent_or_foreign_socket_stops():
    assert run(cri=dict(answers=False, message="connection refused"))["problems"] == [
        "CRI-O does not answer on %s (connection refused): start it (systemctl start crio; journalctl -u crio), "
        "converge nodeops.crio.crio first, or set kubelet_crio_endpoint to its socket" % CRIO]
    assert "answers as 'containerd'" in run(cri=dict(answers=True, runtime_name="containerd"))["problems"][0]


def test_rejected_flags_stop_or_are_removed_when_allowed():
    rejected = dict(flag("pod-infra-container-image", "registry.k8s.io/pause:3.9"),
                    message="unknown flag: --pod-infra-container-image")
    kubelet = node(flags=KUBEADM_NODE["flags"] + [rejected], rejected_flags=[rejected])
    problem = run(kubelet)["problems"][0]
    assert problem.startswith("kubelet v1.36.3 refuses --pod-infra-container-image from KUBELET_KUBEADM_ARGS in "
                              "/var/lib/kubelet/kubeadm-flags.env: unknown flag: --pod-infra-container-image (CRI-O's pause_image decides "
                              "the pause image now: crio_pause_image in nodeops.crio.crio). Remove it there")
    assert problem.endswith("Remove it there, or set kubelet_remove_rejected_flags: true to let this role do it")
    allowed = run(kubelet, remove_rejected_flags=True)
    assert allowed["problems"] == []
    assert allowed["flag_edits"][0]["remove"] == ["container-runtime-endpoint", "pod-infra-container-image"]


def test_flags_in_the_unit_itself_cannot_be_edited():
    kubelet = node(flags=[flag("container-runtime-endpoint", CONTAINERD, "", "")])
    assert run(kubelet)["problems"] == [
        "--container-runtime-endpoint is set in kubelet.service itself (ExecStart= or Environment=), where this role "
        "does not edit: move it to KUBELET_EXTRA_ARGS in /etc/default/kubelet, or remove it"]


def test_flags_need_a_file_the_unit_reads():
    kubelet = node(config_file="", flags=[], referenced_variables=["KUBELET_KUBEADM_ARGS"])
    assert run(kubelet, config=None)["problems"][0].startswith(
        "kubelet needs --cgroup-driver, --container-runtime-endpoint, --image-service-endpoint, "
        "--runtime-request-timeout, and kubelet.service does not read KUBELET_EXTRA_ARGS from /etc/default/kubelet")


@pytest.mark.parametrize("config, message", [
    (None, "kubelet's --config names /var/lib/kubelet/config.yaml, which does not exist"),
    ("kind: [", "/var/lib/kubelet/config.yaml is not valid YAML"),
    ("kind: KubeProxyConfiguration\n", "is not a KubeletConfiguration"),
])
def test_a_configuration_file_kubelet_cannot_use_stops(config, message):
    assert message in run(config=config)["problems"][0]


def test_before_kubeadm_runs_nothing_goes_to_the_missing_file_and_nothing_stops():
    result = run(node(kubeadm="/usr/bin/kubeadm", flags=KUBEADM_NODE["flags"][:1]), config=None)
    assert result["problems"] == []
    assert result["awaiting_kubeadm"] is True
    assert result["config_settings"] == {}
    assert result["flag_edits"] == []
    assert result["kubeadm_kubelet_settings"] == {"containerRuntimeEndpoint": CRIO, "imageServiceEndpoint": CRIO,
                                                  "cgroupDriver": "systemd", "runtimeRequestTimeout": "10m"}


@pytest.mark.parametrize("kubeadm, config, awaiting", [
    ("/usr/bin/kubeadm", CONFIG, False),
    ("", None, False),
])
def test_only_a_missing_file_with_kubeadm_installed_is_left_to_kubeadm(kubeadm, config, awaiting):
    result = run(node(kubeadm=kubeadm), config=config)
    assert result["awaiting_kubeadm"] is awaiting
    assert (result["problems"] == []) is (config is not None)


@pytest.mark.parametrize("text, seconds", [
    ("10m", 600.0), ("10m0s", 600.0), ("1h30m", 5400.0), ("1.5s", 1.5), ("0", 0.0), ("300ms", 0.3),
    ("10", None), ("m", None), ("10m junk", None), ("", None),
])
def test_go_durations(text, seconds):
    assert duration_seconds(text) == seconds


def test_a_timeout_kubeadm_spelled_another_way_is_kept():
    config = CONFIG + "runtimeRequestTimeout: 10m0s\n"
    assert run(config=config)["config_settings"]["runtimeRequestTimeout"] == "10m0s"
    assert run(config=CONFIG + "runtimeRequestTimeout: 2m0s\n")["config_settings"]["runtimeRequestTimeout"] == "10m"
    assert run(config=config)["kubeadm_kubelet_settings"]["runtimeRequestTimeout"] == "10m"


@pytest.mark.parametrize("text, kinds", [
    (None, None),
    ("kind: JoinConfiguration\ndiscovery: {}\n", ["JoinConfiguration"]),
    ("kind: InitConfiguration\n---\nkind: ClusterConfiguration\n---\nkind: KubeletConfiguration\n",
     ["InitConfiguration", "ClusterConfiguration", "KubeletConfiguration"]),
    ("networking: {}\n---\n- a\n", []),
    ("kind: [unclosed\n", None),  # the edit's dry run names what is wrong with it
])
def test_kubeadm_kinds_say_which_edits_have_a_document(text, kinds):
    # The role runs an edit of the kubeadm configuration only where it has a document of that kind.
    assert run(kubeadm_config="/etc/kubernetes/kubeadm.yaml", kubeadm_config_text=text)["kubeadm_kinds"] == kinds
