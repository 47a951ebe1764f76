# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What the crio role writes and does (plugins/plugin_utils/_crio_plan.py).

Two kinds of tests: exact outputs for realistic inputs (the role's defaults
and the variations sites use), and parity with the Jinja the Python replaced.
The parity tests render the role's Jinja from before the move
(tests/unit/fixtures/crio-role-jinja: vars/main.yml,
templates/registries.json.j2 and the set_fact tasks of tasks/input.yml,
probe.yml and bundle_url.yml) with Ansible's own templar for the same inputs
and assert Python == Jinja.
"""

from __future__ import annotations

import copy
import hashlib
import json
import typing as t
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader

from ansible_collections.nodeops.crio.plugins.plugin_utils import _crio_plan as plan
from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import release
from ansible_collections.nodeops.crio.tests.unit.compat import load_template_file, templar, trust_as_template

COLLECTION_ROOT = Path(__file__).resolve().parents[4]

with open(COLLECTION_ROOT / "roles" / "crio" / "defaults" / "main.yml", encoding="utf-8") as _handle:
    DEFAULTS: dict[str, t.Any] = yaml.safe_load(_handle)

# The role's constants the Python is given (roles/crio/vars/main.yml, vars/Debian.yml).
DROPIN = "/etc/crio/crio.conf.d/50-nodeops.conf"
REGISTRIES_DROPIN = "/etc/containers/registries.conf.d/zz-nodeops.conf"
PROXY_DROPIN = "/etc/systemd/system/crio.service.d/50-nodeops-proxy.conf"
SLICE_DROPIN = "/etc/systemd/system/crio.service.d/50-nodeops-slice.conf"
AUTH_FILE = "/etc/crio/auth.json"
CACHE_DIR = "/var/cache/nodeops-crio"
UPSTREAM = "https://storage.googleapis.com/cri-o/artifacts"
HELPER = "/usr/local/libexec/nodeops-crio/check-crio-dropin"
HELPER_TEXT = "#!/bin/sh\n# Checks a candidate crio drop-in with the installed crio.\nexec crio config >/dev/null\n"
SHA256 = "3f0a6a7ddcbf1a4c5a56a5d8b2f4c6e9a3e2f1d0c9b8a7f6e5d4c3b2a1f0e9d8"

# CRI-O 1.36.3's bundle as `find cri-o/bin cri-o/cni-plugins -type f` lists it (not sorted).
UNPACKED = CACHE_DIR + "/cri-o.v1.36.3"
BUNDLE_SOURCES = [UNPACKED + "/cri-o/bin/" + name
                  for name in ("runc", "crio", "pinns", "crictl", "conmon", "conmonrs", "crun", "crio-credential-provider")
                  ] + [UNPACKED + "/cri-o/cni-plugins/" + name for name in ("portmap", "bridge", "loopback", "host-local")]


# --------------------------------------------------------------------------
# The old Jinja, rendered by Ansible's templar.

class OldRole:
    """The crio role's Jinja from before the move, rendered by ansible-core's templar."""

    # Before ansible-core 2.19 this Jinja meant what it means on 2.19 only
    # under jinja2_native: by default none rendered as '' and a JSON text
    # came back a dict (see compat.templar).
    NATIVE = True

    def __init__(self, workdir: Path) -> None:
        self.loader = DataLoader()
        self.vars = self._load(workdir, "roles/crio/vars/main.yml")
        self.debian = self._load(workdir, "roles/crio/vars/Debian.yml")
        self.input_tasks = self._load(workdir, "roles/crio/tasks/input.yml")
        self.probe_tasks = self._load(workdir, "roles/crio/tasks/probe.yml")
        self.url_tasks = self._load(workdir, "roles/crio/tasks/bundle_url.yml")
        self.registries_template = trust_as_template(old_jinja("roles/crio/templates/registries.json.j2"))

    def _load(self, workdir: Path, path: str) -> t.Any:
        local = workdir / path.replace("/", "_")
        local.write_text(old_jinja(path), encoding="utf-8")
        return load_template_file(self.loader, str(local))

    def variables(self, role_vars: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
        """The role's defaults, then its vars, then the OS family's, then the case's own."""
        return {**DEFAULTS, **self.vars, **self.debian, **role_vars}

    def render(self, variables: t.Mapping[str, t.Any], expression: str) -> t.Any:
        return templar(self.loader, variables, native=self.NATIVE).template(trust_as_template("{{ %s }}" % expression))

    def template(self, variables: t.Mapping[str, t.Any], text: t.Any) -> t.Any:
        return templar(self.loader, variables, native=self.NATIVE).template(text)

    def set_facts(self, tasks: list[dict[str, t.Any]], names: t.Sequence[str], variables: dict[str, t.Any]) -> dict[str, t.Any]:
        """Run the named set_fact tasks in order, as Ansible would (their vars, their loop)."""
        by_name = {task["name"]: task for task in tasks}
        for name in names:
            task = by_name[name]
            scope = dict(variables, **task.get("vars", {}))
            items = self.template(scope, task["loop"]) if "loop" in task else [None]
            for item in items:
                scope = dict(variables, **task.get("vars", {}), item=item)
                facts = {key: self.template(scope, value) for key, value in task["ansible.builtin.set_fact"].items()}
                variables.update(facts)
        return variables


@pytest.fixture(scope="module")
def old(tmp_path_factory: pytest.TempPathFactory) -> OldRole:
    return OldRole(tmp_path_factory.mktemp("old-crio-role"))


# --------------------------------------------------------------------------
# settings() and registries()

def role(**changes: t.Any) -> dict[str, t.Any]:
    """The role's variables: its defaults with a case's changes."""
    variables = copy.deepcopy(DEFAULTS)
    variables.update(copy.deepcopy(changes))
    return variables


