# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The CRI-O release the crio role installs (_versions.release()), and the filters of plugins/filter/crio_plan.py.

release() replaces the version tasks of the old tasks/input.yml; the parity
test runs those tasks (their set_fact and assert, rendered by Ansible's
templar) from the commit that still had them.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader

from ansible_collections.nodeops.crio.plugins.filter import crio_plan as crio_plan_filters
from ansible_collections.nodeops.crio.plugins.plugin_utils import _crio_plan
from ansible_collections.nodeops.crio.plugins.plugin_utils._release_table import DEFAULT_STREAM, OLDEST_MINOR, STREAMS
from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import (
    RELEASES, choose, release, streams, table_problems, upgrade_plan)
from ansible_collections.nodeops.crio.tests.unit.compat import load_template_file, templar, trust_as_template

COLLECTION_ROOT = Path(__file__).resolve().parents[4]
FILTER_DIR = COLLECTION_ROOT / "plugins" / "filter"
MALFORMED = 'must be empty, a minor such as 1.36 or a release such as 1.36.3; got "%s"'


def found(minor: str = "", kubernetes_minor: str = "", version: str = "", problems: t.Sequence[str] = ()) -> dict[str, t.Any]:
    return dict(minor=minor, kubernetes_minor=kubernetes_minor, version=version, problems=list(problems))


# A table as choose() takes it, fixed here so that a new release does not change these tests.
TABLE = {"1.35": "1.35.9", "1.36": "1.36.6", "1.37": "1.37.4"}


def pick(crio_version: t.Any, kubernetes_version: t.Any) -> dict[str, t.Any]:
    return choose(crio_version, kubernetes_version, TABLE, "1.37", 35)


@pytest.mark.parametrize("crio_version, kubernetes_version, expected", [
    ("", "", found("1.37", "1.37", "1.37.4")),
    (None, None, found("1.37", "1.37", "1.37.4")),
    ("1.36", "", found("1.36", "1.36", "1.36.6")),
    ("1.35", "", found("1.35", "1.35", "1.35.9")),
    ("", "1.36", found("1.36", "1.36", "1.36.6")),
    ("1.37.2", "", found("1.37", "1.37", "1.37.2")),
    ("1.37.0-rc.1", "", found("1.37", "1.37", "1.37.0-rc.1")),
    ("v1.37", "", found("1.37", "1.37", "1.37.4")),
    ("v1.37.1", "v1.37", found("1.37", "1.37", "1.37.1")),
    ("", "v1.37.2", found("1.37", "1.37", "1.37.4")),
    ("1.38.0", "", found("1.38", "1.38", "1.38.0")),
    ("1.38.0", "1.38", found("1.38", "1.38", "1.38.0")),
    (1.36, "", found("1.36", "1.36", "1.36.6")),
], ids=["empty-is-the-default-streams-newest", "none-is-empty", "minor-1.36", "oldest-stream", "kubernetes-minor",
        "full-release-kept", "pre-release-kept", "v-prefix-minor", "v-prefix-both", "kubernetes-patch-is-ignored",
        "unknown-stream-full-release", "unknown-stream-both-given", "yaml-float"])
def test_choose_picks_the_cri_o_release(crio_version: t.Any, kubernetes_version: t.Any, expected: dict[str, t.Any]) -> None:
    assert pick(crio_version, kubernetes_version) == expected


def test_empty_inputs_take_the_default_streams_newest_release() -> None:
    assert release("", "") == dict(found(DEFAULT_STREAM, DEFAULT_STREAM, RELEASES[DEFAULT_STREAM]),
                                   pause=STREAMS[DEFAULT_STREAM].pause)


def test_the_default_stream_is_the_newest_one_known() -> None:
    assert DEFAULT_STREAM == max(STREAMS, key=lambda minor: int(minor.split(".")[1]))
    assert OLDEST_MINOR == min(int(minor.split(".")[1]) for minor in STREAMS)


