# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What restarting crio into a release and a default runtime does to the pods it runs.

Two restarts lose pods, both from CRI-O's own rules:
- at start, CRI-O removes every pod when the major.minor recorded in its
  version file (tmpfs, so it outlives a binary swap until the next boot)
  differs from its own, or when that file cannot be read;
- a pod that named no runtime handler runs on the default runtime, and after
  a change of default_runtime CRI-O manages it with the new one, which has
  never seen it: stopping it hangs or leaves its container behind.
Pure, so every rule is tested without a node
(tests/unit/plugins/plugin_utils/test_restart_impact.py).
"""

from __future__ import annotations

import typing as t

from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import minor_of

# The default runtime of a node that has no CRI-O yet.
FRESH_DEFAULT_RUNTIME = "crun"
_READY = "SANDBOX_READY"


def _label(pod: t.Mapping[str, str]) -> str:
    return "%s/%s" % (pod.get("namespace") or "-", pod.get("name") or pod.get("id", "")[:13])


def _wipe_reason(crio: t.Mapping[str, t.Any], target: str) -> str:
    """Why CRI-O `target` would remove every pod at its next start here; "" when it would not."""
    path = crio.get("state_version_file") or ""
    if not crio.get("installed") or not path or not crio.get("internal_wipe", True) or not minor_of(target):
        return ""
    recorded = crio.get("state_version")
    if recorded is None:
        # CRI-O wipes when it cannot read the file; with no daemon running
        # there is no state that could be lost.
        if not crio.get("running"):
            return ""
        return "CRI-O cannot read its version file %s, and at its next start it removes every pod then" % path
    if minor_of(recorded) == minor_of(target):
        return ""
    return (
        "CRI-O %s removes every pod at its start: its version file %s records %s, CRI-O %s's state, and a "
        "minor other than its own (%s) means the pods' state is not its"
        % (target, path, recorded, minor_of(recorded) or "(unreadable)", minor_of(target))
    )


def impact(crio: t.Mapping[str, t.Any], target: str, default_runtime: str = "") -> dict[str, t.Any]:
    """What a restart into release `target` with default runtime `default_runtime` does to the node's pods.

    crio: ansible_facts.crio of nodeops.crio.crio_facts (with list_pods) before any change.
    default_runtime: the crio role's crio_default_runtime; "" keeps the node's
    current default, and a node without CRI-O gets FRESH_DEFAULT_RUNTIME.
    """
    has_config = bool(crio.get("installed")) and crio.get("config_source", "none") != "none"
    previous = (crio.get("default_runtime") or "") if has_config else ""
    wanted = default_runtime or previous or FRESH_DEFAULT_RUNTIME
    ready = [pod for pod in crio.get("pods") or [] if pod.get("state") == _READY]
    switch = bool(previous) and wanted != previous
    # A pod that named a handler keeps that handler's table whatever the
    # default; only those that named none follow it.
    on_previous = [pod for pod in ready if not pod.get("runtime_handler")]

    wipe_reason = _wipe_reason(crio, target)
    reasons = []
    affected: list[t.Mapping[str, str]] = []
    if wipe_reason and ready:
        reasons.append("%s (%d running: %s)" % (wipe_reason, len(ready), ", ".join(sorted(map(_label, ready)))))
        affected = ready
    if switch and on_previous:
        labels = ", ".join(sorted(map(_label, on_previous)))
        reasons.append(
            "the default runtime changes from %s to %s under %d %s that named no runtime and run on %s (%s): after "
            "the restart CRI-O would manage them with %s, which never saw them, so stopping them hangs or leaves "
            "their containers behind"
            % (previous, wanted, len(on_previous), "pod" if len(on_previous) == 1 else "pods", previous, labels, wanted)
        )
        affected = affected or on_previous
    return {
        "default_runtime": wanted,
        "default_runtime_kept": not default_runtime and bool(previous),
        "previous_runtime": previous,
        "switch": switch,
        "wipe": bool(wipe_reason),
        "wipe_reason": wipe_reason,
        "handlers_in_use": sorted({pod.get("runtime_handler") or previous for pod in ready} - {""}),
        "pods": sorted(map(_label, affected)),
        # What must go before crio restarts on the new default runtime: the
        # pods the old one runs, which kubelet then starts again on the new one.
        "remove_pod_ids": [pod.get("id", "") for pod in on_previous] if switch and not wipe_reason else [],
        "reasons": reasons,
        # The default runtime cannot be kept: nothing tells what it is.
        "unknown_default": bool(crio.get("installed")) and not has_config and not default_runtime,
    }