def options_of(variables: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """settings()' options from the role's variables, as tasks/input.yml hands them over."""
    names = ("cgroup_manager", "pause_image", "metrics_enabled", "metrics_port", "runtimes", "storage_root",
             "log_size_max", "pids_limit", "default_ulimits", "pod_metrics", "config_overrides", "registries_search",
             "registries_insecure", "registries_blocked", "registries_mirrors", "registries_aliases")
    options = {name: variables["crio_" + name] for name in names}
    options["pause_repository"] = variables["crio_pause_repository"]
    options["release_table"] = variables["crio_release_table"]
    options["minor"] = release(variables["crio_version"], variables["crio_kubernetes_version"],
                               variables["crio_release_table"])["minor"]
    options["default_runtime"] = variables["crio_default_runtime"] or "crun"
    options["global_auth_file"] = AUTH_FILE if variables["crio_registry_auths"] else None
    return options


DEFAULT_RUNTIMES = DEFAULTS["crio_runtimes"]
KATA = {"runtime_path": "/usr/bin/kata-runtime", "runtime_type": "vm", "runtime_root": "/run/vc",
        "privileged_without_host_devices": True}
ALL_OPTIONAL_UNSET = [["crio", "root"], ["crio", "runtime", "log_size_max"], ["crio", "runtime", "pids_limit"],
                      ["crio", "runtime", "default_ulimits"], ["crio", "image", "global_auth_file"],
                      ["crio", "stats", "included_pod_metrics"]]
# crio_pod_metrics came after the old role, which never wrote or removed that key.
POD_METRICS = ["crio", "stats", "included_pod_metrics"]
AUTHS = {"registry.lab:5000": {"username": "puller", "password": "s3cret"}}
MIRRORED = dict(
    crio_registries_search=["registry.lab:5000", "docker.io"],
    crio_registries_insecure=["registry.lab:5000", "mirror.internal:5000"],
    crio_registries_blocked=["docker.io/library/evil", "registry.lab:5000"],
    crio_registries_mirrors={"docker.io": ["mirror.internal:5000", "mirror.gcr.io"],
                             "registry.k8s.io": ["mirror.internal:5000/k8s"],
                             "registry.lab:5000": []},
    crio_registries_aliases={"busybox": "docker.io/library/busybox", "pause": "registry.k8s.io/pause"},
)

SETTINGS_CASES: list[t.Any] = [
    pytest.param(role(), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "crun", "runtimes": DEFAULT_RUNTIMES},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2"},
            "metrics": {"enable_metrics": False, "metrics_port": 9090}}},
        unset=ALL_OPTIONAL_UNSET, registries={}), id="defaults"),
    pytest.param(role(crio_runtimes={}, crio_default_runtime="runc", crio_cgroup_manager="cgroupfs",
                      crio_metrics_enabled=True, crio_metrics_port=9537), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "cgroupfs", "default_runtime": "runc"},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2"},
            "metrics": {"enable_metrics": True, "metrics_port": 9537}}},
        unset=ALL_OPTIONAL_UNSET, registries={}), id="no-runtimes-are-not-written"),
    pytest.param(role(crio_runtimes=dict(DEFAULT_RUNTIMES, **{"kata-qemu": KATA}), crio_default_runtime="runc",
                      crio_config_overrides={"crio": {
                          "runtime": {"log_level": "debug", "runtimes": {"crun": {"monitor_env": ["PATH=/usr/bin"]}}},
                          "image": {"pinned_images": ["registry.k8s.io/pause:3.10.1"],
                                    "pause_image": "mirror.internal:5000/pause:3.10.1"},
                          "network": {"network_dir": "/etc/cni/net.d/"}}}), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "runc", "log_level": "debug", "runtimes": {
                "crun": dict(DEFAULT_RUNTIMES["crun"], monitor_env=["PATH=/usr/bin"]),
                "runc": DEFAULT_RUNTIMES["runc"], "kata-qemu": KATA}},
            "image": {"pause_image": "mirror.internal:5000/pause:3.10.1",
                      "pinned_images": ["registry.k8s.io/pause:3.10.1"]},
            "metrics": {"enable_metrics": False, "metrics_port": 9090},
            "network": {"network_dir": "/etc/cni/net.d/"}}},
        unset=ALL_OPTIONAL_UNSET, registries={}), id="overrides-merge-tables-and-replace-values"),
    pytest.param(role(crio_storage_root="/srv/containers/storage", crio_log_size_max=16384, crio_pids_limit=4096,
                      crio_default_ulimits=["nofile=5120:5120", "nproc=4096:4096"], crio_registry_auths=AUTHS), dict(
        settings={"crio": {
            "root": "/srv/containers/storage",
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "crun", "runtimes": DEFAULT_RUNTIMES,
                        "log_size_max": 16384, "pids_limit": 4096,
                        "default_ulimits": ["nofile=5120:5120", "nproc=4096:4096"]},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2", "global_auth_file": AUTH_FILE},
            "metrics": {"enable_metrics": False, "metrics_port": 9090}}},
        unset=[POD_METRICS], registries={}), id="optional-settings-set"),
    pytest.param(role(crio_log_size_max=-1, crio_pids_limit=0, crio_default_ulimits=[]), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "crun", "runtimes": DEFAULT_RUNTIMES,
                        "log_size_max": -1, "pids_limit": 0, "default_ulimits": []},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2"},
            "metrics": {"enable_metrics": False, "metrics_port": 9090}}},
        unset=[["crio", "root"], ["crio", "image", "global_auth_file"], POD_METRICS], registries={}),
        id="zero-minus-one-and-empty-are-set-not-null"),
    pytest.param(role(crio_config_overrides={"crio": {"runtime": {"pids_limit": 2048}, "root": "/srv/storage"}}), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "crun", "runtimes": DEFAULT_RUNTIMES,
                        "pids_limit": 2048},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2"},
            "metrics": {"enable_metrics": False, "metrics_port": 9090},
            "root": "/srv/storage"}},
        # As in the Jinja: a null variable still asks for its key's removal,
        # even where an override sets that key.
        unset=ALL_OPTIONAL_UNSET, registries={}), id="override-of-an-optional-setting"),
    pytest.param(role(**MIRRORED), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "crun", "runtimes": DEFAULT_RUNTIMES},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2"},
            "metrics": {"enable_metrics": False, "metrics_port": 9090}}},
        unset=ALL_OPTIONAL_UNSET, registries={
            "unqualified-search-registries": ["registry.lab:5000", "docker.io"],
            "registry": [
                {"prefix": "registry.lab:5000", "location": "registry.lab:5000", "insecure": True, "blocked": True},
                {"prefix": "mirror.internal:5000", "location": "mirror.internal:5000", "insecure": True},
                {"prefix": "docker.io/library/evil", "location": "docker.io/library/evil", "blocked": True},
                {"prefix": "docker.io", "location": "docker.io",
                 "mirror": [{"location": "mirror.internal:5000", "insecure": True}, {"location": "mirror.gcr.io"}]},
                {"prefix": "registry.k8s.io", "location": "registry.k8s.io",
                 "mirror": [{"location": "mirror.internal:5000/k8s"}]},
            ],
            "aliases": {"busybox": "docker.io/library/busybox", "pause": "registry.k8s.io/pause"}}),
        id="mirrors-insecure-blocked-aliases"),
    pytest.param(role(crio_registries_search=[]), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "crun", "runtimes": DEFAULT_RUNTIMES},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2"},
            "metrics": {"enable_metrics": False, "metrics_port": 9090}}},
        unset=ALL_OPTIONAL_UNSET, registries={"unqualified-search-registries": []}),
        id="an-empty-search-list-is-written-empty"),
    pytest.param(role(crio_registries_mirrors={"quay.io": ["quay-mirror.internal"]},
                      crio_registries_insecure=["quay-mirror.internal"]), dict(
        settings={"crio": {
            "runtime": {"cgroup_manager": "systemd", "default_runtime": "crun", "runtimes": DEFAULT_RUNTIMES},
            "image": {"pause_image": "registry.k8s.io/pause:3.10.2"},
            "metrics": {"enable_metrics": False, "metrics_port": 9090}}},
        unset=ALL_OPTIONAL_UNSET, registries={"registry": [
            {"prefix": "quay-mirror.internal", "location": "quay-mirror.internal", "insecure": True},
            {"prefix": "quay.io", "location": "quay.io", "mirror": [{"location": "quay-mirror.internal", "insecure": True}]},
        ]}), id="an-insecure-mirror-is-insecure-in-its-own-entry-too"),
]


@pytest.mark.parametrize("variables, expected", SETTINGS_CASES)
def test_settings_are_the_role_variables_merged_in_order(variables: dict[str, t.Any], expected: dict[str, t.Any]) -> None:
    assert plan.settings(options_of(variables)) == dict(expected, problems=[])


