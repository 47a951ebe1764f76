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


def test_kubelet_1_37_under_cri_o_1_36_is_refused_naming_both_and_the_fix():
    [problem] = run(node(version="v1.37.2"), crio=dict(CRIO_FACTS, version="1.36.3"))["problems"]
    assert problem == (
        "CRI-O 1.36.3 and kubelet v1.37.2 are outside the supported skew: CRI-O 1.X is made for Kubernetes 1.X, and "
        "during an upgrade CRI-O may be one minor ahead. Install CRI-O 1.37 (crio_version), upgrade kubelet, or set "
        "kubelet_check_skew: false if you know this pair works")
    assert run(node(version="v1.37.2"), crio=dict(CRIO_FACTS, version="1.37.4"))["problems"] == []


@pytest.mark.parametrize("name", ["containerd", "boot-id-file", "storage-driver-db", "global-housekeeping-interval"])
def test_a_cadvisor_flag_kubelet_1_37_refuses_says_why(name):
    # What kubelet 1.37.2 says for `kubelet --containerd=/run/x.sock --version`.
    rejected = dict(flag(name, "x", DEFAULT, "KUBELET_EXTRA_ARGS"), message="unknown flag: --" + name)
    kubelet = node(version="v1.37.2", flags=KUBEADM_NODE["flags"] + [rejected], rejected_flags=[rejected])
    [problem] = run(kubelet, crio=dict(CRIO_FACTS, version="1.37.4"))["problems"]
    assert problem.startswith(
        "kubelet v1.37.2 refuses --%s from KUBELET_EXTRA_ARGS in /etc/default/kubelet: unknown flag: --%s (kubelet 1.37 "
        "removed cAdvisor's deprecated flags; only --housekeeping-interval stays). Remove it there" % (name, name))
    allowed = run(kubelet, crio=dict(CRIO_FACTS, version="1.37.4"), remove_rejected_flags=True)
    assert allowed["problems"] == [] and name in allowed["flag_edits"][0]["remove"]


# What getsubids (Debian's uidmap) prints for `getsubids kubelet` and `getsubids -g kubelet`.
def ids(line="0: kubelet 65536 7208960\n", gids=None, **changes):
    found = dict(user=True, getsubids="/usr/bin/getsubids", uids=line, gids=line if gids is None else gids, error="")
    found.update(changes)
    return found


def userns(version, found, config=CONFIG):
    return run(node(version=version, user_namespaces=found), config=config,
               crio=dict(CRIO_FACTS, version=version.lstrip("v")), check_skew=False)["problems"]


WHOLE_RANGE = "0: kubelet 65536 4294901760\n"


@pytest.mark.parametrize("version, found", [
    ("v1.38.0", ids()),
    ("v1.37.2", ids()),
    ("v1.37.2", ids(WHOLE_RANGE)),  # accepted up to 1.37 (its pods failed to start there)
    ("v1.38.0", ids("0: kubelet 65536 4294836224\n")),
    ("v1.38.0", dict(user=False, getsubids="", uids=None, gids=None, error="")),
    ("v1.38.0", ids(getsubids="", uids=None, gids=None)),  # 1.38 takes its default range
    ("v1.37.2", {}),  # facts of an older collection
])
def test_subordinate_ids_kubelet_starts_with(version, found):
    assert userns(version, found) == []


def test_kubelet_1_38_refuses_a_range_that_reaches_2_to_the_32_minus_1():
    [problem] = userns("v1.38.0", ids(WHOLE_RANGE))
    assert problem == (
        "the kubelet user's range in /etc/subuid and /etc/subgid (kubelet:65536:4294901760) ends at 4294967295, and "
        "kubelet v1.38.0 refuses a range that reaches 4294967295 (2^32-1, an ID the kernel cannot map): make it "
        "kubelet:65536:4294836224, and delete the pods stuck in ContainerCreating before the upgrade (CHANGELOG-1.38)")
    assert userns("v1.38.0", ids("0: kubelet 65536 4294836224\n")) == []


def test_kubelet_before_1_38_fails_with_a_kubelet_user_and_no_getsubids():
    [problem] = userns("v1.37.2", ids(getsubids="", uids=None, gids=None))
    assert problem.startswith("this node has a kubelet user and no getsubids, so kubelet v1.37.2 fails to start")
    assert "install getsubids (Debian and Ubuntu: uidmap" in problem


def test_the_user_namespaces_gate_turned_off_skips_the_ids():
    config = CONFIG + "featureGates:\n  UserNamespacesSupport: false\n"
    assert userns("v1.35.4", ids(getsubids="", uids=None, gids=None), config) == []


@pytest.mark.parametrize("found, text", [
    (ids(error="`getsubids kubelet` answered 'Error fetching ranges' (exit 1)", uids=None, gids=None),
     "`getsubids kubelet` answered 'Error fetching ranges' (exit 1), and kubelet v1.38.0 then fails to start"),
    (ids(gids="0: kubelet 131072 7208960\n"),
     "getsubids gives the kubelet user other subordinate user IDs (0: kubelet 65536 7208960) than group IDs "
     "(0: kubelet 131072 7208960), and kubelet v1.38.0 refuses to start on that"),
    (ids("0: kubelet 65536 7208960\n1: kubelet 9000000 65536\n"),
     "and kubelet v1.38.0 takes exactly one range: leave one kubelet line in /etc/subuid and /etc/subgid"),
    (ids("0: kubelet 100000 7208960\n"),
     "(kubelet:100000:7208960) starts at 100000, and kubelet v1.38.0 needs a multiple of idsPerPod (65536) of at "
     "least 65536"),
    (ids("0: kubelet 65536 65536\n"),
     "(kubelet:65536:65536) holds 65536 IDs, and kubelet v1.38.0 needs a multiple of idsPerPod (65536) that is "
     "enough for maxPods (110), at least 7208960"),
])
def test_subordinate_ids_kubelet_refuses_to_start_on(found, text):
    [problem] = userns("v1.38.0", found)
    assert text in problem


def test_ids_per_pod_and_max_pods_come_from_kubelet_s_configuration():
    config = CONFIG + "maxPods: 10\nuserNamespaces:\n  idsPerPod: 131072\n"
    assert userns("v1.38.0", ids("0: kubelet 131072 1310720\n"), config) == []
    assert "needs a multiple of idsPerPod (131072)" in userns("v1.38.0", ids("0: kubelet 65536 1310720\n"), config)[0]
