# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What a crio restart does to the node's pods: CRI-O's wipe on a minor change, and a default runtime switch."""

from __future__ import annotations

import copy
import typing as t

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._restart_impact import FRESH_DEFAULT_RUNTIME, impact

VERSION_FILE = "/var/run/crio/version"
# What CRI-O 1.36.3 writes to its version file, as crio_facts reads it (JSON string undone).
STATE_1_36_3 = "1.36.3+b24632ab44955fa84685640d4177f3c554e9f69c"
TARGET = "1.36.3"
READY = "SANDBOX_READY"
NOT_READY = "SANDBOX_NOTREADY"


def pod(name: str, handler: str = "", state: str = READY, namespace: str = "default") -> dict[str, str]:
    """A pod of crio_facts' `pods`; the id is made from the name so that tests can name it back."""
    return dict(id=(name.encode().hex() * 64)[:64], name=name, namespace=namespace, state=state,
                runtime_handler=handler)


# ansible_facts.crio of crio_facts (list_pods: true) on a node without CRI-O.
FRESH_NODE: dict[str, t.Any] = dict(
    installed=False, binary=None, version=None, crictl_version=None, install_method="none", running=False,
    config_source="none", config={}, conditions={}, ready=False, removed_options=[], state_version=None,
    state_version_file="", internal_wipe=True, pods=[])

# ... and on a node whose running CRI-O 1.36.3 has runc as its default runtime.
RUNC_NODE: dict[str, t.Any] = dict(
    installed=True, binary="/usr/local/bin/crio", version="1.36.3", crictl_version="1.36.0", install_method="bundle",
    running=True, config_source="daemon", default_runtime="runc", cgroup_manager="systemd",
    socket="/var/run/crio/crio.sock", conditions={"RuntimeReady": True, "NetworkReady": True}, ready=True,
    removed_options=[], state_version=STATE_1_36_3, state_version_file=VERSION_FILE, internal_wipe=True, pods=[])

# A ready pod that named no handler runs on the default runtime and follows
# it; one that named runc and one that named crun keep their handler's table
# whatever the default; a stopped sandbox runs nothing.
WEB = pod("web-7c9f", namespace="shop")
DNS = pod("coredns-5d78", handler="runc", namespace="kube-system")
SANDBOXED = pod("sandboxed-0", handler="crun", namespace="shop")
STOPPED = pod("web-7c9f-old", state=NOT_READY, namespace="shop")
PODS = [WEB, DNS, SANDBOXED, STOPPED]
# A ready pod whose listing has no runtime_handler at all: it named none either.
METRICS = pod("metrics-6f4b", namespace="kube-system")
del METRICS["runtime_handler"]


def node(base: t.Mapping[str, t.Any] | None = None, **changes: t.Any) -> dict[str, t.Any]:
    result = copy.deepcopy(dict(RUNC_NODE if base is None else base))
    result.update(changes)
    return result


def test_a_fresh_node_gets_crun_and_loses_nothing():
    assert FRESH_DEFAULT_RUNTIME == "crun"
    assert impact(FRESH_NODE, TARGET) == dict(
        default_runtime="crun", default_runtime_kept=False, previous_runtime="", switch=False, wipe=False,
        wipe_reason="", handlers_in_use=[], pods=[], remove_pod_ids=[], reasons=[], unknown_default=False)


def test_a_fresh_node_gets_the_runtime_asked_for_without_a_switch():
    result = impact(FRESH_NODE, TARGET, "runc")
    assert result["default_runtime"] == "runc"
    assert result["previous_runtime"] == ""
    assert result["switch"] is False and result["default_runtime_kept"] is False


def test_an_empty_default_runtime_keeps_the_nodes():
    result = impact(node(pods=PODS), TARGET, "")
    assert result == dict(
        default_runtime="runc", default_runtime_kept=True, previous_runtime="runc", switch=False, wipe=False,
        wipe_reason="", handlers_in_use=["crun", "runc"], pods=[], remove_pod_ids=[], reasons=[],
        unknown_default=False)
    # also when the argument is left out
    assert impact(node(pods=PODS), TARGET) == result


def test_asking_for_the_current_default_runtime_is_no_switch_and_not_kept():
    result = impact(node(pods=PODS), TARGET, "runc")
    assert result["default_runtime"] == "runc"
    assert result["default_runtime_kept"] is False
    assert result["switch"] is False
    assert result["pods"] == [] and result["reasons"] == [] and result["remove_pod_ids"] == []