@pytest.mark.parametrize("crio_version, kubernetes_version, problem", [
    ("1.x", "", 'crio_version ' + MALFORMED % "1.x"),
    ("latest", "", 'crio_version ' + MALFORMED % "latest"),
    ("", "1.36.x", 'crio_kubernetes_version ' + MALFORMED % "1.36.x"),
    ("1", "1.36", 'crio_version ' + MALFORMED % "1"),
])
def test_a_malformed_version_names_its_variable(crio_version: str, kubernetes_version: str, problem: str) -> None:
    assert pick(crio_version, kubernetes_version) == found(problems=[problem])
    assert release(crio_version, kubernetes_version) == dict(found(problems=[problem]), pause="")


def test_both_malformed_are_both_named() -> None:
    assert pick("x", "y")["problems"] == ['crio_version ' + MALFORMED % "x", 'crio_kubernetes_version ' + MALFORMED % "y"]


@pytest.mark.parametrize("crio_version, kubernetes_version", [("1.36", "1.35"), ("1.36.3", "1.35"), ("1.36", "v1.35.2")])
def test_a_cri_o_minor_other_than_kubernetes_is_refused(crio_version: str, kubernetes_version: str) -> None:
    result = pick(crio_version, kubernetes_version)
    assert result["version"] == ""
    assert (result["minor"], result["kubernetes_minor"]) == ("1.36", "1.35")
    [problem] = result["problems"]
    # molecule's input scenario greps this
    assert "does not match crio_kubernetes_version 1.35" in problem
    assert problem.startswith("crio_version %s (CRI-O 1.36)" % crio_version)
    assert "set crio_version to 1.35 (or leave it empty to derive it)" in problem


@pytest.mark.parametrize("crio_version, kubernetes_version, minor", [
    ("1.34", "", "1.34"), ("", "1.30", "1.30"), ("1.34.14", "", "1.34"), ("1.4", "", "1.4")])
def test_an_out_of_support_stream_is_refused_naming_the_oldest(crio_version: str, kubernetes_version: str, minor: str) -> None:
    assert pick(crio_version, kubernetes_version) == found(minor, minor, problems=[
        "CRI-O %s is out of support (oldest supported stream 1.35); set crio_version or crio_kubernetes_version "
        "to a newer minor, or add the stream to crio_release_table if you must install it" % minor])
    assert "oldest supported stream 1.%d" % OLDEST_MINOR in release(crio_version, kubernetes_version)["problems"][0]


@pytest.mark.parametrize("crio_version, kubernetes_version", [("1.38", ""), ("", "1.38"), ("", "1.38.0")])
def test_a_stream_without_a_known_release_needs_a_full_release(crio_version: str, kubernetes_version: str) -> None:
    assert pick(crio_version, kubernetes_version) == found("1.38", "1.38", problems=[
        "the crio role knows no release of CRI-O 1.38 (it knows 1.35, 1.36, 1.37); give crio_version as a full "
        "release, such as 1.38.0, or add the stream to crio_release_table"])


# --------------------------------------------------------------------------
# crio_release_table

NEXT = {"1.38": {"release": "1.38.0", "pause": "3.10.2"}}


def test_a_stream_of_the_table_is_installed_and_becomes_the_default() -> None:
    assert release("", "1.38", NEXT) == dict(found("1.38", "1.38", "1.38.0"), pause="3.10.2")
    assert release("", "", NEXT)["version"] == "1.38.0"
    assert release("1.37", "", NEXT)["version"] == RELEASES["1.37"]


def test_a_known_stream_takes_a_patch_and_keeps_its_pause() -> None:
    newer = {DEFAULT_STREAM: {"release": DEFAULT_STREAM + ".99"}}
    assert release(DEFAULT_STREAM, "", newer) == dict(
        found(DEFAULT_STREAM, DEFAULT_STREAM, DEFAULT_STREAM + ".99"), pause=STREAMS[DEFAULT_STREAM].pause)
    assert streams(newer)[DEFAULT_STREAM] == STREAMS[DEFAULT_STREAM]._replace(
        release=DEFAULT_STREAM + ".99", release_from="crio_release_table")


def test_an_older_patch_is_taken_too_for_a_mirror_that_has_no_newer() -> None:
    assert release("", "1.36", {"1.36": {"release": "1.36.3"}})["version"] == "1.36.3"


