# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Which CRI-O release an upgrade installs, and what must stop it.

CRI-O X.Y implements the CRI of Kubernetes X.Y and is released and tested
with it alone, so the release follows the node's kubelet: its minor picks
the stream, and the newest release the crio role knows of that stream the
patch. A CRI-O minor other than the kubelet's, and a release older than the
installed one, are refused unless the operator insists. Pure, so every rule
is tested without a node (tests/unit/plugins/plugin_utils/test_versions.py).
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.nodeops.crio.plugins.plugin_utils._release_table import OLDEST_MINOR, STREAMS, Stream
from ansible_collections.nodeops.crio.plugins.plugin_utils._type_names import plain_type_name

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+)([-+.~][0-9A-Za-z.~+-]+)?)?$")


# The table itself (written by `make releases`) and the operator's additions
# to it (crio_release_table): the one table the crio role and the upgrade read.
RELEASES = {minor: stream.release for minor, stream in STREAMS.items()}
_MINOR_KEY = re.compile(r"^1\.(\d+)$")
# A tag as image references spell it (distribution's reference grammar).
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_TABLE_FIELDS = ("release", "pause")
_TABLE_EXAMPLE = '{"1.38": {"release": "1.38.0", "pause": "3.10.2"}}'


def parse_version(text: str | None) -> tuple[int, int, int | None, str] | None:
    """(major, minor, patch or None, suffix) of "1.36", "v1.36.3" or "1.36.3-rc.1"; None when malformed or empty."""
    match = _VERSION.match((text or "").strip())
    if not match:
        return None
    major, minor, patch, suffix = match.groups()
    return int(major), int(minor), None if patch is None else int(patch), suffix or ""


def minor_of(text: str | None) -> str:
    """ "1.36" of any version string parse_version reads; "" otherwise."""
    parsed = parse_version(text)
    return "%d.%d" % parsed[:2] if parsed else ""


def table_problems(table: object) -> list[str]:
    """What is wrong with crio_release_table: streams (quoted minors such as "1.38") mapped to their newest release
    and kubeadm's pause tag; either may be left out for a stream the collection knows."""
    if table is None or table == "":
        return []
    if not isinstance(table, t.Mapping):
        return [
            "crio_release_table must be a mapping of CRI-O minors to {release, pause}, such as %s; got %s %r"
            % (_TABLE_EXAMPLE, plain_type_name(table), table)
        ]
    problems = []
    for minor, entry in table.items():
        name = 'crio_release_table["%s"]' % (minor,)
        if not isinstance(minor, str) or not _MINOR_KEY.match(minor):
            problems.append(
                'crio_release_table: each key must be a CRI-O minor such as "1.38", quoted so that YAML '
                'keeps it a string; got %s %r' % (plain_type_name(minor), minor)
            )
            continue
        if not isinstance(entry, t.Mapping):
            problems.append(
                "%s must be a mapping with release and pause, such as %s; got %s %r"
                % (name, _TABLE_EXAMPLE, plain_type_name(entry), entry)
            )
            continue
        unknown = sorted(str(key) for key in entry if key not in _TABLE_FIELDS)
        if unknown:
            problems.append("%s may hold release and pause only; got %s" % (name, ", ".join(unknown)))
        problems += _entry_problems(name, minor, entry)
    return problems


def _entry_problems(name: str, minor: str, entry: t.Mapping[str, t.Any]) -> list[str]:
    problems = []
    release, pause = entry.get("release"), entry.get("pause")
    new = minor not in STREAMS
    if release is None and new:
        problems.append(
            "%s.release is needed for a stream the collection does not know: the newest CRI-O %s "
            "release, such as %s.0" % (name, minor, minor)
        )
    elif release is not None and not (isinstance(release, str) and _is_release(release) and minor_of(release) == minor):
        problems.append(
            '%s.release must be a full CRI-O %s release such as "%s.0" (a string); got %s %r'
            % (name, minor, minor, plain_type_name(release), release)
        )
    if pause is None and new:
        problems.append(
            "%s.pause is needed for a stream the collection does not know: the pause tag kubeadm %s "
            "uses (kubeadm config images list), such as 3.10.2" % (name, minor)
        )
    elif pause is not None and not (isinstance(pause, str) and _TAG.match(pause)):
        problems.append(
            '%s.pause must be an image tag such as "3.10.2" (a string); got %s %r' % (name, plain_type_name(pause), pause)
        )
    return problems


