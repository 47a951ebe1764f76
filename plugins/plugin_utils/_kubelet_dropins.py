# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""kubelet's configuration drop-in directory (--config-dir, KEP-3983).

kubelet reads its --config file, then merges every ".conf" file of the
folder (subfolders included, in lexical order) as a JSON merge patch, and
lets flags win over both. A later drop-in can so undo what the role wrote:
these rules find which folder the role writes to, read what is there, merge
it as kubelet does, and name the file that would override the role. Pure.
"""

from __future__ import annotations

import json
import posixpath
import typing as t

import yaml

from ansible_collections.nodeops.crio.plugins.plugin_utils._constants import CONSTANTS

# The folder the role gives kubelet when kubelet has none.
DEFAULT_DIR = CONSTANTS["kubelet_config_dir"]
# The role's own drop-in; late in the order, so that it overrides the
# operator's earlier ones and a later one shows as a deliberate override.
DROPIN_NAME = "90-nodeops-crio.conf"
API_VERSION = "kubelet.config.k8s.io/v1beta1"
KIND = "KubeletConfiguration"
# The drop-in directory is beta, on by default, from 1.30 and stable from 1.35.
SUPPORTED_FROM = 30
AUTO_FROM = 35


def flag_dir(kubelet: dict[str, t.Any]) -> str:
    """kubelet's own --config-dir, absolute (systemd starts kubelet in /); "" when it has none."""
    values = [flag["value"] for flag in kubelet.get("flags") or [] if flag["name"] == "config-dir" and flag["value"]]
    return posixpath.normpath(posixpath.join("/", values[-1])) if values else ""


def choose_dir(kubelet: dict[str, t.Any], wanted: str) -> tuple[str, bool, list[str]]:
    """(folder the role writes its drop-in to or "", whether kubelet must get --config-dir, problems).

    wanted is kubelet_config_dir: "auto", "" (edit the --config file) or an absolute path.
    """
    current, minor = flag_dir(kubelet), kubelet.get("minor") or 0
    if wanted == "":
        return "", False, []
    if wanted == "auto":
        if current:
            return current, False, []
        return (DEFAULT_DIR, True, []) if minor >= AUTO_FROM else ("", False, [])
    wanted = posixpath.normpath(wanted)
    if current and current != wanted:
        return (
            "",
            False,
            [
                "kubelet already reads its drop-ins from %s (--config-dir), not kubelet_config_dir %s: set "
                "kubelet_config_dir to %s or to auto" % (current, wanted, current)
            ],
        )
    if not current and minor < SUPPORTED_FROM:
        return (
            "",
            False,
            [
                "kubelet %s has no drop-in directory on by default (from 1.30): set kubelet_config_dir to auto or \"\" "
                "to edit its configuration file" % kubelet.get("version")
            ],
        )
    return wanted, not current, []


def read_dropin(path: str, text: str) -> tuple[dict[str, t.Any], str]:
    """(data, problem) of a drop-in, refused for what kubelet refuses it for."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return {}, "%s is not valid YAML (%s); kubelet refuses to start with it: fix or remove it" % (path, exc)
    if not isinstance(data, dict) or data.get("apiVersion") != API_VERSION or data.get("kind") != KIND:
        return {}, (
            "%s is not a %s of %s; kubelet refuses to start with it: give it apiVersion: %s and kind: %s, "
            "or remove it" % (path, KIND, API_VERSION, API_VERSION, KIND)
        )
    return data, ""


def walk_key(path: str) -> list[str]:
    """Sort key of kubelet's walk: lexical per folder level."""
    return path.split("/")