def test_a_stream_out_of_support_is_taken_when_the_operator_lists_it() -> None:
    table = {"1.34": {"release": "1.34.14", "pause": "3.10.1"}}
    assert release("1.34", "", table) == dict(found("1.34", "1.34", "1.34.14"), pause="3.10.1")
    assert release("1.33", "", table)["problems"][0].startswith("CRI-O 1.33 is out of support (oldest supported stream 1.34)")


@pytest.mark.parametrize("table, problem", [
    (["1.38"], 'crio_release_table must be a mapping of CRI-O minors to {release, pause}, such as '
               '{"1.38": {"release": "1.38.0", "pause": "3.10.2"}}; got list [\'1.38\']'),
    ({1.38: {"release": "1.38.0", "pause": "3.10.2"}},
     'crio_release_table: each key must be a CRI-O minor such as "1.38", quoted so that YAML keeps it a string; '
     'got float 1.38'),
    ({"1.38.0": {}}, 'crio_release_table: each key must be a CRI-O minor such as "1.38", quoted so that YAML keeps it '
                     "a string; got string '1.38.0'"),
    ({"1.38": "1.38.0"}, 'crio_release_table["1.38"] must be a mapping with release and pause, such as '
                         '{"1.38": {"release": "1.38.0", "pause": "3.10.2"}}; got string \'1.38.0\''),
    ({"1.38": {"pause": "3.10.2"}}, 'crio_release_table["1.38"].release is needed for a stream the collection does '
                                    'not know: the newest CRI-O 1.38 release, such as 1.38.0'),
    ({"1.38": {"release": "1.38.0"}}, 'crio_release_table["1.38"].pause is needed for a stream the collection does '
                                      'not know: the pause tag kubeadm 1.38 uses (kubeadm config images list), such as 3.10.2'),
    ({"1.37": {"release": "1.36.9"}}, 'crio_release_table["1.37"].release must be a full CRI-O 1.37 release such as '
                                      '"1.37.0" (a string); got string \'1.36.9\''),
    ({"1.37": {"release": "1.37"}}, 'crio_release_table["1.37"].release must be a full CRI-O 1.37 release such as '
                                    '"1.37.0" (a string); got string \'1.37\''),
    ({"1.37": {"release": 1.37}}, 'crio_release_table["1.37"].release must be a full CRI-O 1.37 release such as '
                                  '"1.37.0" (a string); got float 1.37'),
    ({"1.37": {"pause": "3.10 .2"}}, 'crio_release_table["1.37"].pause must be an image tag such as "3.10.2" '
                                     '(a string); got string \'3.10 .2\''),
    ({"1.37": {"pause": 3.1}}, 'crio_release_table["1.37"].pause must be an image tag such as "3.10.2" (a string); '
                               'got float 3.1'),
    ({"1.37": {"release": "1.37.5", "sha256": "x"}}, 'crio_release_table["1.37"] may hold release and pause only; got sha256'),
], ids=["not-a-mapping", "float-key", "release-as-key", "entry-not-a-mapping", "new-stream-without-release",
        "new-stream-without-pause", "release-of-another-minor", "minor-as-release", "float-release", "bad-tag",
        "float-tag", "unknown-field"])
def test_a_malformed_table_is_refused_by_name_before_anything(table: t.Any, problem: str) -> None:
    assert table_problems(table) == [problem]
    assert release("", "", table) == dict(found(problems=[problem]), pause="")
    assert upgrade_plan("1.37.2", "v1.37.2", "", "", table=table)["problems"] == [problem]


@pytest.mark.parametrize("table", [None, "", {}, NEXT, {"1.37": {"pause": "3.10.3"}}])
def test_a_well_formed_table_has_no_problem(table: t.Any) -> None:
    assert table_problems(table) == []


def test_every_problem_of_a_table_is_named_at_once() -> None:
    table = {"1.38": {}, "1.37": {"release": "x"}}
    assert [problem.split(".")[0] for problem in table_problems(table)] == [
        'crio_release_table["1', 'crio_release_table["1', 'crio_release_table["1']
    assert len(table_problems(table)) == 3


