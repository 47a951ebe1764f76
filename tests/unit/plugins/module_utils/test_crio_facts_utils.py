# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Pure parsing helpers of crio_facts."""

import json
import os

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils import _crio_facts as cf
from ansible_collections.nodeops.crio.plugins.module_utils._toml_read import loads

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")

# The shape of `crio config --default`: every option set, and runtime tables
# documented in comments (abridged from CRI-O 1.36's output).
DEFAULTS = """
[crio]
root = "/var/lib/containers/storage"
[crio.api]
listen = "/var/run/crio/crio.sock"
[crio.runtime]
# Each entry in the table should follow the format:
#
# [crio.runtime.runtimes.runtime-handler]
# runtime_path = "/path/to/the/executable"
# platform_runtime_paths = { "os/arch" = "/path/to/binary" }
# default_annotations = {}
cgroup_manager = "systemd"
default_ulimits = [
]
[crio.runtime.runtimes.crun]
runtime_path = "/usr/libexec/crio/crun"
monitor_path = "/usr/libexec/crio/conmon"
# [crio.runtime.workloads.workload-type]
# activation_annotation = "io.crio/workload"
# [crio.runtime.workloads.workload-type.resources]
# cpushares = 0
[crio.image]
pause_image = "registry.k8s.io/pause:3.10.1"
insecure_registries = [
]
"""


@pytest.mark.parametrize(
    "text, version",
    [
        ("crio version 1.36.3\nVersion:        1.36.3\nGitCommit:  abc\n", "1.36.3"),
        ("Version:  1.33.0-rc.1\n", "1.33.0-rc.1"),
        ("crio version 1.20.0\n", "1.20.0"),
        ("something else", None),
        ("", None),
    ],
)
def test_parse_crio_version(text, version):
    assert cf.parse_crio_version(text) == version


@pytest.mark.parametrize(
    "text, version",
    [("crictl version v1.36.0\n", "1.36.0"), ("crictl version 1.29.1", "1.29.1"), ("nope", None)],
)
def test_parse_crictl_version(text, version):
    assert cf.parse_crictl_version(text) == version


def test_known_keys_read_set_and_commented_keys():
    known = cf.known_keys(DEFAULTS)
    assert ("crio", "runtime", "cgroup_manager") in known
    assert ("crio", "runtime", "runtimes", "*", "runtime_path") in known
    assert ("crio", "runtime", "runtimes", "*", "platform_runtime_paths") in known
    assert ("crio", "runtime", "workloads", "*", "resources", "cpushares") in known


@pytest.mark.parametrize(
    "settings, unknown",
    [
        ({"crio": {"runtime": {"cgroup_manager": "cgroupfs"}}}, []),
        ({"crio": {"runtime": {"cgroup_manger": "cgroupfs"}}}, ["crio.runtime.cgroup_manger"]),
        ({"crio": {"runtime": {"runtimes": {"kata-qemu": {"runtime_path": "/k"}}}}}, []),
        ({"crio": {"runtime": {"runtimes": {"kata": {"runtime_pat": "/k"}}}}}, ["crio.runtime.runtimes.kata.runtime_pat"]),
        # map-valued options take any keys below them
        ({"crio": {"runtime": {"runtimes": {"r": {"platform_runtime_paths": {"linux/arm64": "/x"}}}}}}, []),
        ({"crio": {"runtime": {"workloads": {"w": {"resources": {"cpushares": 1, "cpu": 2}}}}}},
         ["crio.runtime.workloads.w.resources.cpu"]),
        ({"crio": {"imag": {"pause_image": "x"}}}, ["crio.imag.pause_image"]),
        ({"crio": {"runtime": {"runtimes": {"has.dot": {"nope": 1}}}}}, ['crio.runtime.runtimes."has.dot".nope']),
        ({}, []),
    ],
)
def test_unknown_settings(settings, unknown):
    assert cf.unknown_settings(settings, cf.known_keys(DEFAULTS)) == unknown


def test_known_keys_of_crio_1_36():
    with open(os.path.join(FIXTURES, "crio_facts", "crio-1.36.3-config-default.toml")) as handle:
        known = cf.known_keys(handle.read())
    settings = {"crio": {
        "root": "/data/containers",
        "runtime": {"cgroup_manager": "systemd", "timezone": "Local", "default_ulimits": ["nofile=5120:5120"],
                    "runtimes": {"runc": {"runtime_path": "/usr/libexec/crio/runc", "monitor_path": "/x"}}},
        "image": {"pause_image": "mirror:5000/pause:3.10.1", "pause_imag": "typo"},
        "metrics": {"enable_metrics": True, "metrics_port": 9090},
    }}
    assert cf.unknown_settings(settings, known) == ["crio.image.pause_imag"]