@pytest.mark.parametrize("variables, expected", SETTINGS_CASES)
def test_settings_and_unset_match_the_old_input_tasks(old: OldRole, variables: dict[str, t.Any],
                                                      expected: dict[str, t.Any]) -> None:
    python = plan.settings(options_of(variables))
    # The old role took crio_pause_image as given, with a fixed default; give
    # it the image the Python derives.
    derived = plan.pause_image(variables["crio_pause_image"], variables["crio_pause_repository"],
                               options_of(variables)["minor"])[0]
    found = old.set_facts(old.input_tasks, [
        "Start the role's CRI-O settings from its variables",
        "Add the optional settings that are set",
        "Merge crio_config_overrides over them",
    ], old.variables(dict(variables, crio_pause_image=derived)))
    assert python["settings"] == found["crio__settings"]
    assert [path for path in python["unset"] if path != POD_METRICS] == found["crio__unset"]


@pytest.mark.parametrize("metrics", [["all"], ["cpu", "memory", "network"], list(plan.POD_METRICS), []])
def test_pod_metrics_go_to_the_stats_table(metrics: list[str]) -> None:
    found = plan.settings(options_of(role(crio_pod_metrics=metrics)))
    assert found["settings"]["crio"]["stats"] == {"included_pod_metrics": metrics}
    assert POD_METRICS not in found["unset"]
    assert found["problems"] == []


@pytest.mark.parametrize("metrics, named", [
    (["all", "cpu"], '"all"'),
    (["cpu", "Memory", "disk_io"], '"Memory", "disk_io"'),
    (["network", ""], '""'),
], ids=["all-with-others", "wrong-case-and-spelling", "empty-name"])
def test_unknown_pod_metrics_are_refused_by_name(metrics: list[str], named: str) -> None:
    assert plan.settings(options_of(role(crio_pod_metrics=metrics)))["problems"] == [
        "crio_pod_metrics must be null, [all] or a list of cpu, disk, diskIO, hugetlb, memory, network, oom, process, "
        "spec, pressure; got " + named]


@pytest.mark.parametrize("variables, expected", SETTINGS_CASES)
def test_registries_match_the_old_template(old: OldRole, variables: dict[str, t.Any], expected: dict[str, t.Any]) -> None:
    rendered = old.template(old.variables(variables), old.registries_template)
    jinja = json.loads(rendered) if isinstance(rendered, str) else rendered
    assert plan.settings(options_of(variables))["registries"] == jinja
    # The order of the entries is the order the file gets.
    assert [entry["prefix"] for entry in plan.settings(options_of(variables))["registries"].get("registry", [])] == [
        entry["prefix"] for entry in jinja.get("registry", [])]


def test_registries_of_nothing_is_an_empty_document() -> None:
    assert plan.registries(None, [], [], {}, {}) == {}


def test_registries_list_a_prefix_once_whatever_lists_name_it() -> None:
    doc = plan.registries(None, ["a.example", "a.example"], ["a.example"], {"a.example": ["m.example"]}, {})
    assert doc == {"registry": [{"prefix": "a.example", "location": "a.example", "insecure": True, "blocked": True,
                                 "mirror": [{"location": "m.example"}]}]}


def test_settings_change_none_of_their_inputs() -> None:
    options = options_of(role(crio_config_overrides={"crio": {"runtime": {"runtimes": {"crun": {"x": 1}}}}}))
    before = copy.deepcopy(options)
    plan.settings(options)
    assert options == before


# --------------------------------------------------------------------------
# The pause image: crio_pause_image, else crio_pause_repository's at kubeadm's tag.

@pytest.mark.parametrize("variables, image", [
    (role(), "registry.k8s.io/pause:3.10.2"),
    (role(crio_version="1.35"), "registry.k8s.io/pause:3.10.1"),
    (role(crio_kubernetes_version="v1.35.2"), "registry.k8s.io/pause:3.10.1"),
    (role(crio_pause_repository="mirror:5000"), "mirror:5000/pause:3.10.2"),
    (role(crio_pause_repository="mirror.internal:5000/k8s", crio_version="1.35.6"), "mirror.internal:5000/k8s/pause:3.10.1"),
    (role(crio_pause_repository="[fd00::5]:5000"), "[fd00::5]:5000/pause:3.10.2"),
    (role(crio_pause_repository="Registry.Example.COM"), "Registry.Example.COM/pause:3.10.2"),
    # nodeops.crio.upgrade hands the role its target as crio_version and its minor.
    (role(crio_version="1.35.6", crio_kubernetes_version="1.35"), "registry.k8s.io/pause:3.10.1"),
    (role(crio_version="1.36.3", crio_kubernetes_version="1.36"), "registry.k8s.io/pause:3.10.2"),
    (role(crio_pause_image="mirror:5000/pause:3.10.1"), "mirror:5000/pause:3.10.1"),
    (role(crio_pause_image="mirror:5000/pause:3.10.1", crio_pause_repository="https://ignored"), "mirror:5000/pause:3.10.1"),
    (role(crio_pause_image="registry.example/pause:3.11", crio_version="1.38.0"), "registry.example/pause:3.11"),
    (role(crio_version="1.38.0", crio_release_table={"1.38": {"release": "1.38.0", "pause": "3.10.3"}}),
     "registry.k8s.io/pause:3.10.3"),
], ids=["default-stream", "minor-1.35", "kubernetes-1.35", "mirror", "mirror-with-path", "ipv6-mirror",
        "host-in-capitals", "upgrade-to-1.35", "upgrade-to-1.36", "explicit-wins", "explicit-ignores-the-repository",
        "explicit-for-an-unknown-minor", "from-the-release-table"])
def test_the_pause_image_follows_the_cri_o_minor_unless_given(variables: dict[str, t.Any], image: str) -> None:
    decided = plan.settings(options_of(variables))
    assert decided["problems"] == []
    assert decided["settings"]["crio"]["image"]["pause_image"] == image


REPOSITORY_PROBLEM = (
    "crio_pause_repository must be a registry host with an optional port and path, such as registry.k8s.io or "
    'mirror.internal:5000/k8s, without a scheme, a trailing "/", a tag or a digest (the role appends /pause:TAG); got "%s"')


@pytest.mark.parametrize("variables, problem", [
    (role(crio_pause_repository="https://mirror:5000"), REPOSITORY_PROBLEM % "https://mirror:5000"),
    (role(crio_pause_repository="mirror:5000/"), REPOSITORY_PROBLEM % "mirror:5000/"),
    (role(crio_pause_repository="mirror:5000/pause:3.10.2"), REPOSITORY_PROBLEM % "mirror:5000/pause:3.10.2"),
    (role(crio_pause_repository="registry.k8s.io@sha256:" + "0" * 64), REPOSITORY_PROBLEM % ("registry.k8s.io@sha256:" + "0" * 64)),
    (role(crio_pause_repository="mirror:5000/K8s"), REPOSITORY_PROBLEM % "mirror:5000/K8s"),
    (role(crio_pause_repository=" mirror:5000"), REPOSITORY_PROBLEM % " mirror:5000"),
    (role(crio_pause_repository=""), REPOSITORY_PROBLEM % ""),
    (role(crio_pause_image="https://mirror:5000/pause:3.10.2"),
     "crio_pause_image must be empty (to derive it from crio_pause_repository and the CRI-O minor) or an image reference "
     'without a scheme or blanks, such as registry.k8s.io/pause:3.10.2; got "https://mirror:5000/pause:3.10.2"'),
    (role(crio_pause_image="mirror:5000/pause 3.10.2"),
     "crio_pause_image must be empty (to derive it from crio_pause_repository and the CRI-O minor) or an image reference "
     'without a scheme or blanks, such as registry.k8s.io/pause:3.10.2; got "mirror:5000/pause 3.10.2"'),
    (role(crio_version="1.38.0"),
     "crio_pause_image is empty, so the role would derive it from CRI-O 1.38, but it knows the pause tag of Kubernetes "
     "1.35, 1.36, 1.37 only: set crio_pause_image to the pause image kubeadm 1.38 uses (kubeadm config images list), "
     "or give the stream's pause in crio_release_table"),
], ids=["scheme", "trailing-slash", "tag", "digest", "upper-case-path", "blank", "empty", "explicit-with-scheme",
        "explicit-with-blank", "unknown-minor"])