@pytest.mark.parametrize("config_source", ["daemon", "files"])
def test_a_switch_affects_the_ready_pods_that_named_no_runtime(config_source):
    result = impact(node(pods=PODS + [METRICS], config_source=config_source), TARGET, "crun")
    assert result["default_runtime"] == "crun" and result["previous_runtime"] == "runc"
    assert result["switch"] is True and result["default_runtime_kept"] is False
    assert result["wipe"] is False and result["wipe_reason"] == ""
    assert result["unknown_default"] is False
    # the pods that named no handler ("" or none listed); not the one that
    # named runc, nor the one on crun, nor the stopped sandbox
    assert result["pods"] == ["kube-system/metrics-6f4b", "shop/web-7c9f"]
    assert result["remove_pod_ids"] == [WEB["id"], METRICS["id"]]
    assert result["reasons"] == [
        "the default runtime changes from runc to crun under 2 pods that named no runtime and run on runc "
        "(kube-system/metrics-6f4b, shop/web-7c9f): after the restart CRI-O would manage them with crun, which never "
        "saw them, so stopping them hangs or leaves their containers behind"]
    assert result["handlers_in_use"] == ["crun", "runc"]


@pytest.mark.parametrize("previous, wanted", [("runc", "crun"), ("crun", "runc")])
def test_a_pod_that_named_the_old_default_explicitly_is_not_affected(previous, wanted):
    # It keeps its handler's table: CRI-O goes on managing it with the
    # runtime it named, whatever the default becomes.
    explicit = pod("explicit-0", handler=previous)
    result = impact(node(default_runtime=previous, pods=[explicit, pod("unnamed-0"), pod("unnamed-1")]), TARGET,
                    wanted)
    assert result["switch"] is True
    assert result["pods"] == ["default/unnamed-0", "default/unnamed-1"]
    assert result["remove_pod_ids"] == [pod("unnamed-0")["id"], pod("unnamed-1")["id"]]
    assert len(result["reasons"]) == 1
    assert ("from %s to %s under 2 pods that named no runtime and run on %s (default/unnamed-0, default/unnamed-1)"
            % (previous, wanted, previous)) in result["reasons"][0]
    assert "explicit-0" not in result["reasons"][0]
    assert explicit["id"] not in result["remove_pod_ids"]


def test_only_pods_that_named_runc_are_untouched_by_runc_to_crun():
    result = impact(node(pods=[DNS, pod("kube-proxy-x", handler="runc", namespace="kube-system")]), TARGET, "crun")
    assert result["switch"] is True and result["wipe"] is False
    assert result["pods"] == [] and result["remove_pod_ids"] == [] and result["reasons"] == []
    assert result["handlers_in_use"] == ["runc"]


def test_a_switch_back_to_runc_affects_the_pods_that_named_no_runtime_on_crun():
    no_key = pod("d")
    del no_key["runtime_handler"]
    pods = [pod("a", handler=""), pod("b", handler="crun"), pod("c", "runc"), no_key]
    crun_node = node(default_runtime="crun", pods=pods)
    result = impact(crun_node, TARGET, "runc")
    assert result["switch"] is True
    assert result["pods"] == ["default/a", "default/d"]
    assert result["remove_pod_ids"] == [pod("a")["id"], pod("d")["id"]]
    assert len(result["reasons"]) == 1
    assert ("the default runtime changes from crun to runc under 2 pods that named no runtime and run on crun "
            "(default/a, default/d): after the restart CRI-O would manage them with runc,") in result["reasons"][0]


@pytest.mark.parametrize("pods", [
    [],
    [STOPPED],  # a stopped sandbox runs nothing
    [SANDBOXED],  # already on the new default
    [DNS],  # named runc: keeps it
    [DNS, SANDBOXED, STOPPED],
    [pod("gone", handler="runc", state=NOT_READY)],
], ids=["no-pods", "only-stopped", "only-on-new-default", "only-named-old", "named-and-stopped", "stopped-on-old"])
def test_a_switch_without_ready_pods_that_named_no_runtime_touches_nothing(pods):
    result = impact(node(pods=pods), TARGET, "crun")
    assert result["switch"] is True
    assert result["pods"] == []
    assert result["reasons"] == []
    assert result["remove_pod_ids"] == []