@pytest.mark.parametrize(
    "document, settings, stale",
    [
        ({}, {"crio": {"runtime": {"pids_limit": 5}}}, []),
        ({"crio": {"runtime": {"pids_limit": 5, "log_level": "debug"}}}, {"crio": {"runtime": {"pids_limit": 5}}},
         [("crio", "runtime", "log_level")]),
        # a runtime table is written whole: keys it lost are stale
        ({"crio": {"runtime": {"runtimes": {"runc": {"runtime_path": "/a", "allowed_annotations": ["x"]}, "kata": {"x": 1}}}}},
         {"crio": {"runtime": {"runtimes": {"runc": {"runtime_path": "/b"}}}}},
         [("crio", "runtime", "runtimes", "runc", "allowed_annotations"), ("crio", "runtime", "runtimes", "kata", "x")]),
        # an empty table that settings fill is not stale
        ({"crio": {"metrics": {}}}, {"crio": {"metrics": {"enable_metrics": True}}}, []),
        ({"crio": {"metrics": {}}}, {}, [("crio", "metrics")]),
    ],
)
def test_stale_keys(document, settings, stale):
    assert cf.stale_keys(document, settings) == stale


def test_removed_settings_say_where_they_live_now():
    found = cf.removed_settings({"crio": {"file_locking": False, "image": {"registries": ["docker.io"], "pause_image": "x"}}})
    assert [f["key"] for f in found] == ["crio.file_locking", "crio.image.registries"]
    assert "unqualified-search-registries" in found[1]["message"]


def test_criu_support_is_deprecated_for_the_checkpoint_restore_table():
    [found] = cf.removed_settings({"crio": {"runtime": {"enable_criu_support": True}}})
    assert cf.deprecated(found) and found["key"] == "crio.runtime.enable_criu_support"
    assert 'container_level_enabled in [crio.checkpoint_restore] to "none", "checkpoint_only"' in found["message"]
    assert cf.removed_settings({"crio": {"checkpoint_restore": {"container_level_enabled": "checkpoint_only"}}}) == []


def test_removed_options_of_the_2020_file():
    with open(os.path.join(FIXTURES, "crio-2020.conf")) as handle:
        found = cf.removed_settings(loads(handle.read()))
    keys = sorted(f["key"] for f in found)
    assert keys == sorted([
        "crio.file_locking", "crio.file_locking_path", "crio.image.registries", "crio.image.insecure_registries",
        "crio.runtime.conmon", "crio.runtime.conmon_env", "crio.runtime.default_mounts",
        "crio.runtime.log_size_max", "crio.runtime.pids_limit",
    ])


@pytest.mark.parametrize(
    "size, quantity",
    [(52428800, "50Mi"), (16384, "16Ki"), (1 << 30, "1Gi"), (3 << 29, "1536Mi"), (8193, "8193")],
)
def test_kubelet_quantity(size, quantity):
    assert cf.kubelet_quantity(size) == quantity


@pytest.mark.parametrize(
    "runtime, example",
    [
        ({"log_size_max": 536870912}, "{containerLogMaxSize: 512Mi}"),
        # -1 is CRI-O's "no cap"; kubelet always rotates, so its default is the example.
        ({"log_size_max": -1}, "{containerLogMaxSize: 10Mi}"),
        ({"pids_limit": 1024}, "{podPidsLimit: 1024}"),
        ({"pids_limit": 0}, "{podPidsLimit: -1}"),
    ],
)
def test_kubelet_owned_options_name_kubelets_setting_with_the_value(runtime, example):
    [found] = cf.removed_settings({"crio": {"runtime": runtime}})
    assert cf.deprecated(found)
    assert "kubelet_settings: %s with nodeops.crio.kubelet" % example in found["message"]
    variable = "crio_" + next(iter(runtime))
    assert found["message"].endswith("leave the crio role's %s null" % variable)


def test_removed_options_are_not_deprecated_ones():
    found = cf.removed_settings({"crio": {"file_locking": False, "runtime": {"conmon": "/usr/bin/conmon"}}})
    assert [cf.deprecated(item) for item in found] == [False, True]