def test_the_upgrade_follows_the_kubelet_into_a_stream_of_the_table() -> None:
    plan = upgrade_plan("1.37.4", "v1.38.0", "", "", table=NEXT)
    assert (plan["target"], plan["change"], plan["problems"]) == ("1.38.0", "upgrade", [])
    assert "add the stream to crio_release_table" in upgrade_plan("1.37.4", "v1.38.0", "", "")["problems"][0]


def test_upgrade_plan_without_releases_uses_the_table() -> None:
    plan = upgrade_plan("1.36.2", "v1.37.0", "", "")
    assert plan["target"] == RELEASES["1.37"] and plan["problems"] == []
    assert upgrade_plan("1.36.2", "v1.37.0", "", "", releases=None) == plan
    # and a table given is the one used
    assert upgrade_plan("1.36.2", "v1.37.0", "", "", releases={"1.37": "1.37.9"})["target"] == "1.37.9"


# --------------------------------------------------------------------------
# Parity with the old tasks/input.yml

OLD_VERSION_TASKS = [
    "Refuse malformed versions",
    "Derive the CRI-O and Kubernetes minors",
    "Refuse a CRI-O minor that does not match Kubernetes",
    "Refuse a CRI-O stream that is no longer supported",
    "Pick the CRI-O release",
    "Refuse a minor whose newest release the role does not know",
]


class OldInput:
    """The version tasks of the old tasks/input.yml, run by ansible-core's templar."""

    # Before ansible-core 2.19 these tasks meant what they mean on 2.19 only
    # without jinja2_native, which would turn the minor "1.36" into a float
    # (see compat.templar).
    NATIVE = False

    def __init__(self, workdir: Path) -> None:
        self.loader = DataLoader()
        self.vars = self._load(workdir, "roles/crio/vars/main.yml")
        tasks = {task["name"]: task for task in self._load(workdir, "roles/crio/tasks/input.yml")}
        self.tasks = [tasks[name] for name in OLD_VERSION_TASKS]

    def _load(self, workdir: Path, path: str) -> t.Any:
        local = workdir / path.replace("/", "_")
        local.write_text(old_jinja(path), encoding="utf-8")
        return load_template_file(self.loader, str(local))

    def run(self, crio_version: t.Any, kubernetes_version: t.Any) -> dict[str, t.Any]:
        """failed: the name of the assert that failed ("" when none), and the facts set."""
        variables = dict(self.vars, crio_version=crio_version, crio_kubernetes_version=kubernetes_version)
        for task in self.tasks:
            scope = dict(variables, **task.get("vars", {}))
            scoped = templar(self.loader, scope, native=self.NATIVE)
            if "ansible.builtin.assert" in task:
                that = task["ansible.builtin.assert"]["that"]
                for condition in that if isinstance(that, list) else [that]:
                    if not scoped.template(trust_as_template("{{ (%s) | bool }}" % condition)):
                        return dict(variables, failed=task["name"])
            else:
                variables.update({key: scoped.template(value)
                                  for key, value in task["ansible.builtin.set_fact"].items()})
        return dict(variables, failed="")


@pytest.fixture(scope="module")
def old(tmp_path_factory: pytest.TempPathFactory) -> OldInput:
    return OldInput(tmp_path_factory.mktemp("old-crio-input"))


PARITY_CASES = [
    ("", ""), ("1.36", ""), ("", "1.35"), ("1.36.3", ""), ("1.36.2", "1.36"), ("v1.36", ""), ("", "v1.36.2"),
    ("v1.34.11", "v1.34"), ("1.36.0-rc.1", ""), ("1.36", "1.35"), ("1.36.3", "v1.35"), ("1.33", ""), ("", "1.30"),
    ("1.37", ""), ("", "1.37.0"), ("1.37.0", ""), ("1.x", ""), ("", "latest"), ("1", ""), (1.35, ""), (1.4, ""),
    ("vv1.36", ""), ("1.36 ", ""),
]


