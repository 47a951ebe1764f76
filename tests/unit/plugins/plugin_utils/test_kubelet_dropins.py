# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""kubelet's drop-in folder: where the role writes, what overrides it, what kubelet ends up with."""

import copy

import pytest
import yaml

from ansible_collections.nodeops.crio.plugins.plugin_utils import _kubelet_dropins as dropins
from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_plan import plan

CRIO = "unix:///var/run/crio/crio.sock"
CONTAINERD = "unix:///var/run/containerd/containerd.sock"
CONFIG_FILE = "/var/lib/kubelet/config.yaml"
KUBEADM_FLAGS = "/var/lib/kubelet/kubeadm-flags.env"
DEFAULT = "/etc/default/kubelet"
DIR = dropins.DEFAULT_DIR
OWN = DIR + "/90-nodeops-crio.conf"
HEAD = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
# kubeadm's config.yaml of a containerd node, as far as these rules read it.
CONFIG = HEAD + "cgroupDriver: systemd\ncontainerRuntimeEndpoint: %s\nfailCgroupV1: false\nhealthzPort: 10248\n" % CONTAINERD


def flag(name, value, path=KUBEADM_FLAGS, variable="KUBELET_KUBEADM_ARGS"):
    return dict(name=name, value=value, form="eq", file=path, variable=variable)


NODE = dict(
    version="v1.36.3",
    minor=36,
    config_file=CONFIG_FILE,
    cgroup_version=2,
    flags=[flag("config", CONFIG_FILE, "", "KUBELET_CONFIG_ARGS"), flag("container-runtime-endpoint", CONTAINERD)],
    rejected_flags=[],
    environment_files=[dict(path=KUBEADM_FLAGS), dict(path=DEFAULT)],
    referenced_variables=["KUBELET_CONFIG_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS"],
    config_dir_files={DIR: dict(exists=False, files=[])},
)
OPTIONS = dict(
    endpoint=CRIO,
    image_endpoint="",
    timeout="10m",
    fix_cgroup_driver=True,
    remove_rejected_flags=False,
    check_skew=True,
    extra_args_file=DEFAULT,
    config_dir="auto",
    settings={},
)


def node(files=None, **changes):
    result = copy.deepcopy(NODE)
    result.update(changes)
    if files is not None:
        folder = dropins.flag_dir(result) or DIR
        result["config_dir_files"] = {folder: dict(exists=True, files=[dict(path=p, content=c) for p, c in files])}
    return result


def run(kubelet=None, config=CONFIG, **options):
    crio = dict(version="1.36.3", cgroup_manager="cgroupfs")
    return plan(kubelet or NODE, config, crio, dict(answers=True, runtime_name="cri-o"), dict(OPTIONS, **options))


@pytest.mark.parametrize(
    "minor, flags, wanted, expected",
    [
        (36, [], "auto", (DIR, True, [])),
        (35, [], "auto", (DIR, True, [])),
        (34, [], "auto", ("", False, [])),
        (34, [flag("config-dir", "/etc/k/d")], "auto", ("/etc/k/d", False, [])),
        (36, [flag("config-dir", "etc/k/d/")], "auto", ("/etc/k/d", False, [])),
        (36, [], "", ("", False, [])),
        (36, [flag("config-dir", "/etc/k/d")], "", ("", False, [])),
        (31, [], "/etc/mine/", ("/etc/mine", True, [])),
        (36, [flag("config-dir", "/etc/mine")], "/etc/mine", ("/etc/mine", False, [])),
    ],
)
def test_the_folder_the_role_writes_to(minor, flags, wanted, expected):
    assert dropins.choose_dir(dict(version="v1.%d.0" % minor, minor=minor, flags=flags), wanted) == expected