def test_a_switch_with_a_wipe_removes_nothing_itself_and_names_every_ready_pod():
    result = impact(node(pods=PODS + [METRICS], state_version="1.35.6"), TARGET, "crun")
    assert result["switch"] is True and result["wipe"] is True
    # CRI-O removes every pod itself; the role has nothing to remove first
    assert result["remove_pod_ids"] == []
    assert result["pods"] == [
        "kube-system/coredns-5d78", "kube-system/metrics-6f4b", "shop/sandboxed-0", "shop/web-7c9f"]
    assert len(result["reasons"]) == 2
    assert result["reasons"][0] == result["wipe_reason"] + (
        " (4 running: kube-system/coredns-5d78, kube-system/metrics-6f4b, shop/sandboxed-0, shop/web-7c9f)")
    # the switch counts only the pods that named no runtime
    assert result["reasons"][1].startswith(
        "the default runtime changes from runc to crun under 2 pods that named no runtime and run on runc "
        "(kube-system/metrics-6f4b, shop/web-7c9f): ")


def test_a_new_minor_wipes_every_ready_pod():
    result = impact(node(pods=PODS, state_version="1.35.6"), TARGET)
    assert result["wipe"] is True and result["switch"] is False
    assert result["wipe_reason"] == (
        "CRI-O 1.36.3 removes every pod at its start: its version file /var/run/crio/version records 1.35.6, "
        "CRI-O 1.35's state, and a minor other than its own (1.36) means the pods' state is not its")
    assert result["pods"] == ["kube-system/coredns-5d78", "shop/sandboxed-0", "shop/web-7c9f"]
    assert result["reasons"] == [
        result["wipe_reason"] + " (3 running: kube-system/coredns-5d78, shop/sandboxed-0, shop/web-7c9f)"]
    assert result["remove_pod_ids"] == []