def streams(table: t.Mapping[str, t.Any] | None = None) -> dict[str, Stream]:
    """The collection's table with crio_release_table laid over it (a table table_problems() accepts)."""
    merged = dict(STREAMS)
    for minor, entry in (table or {}).items():
        known = merged.get(minor) or Stream("", "")
        merged[minor] = Stream(
            entry.get("release") or known.release,
            entry.get("pause") or known.pause,
            "crio_release_table" if entry.get("release") else known.release_from,
            "crio_release_table" if entry.get("pause") else known.pause_from,
        )
    return dict(sorted(merged.items(), key=lambda item: _minor_number(item[0])))


def _minor_number(minor: str) -> int:
    """36 of "1.36"."""
    return int(minor.split(".")[1])


def pause_tag(version: str | None, table: t.Mapping[str, t.Any] | None = None) -> str:
    """The pause tag kubeadm of the minor of version ("1.36", "v1.36.3") uses; "" for a minor the table (the
    collection's, with crio_release_table laid over it) does not know."""
    known = streams(table) if table and not table_problems(table) else STREAMS
    stream = known.get(minor_of(version))
    return stream.pause if stream else ""


def split_image(image: str | None) -> tuple[str, str | None, str]:
    """An image reference's name without its tag, its tag (None when it names none) and its digest ("" for none):
    "mirror:5000/pause:3.10.2" -> ("mirror:5000/pause", "3.10.2", "")."""
    name, _at, digest = (image or "").strip().partition("@")
    repository, colon, tag = name.rpartition(":")
    # A colon before the last "/" is a registry's port, not a tag.
    if colon and "/" not in tag:
        return repository, tag, digest
    return name, None, digest


def image_tag(image: str | None) -> str | None:
    """The tag of an image reference ("mirror:5000/pause:3.10.2" -> "3.10.2"); "latest" when it names none (as
    pulls read it), None when there is no image or it is pinned by digest alone (its tag cannot be told)."""
    name, tag, digest = split_image(image)
    if tag is not None:
        return tag
    return None if digest or not name else "latest"


def release_key(text: str) -> tuple[int, int, int, int, str]:
    """Order of full releases: a pre-release ("-rc.1", "~") sorts before its release, build metadata ("+x") does not."""
    major, minor, patch, suffix = parse_version(text) or (0, 0, None, "")
    if patch is None:
        raise ValueError("not a full release: %r" % text)
    return major, minor, patch, 0 if suffix[:1] in ("-", "~") else 1, suffix


def _is_release(text: str | None) -> bool:
    parsed = parse_version(text)
    return parsed is not None and parsed[2] is not None


def _normal(text: str | None) -> str:
    return (text or "").strip().lstrip("v")


def _target(crio_version: str, kubernetes_version: str, kubelet: str) -> tuple[str, str]:
    """(wanted release or minor, where it comes from)."""
    if crio_version:
        return crio_version, "crio_version %s" % crio_version
    if kubernetes_version:
        return minor_of(kubernetes_version), "crio_kubernetes_version %s" % kubernetes_version
    if kubelet:
        return minor_of(kubelet), "Kubernetes %s of kubelet %s" % (minor_of(kubelet), kubelet)
    return "", ""