def test_bad_pause_input_is_refused_by_name(variables: dict[str, t.Any], problem: str) -> None:
    assert plan.settings(options_of(variables))["problems"] == [problem]


def test_settings_without_the_pause_options_derive_the_default_streams_image() -> None:
    options = {key: value for key, value in options_of(role()).items() if key not in ("pause_repository", "minor")}
    assert plan.settings(options)["settings"]["crio"]["image"]["pause_image"] == "registry.k8s.io/pause:3.10.2"


@pytest.mark.parametrize("base, over, merged", [
    ({}, {}, {}),
    ({"a": 1}, {"a": 2}, {"a": 2}),
    ({"a": {"b": 1, "c": 2}}, {"a": {"c": 3, "d": 4}}, {"a": {"b": 1, "c": 3, "d": 4}}),
    ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
    ({"a": {"b": 1}}, {"a": "scalar"}, {"a": "scalar"}),
    ({"a": "scalar"}, {"a": {"b": 1}}, {"a": {"b": 1}}),
    ({"a": {"b": {"c": 1}}}, {"a": {"b": {"d": 2}}, "e": None}, {"a": {"b": {"c": 1, "d": 2}}, "e": None}),
], ids=["empty", "scalar-replaced", "tables-merged", "lists-replaced", "table-by-scalar", "scalar-by-table", "deep"])
def test_merge_is_combine_recursive(old: OldRole, base: dict[str, t.Any], over: dict[str, t.Any],
                                    merged: dict[str, t.Any]) -> None:
    kept = copy.deepcopy(base)
    assert plan.merge(base, over) == merged
    assert base == kept
    assert old.render(dict(base=base, over=over), "base | combine(over, recursive=true)") == merged


def test_the_reloadable_keys_are_the_old_ones(old: OldRole) -> None:
    assert plan.RELOADABLE_KEYS == frozenset(old.vars["crio__reloadable_keys"])


# --------------------------------------------------------------------------
# The texts and files()