@pytest.mark.parametrize(
    "minor, flags, message",
    [
        (36, [flag("config-dir", "/etc/k/d")], "kubelet already reads its drop-ins from /etc/k/d (--config-dir)"),
        (29, [], "kubelet v1.29.0 has no drop-in directory on by default"),
    ],
)
def test_a_folder_kubelet_cannot_use_is_refused(minor, flags, message):
    folder, add, problems = dropins.choose_dir(dict(version="v1.%d.0" % minor, minor=minor, flags=flags), "/etc/mine")
    assert (folder, add) == ("", False)
    assert message in problems[0]


def test_merge_is_kubelets_json_merge_patch():
    base = {"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2], "gone": 3}
    assert dropins.merge(base, {"m": {"y": 3, "x": None}, "l": [3], "gone": None, "new": {"k": None}}) == {
        "a": 1,
        "m": {"y": 3},
        "l": [3],
        "new": {},
    }


def test_a_new_node_gets_the_drop_in_and_the_flag_and_config_yaml_is_left_to_kubeadm():
    result = run()
    assert result["problems"] == []
    assert result["config_settings"] == {}
    assert result["config_dir"] == DIR
    assert result["dropin"]["path"] == OWN
    written = yaml.safe_load(result["dropin"]["text"])
    assert written == dict(
        apiVersion="kubelet.config.k8s.io/v1beta1",
        kind="KubeletConfiguration",
        containerRuntimeEndpoint=CRIO,
        imageServiceEndpoint=CRIO,
        cgroupDriver="cgroupfs",
        runtimeRequestTimeout="10m",
    )
    assert result["flag_edits"] == [
        dict(path=DEFAULT, variable="KUBELET_EXTRA_ARGS", set={"config-dir": DIR}, remove=[]),
        dict(path=KUBEADM_FLAGS, variable="KUBELET_KUBEADM_ARGS", set={}, remove=["container-runtime-endpoint"]),
    ]
    # What kubelet will run with: config.yaml under the role's drop-in.
    assert result["config"]["containerRuntimeEndpoint"] == CRIO and result["config"]["healthzPort"] == 10248
    assert result["cgroup_driver"]["source"] == "cgroupDriver in " + CONFIG_FILE


def test_kubelet_settings_join_the_drop_in_and_kubeadms_document():
    result = run(settings={"containerLogMaxSize": "50Mi", "podPidsLimit": 4096})
    written = yaml.safe_load(result["dropin"]["text"])
    assert (written["containerLogMaxSize"], written["podPidsLimit"]) == ("50Mi", 4096)
    assert result["kubeadm_kubelet_settings"]["podPidsLimit"] == 4096


def test_kubelet_settings_go_to_config_yaml_without_a_folder():
    result = run(node(minor=34, version="v1.34.4"), settings={"podPidsLimit": 4096}, check_skew=False)
    assert result["dropin"] is None and result["config_settings"]["podPidsLimit"] == 4096


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"cgroupDriver": "systemd"}, "kubelet_settings sets cgroupDriver, which the role sets from kubelet_fix_cgroup_driver"),
        ({"containerRuntimeEndpoint": CRIO}, "which the role sets from kubelet_crio_endpoint"),
        ({"kind": "Pod"}, "kubelet_settings must name KubeletConfiguration fields"),
        ({"Bad-Key": 1}, "kubelet_settings must name KubeletConfiguration fields"),
    ],
)
def test_kubelet_settings_cannot_take_the_roles_keys(settings, message):
    assert any(message in problem for problem in run(settings=settings)["problems"])


def test_a_later_drop_in_that_sets_a_key_of_the_role_stops_it_naming_the_file():
    files = [
        (DIR + "/10-early.conf", HEAD + "cgroupDriver: systemd\n"),
        (DIR + "/95-site/late.conf", HEAD + "maxPods: 50\n"),
        (DIR + "/99-late.conf", HEAD + "cgroupDriver: systemd\ncontainerLogMaxSize: 5Mi\n"),
    ]
    result = run(node(files), settings={"containerLogMaxSize": "50Mi"})
    assert result["problems"] == [
        DIR
        + "/99-late.conf sets cgroupDriver, containerLogMaxSize after the role's "
        + OWN
        + ", so kubelet would not use the role's value: remove them there (the role's variables set them)"
    ]
    # The early one is overridden by the role; where the driver comes from now is that file.
    assert result["cgroup_driver"]["source"] == "cgroupDriver in " + DIR + "/99-late.conf"


