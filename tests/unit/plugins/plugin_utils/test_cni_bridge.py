# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Whether the crio role's bridge network belongs on a node: crio_cni_default_network true, false or "auto"."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._cni_bridge import CNI_SUFFIXES, CRIO_BRIDGES, decide

OWN = "10-nodeops-bridge.conflist"
KUBECONFIG = "/etc/kubernetes/kubelet.conf"

# Entries of CRI-O's network_dir that are no cluster's CNI network: the
# bridge itself, CRI-O's own bridges (its package's, its bundle's), a CNI's
# credentials, a disabled configuration, a note.
NOT_NETWORKS = [OWN, "11-crio-ipv4-bridge.conflist", "10-crio-bridge.conflist", "calico-kubeconfig",
                "foo.conf.disabled", "README"]
# Each suffix libcni loads, unsorted.
NETWORKS = ["99-loopback.conf", "10-calico.conflist", "87-podman.json"]
# ... sorted, as decide() names them.
FOREIGN = ["10-calico.conflist", "87-podman.json", "99-loopback.conf"]


def test_the_suffixes_are_libcnis():
    assert CNI_SUFFIXES == (".conf", ".conflist", ".json")


def test_crio_package_bridge_does_not_keep_the_bridge_out():
    # The package lays down 11-crio-ipv4-bridge.conflist during the run that
    # decided to write the bridge; counting it would undo that on the next run.
    assert "11-crio-ipv4-bridge.conflist" in CRIO_BRIDGES
    assert decide("auto", ["11-crio-ipv4-bridge.conflist"], OWN, [])["write"] is True


# (mode, names, joined, write, foreign, reason)
TABLE: list[tuple[t.Any, list[str], list[str], bool, list[str], str]] = [
    # true: always written, whatever else is there
    (True, [], [], True, [], "crio_cni_default_network is true"),
    (True, NOT_NETWORKS, [], True, [], "crio_cni_default_network is true"),
    (True, NETWORKS + NOT_NETWORKS, [], True, FOREIGN, "crio_cni_default_network is true"),
    (True, NETWORKS, [KUBECONFIG], True, FOREIGN, "crio_cni_default_network is true"),
    (True, [], [KUBECONFIG], True, [], "crio_cni_default_network is true"),
    # false: never written
    (False, [], [], False, [], "crio_cni_default_network is false"),
    (False, [OWN], [], False, [], "crio_cni_default_network is false"),
    (False, NETWORKS + NOT_NETWORKS, [], False, FOREIGN, "crio_cni_default_network is false"),
    (False, NETWORKS, [KUBECONFIG], False, FOREIGN, "crio_cni_default_network is false"),
    (False, [], [KUBECONFIG], False, [], "crio_cni_default_network is false"),
    # auto: only where the folder holds no other network and kubelet has not joined
    ("auto", [], [], True, [], "no other CNI network and no cluster"),
    ("auto", [OWN], [], True, [], "no other CNI network and no cluster"),
    ("auto", NOT_NETWORKS, [], True, [], "no other CNI network and no cluster"),
    ("auto", ["10-calico.conflist"], [], False, ["10-calico.conflist"],
     "the node has its own CNI network (10-calico.conflist)"),
    ("auto", ["99-loopback.conf"], [], False, ["99-loopback.conf"],
     "the node has its own CNI network (99-loopback.conf)"),
    ("auto", ["87-podman.json"], [], False, ["87-podman.json"], "the node has its own CNI network (87-podman.json)"),
    ("auto", NETWORKS + NOT_NETWORKS, [], False, FOREIGN,
     "the node has its own CNI network (10-calico.conflist, 87-podman.json, 99-loopback.conf)"),
    ("auto", [OWN, "10-calico.conflist", "calico-kubeconfig"], [], False, ["10-calico.conflist"],
     "the node has its own CNI network (10-calico.conflist)"),
    # the folder's networks are named before the kubeconfig
    ("auto", NETWORKS, [KUBECONFIG], False, FOREIGN,
     "the node has its own CNI network (10-calico.conflist, 87-podman.json, 99-loopback.conf)"),
    ("auto", [], [KUBECONFIG], False, [],
     "kubelet has joined a cluster (/etc/kubernetes/kubelet.conf), whose CNI brings the pod network"),
    ("auto", NOT_NETWORKS, [KUBECONFIG], False, [],
     "kubelet has joined a cluster (/etc/kubernetes/kubelet.conf), whose CNI brings the pod network"),
]


@pytest.mark.parametrize("mode, names, joined, write, foreign, reason", TABLE)
def test_decide(mode: t.Any, names: list[str], joined: list[str], write: bool, foreign: list[str], reason: str) -> None:
    assert decide(mode, names, OWN, joined) == {"write": write, "foreign": foreign, "reason": reason}


@pytest.mark.parametrize("mode, names, joined, write, foreign, reason",
                         [row for row in TABLE if row[0] == "auto" and not row[3]])
def test_auto_names_why_it_leaves_the_bridge_out(mode: t.Any, names: list[str], joined: list[str], write: bool,
                                                 foreign: list[str], reason: str) -> None:
    result = decide(mode, names, OWN, joined)
    named = foreign or joined
    assert named and all(name in result["reason"] for name in named)
    assert OWN not in result["reason"]


def test_the_own_file_is_told_by_its_name():
    # Another bridge file name makes the role's old one foreign.
    result = decide("auto", [OWN], "20-other-bridge.conflist", [])
    assert result == {"write": False, "foreign": [OWN], "reason": "the node has its own CNI network (%s)" % OWN}


def test_the_arguments_are_not_changed():
    names, joined = NETWORKS + NOT_NETWORKS, [KUBECONFIG]
    before = (list(names), list(joined))
    decide("auto", names, OWN, joined)
    assert (names, joined) == before