@pytest.mark.parametrize("crio_version, kubernetes_version", PARITY_CASES)
def test_release_decides_as_the_old_input_tasks(old: OldInput, crio_version: t.Any, kubernetes_version: t.Any) -> None:
    # On the old role's own table: the rules moved, the table has moved on since.
    jinja = old.run(crio_version, kubernetes_version)
    python = choose(crio_version, kubernetes_version, old.vars["crio__latest_patch"], old.vars["crio__default_stream"],
                    old.vars["crio__oldest_minor"])
    assert (python["problems"] == []) is (jinja["failed"] == "")
    if not jinja["failed"]:
        assert (python["version"], python["minor"]) == (jinja["crio__version"].strip(), jinja["crio__minor"])
    elif jinja["failed"] != "Refuse malformed versions":
        # The minors were derived alike before the old role refused them.
        assert (python["minor"], python["kubernetes_minor"]) == (jinja["crio__minor"], jinja["crio__k8s_minor"])
        assert python["version"] == ""


# --------------------------------------------------------------------------
# The filters

FILTER_NAMES = ["crio_release", "crio_settings", "crio_files", "crio_bundle", "crio_apply"]


def test_the_filter_module_offers_every_crio_plan_filter() -> None:
    assert sorted(crio_plan_filters.FilterModule().filters()) == sorted(FILTER_NAMES)


@pytest.mark.parametrize("name", FILTER_NAMES)
def test_each_filter_has_its_doc_beside_it_named_after_it(name: str) -> None:
    assert name in crio_plan_filters.FilterModule().filters()
    doc_file = FILTER_DIR / (name + ".yml")
    assert doc_file.is_file(), "%s has no %s" % (name, doc_file.name)
    doc = yaml.safe_load(doc_file.read_text(encoding="utf-8"))
    assert doc["DOCUMENTATION"]["name"] == name
    assert set(doc) >= {"DOCUMENTATION", "EXAMPLES", "RETURN"}


def test_the_filters_are_the_decisions() -> None:
    filters = crio_plan_filters.FilterModule().filters()
    assert filters["crio_release"]("1.35") == release("1.35", "")
    assert filters["crio_release"]("", "1.35") == release("", "1.35")
    assert filters["crio_release"]("", "1.38", NEXT) == release("", "1.38", NEXT)
    changed = dict(unit=False, package=False, service_dropins=False, registries=True, wipe=False, bundle=[],
                   cni_bin_dir="/opt/cni/bin", dropin=None, unknown_settings=[], runtimes=[], handlers_in_use=[],
                   dry_fresh=False, rollback=[])
    assert filters["crio_apply"](changed) == _crio_plan.apply(changed)


def test_crio_bundle_adds_the_layout_only_given_sources() -> None:
    spec = dict(version="1.36.3", artifact_arch="amd64", cache_dir="/var/cache/nodeops-crio",
                upstream="https://storage.googleapis.com/cri-o/artifacts", bundle_url="", bundle_checksum="",
                bundle_file="", layout_version=1, bin_to_path=["crio"], files=[], dirs=["/opt/cni/bin"],
                libexec_dir="/usr/libexec/crio", cni_bin_dir="/opt/cni/bin", env_file="/etc/default/crio")
    crio_bundle = crio_plan_filters.FilterModule().filters()["crio_bundle"]
    assert crio_bundle(spec) == _crio_plan.bundle(spec)
    sources = ["/var/cache/nodeops-crio/cri-o.v1.36.3/cri-o/bin/crio"]
    with_layout = crio_bundle(spec, sources)
    assert with_layout == dict(_crio_plan.bundle(spec), **_crio_plan.bundle_layout(
        spec, "/var/cache/nodeops-crio/cri-o.v1.36.3", sources))
    assert with_layout["layout"][-4:] == ["replace", "0755", sources[0], "/usr/local/bin/crio"]


def old_jinja(path: str) -> str:
    """A file of the crio role before its decisions moved to Python; a missing one fails the test."""
    return (COLLECTION_ROOT / "tests" / "unit" / "fixtures" / "crio-role-jinja" / path).read_text(encoding="utf-8")