@pytest.mark.parametrize("recorded, target, wipe", [
    ("1.35.6", "1.36.3", True),
    ("1.35.6+0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "1.36.3", True),
    ("1.37.0", "1.36.3", True),  # a downgrade too
    ("2.36.3", "1.36.3", True),
    ("1.36.2", "1.36.3", False),  # a patch
    (STATE_1_36_3, "1.36.3", False),
    (STATE_1_36_3, "1.36", False),  # the role's target may be a minor
    ("1.36.0-rc.1", "1.36.3", False),
    ("1.36.3", "1.37.0~dev", True),
    (STATE_1_36_3, "", False),  # no target: nothing to compare
])
def test_only_another_major_minor_wipes(recorded, target, wipe):
    result = impact(node(pods=[WEB], state_version=recorded), target)
    assert result["wipe"] is wipe
    assert (result["pods"] == ["shop/web-7c9f"]) is wipe
    assert (result["wipe_reason"] != "") is wipe


def test_the_wipe_reason_names_the_file_and_both_minors():
    reason = impact(node(pods=[WEB], state_version="1.35.6", state_version_file="/run/crio/version"), "1.36.3")[
        "wipe_reason"]
    for part in ("/run/crio/version", "1.35.6", "1.35", "1.36", "CRI-O 1.36.3"):
        assert part in reason


def test_an_unreadable_recorded_version_wipes():
    result = impact(node(pods=[WEB], state_version="garbage"), TARGET)
    assert result["wipe"] is True
    assert "records garbage, CRI-O (unreadable)'s state" in result["wipe_reason"]


def test_no_wipe_when_crio_does_not_wipe_itself():
    result = impact(node(pods=PODS, state_version="1.35.6", internal_wipe=False), TARGET)
    assert result["wipe"] is False and result["wipe_reason"] == ""
    assert result["pods"] == [] and result["reasons"] == []


def test_a_missing_version_file_of_a_running_daemon_wipes():
    result = impact(node(pods=PODS, state_version=None), TARGET)
    assert result["wipe"] is True
    assert result["wipe_reason"] == (
        "CRI-O cannot read its version file /var/run/crio/version, and at its next start it removes every pod then")
    assert result["pods"] == ["kube-system/coredns-5d78", "shop/sandboxed-0", "shop/web-7c9f"]
    assert result["reasons"] == [
        result["wipe_reason"] + " (3 running: kube-system/coredns-5d78, shop/sandboxed-0, shop/web-7c9f)"]


def test_a_missing_version_file_of_a_stopped_daemon_loses_nothing():
    # crio_facts lists no pods without a daemon; even with some, nothing runs to lose
    for pods in ([], PODS):
        result = impact(node(running=False, config_source="files", pods=pods, state_version=None), TARGET)
        assert result["wipe"] is False and result["wipe_reason"] == ""
        assert result["reasons"] == []


@pytest.mark.parametrize("changes", [
    dict(installed=False),
    dict(state_version_file=""),  # the configuration names no version file
], ids=["not-installed", "no-version-file"])
def test_no_wipe_without_crio_or_its_version_file(changes):
    result = impact(node(pods=PODS, state_version="1.35.6", **changes), TARGET)
    assert result["wipe"] is False


def test_a_wipe_without_ready_pods_has_no_reason_to_stop():
    result = impact(node(pods=[STOPPED], state_version="1.35.6"), TARGET)
    assert result["wipe"] is True and result["wipe_reason"]
    assert result["pods"] == [] and result["reasons"] == []


def test_handlers_in_use_resolve_the_empty_handler_and_drop_duplicates():
    pods = [pod("a"), pod("b", "runc"), pod("c", "crun"), pod("d", "crun"), pod("e"),
            pod("f", "kata", state=NOT_READY)]
    assert impact(node(pods=pods), TARGET)["handlers_in_use"] == ["crun", "runc"]
    # a pod whose listing has no runtime_handler resolves the same way
    assert impact(node(pods=[METRICS, SANDBOXED]), TARGET)["handlers_in_use"] == ["crun", "runc"]
    # the previous default, not the one a switch asks for
    assert impact(node(pods=[pod("a"), pod("e")]), TARGET, "crun")["handlers_in_use"] == ["runc"]
    assert impact(node(pods=pods, default_runtime="crun"), TARGET)["handlers_in_use"] == ["crun", "runc"]
    assert impact(node(pods=[pod("a"), pod("b")], default_runtime="crun"), TARGET)["handlers_in_use"] == ["crun"]
    # without a known default, a pod that named no handler names none in use
    assert impact(node(pods=[pod("a"), pod("c", "crun")], config_source="none"), TARGET)["handlers_in_use"] == [
        "crun"]


def test_pod_labels_are_namespace_slash_name_sorted():
    pods = [pod("zeta", namespace="apps"), pod("alpha", namespace="kube-system"), pod("beta", namespace="apps")]
    result = impact(node(pods=pods, state_version="1.35.6"), TARGET)
    assert result["pods"] == ["apps/beta", "apps/zeta", "kube-system/alpha"]
    assert result["reasons"][0].endswith("(3 running: apps/beta, apps/zeta, kube-system/alpha)")


def test_a_pod_without_metadata_is_labelled_by_its_short_id():
    nameless = dict(id="5d3c0a1b2c3d4e5f60718293a4b5c6d7e8f9", name="", namespace="", state=READY,
                    runtime_handler="")
    assert impact(node(pods=[nameless], state_version="1.35.6"), TARGET)["pods"] == ["-/5d3c0a1b2c3d4"]


# ansible_facts.crio of crio_facts where CRI-O is installed but `crio config`
# failed: config_source "none", and no summary of a configuration.
UNREADABLE_NODE: dict[str, t.Any] = dict(
    installed=True, binary="/usr/local/bin/crio", version="1.36.3", crictl_version="1.36.0", install_method="bundle",
    running=False, config_source="none", config={}, config_error="crio config: exit status 1", conditions={},
    ready=False, removed_options=[], state_version=STATE_1_36_3, state_version_file="", internal_wipe=True, pods=[])


@pytest.mark.parametrize("crio", [
    UNREADABLE_NODE,
    # a default_runtime left over beside config_source "none" is not believed
    node(RUNC_NODE, config_source="none"),
], ids=["unreadable", "unreadable-with-stale-default"])
def test_an_unreadable_configuration_with_no_default_runtime_asked_is_unknown(crio):
    result = impact(crio, TARGET, "")
    assert result["unknown_default"] is True
    assert result["previous_runtime"] == ""
    assert result["default_runtime_kept"] is False
    assert result["switch"] is False
    assert impact(crio, TARGET)["unknown_default"] is True


@pytest.mark.parametrize("default_runtime", ["runc", "crun"])
def test_an_unreadable_configuration_with_a_default_runtime_asked_is_known(default_runtime):
    result = impact(UNREADABLE_NODE, TARGET, default_runtime)
    assert result["unknown_default"] is False
    assert result["default_runtime"] == default_runtime
    assert result["default_runtime_kept"] is False


@pytest.mark.parametrize("crio, default_runtime", [
    (RUNC_NODE, ""),
    (RUNC_NODE, "crun"),
    (node(RUNC_NODE, config_source="files", running=False), ""),
    (FRESH_NODE, ""),  # no CRI-O: config_source "none" too, but a fresh default
    (FRESH_NODE, "runc"),
    (node(UNREADABLE_NODE, installed=False), ""),
], ids=["daemon-kept", "daemon-asked", "files-kept", "not-installed", "not-installed-asked",
        "not-installed-config-none"])
def test_the_default_runtime_is_known_otherwise(crio, default_runtime):
    assert impact(crio, TARGET, default_runtime)["unknown_default"] is False