def merge(base: t.Any, patch: t.Any) -> t.Any:
    """RFC 7386 merge patch, as kubelet applies a drop-in: maps merge, null deletes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge(result.get(key), value)
    return result


def layers(
    config: dict[str, t.Any] | None, config_path: str, files: list[dict[str, t.Any]], own: dict[str, t.Any] | None
) -> tuple[list[tuple[str, dict[str, t.Any]]], list[str]]:
    """[(path, data)] in the order kubelet applies them, the role's drop-in in its place; problems of unreadable ones.

    own is {"path", "data"} of the role's drop-in, which replaces the file of that path now there.
    """
    found, problems = [], []
    for entry in files:
        if own and entry["path"] == own["path"]:
            continue
        data, problem = read_dropin(entry["path"], entry.get("content") or "")
        if problem:
            problems.append(problem)
        else:
            found.append((entry["path"], data))
    if own:
        found.append((own["path"], own["data"]))
    found.sort(key=lambda item: walk_key(item[0]))
    return ([(config_path, config)] if config is not None else []) + found, problems


def effective(stack: list[tuple[str, dict[str, t.Any]]]) -> tuple[dict[str, t.Any], dict[str, str]]:
    """(merged configuration, {top-level key: path of the file that set it last})."""
    merged: dict[str, t.Any] = {}
    sources: dict[str, str] = {}
    for path, data in stack:
        merged = merge(merged, {k: v for k, v in data.items() if k not in ("apiVersion", "kind")})
        sources.update({key: path for key, value in data.items() if value is not None})
    return merged, sources


def overrides(stack: list[tuple[str, dict[str, t.Any]]], own_path: str, owned: t.Iterable[str]) -> list[str]:
    """Problems naming each file kubelet applies after own_path that sets a key the role owns."""
    problems, after = [], False
    for path, data in stack:
        if after:
            keys = sorted(set(owned) & set(data))
            them = "them" if len(keys) > 1 else "it"
            if keys:
                problems.append(
                    "%s sets %s after the role's %s, so kubelet would not use the role's value: remove %s there "
                    "(the role's variables set %s)" % (path, ", ".join(keys), own_path, them, them)
                )
        after = after or path == own_path
    return problems


def dropin_text(settings: dict[str, t.Any]) -> str:
    """The role's drop-in: a KubeletConfiguration of the role's keys only."""
    document = dict(apiVersion=API_VERSION, kind=KIND, **settings)
    body = yaml.safe_dump(json.loads(json.dumps(document)), default_flow_style=False, sort_keys=False)
    return "# kubelet's CRI-O settings, written by nodeops.crio.kubelet; a later drop-in must not set these keys.\n" + body


def own_dropin(folder: str, read: dict[str, t.Any], settings: dict[str, t.Any]) -> dict[str, t.Any]:
    """The role's drop-in: path, text, whether the node's copy differs, and the node_files entries that write it."""
    path, text = posixpath.join(folder, DROPIN_NAME), dropin_text(settings)
    there = [entry for entry in read.get("files") or [] if entry["path"] == path]
    same = bool(read.get("exists")) and any(
        entry["content"] == text and entry.get("mode") == "0644" and entry.get("uid") == 0 for entry in there
    )
    return dict(
        path=path,
        text=text,
        differs=not same,
        files=[dict(path=folder, state="directory"), dict(path=path, content=text, mode="0644", owner="root", group="root")],
    )


def kubelet_view(
    kubelet: dict[str, t.Any], config: dict[str, t.Any] | None
) -> tuple[dict[str, t.Any], dict[str, str], list[str]]:
    """(configuration, {key: file}, problems) kubelet runs with: its --config file under the drop-ins of its --config-dir.

    kubelet is nodeops.crio.kubelet_facts' facts; a drop-in kubelet would refuse is left out of the configuration
    and named in the problems.
    """
    read = (kubelet.get("config_dir_files") or {}).get(flag_dir(kubelet)) or {}
    stack, problems = layers(config, kubelet.get("config_file") or "", read.get("files") or [], None)
    merged, sources = effective(stack)
    return merged, sources, problems


def stale_dropin(folder: str, files: list[dict[str, t.Any]]) -> tuple[dict[str, t.Any] | None, list[dict[str, t.Any]]]:
    """(removal of the role's drop-in in folder, the other files) when the role no longer writes one there."""
    path = posixpath.join(folder, DROPIN_NAME) if folder else ""
    if not any(entry["path"] == path for entry in files):
        return None, files
    removal = dict(path=path, text="", differs=True, files=[dict(path=path, state="absent")])
    return removal, [entry for entry in files if entry["path"] != path]