def _input_problems(crio_version: str, kubernetes_version: str, kubelet: str) -> list[str]:
    problems = []
    for name, value in (("crio_version", crio_version), ("crio_kubernetes_version", kubernetes_version)):
        if value and not parse_version(value):
            problems.append('%s must be empty, a minor such as 1.36 or a release such as 1.36.3; got "%s"' % (name, value))
    if kubelet and not parse_version(kubelet):
        problems.append('kubelet reports the version "%s", which is not a Kubernetes version' % kubelet)
    if not problems and crio_version and kubernetes_version and minor_of(crio_version) != minor_of(kubernetes_version):
        problems.append(
            "crio_version %s (CRI-O %s) does not match crio_kubernetes_version %s (Kubernetes %s): CRI-O 1.X is made "
            "for Kubernetes 1.X; leave one of them empty or make them agree"
            % (crio_version, minor_of(crio_version), kubernetes_version, minor_of(kubernetes_version))
        )
    return problems


def upgrade_plan(
    installed: str | None,
    kubelet: str,
    crio_version: str,
    kubernetes_version: str,
    releases: t.Mapping[str, str] | None = None,
    allow_skew: bool = False,
    allow_downgrade: bool = False,
    table: t.Mapping[str, t.Any] | None = None,
) -> dict:
    """The release to install and the problems that must stop the upgrade before any change.

    installed: CRI-O's version on the node, "" when crio does not tell it, None when there is no crio.
    kubelet: the node's kubelet version ("v1.36.3"), "" without kubelet.
    crio_version, kubernetes_version: the crio role's variables of those names ("" when unset).
    releases: the newest release of each CRI-O minor, {"1.36": "1.36.3"}; RELEASES when None.
    table: crio_release_table, laid over releases.
    """
    problems = table_problems(table)
    releases = dict(RELEASES if releases is None else releases)
    if table and not problems:
        releases.update((minor, stream.release) for minor, stream in streams(table).items() if minor in table)
    crio_version, kubernetes_version, kubelet = _normal(crio_version), _normal(kubernetes_version), (kubelet or "").strip()
    installed = None if installed is None else _normal(installed)
    problems += _input_problems(crio_version, kubernetes_version, kubelet)
    plan: dict[str, t.Any] = dict(
        installed=installed or "", kubelet=kubelet, target="", source="", change="", problems=problems, summary=""
    )
    if problems:
        return plan

    wanted, plan["source"] = _target(crio_version, kubernetes_version, kubelet)
    if not wanted:
        problems.append(
            "there is no kubelet on this node to take the Kubernetes minor from: set crio_version "
            "(a release such as 1.36.3, or a minor) or crio_kubernetes_version"
        )
    elif _is_release(wanted):
        plan["target"] = wanted
    elif str(releases.get(wanted, "")):
        plan["target"] = str(releases[wanted])
    else:
        problems.append(
            "the crio role knows no release of CRI-O %s (it knows %s): give crio_version as a full "
            "release, such as %s.0, or add the stream to crio_release_table" % (wanted, ", ".join(sorted(releases)), wanted)
        )

    known = _is_release(installed)
    if installed is None:
        problems.append(
            "CRI-O is not installed here, so there is nothing to upgrade: converge the node with nodeops.crio.site first"
        )
    elif not known:
        problems.append(
            'crio reports the version "%s", so an upgrade cannot be told from a downgrade: check `crio --version`' % installed
        )

    target = plan["target"]
    if target and kubelet and minor_of(target) != minor_of(kubelet) and not allow_skew:
        problems.append(
            "CRI-O %s (from %s) does not pair with kubelet %s: CRI-O 1.X is made and tested for Kubernetes 1.X only. "
            "Leave crio_version and crio_kubernetes_version empty to follow the kubelet (CRI-O %s), upgrade kubelet first, "
            "or set upgrade_allow_skew: true if you know this pair works" % (target, plan["source"], kubelet, minor_of(kubelet))
        )
    if not (target and known and installed):
        return plan
    older = release_key(target) < release_key(installed)
    if older and not allow_downgrade:
        problems.append(
            "CRI-O %s is installed and %s (from %s) is older: CRI-O does not promise that a downgrade reads its "
            "state back. Choose %s or newer, or set upgrade_allow_downgrade: true to go back anyway"
            % (installed, target, plan["source"], installed)
        )
    if target == installed:
        plan["change"], plan["summary"] = "none", "CRI-O %s stays (%s)" % (installed, plan["source"])
    else:
        plan["change"] = "downgrade" if older else "upgrade"
        plan["summary"] = "CRI-O %s -> %s (%s)" % (installed, target, plan["source"])
    return plan