@pytest.mark.parametrize(
    "header, parts",
    [
        ("crio.runtime", ("crio", "runtime")),
        ('crio.runtime.runtimes."kata.qemu"', ("crio", "runtime", "runtimes", "kata.qemu")),
        ("crio.runtime.runtimes.'lit'", ("crio", "runtime", "runtimes", "lit")),
    ],
)
def test_statement_of_a_header(header, parts):
    assert cf.statement_of("[%s]" % header) == ("table", parts)
    assert cf.statement_of("# [[ %s ]]  " % header) == ("table", parts)


@pytest.mark.parametrize(
    "line, statement",
    [
        ("# cgroup_manager = \"systemd\"", ("key", ("cgroup_manager",))),
        ("\t#  \"os/arch\" = \"/path\"", ("key", ("os/arch",))),
        ("pids_limit=-1", ("key", ("pids_limit",))),
        ("# Path to the 'conmon' binary, used for monitoring", None),
        ("# CRI-O's default is this = that", None),
        ("#   \"CHOWN\",", None),
        ("# ]", None),
        ("# [crio.runtime] and more", None),
        ("# [crio.runtime", None),
        ("", None),
    ],
)
def test_statement_of_other_lines(line, statement):
    assert cf.statement_of(line) == statement


def test_summarize_config():
    summary = cf.summarize_config(loads(DEFAULTS))
    assert summary["cgroup_manager"] == "systemd"
    assert summary["socket"] == "/var/run/crio/crio.sock"
    assert summary["pause_image"] == "registry.k8s.io/pause:3.10.1"
    assert list(summary["runtimes"]) == ["crun"]
    assert cf.summarize_config({})["cgroup_manager"] is None


def test_parse_conditions():
    info = {"status": {"conditions": [
        {"type": "RuntimeReady", "status": True, "reason": "", "message": ""},
        {"type": "NetworkReady", "status": False, "reason": "NetworkPluginNotReady", "message": "no CNI"},
    ]}}
    assert cf.parse_conditions(json.dumps(info)) == {"RuntimeReady": True, "NetworkReady": False}
    assert cf.parse_conditions("not json") == {}
    assert cf.parse_conditions("{}") == {}


def test_the_runtime_handler_annotation_is_cri_os():
    assert cf.RUNTIME_HANDLER_ANNOTATION == "io.kubernetes.cri-o.RuntimeHandler"


def test_state_files_of_crio_1_36_defaults():
    with open(os.path.join(FIXTURES, "crio_facts", "crio-1.36.3-config-default.toml")) as handle:
        config = loads(handle.read())
    assert cf.state_files(config) == {
        "version_file": "/var/run/crio/version", "version_file_persist": "", "internal_wipe": True}


@pytest.mark.parametrize(
    "config, state",
    [
        ({}, {"version_file": "", "version_file_persist": "", "internal_wipe": True}),
        ({"crio": {}}, {"version_file": "", "version_file_persist": "", "internal_wipe": True}),
        ({"crio": {"version_file": "/run/crio/version", "version_file_persist": "/var/lib/crio/version"}},
         {"version_file": "/run/crio/version", "version_file_persist": "/var/lib/crio/version", "internal_wipe": True}),
        ({"crio": {"internal_wipe": True}}, {"version_file": "", "version_file_persist": "", "internal_wipe": True}),
        ({"crio": {"internal_wipe": False, "version_file": "/var/run/crio/version"}},
         {"version_file": "/var/run/crio/version", "version_file_persist": "", "internal_wipe": False}),
    ],
)
def test_state_files(config, state):
    assert cf.state_files(config) == state


@pytest.mark.parametrize(
    "text, version",
    [
        # what CRI-O 1.36.3 writes to /var/run/crio/version
        ('"1.36.3+b24632ab44955fa84685640d4177f3c554e9f69c"', "1.36.3+b24632ab44955fa84685640d4177f3c554e9f69c"),
        ('"1.35.6"\n', "1.35.6"),
        ("", None),
        ("garbage", None),
        ("42", None),
        ('""', None),
        ('"  "', None),
        ("null", None),
        ('["1.36.3"]', None),
        ("1.36.3", None),  # not JSON: CRI-O could not read it either
    ],
)
def test_parse_version_file(text, version):
    assert cf.parse_version_file(text) == version


def crictl_pod(pod_id, name, namespace="default", state="SANDBOX_READY", handler="", attempt=0):
    """An item of `crictl pods --output=json` (crictl 1.36)."""
    uid = "%s-uid" % name
    return {
        "id": pod_id,
        "metadata": {"name": name, "uid": uid, "namespace": namespace, "attempt": attempt},
        "state": state,
        "createdAt": "1795622856994323301",
        "labels": {"io.kubernetes.container.name": "POD", "io.kubernetes.pod.name": name,
                   "io.kubernetes.pod.namespace": namespace, "io.kubernetes.pod.uid": uid},
        "annotations": {"kubernetes.io/config.source": "api"},
        "runtimeHandler": handler,
    }


