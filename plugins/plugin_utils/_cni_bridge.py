# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Whether the crio role's bridge network belongs on a node.

CRI-O loads the first CNI configuration of its network_dir by name, so a
bridge beside a cluster's CNI (or laid down before it) can take every pod
onto a node-local subnet. The bridge is for nodes without a cluster CNI:
with crio_cni_default_network "auto" it is written only where the folder
holds no other network (CRI-O's own bridges aside) and kubelet has not
joined a cluster. Pure, tested in
tests/unit/plugins/plugin_utils/test_cni_bridge.py.
"""

from __future__ import annotations

import typing as t

CNI_SUFFIXES = (".conf", ".conflist", ".json")
# CRI-O's own bridge networks, as its package and bundle install them: the
# same node-local network as the role's, not a cluster's.
CRIO_BRIDGES = ("10-crio-bridge.conflist", "11-crio-ipv4-bridge.conflist")


def decide(mode: t.Any, names: t.Sequence[str], own: str, joined: t.Sequence[str]) -> dict[str, t.Any]:
    """{write, foreign, reason} for mode true, false or "auto".

    names: the entries of CRI-O's network_dir; own: the bridge's file name;
    joined: the kubelet kubeconfigs found on the node (it has joined a cluster).
    """
    foreign = sorted(name for name in names if name != own and name not in CRIO_BRIDGES and name.endswith(CNI_SUFFIXES))
    if mode is True:
        return {"write": True, "foreign": foreign, "reason": "crio_cni_default_network is true"}
    if mode is False:
        return {"write": False, "foreign": foreign, "reason": "crio_cni_default_network is false"}
    if foreign:
        reason = "the node has its own CNI network (%s)" % ", ".join(foreign)
    elif joined:
        reason = "kubelet has joined a cluster (%s), whose CNI brings the pod network" % ", ".join(joined)
    else:
        return {"write": True, "foreign": [], "reason": "no other CNI network and no cluster"}
    return {"write": False, "foreign": foreign, "reason": reason}