def test_the_roles_own_drop_in_from_a_run_before_is_replaced_not_read_as_an_override():
    files = [(OWN, HEAD + "cgroupDriver: systemd\n")]
    assert run(node(files))["problems"] == []


def test_editing_config_yaml_any_drop_in_that_sets_the_roles_keys_stops_it():
    kubelet = node(
        [(DIR + "/10-early.conf", HEAD + "runtimeRequestTimeout: 2m\n")],
        flags=NODE["flags"] + [flag("config-dir", DIR, DEFAULT, "KUBELET_EXTRA_ARGS")],
    )
    result = run(kubelet, config_dir="")
    assert result["dropin"] is None
    assert result["problems"] == [
        DIR
        + "/10-early.conf sets runtimeRequestTimeout after the role's "
        + CONFIG_FILE
        + ", so kubelet would not use the role's value: remove it there (the role's variables set it)"
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        ("kind: KubeletConfiguration\nmaxPods: 5\n", "is not a KubeletConfiguration of kubelet.config.k8s.io/v1beta1"),
        ("a: [\n", "is not valid YAML"),
        ("", "is not a KubeletConfiguration"),
    ],
)
def test_a_drop_in_kubelet_refuses_stops_the_role(content, message):
    problems = run(node([(DIR + "/10-x.conf", content)]))["problems"]
    assert len(problems) == 1 and problems[0].startswith(DIR + "/10-x.conf " + message)


CGROUP_V1 = "this node runs cgroup v1, and kubelet v1.36.3 refuses to start on it"


@pytest.mark.parametrize(
    "config, flags, settings, files, refused",
    [
        (CONFIG, [], {}, [], False),
        (CONFIG.replace("failCgroupV1: false\n", ""), [], {}, [], True),
        (CONFIG.replace("failCgroupV1: false\n", ""), [], {"failCgroupV1": False}, [], False),
        (CONFIG, [], {}, [(DIR + "/10-strict.conf", HEAD + "failCgroupV1: true\n")], True),
        (CONFIG, [flag("fail-cgroupv1", None)], {}, [], True),
        (CONFIG.replace("failCgroupV1: false\n", ""), [flag("fail-cgroupv1", "false")], {}, [], False),
    ],
)
def test_cgroup_v1_against_failcgroupv1_as_kubelet_will_see_it(config, flags, settings, files, refused):
    kubelet = node(files, cgroup_version=1, flags=NODE["flags"] + flags)
    problems = run(kubelet, config, settings=settings)["problems"]
    assert any(CGROUP_V1 in problem for problem in problems) == refused


def test_cgroup_v1_is_refused_by_default_from_1_35_only():
    bare = CONFIG.replace("failCgroupV1: false\n", "")
    assert (
        CGROUP_V1.replace("v1.36.3", "v1.35.4")
        in run(node(cgroup_version=1, version="v1.35.4", minor=35), bare, check_skew=False)["problems"][0]
    )
    assert run(node(cgroup_version=1, version="v1.34.4", minor=34), bare, check_skew=False)["problems"] == []
    assert run(node(cgroup_version=2), bare)["problems"] == []


def test_before_kubeadm_writes_config_yaml_the_drop_in_is_still_written():
    result = run(node(kubeadm="/usr/bin/kubeadm"), None)
    assert result["problems"] == [] and result["awaiting_kubeadm"]
    assert result["dropin"]["path"] == OWN and result["config_settings"] == {}