def files_spec(variables: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """files()' spec from the role's variables, with the old role's rule for the bridge network."""
    return dict(
        kernel_modules=variables["crio_kernel_modules"], sysctls=variables["crio_sysctls"],
        http_proxy=variables["crio_http_proxy"], https_proxy=variables["crio_https_proxy"], no_proxy=variables["crio_no_proxy"],
        cni_write=variables["crio_cni_default_network"] is not False, cni_subnet=variables["crio_cni_subnet"],
        helper_text=HELPER_TEXT, modules_file="/etc/modules-load.d/nodeops-crio.conf",
        sysctl_file="/etc/sysctl.d/99-nodeops-crio.conf", helper=HELPER, proxy_dropin=PROXY_DROPIN,
        service_slice=variables["crio_service_slice"], slice_dropin=SLICE_DROPIN,
        cni_network_file="/etc/cni/net.d/10-nodeops-bridge.conflist")


DEFAULT_MODULES_TEXT = "# Kernel modules CRI-O needs; written by nodeops.crio.crio.\noverlay\nbr_netfilter\n"
DEFAULT_SYSCTL_TEXT = ("# Sysctls CRI-O's pod networking needs; written by nodeops.crio.crio.\n"
                       "net.bridge.bridge-nf-call-ip6tables = 1\n"
                       "net.bridge.bridge-nf-call-iptables = 1\n"
                       "net.ipv4.ip_forward = 1\n")
BRIDGE_TEXT = """{
  "cniVersion": "1.0.0",
  "name": "crio",
  "plugins": [
    {
      "bridge": "cni0",
      "hairpinMode": true,
      "ipMasq": true,
      "ipam": {
        "ranges": [
          [
            {
              "subnet": "10.85.0.0/16"
            }
          ]
        ],
        "routes": [
          {
            "dst": "0.0.0.0/0"
          }
        ],
        "type": "host-local"
      },
      "isGateway": true,
      "type": "bridge"
    },
    {
      "capabilities": {
        "portMappings": true
      },
      "type": "portmap"
    }
  ]
}
"""
PROXIES = dict(crio_http_proxy="http://proxy.internal:3128", crio_https_proxy="http://proxy.internal:3128",
               crio_no_proxy="localhost,127.0.0.1,10.85.0.0/16,.svc,.cluster.local")

FILES_CASES = [
    pytest.param(role(), id="defaults"),
    pytest.param(role(**PROXIES), id="proxy-set"),
    pytest.param(role(crio_https_proxy="http://proxy.internal:3128"), id="only-https-proxy"),
    pytest.param(role(crio_kernel_modules=[], crio_sysctls={}, crio_cni_default_network=False), id="nothing-optional"),
    pytest.param(role(crio_kernel_modules=["overlay", "br_netfilter", "ip_vs"], crio_cni_subnet="172.30.0.0/16",
                      crio_cni_default_network=True,
                      crio_sysctls={"net.ipv4.ip_forward": 1, "fs.inotify.max_user_watches": 524288,
                                    "Net.Mixed.Case": "x", "kernel.pid_max": 4194304}), id="more-modules-and-sysctls"),
]


def test_the_default_files_in_the_order_they_are_written() -> None:
    assert plan.files(files_spec(role())) == [
        dict(path="/etc/modules-load.d/nodeops-crio.conf", state="file", content=DEFAULT_MODULES_TEXT, mode="0644"),
        dict(path="/etc/sysctl.d/99-nodeops-crio.conf", state="file", content=DEFAULT_SYSCTL_TEXT, mode="0644"),
        dict(path="/usr/local/libexec/nodeops-crio", state="directory", mode="0755"),
        dict(path=HELPER, state="file", content=HELPER_TEXT, mode="0755"),
        dict(path=PROXY_DROPIN, state="absent"),
        dict(path=SLICE_DROPIN, state="absent"),
        dict(path="/etc/cni/net.d", state="directory", mode="0755"),
        dict(path="/etc/cni/net.d/10-nodeops-bridge.conflist", state="file", content=BRIDGE_TEXT, mode="0644"),
    ]


def test_a_proxy_gets_its_folder_and_a_backed_up_dropin() -> None:
    wanted = plan.files(files_spec(role(**PROXIES)))
    assert wanted[4:6] == [
        dict(path="/etc/systemd/system/crio.service.d", state="directory", mode="0755"),
        dict(path=PROXY_DROPIN, state="file", mode="0644", backup=True, content=(
            "# HTTP proxy for CRI-O's image pulls; written by nodeops.crio.crio.\n[Service]\n"
            'Environment="HTTP_PROXY=http://proxy.internal:3128"\n'
            'Environment="HTTPS_PROXY=http://proxy.internal:3128"\n'
            'Environment="NO_PROXY=localhost,127.0.0.1,10.85.0.0/16,.svc,.cluster.local"\n')),
    ]


def test_without_modules_sysctls_or_bridge_only_the_helper_and_removals_remain() -> None:
    assert plan.files(files_spec(role(crio_kernel_modules=[], crio_sysctls={}, crio_cni_default_network=False))) == [
        dict(path="/usr/local/libexec/nodeops-crio", state="directory", mode="0755"),
        dict(path=HELPER, state="file", content=HELPER_TEXT, mode="0755"),
        dict(path=PROXY_DROPIN, state="absent"),
        dict(path=SLICE_DROPIN, state="absent"),
        dict(path="/etc/cni/net.d/10-nodeops-bridge.conflist", state="absent"),
    ]


SLICE_TEXT = ("# CRI-O's slice, for kubelet's kube-reserved accounting (kubeReservedCgroup); written by nodeops.crio.crio.\n"
              "[Service]\nSlice=kube.slice\n")


def test_a_slice_gets_a_backed_up_dropin() -> None:
    assert plan.files(files_spec(role(crio_service_slice="kube.slice")))[4:7] == [
        dict(path="/etc/systemd/system/crio.service.d", state="directory", mode="0755"),
        dict(path=PROXY_DROPIN, state="absent"),
        dict(path=SLICE_DROPIN, state="file", mode="0644", backup=True, content=SLICE_TEXT),
    ]


def test_the_proxy_and_the_slice_share_one_folder() -> None:
    wanted = plan.files(files_spec(role(crio_service_slice="kube.slice", **PROXIES)))
    assert [(entry["path"], entry["state"]) for entry in wanted[4:7]] == [
        ("/etc/systemd/system/crio.service.d", "directory"), (PROXY_DROPIN, "file"), (SLICE_DROPIN, "file")]
    assert wanted[6]["content"] == SLICE_TEXT


@pytest.mark.parametrize("path, parent", [("/usr/local/libexec/nodeops-crio/check", "/usr/local/libexec/nodeops-crio"),
                                          ("/check", "/")])
def test_a_helper_at_the_top_has_the_root_as_its_folder(path: str, parent: str) -> None:
    assert plan.files(dict(files_spec(role()), helper=path))[2] == dict(path=parent, state="directory", mode="0755")


@pytest.mark.parametrize("variables", FILES_CASES)
def test_texts_match_the_old_vars(old: OldRole, variables: dict[str, t.Any]) -> None:
    jinja = old.variables(variables)
    spec = files_spec(variables)
    # The texts of an empty list are never written (files() leaves the file out).
    if spec["kernel_modules"]:
        assert plan.modules_text(spec["kernel_modules"]) == old.render(jinja, "crio__modules_text")
    if spec["sysctls"]:
        assert plan.sysctl_text(spec["sysctls"]) == old.render(jinja, "crio__sysctl_text")
    proxy = plan.proxy_env(spec["http_proxy"], spec["https_proxy"], spec["no_proxy"])
    assert proxy == old.render(jinja, "crio__proxy")
    if proxy:
        assert plan.proxy_text(proxy) == old.render(jinja, "crio__proxy_text")
    assert plan.bridge_network(spec["cni_subnet"]) == old.render(jinja, "crio__cni_network")
    network = [entry for entry in plan.files(spec) if entry["path"].endswith(".conflist")][0]
    if spec["cni_write"]:
        assert network["content"] == old.render(jinja, "crio__cni_text")


@pytest.mark.parametrize("variables", FILES_CASES)
def test_files_are_the_old_expected_list(old: OldRole, variables: dict[str, t.Any]) -> None:
    """Same paths, states, modes and contents (by sha1) as crio__expected, in the same order.

    crio__expected also held the credentials file and the bundle cache, which
    the role now keeps outside files(); the old role had no slice drop-in.
    """
    jinja = dict(old.variables(variables), crio__helper_text=HELPER_TEXT)
    expected = [(entry["path"], entry.get("state", "file"), entry.get("mode"), entry.get("checksum"))
                for entry in old.render(jinja, "crio__expected")
                if entry["path"] not in (AUTH_FILE, CACHE_DIR)]
    python = [(entry["path"], entry["state"], entry.get("mode"),
               hashlib.sha1(entry["content"].encode()).hexdigest() if "content" in entry else None)
              for entry in plan.files(files_spec(variables)) if entry["path"] != SLICE_DROPIN]
    assert python == expected


@pytest.mark.parametrize("http, https, no_proxy, env", [
    ("", "", "", {}),
    ("http://p:3128", "", "", {"HTTP_PROXY": "http://p:3128"}),
    ("", "http://p:3128", "localhost", {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": "localhost"}),
    ("a", "b", "c", {"HTTP_PROXY": "a", "HTTPS_PROXY": "b", "NO_PROXY": "c"}),
], ids=["unset", "http-only", "https-and-no-proxy", "all"])
def test_proxy_env_leaves_out_the_empty_ones(http: str, https: str, no_proxy: str, env: dict[str, str]) -> None:
    assert plan.proxy_env(http, https, no_proxy) == env


@pytest.mark.parametrize("modules, text", [
    (["overlay"], "# Kernel modules CRI-O needs; written by nodeops.crio.crio.\noverlay\n"),
    (["overlay", "br_netfilter", "ip_vs"],
     "# Kernel modules CRI-O needs; written by nodeops.crio.crio.\noverlay\nbr_netfilter\nip_vs\n"),
])
def test_modules_text_is_one_module_a_line(modules: list[str], text: str) -> None:
    assert plan.modules_text(modules) == text


def test_sysctl_text_sorts_names_without_case() -> None:
    assert plan.sysctl_text({"net.ipv4.ip_forward": 1, "Kernel.B": "2", "kernel.a": True}) == (
        "# Sysctls CRI-O's pod networking needs; written by nodeops.crio.crio.\n"
        "kernel.a = True\nKernel.B = 2\nnet.ipv4.ip_forward = 1\n")


def test_bridge_network_is_the_bundles_ipv4_bridge_on_the_subnet() -> None:
    network = plan.bridge_network("192.168.77.0/24")
    assert network["plugins"][0]["ipam"]["ranges"] == [[{"subnet": "192.168.77.0/24"}]]
    assert [entry["type"] for entry in network["plugins"]] == ["bridge", "portmap"]
    assert (network["cniVersion"], network["name"]) == ("1.0.0", "crio")


# --------------------------------------------------------------------------
# bundle() and bundle_layout()

def bundle_spec(**changes: t.Any) -> dict[str, t.Any]:
    """crio_bundle's spec as tasks/probe.yml builds it on a Debian amd64 node."""
    spec: dict[str, t.Any] = dict(
        version="1.36.3", artifact_arch="amd64", cache_dir=CACHE_DIR, upstream=UPSTREAM,
        bundle_url="", bundle_checksum="", bundle_file="", layout_version=1,
        bin_to_path=["crio", "pinns", "crictl", "crio-credential-provider"],
        files=[
            {"src": "etc/10-crio.conf", "dest": "/etc/crio/crio.conf.d/10-crio.conf", "force": True},
            {"src": "contrib/registries.conf", "dest": "/etc/containers/registries.conf.d/crio.conf", "force": True},
            {"src": "etc/crio-umount.conf", "dest": "/usr/local/share/oci-umount/oci-umount.d/crio-umount.conf",
             "force": True},
            {"src": "contrib/policy.json", "dest": "/etc/crio/policy.json", "force": False},
            {"src": "etc/crio", "dest": changes.get("env_file", "/etc/default/crio"), "force": False},
        ],
        dirs=["/usr/libexec/crio", "/usr/local/lib/systemd/system", "/etc/crio/crio.conf.d",
              "/etc/containers/registries.conf.d", "/usr/local/share/oci-umount/oci-umount.d", "/etc/crio",
              "/opt/cni/bin"],
        libexec_dir="/usr/libexec/crio", cni_bin_dir="/opt/cni/bin", env_file="/etc/default/crio")
    spec.update(changes)
    return spec


def old_bundle_vars(old: OldRole, spec: t.Mapping[str, t.Any], sources: t.Sequence[str] = ()) -> dict[str, t.Any]:
    """The old role's variables for a bundle spec, with its probe.yml facts set."""
    arches = {value: key for key, value in old.vars["crio__arches"].items()}
    variables = old.variables(dict(
        crio__version=spec["version"], ansible_facts={"architecture": arches[spec["artifact_arch"]]},
        crio_bundle_url=spec["bundle_url"], crio_bundle_checksum=spec["bundle_checksum"],
        crio_bundle_file=spec["bundle_file"], crio__env_file=spec["env_file"], crio__libexec_dir=spec["libexec_dir"],
        crio__cni_bin_dir=spec["cni_bin_dir"], crio__cache_dir=spec["cache_dir"],
        crio__bundle_bin_to_path=spec["bin_to_path"], crio__bundle_layout_version=spec["layout_version"],
        crio__bundle_found={"files": [{"path": path} for path in sources]}))
    return old.set_facts(old.probe_tasks, ["Name the bundle"], variables)


BUNDLE_CASES = [
    pytest.param(bundle_spec(), dict(
        name="cri-o.amd64.v1.36.3.tar.gz", url=UPSTREAM + "/cri-o.amd64.v1.36.3.tar.gz",
        archive=CACHE_DIR + "/cri-o.amd64.v1.36.3.tar.gz", unpacked=CACHE_DIR + "/cri-o.v1.36.3", sha256=""),
        id="upstream"),
    pytest.param(bundle_spec(bundle_url="http://mirror:8080/artifacts/", bundle_checksum="sha256:" + SHA256), dict(
        name="cri-o.amd64.v1.36.3.tar.gz", url="http://mirror:8080/artifacts/cri-o.amd64.v1.36.3.tar.gz",
        archive=CACHE_DIR + "/cri-o.amd64.v1.36.3.tar.gz", unpacked=CACHE_DIR + "/cri-o.v1.36.3", sha256=SHA256),
        id="mirror-folder-and-prefixed-checksum"),
    pytest.param(bundle_spec(bundle_url="http://mirror:8080/crio/latest.tar.gz", bundle_checksum=SHA256.upper()), dict(
        name="cri-o.amd64.v1.36.3.tar.gz", url="http://mirror:8080/crio/latest.tar.gz",
        archive=CACHE_DIR + "/cri-o.amd64.v1.36.3.tar.gz", unpacked=CACHE_DIR + "/cri-o.v1.36.3",
        sha256=SHA256.upper()), id="a-file-url-is-taken-as-is"),
    pytest.param(bundle_spec(version="1.35.6", artifact_arch="arm64", bundle_file="/srv/cri-o.arm64.v1.35.6.tar.gz",
                             env_file="/etc/sysconfig/crio"), dict(
        name="cri-o.arm64.v1.35.6.tar.gz", url=UPSTREAM + "/cri-o.arm64.v1.35.6.tar.gz",
        archive=CACHE_DIR + "/cri-o.arm64.v1.35.6.tar.gz", unpacked=CACHE_DIR + "/cri-o.v1.35.6", sha256=""),
        id="controller-file-arm64-redhat"),
]


@pytest.mark.parametrize("spec, expected", BUNDLE_CASES)
def test_bundle_names_url_and_cache_paths(spec: dict[str, t.Any], expected: dict[str, str]) -> None:
    found = plan.bundle(spec)
    assert {key: value for key, value in found.items() if key != "stamp"} == expected
    assert found["stamp"].startswith(CACHE_DIR + "/installed.") and found["stamp"].endswith(".sha256")


def test_the_default_stamp_is_the_sha1_of_its_inputs_as_json() -> None:
    spec = bundle_spec()
    stamped = ["cri-o.amd64.v1.36.3.tar.gz", "", "", "", 1, spec["bin_to_path"], spec["files"], "/usr/libexec/crio",
               "/opt/cni/bin", "/etc/default/crio"]
    digest = hashlib.sha1(json.dumps(stamped).encode()).hexdigest()
    assert plan.bundle(spec)["stamp"] == "%s/installed.%s.sha256" % (CACHE_DIR, digest)


@pytest.mark.parametrize("spec, expected", BUNDLE_CASES)
def test_bundle_matches_the_old_probe_url_and_stamp(old: OldRole, spec: dict[str, t.Any], expected: dict[str, str]) -> None:
    jinja = old_bundle_vars(old, spec)
    found = plan.bundle(spec)
    assert found["name"] == jinja["crio__bundle_name"]
    assert found["unpacked"] == jinja["crio__bundle_unpacked"]
    assert found["archive"] == old.render(jinja, "crio__bundle_archive")
    assert found["stamp"] == old.render(jinja, "crio__bundle_stamp")
    download = old.url_tasks[0]
    assert found["url"] == old.template(dict(jinja, **download["vars"]), download["vars"]["crio__bundle_url"])
    if spec["bundle_checksum"]:
        assert found["sha256"] == old.template(dict(jinja, **download["vars"]), download["vars"]["crio__bundle_sum"])


@pytest.mark.parametrize("change", [
    dict(version="1.36.2"), dict(artifact_arch="arm64"), dict(bundle_url="http://mirror/"),
    dict(bundle_checksum=SHA256), dict(bundle_file="/srv/b.tar.gz"), dict(layout_version=2),
    dict(bin_to_path=["crio", "pinns", "crictl"]), dict(files=[]), dict(libexec_dir="/usr/local/libexec/crio"),
    dict(cni_bin_dir="/usr/lib/cni"), dict(env_file="/etc/sysconfig/crio"),
], ids=lambda change: next(iter(change)))
def test_the_stamp_changes_with_anything_that_changes_the_install(change: dict[str, t.Any]) -> None:
    assert plan.bundle(bundle_spec(**change))["stamp"] != plan.bundle(bundle_spec())["stamp"]


def test_the_stamp_ignores_what_the_install_does_not_depend_on() -> None:
    # The upstream location only matters through the URL, and the URL is stamped as given.
    assert plan.bundle(bundle_spec(upstream="https://elsewhere.example/artifacts"))["stamp"] == plan.bundle(
        bundle_spec())["stamp"]


BIN = "/usr/local/bin/"
LIBEXEC = "/usr/libexec/crio/"
CNI = "/opt/cni/bin/"
DEFAULT_TARGETS = [LIBEXEC + "conmon", LIBEXEC + "conmonrs", BIN + "crictl", BIN + "crio",
                   BIN + "crio-credential-provider", LIBEXEC + "crun", BIN + "pinns", LIBEXEC + "runc",
                   CNI + "bridge", CNI + "host-local", CNI + "loopback", CNI + "portmap"]


def test_the_136_bundle_goes_where_crios_installer_puts_it() -> None:
    found = plan.bundle_layout(bundle_spec(), UNPACKED, BUNDLE_SOURCES)
    assert found["targets"] == DEFAULT_TARGETS
    assert found["stamped"] == sorted(DEFAULT_TARGETS) + ["/usr/local/lib/systemd/system/crio.service"]
    sources = sorted(BUNDLE_SOURCES)
    assert found["layout"] == (
        [word for folder in bundle_spec()["dirs"] for word in ("dir", "0755", "-", folder)]
        + [word for source, target in zip(sources, DEFAULT_TARGETS) for word in ("replace", "0755", source, target)]
        + ["replace", "0644", UNPACKED + "/cri-o/etc/10-crio.conf", "/etc/crio/crio.conf.d/10-crio.conf",
           "replace", "0644", UNPACKED + "/cri-o/contrib/registries.conf", "/etc/containers/registries.conf.d/crio.conf",
           "replace", "0644", UNPACKED + "/cri-o/etc/crio-umount.conf",
           "/usr/local/share/oci-umount/oci-umount.d/crio-umount.conf",
           "keep", "0644", UNPACKED + "/cri-o/contrib/policy.json", "/etc/crio/policy.json",
           "keep", "0644", UNPACKED + "/cri-o/etc/crio", "/etc/default/crio"])
    assert len(found["layout"]) == 4 * (7 + 12 + 5)


LAYOUT_CASES = [
    pytest.param(bundle_spec(), BUNDLE_SOURCES, id="defaults"),
    pytest.param(bundle_spec(cni_bin_dir="/usr/lib/cni", libexec_dir="/usr/local/libexec/crio",
                             env_file="/etc/sysconfig/crio"), BUNDLE_SOURCES, id="other-folders-redhat"),
    pytest.param(bundle_spec(bin_to_path=["crio", "pinns"]), BUNDLE_SOURCES, id="crictl-to-libexec"),
    pytest.param(bundle_spec(version="1.35.6"), [path.replace("1.36.3", "1.35.6") for path in BUNDLE_SOURCES
                                                 if not path.endswith("crio-credential-provider")], id="older-bundle"),
    pytest.param(bundle_spec(), [], id="no-sources"),
]


@pytest.mark.parametrize("spec, sources", LAYOUT_CASES)
def test_bundle_layout_matches_the_old_vars(old: OldRole, spec: dict[str, t.Any], sources: list[str]) -> None:
    jinja = old_bundle_vars(old, spec, sources)
    unpacked = jinja["crio__bundle_unpacked"]
    found = plan.bundle_layout(dict(spec, dirs=old.render(jinja, "crio__bundle_dirs"),
                                    files=old.render(jinja, "crio__bundle_files")), unpacked, sources)
    assert found["targets"] == old.render(jinja, "crio__bundle_targets")
    assert found["stamped"] == old.render(jinja, "crio__bundle_stamped")
    assert found["layout"] == old.render(jinja, "crio__bundle_layout | flatten")


def test_the_bundle_specs_constants_are_the_old_vars(old: OldRole) -> None:
    jinja = old_bundle_vars(old, bundle_spec())
    spec = bundle_spec()
    for key, name in (("bin_to_path", "crio__bundle_bin_to_path"), ("files", "crio__bundle_files"),
                      ("dirs", "crio__bundle_dirs"), ("layout_version", "crio__bundle_layout_version"),
                      ("upstream", "crio__upstream_artifacts"), ("cache_dir", "crio__cache_dir")):
        assert spec[key] == old.render(jinja, name), key


# --------------------------------------------------------------------------
# apply()

RUNTIMES = ["crun", "runc"]


def changes(**changed: t.Any) -> dict[str, t.Any]:
    """What a run changed: nothing, but for the case's changes (the handler's crio__changed)."""
    base: dict[str, t.Any] = dict(unit=False, package=False, service_dropins=False, registries=False, wipe=False, bundle=[],
                                  cni_bin_dir="/opt/cni/bin", dropin=None, unknown_settings=[], runtimes=RUNTIMES,
                                  handlers_in_use=[], dry_fresh=False, rollback=[])
    base.update(changed)
    return base


UNITS = "crio's unit or package changed"
WIPE = "CRI-O's state holds another minor"
AT_START = "settings crio reads only at its start changed: "

APPLY_CASES = [
    pytest.param(changes(), "none", [], False, id="nothing-changed"),
    pytest.param(changes(unit=True), "restart", [UNITS], True, id="unit"),
    pytest.param(changes(package=True), "restart", [UNITS], True, id="package"),
    pytest.param(changes(service_dropins=True), "restart", [UNITS], True, id="service-dropins"),
    pytest.param(changes(unit=True, dry_fresh=True), "restart", [UNITS], False, id="dry-fresh-no-daemon-reload"),
    pytest.param(changes(wipe=True), "restart", [WIPE], False, id="wipe"),
    pytest.param(changes(bundle=["/usr/local/bin/crio", "/usr/libexec/crio/conmon", "/opt/cni/bin/bridge"]),
                 "restart", ["the bundle changed /usr/local/bin/crio, /usr/libexec/crio/conmon"], False,
                 id="bundle-binaries"),
    pytest.param(changes(bundle=["/etc/crio/crio.conf.d/10-crio.conf"]), "restart",
                 ["the bundle changed /etc/crio/crio.conf.d/10-crio.conf"], False, id="bundle-config-file"),
    pytest.param(changes(bundle=["/opt/cni/bin/bridge", "/opt/cni/bin/portmap"]), "reload", [], False,
                 id="bundle-only-cni-plugins"),
    pytest.param(changes(bundle=["/opt/cni/bin/bridge"], cni_bin_dir="/opt/cni/bin/"), "reload", [], False,
                 id="cni-folder-with-slash"),
    pytest.param(changes(bundle=["/opt/cni/binaries/bridge"]), "restart",
                 ["the bundle changed /opt/cni/binaries/bridge"], False, id="a-sibling-of-the-cni-folder"),
    pytest.param(changes(dropin=["crio.runtime.log_level", "crio.image.pause_image", "crio.image.pinned_images"]),
                 "reload", [], False, id="dropin-reloadable-keys"),
    pytest.param(changes(dropin=["crio.runtime.log_level", "crio.runtime.cgroup_manager"]), "restart",
                 [AT_START + "crio.runtime.cgroup_manager"], False, id="dropin-other-key"),
    pytest.param(changes(dropin=["crio.runtime.default_runtime"]), "restart", [AT_START + "crio.runtime.default_runtime"],
                 False, id="dropin-default-runtime"),
    pytest.param(changes(dropin=["crio.runtime.runtimes.runc.runtime_path"], handlers_in_use=["runc"]), "restart",
                 [AT_START + "crio.runtime.runtimes.runc.runtime_path"], False, id="runtime-table-in-use"),
    pytest.param(changes(dropin=["crio.runtime.runtimes.runc.runtime_path"], handlers_in_use=["crun"]), "reload", [],
                 False, id="runtime-table-not-in-use"),
    pytest.param(changes(dropin=["crio.runtime.runtimes.kata.runtime_path"]), "restart",
                 [AT_START + "crio.runtime.runtimes.kata.runtime_path"], False, id="runtime-table-the-role-lacks"),
    pytest.param(changes(dropin=["crio.runtime.runtimes.runc.x"], runtimes=["run"]), "restart",
                 [AT_START + "crio.runtime.runtimes.runc.x"], False, id="a-runtime-name-is-no-prefix-of-another"),
    pytest.param(changes(dropin=["crio.runtime.no_such_key", "crio.image.pause_image"],
                         unknown_settings=["crio.runtime.no_such_key"]), "reload", [], False, id="unknown-ignored"),
    pytest.param(changes(dropin=["crio.runtime.no_such_key", "crio.runtime.pids_limit", "crio.runtime.log_level"],
                         unknown_settings=["crio.runtime.no_such_key"]), "restart",
                 [AT_START + "crio.runtime.pids_limit"], False, id="only-the-keys-needing-a-restart-are-named"),
    pytest.param(changes(dropin=["?"]), "restart", [AT_START + "?"], False, id="dropin-changed-without-naming-keys"),
    pytest.param(changes(dropin=[]), "reload", [], False, id="dropin-changed-no-key"),
    pytest.param(changes(registries=True), "reload", [], False, id="registries-only"),
    pytest.param(changes(unit=True, wipe=True, bundle=["/usr/local/bin/crio"], dropin=["crio.root"]), "restart",
                 [UNITS, WIPE, "the bundle changed /usr/local/bin/crio", AT_START + "crio.root"], True,
                 id="every-reason-in-order"),
]


@pytest.mark.parametrize("changed, action, reasons, daemon_reload", APPLY_CASES)
def test_apply_restarts_reloads_or_leaves_crio(changed: dict[str, t.Any], action: str, reasons: list[str],
                                               daemon_reload: bool) -> None:
    assert plan.apply(changed) == dict(daemon_reload=daemon_reload, action=action, reasons=reasons, rollback=[])


def old_apply_vars(old: OldRole, changed: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """The registered results the old handler decided from, for a run that changed `changed`."""
    variables = old.variables(dict(
        crio__installed_unit={"changed": changed["unit"]}, crio__package_result={"changed": changed["package"]},
        crio__proxy_result={"changed": changed["service_dropins"]},
        crio__impact={"wipe": changed["wipe"], "handlers_in_use": changed["handlers_in_use"]},
        crio__cni_bin_dir=changed["cni_bin_dir"].rstrip("/"),
        crio__check={"unknown_settings": changed["unknown_settings"]},
        crio_runtimes={name: {"runtime_path": "/usr/libexec/crio/" + name} for name in changed["runtimes"]},
        crio__dry_fresh=changed["dry_fresh"]))
    if changed["bundle"]:
        variables["crio__installed_bundle"] = {"changed": True, "stdout_lines": changed["bundle"]}
    if changed["dropin"] is not None:
        # The handler hands over [] for a result without changed_keys.
        # ["?"] is what the handler passes for a result that names no keys.
        variables["crio__dropin_result"] = dict(changed=True, **({"changed_keys": changed["dropin"]}
                                                                 if changed["dropin"] != ["?"] else {}))
    return variables


@pytest.mark.parametrize("changed, action, reasons, daemon_reload", APPLY_CASES)
def test_apply_restarts_exactly_when_the_old_handler_did(old: OldRole, changed: dict[str, t.Any], action: str,
                                                         reasons: list[str], daemon_reload: bool) -> None:
    jinja = old_apply_vars(old, changed)
    decided = plan.apply(changed)
    restart = old.render(jinja, "crio__restart_needed | bool")
    if changed["dropin"] and any(key.startswith("crio.runtime.runtimes.") for key in changed["dropin"]):
        # The old crio__reloadable_prefixes never held a runtime's name: its
        # regex_replace wrote a literal "\\1" (it renders
        # ['crio.runtime.runtimes.\\1.']), so every runtime table change
        # restarted. The Python does what its comment meant: reload for a
        # handler no pod uses. The old pattern with the names filled in:
        names = [name for name in changed["runtimes"] if name not in changed["handlers_in_use"]]
        assert old.render(jinja, "crio__reloadable_prefixes") == ["crio.runtime.runtimes.\\1."] * len(names)
        jinja["crio__reloadable_prefixes"] = ["crio.runtime.runtimes.%s." % name for name in names]
        restart = old.render(jinja, "crio__restart_needed | bool")
    assert (decided["action"] == "restart") is restart
    assert decided["daemon_reload"] is old.render(jinja, "(crio__units_changed and not crio__dry_fresh) | bool")


def test_apply_hands_back_each_changed_file_and_its_backup() -> None:
    rollback = [
        dict(path=DROPIN, backup_file="/var/backups/nodeops-crio/50-nodeops.conf.81.2026-12-03@20:41:07~"),
        dict(path=REGISTRIES_DROPIN),
        dict(path=PROXY_DROPIN, backup_file=None),
        dict(path="/etc/other", backup_file=""),
    ]
    decided = plan.apply(changes(dropin=["crio.runtime.log_level"], registries=True, service_dropins=True, rollback=rollback))
    assert decided["rollback"] == [
        dict(path=DROPIN, backup_file="/var/backups/nodeops-crio/50-nodeops.conf.81.2026-12-03@20:41:07~"),
        dict(path=REGISTRIES_DROPIN, backup_file=""),
        dict(path=PROXY_DROPIN, backup_file=""),
        dict(path="/etc/other", backup_file=""),
    ]
    assert decided["action"] == "restart"


def test_apply_rollback_entries_match_the_old_list(old: OldRole) -> None:
    backup = "/var/backups/nodeops-crio/50-nodeops.conf.81.2026-12-03@20:41:07~"
    jinja = old.variables(dict(crio__dropin_result={"changed": True, "backup_file": backup},
                               crio__registries_result={"changed": True},
                               crio__proxy_result={"changed": False}))
    python = plan.apply(changes(rollback=[dict(path=DROPIN, backup_file=backup), dict(path=REGISTRIES_DROPIN)]))
    assert python["rollback"] == old.render(jinja, "crio__rollback_files")


def test_apply_changes_none_of_its_input() -> None:
    changed = changes(dropin=["crio.runtime.log_level"], rollback=[dict(path=DROPIN)])
    kept = copy.deepcopy(changed)
    plan.apply(changed)
    assert changed == kept


def old_jinja(path: str) -> str:
    """A file of the crio role before its decisions moved to Python; a missing one fails the test."""
    return (COLLECTION_ROOT / "tests" / "unit" / "fixtures" / "crio-role-jinja" / path).read_text(encoding="utf-8")


def test_expected_compares_each_file_by_the_sha1_of_its_content() -> None:
    entries = [dict(path="/etc/a", state="file", content="x\n", mode="0644", backup=True),
               dict(path="/etc/d", state="directory", mode="0755"), dict(path="/etc/gone", state="absent")]
    assert plan.expected(entries) == [
        dict(path="/etc/a", state="file", mode="0644", checksum=hashlib.sha1(b"x\n").hexdigest()),
        dict(path="/etc/d", state="directory", mode="0755"), dict(path="/etc/gone", state="absent")]
