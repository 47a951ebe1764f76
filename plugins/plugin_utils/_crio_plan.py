# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What the crio role writes and does, decided from its variables and from
what a run changed. Pure: every rule is tested without a node
(tests/unit/plugins/plugin_utils/test_crio_plan.py); the role's tasks only
gather the inputs and carry the answers out."""

from __future__ import annotations

import hashlib
import json
import re
import typing as t

from ansible_collections.nodeops.crio.plugins.plugin_utils._release_table import DEFAULT_STREAM
from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import pause_tag, streams, table_problems

Json = t.Dict[str, t.Any]

# Where a derived pause image comes from unless crio_pause_repository says
# otherwise: kubeadm's default imageRepository.
PAUSE_REPOSITORY = "registry.k8s.io"
# A registry (host name, IPv4 or [IPv6] address, optional port) and optional
# path, as image references spell them (distribution's reference grammar):
# what comes before "/pause:TAG".
_REPOSITORY = re.compile(
    r"^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)"
    r"(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)

# Settings CRI-O applies on SIGHUP (pkg/config/reload.go); any other key needs
# a restart. default_runtime reloads too, but pods that named no handler run
# on it, and a running crio would go on managing them with the new one.
RELOADABLE_KEYS = frozenset(
    [
        "crio.runtime.log_level",
        "crio.runtime.log_filter",
        "crio.image.pause_image",
        "crio.image.pause_image_auth_file",
        "crio.image.pause_command",
        "crio.image.pinned_images",
        "crio.runtime.decryption_keys_path",
        "crio.runtime.seccomp_profile",
        "crio.runtime.privileged_seccomp_profile",
        "crio.runtime.apparmor_profile",
        "crio.runtime.blockio_config_file",
        "crio.runtime.blockio_reload",
        "crio.runtime.rdt_config_file",
        "crio.runtime.cdi_spec_dirs",
    ]
)

# The role's variable behind each optional setting; null leaves CRI-O's default.
_OPTIONAL = (
    (("crio", "root"), "storage_root"),
    (("crio", "runtime", "log_size_max"), "log_size_max"),
    (("crio", "runtime", "pids_limit"), "pids_limit"),
    (("crio", "runtime", "default_ulimits"), "default_ulimits"),
    (("crio", "image", "global_auth_file"), "global_auth_file"),
    (("crio", "stats", "included_pod_metrics"), "pod_metrics"),
)

# The pod metrics CRI-O 1.34 to 1.36 collect (included_pod_metrics); "all" stands alone.
POD_METRICS = ("cpu", "disk", "diskIO", "hugetlb", "memory", "network", "oom", "process", "spec", "pressure")


def merge(base: Json, over: t.Mapping[str, t.Any]) -> Json:
    """base with over laid on it, tables merged key by key and everything else replaced (Ansible's combine recursive)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, t.Mapping) and isinstance(merged.get(key), t.Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _nested(path: t.Sequence[str], value: t.Any) -> Json:
    for key in reversed(path[1:]):
        value = {key: value}
    return {path[0]: value}


def registries(
    search: list[str] | None,
    insecure: list[str],
    blocked: list[str],
    mirrors: t.Mapping[str, list[str]],
    aliases: t.Mapping[str, str],
) -> Json:
    """The role's registries drop-in (containers-registries.conf(5), version 2) as data for crio_config."""
    entries = []
    for prefix in dict.fromkeys(list(insecure) + list(blocked) + list(mirrors)):
        entry: Json = {"prefix": prefix, "location": prefix}
        if prefix in insecure:
            entry["insecure"] = True
        if prefix in blocked:
            entry["blocked"] = True
        locations = [
            dict(location=location, insecure=True) if location in insecure else dict(location=location)
            for location in mirrors.get(prefix) or []
        ]
        if locations:
            entry["mirror"] = locations
        entries.append(entry)
    doc: Json = {}
    if search is not None:
        doc["unqualified-search-registries"] = list(search)
    if entries:
        doc["registry"] = entries
    if aliases:
        doc["aliases"] = dict(aliases)
    return doc


def pause_image(image: str, repository: str, minor: str, table: t.Mapping[str, t.Any] | None = None) -> tuple[str, list[str]]:
    """The pause image CRI-O gets, and the problems with the variables behind it.

    image: crio_pause_image, which wins when set; else the pause of
    repository (crio_pause_repository) at the tag kubeadm of the CRI-O minor
    uses (table: crio_release_table, laid over the collection's), so that
    kubeadm finds the sandbox image it expects.
    """
    image, repository = str(image or ""), str(repository or "")
    if image.strip():
        if "://" in image or any(char.isspace() for char in image):
            return "", [
                "crio_pause_image must be empty (to derive it from crio_pause_repository and the CRI-O minor) or an "
                'image reference without a scheme or blanks, such as registry.k8s.io/pause:3.10.2; got "%s"' % image
            ]
        return image, []
    if not _REPOSITORY.fullmatch(repository):
        return "", [
            "crio_pause_repository must be a registry host with an optional port and path, such as registry.k8s.io or "
            'mirror.internal:5000/k8s, without a scheme, a trailing "/", a tag or a digest (the role appends '
            '/pause:TAG); got "%s"' % repository
        ]
    tag = pause_tag(minor, table)
    if not tag:
        known = streams(table if table and not table_problems(table) else None)
        return "", [
            "crio_pause_image is empty, so the role would derive it from CRI-O %s, but it knows the pause tag of "
            "Kubernetes %s only: set crio_pause_image to the pause image kubeadm %s uses (kubeadm config images list), "
            "or give the stream's pause in crio_release_table" % (minor, ", ".join(known), minor)
        ]
    return "%s/pause:%s" % (repository, tag), []


def pod_metrics_problems(metrics: t.Any) -> list[str]:
    """What is wrong with crio_pod_metrics (None, a list of CRI-O's metric names, or ["all"])."""
    if metrics is None or list(metrics) == ["all"]:
        return []
    unknown = [str(name) for name in metrics if name not in POD_METRICS]
    if not unknown:
        return []
    return [
        "crio_pod_metrics must be null, [all] or a list of %s; got %s"
        % (", ".join(POD_METRICS), ", ".join('"%s"' % name for name in unknown))
    ]


def settings(options: t.Mapping[str, t.Any]) -> Json:
    """The settings of the role's crio drop-in, the keys to remove from it, and its registries drop-in.

    options: the role's variables without their crio_ prefix (cgroup_manager,
    default_runtime, pause_image, pause_repository, metrics_enabled,
    metrics_port, runtimes, storage_root, log_size_max, pids_limit,
    default_ulimits, pod_metrics, config_overrides, registries_*, release_table), global_auth_file (the
    credentials file, or None) and minor (the CRI-O minor the role installs).
    problems: what is wrong with those variables, each naming its variable.
    """
    pause, problems = pause_image(
        options.get("pause_image") or "",
        options.get("pause_repository", PAUSE_REPOSITORY),
        options.get("minor") or DEFAULT_STREAM,
        options.get("release_table"),
    )
    problems += pod_metrics_problems(options.get("pod_metrics"))
    wanted: Json = {
        "crio": {
            "runtime": {"cgroup_manager": options["cgroup_manager"], "default_runtime": options["default_runtime"]},
            "image": {"pause_image": pause},
            "metrics": {"enable_metrics": options["metrics_enabled"], "metrics_port": options["metrics_port"]},
        }
    }
    if options.get("runtimes"):
        wanted = merge(wanted, {"crio": {"runtime": {"runtimes": options["runtimes"]}}})
    unset = []
    for path, name in _OPTIONAL:
        if options.get(name) is None:
            unset.append(list(path))
        else:
            wanted = merge(wanted, _nested(path, options[name]))
    wanted = merge(wanted, options.get("config_overrides") or {})
    return dict(
        settings=wanted,
        unset=unset,
        registries=registries(
            options.get("registries_search"),
            options.get("registries_insecure") or [],
            options.get("registries_blocked") or [],
            options.get("registries_mirrors") or {},
            options.get("registries_aliases") or {},
        ),
        problems=problems,
    )


def _file(path: str, content: str, mode: str = "0644", **extra: t.Any) -> Json:
    return dict(path=path, state="file", content=content, mode=mode, **extra)


def _folder(path: str) -> Json:
    return dict(path=path, state="directory", mode="0755")


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def _absent(path: str) -> Json:
    return dict(path=path, state="absent")


def modules_text(modules: t.Sequence[str]) -> str:
    return "# Kernel modules CRI-O needs; written by nodeops.crio.crio.\n%s\n" % "\n".join(modules)


def sysctl_text(sysctls: t.Mapping[str, t.Any]) -> str:
    lines = ["%s = %s\n" % (name, sysctls[name]) for name in sorted(sysctls, key=str.lower)]
    return "# Sysctls CRI-O's pod networking needs; written by nodeops.crio.crio.\n" + "".join(lines)


def proxy_env(http: str, https: str, no_proxy: str) -> dict[str, str]:
    """The proxy variables crio.service gets; the empty ones are left out."""
    return {name: value for name, value in (("HTTP_PROXY", http), ("HTTPS_PROXY", https), ("NO_PROXY", no_proxy)) if value}


def proxy_text(env: t.Mapping[str, str]) -> str:
    lines = ['Environment="%s=%s"\n' % (name, env[name]) for name in sorted(env, key=str.lower)]
    return "# HTTP proxy for CRI-O's image pulls; written by nodeops.crio.crio.\n[Service]\n" + "".join(lines)


def slice_text(name: str) -> str:
    return (
        "# CRI-O's slice, for kubelet's kube-reserved accounting (kubeReservedCgroup); written by nodeops.crio.crio.\n"
        "[Service]\nSlice=%s\n" % name
    )


def bridge_network(subnet: str) -> Json:
    """The bridge network of CRI-O's bundle (contrib/10-crio-bridge.conflist), IPv4 only, on subnet."""
    return {
        "cniVersion": "1.0.0",
        "name": "crio",
        "plugins": [
            {
                "type": "bridge",
                "bridge": "cni0",
                "isGateway": True,
                "ipMasq": True,
                "hairpinMode": True,
                "ipam": {"type": "host-local", "routes": [{"dst": "0.0.0.0/0"}], "ranges": [[{"subnet": subnet}]]},
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }


def files(spec: t.Mapping[str, t.Any]) -> list[Json]:
    """Every plain file and folder the role keeps, in the order they are written, for nodeops.crio.node_files.

    spec: kernel_modules, sysctls, http_proxy, https_proxy, no_proxy,
    service_slice (empty: systemd's default), cni_write (whether the bridge
    network belongs on the node), cni_subnet, helper_text, and the node paths
    modules_file, sysctl_file, helper, proxy_dropin, slice_dropin,
    cni_network_file.
    """
    wanted = []
    if spec["kernel_modules"]:
        wanted.append(_file(spec["modules_file"], modules_text(spec["kernel_modules"])))
    if spec["sysctls"]:
        wanted.append(_file(spec["sysctl_file"], sysctl_text(spec["sysctls"])))
    wanted += [_folder(_parent(spec["helper"])), _file(spec["helper"], spec["helper_text"], mode="0755")]
    proxy = proxy_env(spec["http_proxy"], spec["https_proxy"], spec["no_proxy"])
    # crio.service's drop-ins, "" for one that goes.
    unit_dropins = [
        (spec["proxy_dropin"], proxy_text(proxy) if proxy else ""),
        (spec["slice_dropin"], slice_text(spec["service_slice"]) if spec["service_slice"] else ""),
    ]
    wanted += [_folder(folder) for folder in sorted({_parent(path) for path, text in unit_dropins if text})]
    wanted += [_file(path, text, backup=True) if text else _absent(path) for path, text in unit_dropins]
    network = spec["cni_network_file"]
    if spec["cni_write"]:
        text = json.dumps(bridge_network(spec["cni_subnet"]), indent=2, sort_keys=True, separators=(",", ": "))
        wanted += [_folder(_parent(network)), _file(network, text + "\n")]
    else:
        wanted.append(_absent(network))
    return wanted


def expected(entries: t.Iterable[t.Mapping[str, t.Any]]) -> list[Json]:
    """The entries as nodeops.crio.node_probe compares them: a file by the sha1 of its content."""
    probe = []
    for entry in entries:
        found = {key: entry[key] for key in ("path", "state", "mode") if key in entry}
        if entry["state"] == "file":
            found["checksum"] = hashlib.sha1(entry["content"].encode("utf-8")).hexdigest()
        probe.append(found)
    return probe


def bundle(spec: t.Mapping[str, t.Any]) -> Json:
    """Names of the bundle of a release, where it comes from, and the stamp an install of it leaves.

    spec: version, artifact_arch, cache_dir, bundle_url, bundle_checksum,
    bundle_file, upstream (CRI-O's artifacts), and the layout the stamp
    vouches for: layout_version, bin_to_path, files, libexec_dir,
    cni_bin_dir, env_file.
    """
    name = "cri-o.%s.v%s.tar.gz" % (spec["artifact_arch"], spec["version"])
    # A URL ending in "/" is a folder holding CRI-O's artifacts (a mirror).
    base = spec["bundle_url"] or spec["upstream"] + "/"
    url = base + name if base.endswith("/") else base
    checksum = spec["bundle_checksum"]
    # The stamp's name changes with anything that changes what the install writes.
    stamped = [
        name,
        spec["bundle_url"],
        checksum,
        spec["bundle_file"],
        spec["layout_version"],
        spec["bin_to_path"],
        spec["files"],
        spec["libexec_dir"],
        spec["cni_bin_dir"],
        spec["env_file"],
    ]
    digest = hashlib.sha1(json.dumps(stamped).encode()).hexdigest()
    return dict(
        name=name,
        url=url,
        archive="%s/%s" % (spec["cache_dir"], name),
        unpacked="%s/cri-o.v%s" % (spec["cache_dir"], spec["version"]),
        stamp="%s/installed.%s.sha256" % (spec["cache_dir"], digest),
        sha256=checksum[len("sha256:") :] if checksum.startswith("sha256:") else checksum,
    )


def bundle_layout(spec: t.Mapping[str, t.Any], unpacked: str, sources: t.Iterable[str]) -> Json:
    """Where each file of the unpacked bundle goes, as CRI-O's own installer puts them.

    sources: the bundle's binaries and CNI plugins (files under cri-o/bin and
    cri-o/cni-plugins). Returns targets (one per sorted source), stamped (the
    files the stamp vouches for) and layout: KIND MODE SRC DEST for every
    folder and file, as files/install-files.sh reads them.
    """
    sources = sorted(sources)
    targets = []
    for source in sources:
        folder, base = source.rsplit("/", 1)
        if folder.endswith("/cri-o/cni-plugins"):
            targets.append("%s/%s" % (spec["cni_bin_dir"], base))
        elif base in spec["bin_to_path"]:
            targets.append("/usr/local/bin/" + base)
        else:
            targets.append("%s/%s" % (spec["libexec_dir"], base))
    layout = [["dir", "0755", "-", folder] for folder in spec["dirs"]]
    layout += [["replace", "0755", source, target] for source, target in zip(sources, targets, strict=True)]
    layout += [
        ["replace" if entry["force"] else "keep", "0644", "%s/cri-o/%s" % (unpacked, entry["src"]), entry["dest"]]
        for entry in spec["files"]
    ]
    return dict(
        targets=targets,
        stamped=sorted(targets) + ["/usr/local/lib/systemd/system/crio.service"],
        layout=[word for row in layout for word in row],
    )


def apply(changed: t.Mapping[str, t.Any]) -> Json:
    """Whether crio restarts, reloads or is left alone for what a run changed, and what a failed restart restores.

    changed: unit, package, service_dropins (the proxy's or slice's), registries, wipe (bools); bundle (the paths
    the bundle install changed) and cni_bin_dir; dropin (the changed keys of
    the crio drop-in, None when it did not change, "?" among them for keys
    it did not name); unknown_settings (keys crio
    ignores); runtimes (crio_runtimes' names) and handlers_in_use (those a
    running pod uses); dry_fresh (check mode on a node without CRI-O);
    rollback (each changed file's path and backup_file, "" for a new file).
    """
    reasons = []
    units = bool(changed["unit"] or changed["package"] or changed["service_dropins"])
    if units:
        reasons.append("crio's unit or package changed")
    if changed["wipe"]:
        reasons.append("CRI-O's state holds another minor")
    binaries = [path for path in changed["bundle"] if not path.startswith(changed["cni_bin_dir"].rstrip("/") + "/")]
    if binaries:
        reasons.append("the bundle changed " + ", ".join(binaries))
    keys = changed["dropin"]
    if keys is not None:
        in_use = set(changed["handlers_in_use"])
        prefixes = tuple("crio.runtime.runtimes.%s." % name for name in changed["runtimes"] if name not in in_use)
        needs_restart = [
            key
            for key in keys
            if key not in RELOADABLE_KEYS and not key.startswith(prefixes or ("\0",)) and key not in changed["unknown_settings"]
        ]
        if needs_restart:
            reasons.append("settings crio reads only at its start changed: " + ", ".join(needs_restart))
    touched = units or changed["wipe"] or bool(changed["bundle"]) or keys is not None or bool(changed["registries"])
    action = "restart" if reasons else "reload" if touched else "none"
    return dict(
        daemon_reload=units and not changed["dry_fresh"],
        action=action,
        reasons=reasons,
        rollback=[dict(path=entry["path"], backup_file=entry.get("backup_file") or "") for entry in changed["rollback"]],
    )
