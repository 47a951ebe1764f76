# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Pure helpers of nodeops.crio.crio_facts: they read what crio and crictl
print and what configuration files hold. No I/O here, so they are tested on
their own (tests/unit/plugins/module_utils/test_crio_facts_utils.py)."""

import json
import re

from ansible_collections.nodeops.crio.plugins.module_utils._toml_lex import END, TomlLexError, key_at, skip_space, token_at

# Options CRI-O dropped or stopped honouring, with where they live now. A
# 2020-era crio.conf carries several of them; CRI-O ignores unknown keys
# silently, so without this list an operator never learns they do nothing.
REMOVED_OPTIONS = {
    ("crio", "file_locking"): "removed in CRI-O 1.16: CRI-O locks its state itself; delete the key",
    ("crio", "file_locking_path"): "removed in CRI-O 1.16: CRI-O locks its state itself; delete the key",
    ("crio", "image", "registries"): (
        "no effect since CRI-O 1.21, removed in 1.31: search registries live in "
        "unqualified-search-registries of /etc/containers/registries.conf(.d) "
        "(role variable crio_registries_search)"
    ),
    ("crio", "image", "insecure_registries"): (
        "no effect since CRI-O 1.35, removed in September 2026 (cri-o/cri-o#10303): mark the registry insecure in "
        "/etc/containers/registries.conf(.d) (role variable crio_registries_insecure)"
    ),
    ("crio", "runtime", "enable_criu_support"): (
        "deprecated since CRI-O 1.37 and the September 2026 patches of 1.32 to 1.36 (cri-o/cri-o#10248): set "
        'container_level_enabled in [crio.checkpoint_restore] to "none", "checkpoint_only" (the default) or '
        '"checkpoint_restore" (role variable crio_config_overrides)'
    ),
    ("crio", "runtime", "default_mounts"): (
        "removed in CRI-O 1.20: list the mounts in the file named by "
        "crio.runtime.default_mounts_file (default /etc/containers/mounts.conf)"
    ),
    ("crio", "runtime", "conmon"): (
        "deprecated since CRI-O 1.24: set monitor_path in each runtime table (role variable crio_runtimes)"
    ),
    ("crio", "runtime", "conmon_cgroup"): (
        "deprecated since CRI-O 1.24: set monitor_cgroup in each runtime table (role variable crio_runtimes)"
    ),
    ("crio", "runtime", "conmon_env"): (
        "deprecated since CRI-O 1.24: set monitor_env in each runtime table (role variable crio_runtimes)"
    ),
}

# Options CRI-O 1.36 documents as deprecated in favour of a kubelet setting
# (crio config: "The Kubelet flag ... should be used instead"), with the
# crio role's variable that writes them.
KUBELET_OWNED = {
    ("crio", "runtime", "log_size_max"): ("containerLogMaxSize", "crio_log_size_max"),
    ("crio", "runtime", "pids_limit"): ("podPidsLimit", "crio_pids_limit"),
}

# Tables whose next name part is chosen by the user (a runtime handler, a
# workload): their keys are checked against any instance `crio config` shows.
_NAMED_TABLES = (("crio", "runtime", "runtimes"), ("crio", "runtime", "workloads"))
_WILDCARD = "*"

# What comes before a commented-out statement: `# `, `## `, `#\t`.
_COMMENT_MARKS = re.compile(r"^[#\s]*")


def dotted(path):
    """A key path as TOML writes it, quoting parts that need it."""
    return ".".join(p if re.match(r"^[A-Za-z0-9_-]+$", p) else json.dumps(p) for p in path)


def statement_of(line):
    """("table", parts) or ("key", parts) of a line that starts a table or a
    key, commented out or not; None for prose and for the rest of a value."""
    body = _COMMENT_MARKS.sub("", line)
    try:
        token = token_at(body, 0)
        if not token.is_punct("["):
            parts, after = key_at(body, 0)
            return ("key", parts) if after.is_punct("=") else None
        brackets = 0
        while token.is_punct("["):
            brackets, token = brackets + 1, token_at(body, token.end)
        parts, after = key_at(body, token.start)
        while brackets and after.is_punct("]"):
            brackets, after = brackets - 1, skip_space(body, token_at(body, after.end))
        return ("table", parts) if not brackets and after.kind == END else None
    except TomlLexError:
        return None


def _generalise(path):
    """Replace the user-chosen name after a named table with a wildcard."""
    for prefix in _NAMED_TABLES:
        if len(path) > len(prefix) and tuple(path[:len(prefix)]) == prefix:
            return prefix + (_WILDCARD,) + tuple(path[len(prefix) + 1:])
    return tuple(path)


def parse_crio_version(text):
    """The version of `crio --version` ("Version: 1.36.3" or "crio version 1.36.3")."""
    match = re.search(r"^Version:\s*v?(\S+)\s*$", text or "", re.MULTILINE)
    if not match:
        match = re.search(r"crio version v?(\d\S*)", text or "")
    return match.group(1) if match else None


def parse_crictl_version(text):
    """The version of `crictl --version` ("crictl version v1.36.0")."""
    match = re.search(r"crictl version v?(\d\S*)", text or "")
    return match.group(1) if match else None


def known_keys(default_config):
    """Every key path `crio config --default` mentions, set or commented out.

    CRI-O documents runtime and workload tables in comments
    (`# [crio.runtime.runtimes.runtime-handler]` then `# runtime_path = ...`),
    so commented keys count too: they belong to the last commented header
    after the last real one. Handler and workload names become a wildcard.
    """
    keys = set()
    table = commented_table = ()
    for line in (default_config or "").splitlines():
        commented = line.lstrip().startswith("#")
        statement = statement_of(line)
        if statement and statement[0] == "table":
            path = _generalise(statement[1])
            keys.add(path)
            if commented:
                commented_table = path
            else:
                table, commented_table = path, ()
        elif statement and (table or commented_table):
            path = ((commented and commented_table) or table) + statement[1]
            keys.add(path)
            if not commented and _WILDCARD in path:
                # CRI-O 1.36 prints some [crio.runtime] options (timezone,
                # disable_hostport_mapping, ...) after the last runtime
                # table; count them for crio.runtime too.
                keys.add(path[:path.index(_WILDCARD) - 1] + statement[1])
    return keys


def flatten(settings, prefix=()):
    """Leaf key paths of a nested mapping, with their values."""
    for key, value in settings.items():
        path = prefix + (str(key),)
        if isinstance(value, dict) and value:
            yield from flatten(value, path)
        else:
            yield path, value


def unknown_settings(settings, known):
    """Dotted paths in settings that the installed crio does not know.

    A path is known when it, or one of its parents that is a key rather than
    a table (a map-valued option such as default_annotations), is known.
    """
    tables = set()
    for path in known:
        for size in range(1, len(path)):
            tables.add(path[:size])
    unknown = []
    for path, _value in flatten(settings):
        general = _generalise(path)
        ok = any(general[:size] in known and general[:size] not in tables for size in range(1, len(general) + 1))
        if not ok and general not in known:
            unknown.append(dotted(path))
    return unknown


def stale_keys(document, settings):
    """Leaf key paths of document that settings do not set (in document order).

    A key whose value is a table in one and a plain value in the other counts
    as stale: the writer replaces it whole.
    """
    wanted = set(path for path, _value in flatten(settings))
    stale = []
    for path, value in flatten(document):
        emptied = value == {} and any(key[:len(path)] == path for key in wanted)
        if path not in wanted and not emptied:
            stale.append(path)
    return stale


def kubelet_quantity(size):
    """A byte count as kubelet's resource quantities write it: 52428800 -> "50Mi", 16385 -> "16385"."""
    for unit, scale in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if size % scale == 0:
            return "%d%s" % (size // scale, unit)
    return str(size)


def _kubelet_setting_example(path, value):
    """kubelet's setting in place of a CRI-O option, with the option's value in kubelet's form where it has one."""
    setting, variable = KUBELET_OWNED[path]
    limited = isinstance(value, int) and not isinstance(value, bool) and value > 0
    if setting == "containerLogMaxSize":
        example = kubelet_quantity(value) if limited else "10Mi"
    else:
        example = str(value) if limited else "-1"
    return (
        "deprecated in CRI-O 1.36 in favour of kubelet's %s: set kubelet_settings: {%s: %s} with nodeops.crio.kubelet "
        "and leave the crio role's %s null" % (setting, setting, example, variable)
    )


def removed_settings(settings):
    """Removed or deprecated options among settings: [{key, message}]; a deprecated one's message starts so."""
    found = []
    for path, value in flatten(settings):
        if path in KUBELET_OWNED:
            found.append({"key": dotted(path), "message": _kubelet_setting_example(path, value)})
            continue
        for size in range(1, len(path) + 1):
            if path[:size] in REMOVED_OPTIONS:
                found.append({"key": dotted(path[:size]), "message": REMOVED_OPTIONS[path[:size]]})
                break
    return found


def deprecated(item):
    """Whether a removed_settings() entry still works (deprecated) rather than doing nothing."""
    return item["message"].startswith("deprecated")


def summarize_config(config):
    """The parts of a merged CRI-O configuration that callers ask for most."""
    crio = config.get("crio", {})
    runtime = crio.get("runtime", {})
    return {
        "cgroup_manager": runtime.get("cgroup_manager"),
        "default_runtime": runtime.get("default_runtime"),
        "runtimes": runtime.get("runtimes", {}),
        "socket": crio.get("api", {}).get("listen"),
        "pause_image": crio.get("image", {}).get("pause_image"),
        "storage_root": crio.get("root"),
    }


# The runtime handler CRI-O records on each pod sandbox; crictl's own
# runtimeHandler field stays empty for pods that named none.
RUNTIME_HANDLER_ANNOTATION = "io.kubernetes.cri-o.RuntimeHandler"


def state_files(config):
    """CRI-O's version files and whether it wipes on a minor change: {version_file, version_file_persist, internal_wipe}."""
    crio = config.get("crio", {})
    return {
        "version_file": crio.get("version_file") or "",
        "version_file_persist": crio.get("version_file_persist") or "",
        "internal_wipe": crio.get("internal_wipe", True) is not False,
    }


def parse_version_file(text):
    """The version a previous crio recorded in its version file (a JSON string such as "1.36.3"); None when unreadable."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def parse_pods(pods_json, inspections):
    """Pod sandboxes of `crictl pods -o json`, each with the handler CRI-O recorded.

    inspections maps a pod id to the text `crictl inspectp` printed for it; a
    pod without one (it went away meanwhile) keeps crictl's runtimeHandler.
    """
    try:
        items = json.loads(pods_json).get("items") or []
    except (AttributeError, TypeError, ValueError):
        return []
    pods = []
    for item in items:
        metadata = item.get("metadata") or {}
        handler = item.get("runtimeHandler") or ""
        try:
            annotations = json.loads(inspections.get(item.get("id"), "")).get("info", {})
            annotations = annotations.get("runtimeSpec", {}).get("annotations", {})
            handler = annotations.get(RUNTIME_HANDLER_ANNOTATION, handler) or ""
        except (AttributeError, TypeError, ValueError):
            pass
        pods.append({
            "id": item.get("id", ""),
            "name": metadata.get("name", ""),
            "namespace": metadata.get("namespace", ""),
            "state": item.get("state", ""),
            "runtime_handler": handler,
        })
    return pods


def parse_conditions(crictl_info):
    """Readiness conditions of `crictl info` JSON as {type: bool}."""
    try:
        data = json.loads(crictl_info)
    except ValueError:
        return {}
    conditions = (data.get("status") or {}).get("conditions") or []
    return dict((c.get("type"), bool(c.get("status"))) for c in conditions if c.get("type"))