def test_the_drop_in_differs_until_the_node_holds_it_as_root_0644():
    text = run()["dropin"]["text"]
    assert run()["dropin"]["differs"]
    for mode, uid, differs in (("0644", 0, False), ("0600", 0, True), ("0644", 1000, True)):
        kubelet = node([(OWN, text)])
        kubelet["config_dir_files"][DIR]["files"][0].update(mode=mode, uid=uid)
        assert run(kubelet)["dropin"]["differs"] == differs
    assert run()["dropin"]["files"] == [
        dict(path=DIR, state="directory"),
        dict(path=OWN, content=text, mode="0644", owner="root", group="root"),
    ]


def test_migrate_sees_the_endpoint_a_drop_in_gives_kubelet():
    from ansible_collections.nodeops.crio.plugins.plugin_utils._migrate import kubelet_endpoint

    kubelet = node([(OWN, HEAD + "containerRuntimeEndpoint: %s\n" % CRIO)], flags=[flag("config-dir", DIR)])
    config = yaml.safe_load(CONFIG)
    assert kubelet_endpoint(kubelet, config) == (CRIO, "containerRuntimeEndpoint in " + OWN)
    # Without --config-dir kubelet does not read the folder.
    assert kubelet_endpoint(node([(OWN, HEAD + "containerRuntimeEndpoint: %s\n" % CRIO)], flags=[]), config) == (
        CONTAINERD,
        "containerRuntimeEndpoint in " + CONFIG_FILE,
    )


def test_a_driver_mismatch_is_judged_on_what_kubelet_runs_with_after_the_role():
    # The role's drop-in from an earlier run held cgroupfs; not fixing the
    # driver leaves config.yaml's systemd to kubelet.
    kubelet = node([(OWN, HEAD + "cgroupDriver: cgroupfs\n")])
    problems = run(kubelet, fix_cgroup_driver=False)["problems"]
    assert problems == [
        "kubelet's cgroup driver is systemd (cgroupDriver in %s) but CRI-O's cgroup_manager is cgroupfs; pods would fail "
        '("Failed to create existing container"). Set kubelet_fix_cgroup_driver: true to make kubelet follow CRI-O, '
        "or set CRI-O's cgroup_manager to systemd (crio_cgroup_manager)" % CONFIG_FILE
    ]
    assert run(node([(DIR + "/10-x.conf", HEAD + "cgroupDriver: cgroupfs\n")]), fix_cgroup_driver=False)["problems"] == []


KUBEADM_CONFIG = "/etc/kubernetes/kubeadm.yaml"
INIT = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n---\n"


@pytest.mark.parametrize(
    "kubeadm_text, refused",
    [
        (INIT + HEAD + "failCgroupV1: false\n", False),
        (INIT + HEAD + "maxPods: 10\n", True),
        # A join: kubeadm takes kubelet's configuration from the cluster, which the role cannot see.
        ("apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\n", False),
        (None, False),
    ],
)
def test_before_kubeadm_cgroup_v1_is_judged_on_kubeadms_kubelet_document(kubeadm_text, refused):
    kubelet = node(kubeadm="/usr/bin/kubeadm", cgroup_version=1)
    problems = run(kubelet, None, kubeadm_config=KUBEADM_CONFIG, kubeadm_config_text=kubeadm_text)["problems"]
    assert [CGROUP_V1 in problem for problem in problems] == ([True] if refused else [])


def test_editing_config_yaml_again_removes_the_roles_drop_in_from_before():
    kubelet = node(
        [(OWN, HEAD + "cgroupDriver: cgroupfs\n"), (DIR + "/10-early.conf", HEAD + "maxPods: 5\n")],
        flags=NODE["flags"] + [flag("config-dir", DIR, DEFAULT, "KUBELET_EXTRA_ARGS")],
    )
    result = run(kubelet, config_dir="")
    assert result["problems"] == []
    assert result["dropin"] == dict(path=OWN, text="", differs=True, files=[dict(path=OWN, state="absent")])
    assert result["config_settings"]["cgroupDriver"] == "cgroupfs" and result["config"]["maxPods"] == 5