def release(crio_version: object, kubernetes_version: object, table: object = None) -> dict:
    """The CRI-O release the crio role installs, from its crio_version, crio_kubernetes_version and
    crio_release_table.

    Returns minor, kubernetes_minor, version (empty when none can be chosen),
    pause (the pause tag kubeadm of that minor uses, empty when unknown) and
    problems, each naming the variable and what it must be.
    """
    problems = table_problems(table)
    if problems:
        return dict(minor="", kubernetes_minor="", version="", pause="", problems=problems)
    operator = t.cast("t.Mapping[str, t.Any]", table or {})
    known = streams(operator)
    # A stream the operator lists is supported as far as the operator says so;
    # the newest stream known is the default.
    oldest = min([OLDEST_MINOR] + [_minor_number(minor) for minor in operator])
    newest = max(known, key=_minor_number)
    found = choose(crio_version, kubernetes_version, {minor: each.release for minor, each in known.items()}, newest, oldest)
    found["pause"] = known[found["minor"]].pause if found["minor"] in known else ""
    return found


def choose(crio_version: object, kubernetes_version: object, releases: t.Mapping[str, str], default: str, oldest: int) -> dict:
    """release() on a given table: releases maps each stream to its newest release, default is the stream taken
    when neither variable is set, oldest the minor of the oldest supported stream."""
    given = {"crio_version": str(crio_version or ""), "crio_kubernetes_version": str(kubernetes_version or "")}
    problems: list[str] = []
    found: dict[str, t.Any] = dict(minor="", kubernetes_minor="", version="", problems=problems)
    for name, value in given.items():
        # As the role's variables are read: one optional "v", no blanks.
        if value and not _VERSION.match(value):
            problems.append('%s must be empty, a minor such as 1.36 or a release such as 1.36.3; got "%s"' % (name, value))
    if problems:
        return found
    given_crio, given_k8s = (value[1:] if value.startswith("v") else value for value in given.values())
    minor = found["minor"] = minor_of(given_crio or given_k8s or default)
    k8s_minor = found["kubernetes_minor"] = minor_of(given_k8s or given_crio or default)
    if minor != k8s_minor:
        problems.append(
            "crio_version %s (CRI-O %s) does not match crio_kubernetes_version %s (Kubernetes %s). CRI-O 1.X implements "
            "the CRI of Kubernetes 1.X and is released and tested only with it; set crio_version to %s (or leave it "
            "empty to derive it)" % (given_crio, minor, given_k8s, k8s_minor, k8s_minor)
        )
    elif _minor_number(minor) < oldest:
        problems.append(
            "CRI-O %s is out of support (oldest supported stream 1.%d); set crio_version or "
            "crio_kubernetes_version to a newer minor, or add the stream to crio_release_table if you must "
            "install it" % (minor, oldest)
        )
    elif _is_release(given_crio):
        found["version"] = given_crio
    elif minor in releases:
        found["version"] = releases[minor]
    else:
        problems.append(
            "the crio role knows no release of CRI-O %s (it knows %s); give crio_version as a full "
            "release, such as %s.0, or add the stream to crio_release_table" % (minor, ", ".join(sorted(releases)), minor)
        )
    return found