def inspectp(pod_id, handler):
    """The text of `crictl inspectp --output=json ID` of CRI-O 1.36, abridged."""
    return json.dumps({
        "status": {
            "id": pod_id,
            "metadata": {"attempt": 0, "name": "web", "namespace": "default", "uid": "web-uid"},
            "state": "SANDBOX_READY",
            "createdAt": "2026-11-24T09:14:16.994323301Z",
            "network": {"additionalIps": [], "ip": "10.85.0.4"},
            "linux": {"namespaces": {"options": {"ipc": "POD", "network": "POD", "pid": "CONTAINER",
                                                 "targetId": "", "userNsOptions": None}}},
            "labels": {}, "annotations": {}, "runtimeHandler": "",
        },
        "info": {
            "image": "registry.k8s.io/pause:3.10.1",
            "pid": 4242,
            "runtimeSpec": {
                "ociVersion": "1.2.1",
                "annotations": {
                    cf.RUNTIME_HANDLER_ANNOTATION: handler,
                    "io.kubernetes.cri-o.SandboxID": pod_id,
                    "io.kubernetes.cri-o.Namespace": "default",
                    "io.kubernetes.cri-o.ContainerType": "sandbox",
                },
            },
        },
    }, indent=2)


WEB_ID = "5d3c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7"
DNS_ID = "c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc"
PODS_JSON = json.dumps({"items": [crictl_pod(WEB_ID, "web", "shop"),
                                  crictl_pod(DNS_ID, "coredns", "kube-system", handler="runc")]}, indent=2)


def test_parse_pods_takes_the_handler_cri_o_recorded():
    pods = cf.parse_pods(PODS_JSON, {WEB_ID: inspectp(WEB_ID, "crun"), DNS_ID: inspectp(DNS_ID, "")})
    assert pods == [
        {"id": WEB_ID, "name": "web", "namespace": "shop", "state": "SANDBOX_READY", "runtime_handler": "crun"},
        {"id": DNS_ID, "name": "coredns", "namespace": "kube-system", "state": "SANDBOX_READY",
         "runtime_handler": ""},
    ]


def test_parse_pods_keeps_crictls_handler_without_an_inspection():
    pods = cf.parse_pods(PODS_JSON, {})
    assert [(p["id"], p["runtime_handler"]) for p in pods] == [(WEB_ID, ""), (DNS_ID, "runc")]


@pytest.mark.parametrize(
    "inspection",
    ["", "not json", "null", "[]", "{}", '{"info": null}', '{"info": {}}', '{"info": {"runtimeSpec": {}}}',
     '{"info": {"runtimeSpec": {"annotations": {}}}}', '{"info": {"runtimeSpec": {"annotations": []}}}'],
)
def test_parse_pods_falls_back_on_an_inspection_without_the_annotation(inspection):
    pods = cf.parse_pods(PODS_JSON, {WEB_ID: inspection, DNS_ID: inspection})
    assert [p["runtime_handler"] for p in pods] == ["", "runc"]


def test_parse_pods_of_crictl_1_36():
    with open(os.path.join(FIXTURES, "diagnose", "crictl-pods-v1.36.0.json")) as handle:
        text = handle.read()
    ready = "1043cb6b1c2ec288d49f8ed6af44282633c0c41f012c276172f1bd49e6ab497b"
    pods = cf.parse_pods(text, {ready: inspectp(ready, "runc")})
    assert [(p["name"], p["state"], p["runtime_handler"]) for p in pods] == [
        ("bed-pod", "SANDBOX_READY", "runc"), ("bed-stale", "SANDBOX_NOTREADY", ""),
        ("bed-pod", "SANDBOX_NOTREADY", "")]
    assert pods[0]["id"] == ready and {p["namespace"] for p in pods} == {"default"}


@pytest.mark.parametrize("text", ["", "not json", "null", "[]", "{}", '{"items": null}', '{"items": []}'])
def test_parse_pods_of_nothing_usable(text):
    assert cf.parse_pods(text, {}) == []


def test_parse_pods_of_an_item_without_metadata():
    assert cf.parse_pods('{"items": [{"id": "abc"}]}', {}) == [
        {"id": "abc", "name": "", "namespace": "", "state": "", "runtime_handler": ""}]
