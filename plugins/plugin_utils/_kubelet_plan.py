# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What the kubelet role changes, and what must stop it before it changes anything.

Input: kubelet's facts (nodeops.crio.kubelet_facts), the text of its
KubeletConfiguration file, what CRI-O answered, and the role's options.
Output: the keys for the configuration file, the flag edits per environment
file, and the preflight problems, each a message that says what to do.
Pure, so every rule is unit-tested without a node.
"""

from __future__ import annotations

import posixpath
import re
import typing as t

import yaml

from ansible_collections.nodeops.crio.plugins.plugin_utils import _kubelet_dropins as dropins

EXTRA_ARGS = "KUBELET_EXTRA_ARGS"

# kubelet options the role owns: configuration key, flag, and the role variable that sets it.
_OPTIONS = (
    ("containerRuntimeEndpoint", "container-runtime-endpoint", "kubelet_crio_endpoint"),
    ("imageServiceEndpoint", "image-service-endpoint", "kubelet_image_endpoint"),
    ("cgroupDriver", "cgroup-driver", "kubelet_fix_cgroup_driver (CRI-O's cgroup_manager)"),
    ("runtimeRequestTimeout", "runtime-request-timeout", "kubelet_runtime_request_timeout"),
)

# Why a flag kubelet refuses is gone, and where its job went.
_HINTS = {
    "container-runtime": "kubelet 1.27 removed it; every kubelet now talks to a CRI runtime",
    "pod-infra-container-image": "CRI-O's pause_image decides the pause image now: crio_pause_image in nodeops.crio.crio",
    "network-plugin": "kubelet 1.24 removed it with dockershim; CRI-O runs CNI itself",
    "cni-bin-dir": "kubelet 1.24 removed it with dockershim; CRI-O's plugin_dirs has the job",
    "cni-conf-dir": "kubelet 1.24 removed it with dockershim; CRI-O's network_dir has the job",
    "docker-endpoint": "kubelet 1.24 removed it with dockershim",
}
# kubelet 1.37 dropped the cAdvisor flags it had carried deprecated
# (CHANGELOG-1.37, kubernetes/kubernetes#139870); it keeps --housekeeping-interval.
_CADVISOR_FLAGS = (
    "application-metrics-count-limit", "boot-id-file", "container-hints", "containerd", "containerd-namespace",
    "enable-load-reader", "event-storage-age-limit", "event-storage-event-limit", "global-housekeeping-interval",
    "log-cadvisor-usage", "machine-id-file", "storage-driver-user", "storage-driver-password", "storage-driver-host",
    "storage-driver-db", "storage-driver-table", "storage-driver-secure", "storage-driver-buffer-duration",
)  # fmt: skip
_HINTS.update(
    (
        flag,
        "kubelet 1.37 removed cAdvisor's deprecated flags; only --housekeeping-interval stays",
    )
    for flag in _CADVISOR_FLAGS
)

# kubelet's ID ranges for pods with hostUsers: false (pkg/kubelet/userns):
# the range is cut in blocks of idsPerPod, and ID 2^32-1 cannot be mapped.
_IDS_PER_POD = 65536
_LAST_ID = 2**32 - 1
_MAX_PODS = 110


def _minor(version: str | None) -> tuple[int, int] | None:
    match = re.match(r"v?(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def _where(flag: dict[str, t.Any]) -> str:
    if flag["file"]:
        return "%s in %s" % (flag["variable"], flag["file"])
    return "kubelet.service itself (ExecStart= or Environment=)"


def read_config(text: str | None, path: str) -> tuple[dict[str, t.Any] | None, str | None]:
    """(data, problem) for a KubeletConfiguration file's text."""
    if text is None:
        return None, "kubelet's --config names %s, which does not exist; create it or fix the flag" % path
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, "%s is not valid YAML (%s); kubelet cannot start with it either: fix it first" % (path, exc)
    data = {} if data is None else data
    if not isinstance(data, dict) or data.get("kind", "KubeletConfiguration") != "KubeletConfiguration":
        return None, "%s is not a KubeletConfiguration; check kubelet's --config flag" % path
    return data, None


def _version_problems(kubelet: dict[str, t.Any], crio: dict[str, t.Any], options: dict[str, t.Any]) -> list[str]:
    problems = []
    kube, runtime = _minor(kubelet["version"]), _minor(crio.get("version"))
    if kube and kube < (1, 24):
        problems.append(
            "kubelet %s needs --container-runtime=remote for any CRI runtime, a flag this role never writes "
            "(kubelet 1.27 refuses it): upgrade kubelet to 1.24 or later first" % kubelet["version"]
        )
    if not runtime:
        problems.append("CRI-O's version is unknown (is crio installed? run nodeops.crio.crio first)")
    elif options["check_skew"] and kube and not (kube[1] <= runtime[1] <= kube[1] + 1 and kube[0] == runtime[0]):
        problems.append(
            "CRI-O %s and kubelet %s are outside the supported skew: CRI-O 1.X is made for Kubernetes 1.X, and "
            "during an upgrade CRI-O may be one minor ahead. Install CRI-O %d.%d (crio_version), upgrade kubelet, "
            "or set kubelet_check_skew: false if you know this pair works"
            % (crio["version"], kubelet["version"], kube[0], kube[1])
        )
    return problems


def _cri_problems(cri: dict[str, t.Any], options: dict[str, t.Any]) -> list[str]:
    if not cri.get("answers"):
        return [
            "CRI-O does not answer on %s (%s): start it (systemctl start crio; journalctl -u crio), converge "
            "nodeops.crio.crio first, or set kubelet_crio_endpoint to its socket"
            % (options["endpoint"], cri.get("message") or "no answer")
        ]
    if cri.get("runtime_name") != "cri-o":
        return [
            "%s answers as %r, not CRI-O: set kubelet_crio_endpoint to CRI-O's socket"
            % (options["endpoint"], cri.get("runtime_name"))
        ]
    return []


def _driver(kubelet: dict[str, t.Any], config: dict[str, t.Any], sources: dict[str, str]) -> tuple[str, str]:
    """(driver, where) kubelet uses: a flag wins over the files, the files over kubelet's default."""
    flags = [flag for flag in kubelet["flags"] if flag["name"] == "cgroup-driver"]
    if flags:
        return flags[-1]["value"], "--cgroup-driver in " + _where(flags[-1])
    if config.get("cgroupDriver"):
        return config["cgroupDriver"], "cgroupDriver in " + sources.get("cgroupDriver", kubelet["config_file"])
    return "cgroupfs", "kubelet's default, no cgroupDriver set"


def _wanted(kubelet: dict[str, t.Any], crio: dict[str, t.Any], options: dict[str, t.Any]) -> dict[str, t.Any]:
    """The value of every option the role owns: {config key: value}."""
    values = {
        "containerRuntimeEndpoint": options["endpoint"],
        "imageServiceEndpoint": options["image_endpoint"] or options["endpoint"],
        "runtimeRequestTimeout": options["timeout"],
    }
    if options["fix_cgroup_driver"] and crio.get("cgroup_manager"):
        values["cgroupDriver"] = crio["cgroup_manager"]
    return values


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration_seconds(text: object) -> float | None:
    """Seconds of a Go duration such as "10m" or "1h2m0.5s"; None when it is not one."""
    text = str(text)
    if text == "0":
        return 0.0
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def _keep_equal_durations(wanted: dict[str, t.Any], config: dict[str, t.Any] | None) -> dict[str, t.Any]:
    """Keep a duration the file already holds in another spelling (kubeadm writes 10m as 10m0s)."""
    result = dict(wanted)
    key = "runtimeRequestTimeout"
    current = (config or {}).get(key)
    if (
        current is not None
        and key in result
        and duration_seconds(current) is not None
        and duration_seconds(current) == duration_seconds(result[key])
    ):
        result[key] = current
    return result


def _in_config(kubelet: dict[str, t.Any], key: str, folder: str) -> bool:
    """Whether the option belongs in the configuration file or drop-in (else in a flag)."""
    if folder:
        return True
    if not kubelet["config_file"]:
        return False
    if key in ("containerRuntimeEndpoint", "imageServiceEndpoint"):
        return (_minor(kubelet["version"]) or (0, 0)) >= (1, 27)
    return True


def _settings_problems(settings: dict[str, t.Any]) -> list[str]:
    """kubelet_settings may add keys, not take over the ones the role's own variables set."""
    problems = []
    own = {key: variable for key, dummy, variable in _OPTIONS}
    for key in settings:
        if key in own:
            problems.append("kubelet_settings sets %s, which the role sets from %s: set that variable instead" % (key, own[key]))
        elif key in ("apiVersion", "kind") or not re.match(r"^[a-z][A-Za-z0-9]*$", str(key)):
            problems.append("kubelet_settings must name KubeletConfiguration fields such as containerLogMaxSize, got %r" % (key,))
    return problems


def fail_cgroup_v1(kubelet: dict[str, t.Any], config: dict[str, t.Any], sources: dict[str, str]) -> tuple[bool, str]:
    """(whether kubelet refuses cgroup v1, where that comes from): a flag wins, then the files, then the default."""
    flags = [flag for flag in kubelet["flags"] if flag["name"] == "fail-cgroupv1"]
    if flags:
        value = flags[-1]["value"]
        return value is None or value.lower() not in ("false", "f", "0"), "--fail-cgroupv1 in " + _where(flags[-1])
    if "failCgroupV1" in config:
        return config["failCgroupV1"] is not False, "failCgroupV1 in " + sources.get("failCgroupV1", "?")
    return (_minor(kubelet["version"]) or (0, 0)) >= (1, 35), "kubelet's default from 1.35"


def _kubeadm_kubelet(text: str | None) -> dict[str, t.Any] | None:
    """The KubeletConfiguration document of a kubeadm configuration file; None without one (a bad file is refused
    by the role's dry run of its edit)."""
    try:
        documents = list(yaml.safe_load_all(text or ""))
    except yaml.YAMLError:
        return None
    found = [doc for doc in documents if isinstance(doc, dict) and doc.get("kind") == "KubeletConfiguration"]
    return found[-1] if found else None


def _kubeadm_kinds(text: str | None) -> list[str] | None:
    """The kinds of the documents of a kubeadm configuration file; None without a file, or for one that is not
    YAML (the role's dry run of its edit then says what is wrong)."""
    if text is None:
        return None
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return None
    return [str(doc["kind"]) for doc in documents if isinstance(doc, dict) and doc.get("kind") is not None]


def _cgroup_problems(kubelet: dict[str, t.Any], config: dict[str, t.Any], sources: dict[str, str], known: bool) -> list[str]:
    if kubelet.get("cgroup_version") != 1:
        return []
    if not known and "failCgroupV1" not in config and not any(flag["name"] == "fail-cgroupv1" for flag in kubelet["flags"]):
        return []
    fails, where = fail_cgroup_v1(kubelet, config, sources)
    if not fails:
        return []
    return [
        "this node runs cgroup v1, and kubelet %s refuses to start on it (failCgroupV1 is true: %s): move the node "
        "to cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1), or keep cgroup v1 a while longer with "
        "kubelet_settings: {failCgroupV1: false}%s"
        % (kubelet["version"], where, "" if where.startswith("kubelet's default") else " and remove it there")
    ]


def _subid_range(text: str) -> tuple[int, int] | None:
    """(first ID, count) of getsubids' one line, "0: kubelet 65536 65536000"; None for anything else."""
    lines = text.strip().splitlines()
    fields = lines[0].split() if len(lines) == 1 else []
    if len(fields) != 4 or not (fields[2].isdigit() and fields[3].isdigit()):
        return None
    return int(fields[2]), int(fields[3])


def userns_problems(kubelet: dict[str, t.Any], config: dict[str, t.Any]) -> list[str]:
    """What makes kubelet refuse to start over the kubelet user's subordinate IDs (/etc/subuid, /etc/subgid)."""
    ids = kubelet.get("user_namespaces") or {}
    version = _minor(kubelet.get("version")) or (0, 0)
    if not ids.get("user") or (config.get("featureGates") or {}).get("UserNamespacesSupport") is False:
        return []
    who = "kubelet %s" % kubelet["version"]
    if not ids.get("getsubids"):
        if version >= (1, 38):
            return []
        return [
            "this node has a kubelet user and no getsubids, so %s fails to start ('kubelet mappings: exec: "
            '"getsubids": executable file not found\'; kubelet 1.38 takes its default ID range then): install '
            "getsubids (Debian and Ubuntu: uidmap; EL: shadow-utils-subid) and give the kubelet user its range in "
            "/etc/subuid and /etc/subgid, or remove the kubelet user" % who
        ]
    if ids.get("error"):
        return [
            "%s, and %s then fails to start: give the kubelet user one range in /etc/subuid and /etc/subgid, such "
            "as kubelet:65536:7208960, or remove the kubelet user" % (ids["error"], who)
        ]
    if ids.get("uids") != ids.get("gids"):
        return [
            "getsubids gives the kubelet user other subordinate user IDs (%s) than group IDs (%s), and %s refuses "
            "to start on that: give it the same range in /etc/subuid and /etc/subgid"
            % (str(ids.get("uids")).strip(), str(ids.get("gids")).strip(), who)
        ]
    found = _subid_range(ids.get("uids") or "")
    if found is None:
        return [
            "getsubids gives the kubelet user %r, and %s takes exactly one range: leave one kubelet line in "
            "/etc/subuid and /etc/subgid" % (str(ids.get("uids")).strip(), who)
        ]
    return _range_problems(found, config, who, version)


def _range_problems(found: tuple[int, int], config: dict[str, t.Any], who: str, version: tuple[int, int]) -> list[str]:
    first, count = found
    per_pod = int((config.get("userNamespaces") or {}).get("idsPerPod") or _IDS_PER_POD)
    max_pods = int(config.get("maxPods") or _MAX_PODS)
    where = "the kubelet user's range in /etc/subuid and /etc/subgid (kubelet:%d:%d)" % (first, count)
    problems = []
    if first % per_pod or first < per_pod:
        problems.append(
            "%s starts at %d, and %s needs a multiple of idsPerPod (%d) of at least %d" % (where, first, who, per_pod, per_pod)
        )
    if count % per_pod or count // per_pod < max_pods:
        problems.append(
            "%s holds %d IDs, and %s needs a multiple of idsPerPod (%d) that is enough for maxPods (%d), "
            "at least %d" % (where, count, who, per_pod, max_pods, per_pod * max_pods)
        )
    if version >= (1, 38) and first + count > _LAST_ID:
        fits = (_LAST_ID - first) // per_pod * per_pod
        problems.append(
            "%s ends at %d, and %s refuses a range that reaches %d (2^32-1, an ID the kernel cannot map): make it "
            "kubelet:%d:%d, and delete the pods stuck in ContainerCreating before the upgrade (CHANGELOG-1.38)"
            % (where, first + count - 1, who, _LAST_ID, first, fits)
        )
    return problems


def plan(
    kubelet: dict[str, t.Any], config_text: str | None, crio: dict[str, t.Any], cri: dict[str, t.Any], options: dict[str, t.Any]
) -> dict[str, t.Any]:
    """The role's changes and preflight problems; see the module docstring."""
    problems = _version_problems(kubelet, crio, options) + _cri_problems(cri, options)
    settings = dict(options.get("settings") or {})
    refused = _settings_problems(settings)
    # The run stops on them; the rest of the plan is made without them.
    problems, settings = problems + refused, {} if refused else settings
    config = None
    # Before `kubeadm init` or `join`, kubeadm's packages leave kubelet
    # pointing at a file kubeadm has yet to write: its keys come from kubeadm.
    awaiting_kubeadm = bool(kubelet["config_file"] and config_text is None and kubelet.get("kubeadm"))
    config_path = kubelet["config_file"]
    if kubelet["config_file"] and not awaiting_kubeadm:
        config, problem = read_config(config_text, kubelet["config_file"])
        problems += [problem] if problem else []
    elif awaiting_kubeadm:
        # kubeadm writes the file from the KubeletConfiguration of its own
        # configuration when the role was given that (kubelet_kubeadm_config).
        config, config_path = _kubeadm_kubelet(options.get("kubeadm_config_text")), options.get("kubeadm_config") or config_path

    folder, add_flag, folder_problems = dropins.choose_dir(kubelet, options.get("config_dir", ""))
    problems += folder_problems
    read = (kubelet.get("config_dir_files") or {}).get(folder or dropins.flag_dir(kubelet)) or {}
    files = read.get("files") or []
    before, unreadable = dropins.layers(config, config_path, files, None)
    problems += unreadable
    current, current_sources = dropins.effective(before)

    driver, where = _driver(kubelet, current, current_sources)

    wanted = _wanted(kubelet, crio, options)
    in_file = wanted if folder else _keep_equal_durations(wanted, config)
    config_settings, set_flags, remove = {}, {}, set()
    for key, flag, _variable in _OPTIONS:
        if key not in wanted:
            continue
        if _in_config(kubelet, key, folder):
            config_settings[key] = in_file[key]
            remove.add(flag)
        else:
            set_flags[flag] = wanted[key]
    if add_flag:
        set_flags["config-dir"] = folder
    if settings and not folder and not kubelet["config_file"]:
        problems.append(
            "kubelet_settings needs a KubeletConfiguration file (--config) or a drop-in folder, and this kubelet "
            "has neither: set kubelet_config_dir"
        )
    config_settings.update(settings)

    dropin: dict[str, t.Any] | None = None
    if folder:
        owner = posixpath.join(folder, dropins.DROPIN_NAME)
        dropin = dropins.own_dropin(folder, read, config_settings)
        after = dropins.layers(config, config_path, files, dict(path=owner, data=config_settings))[0]
    else:
        owner = config_path
        edited = dropins.merge(config, config_settings) if config is not None else None
        # The role's own drop-in from a run with a folder would override the file: it goes.
        dropin, files = dropins.stale_dropin(dropins.flag_dir(kubelet), files)
        after = dropins.layers(edited, owner, files, None)[0]
    problems += dropins.overrides(after, owner, config_settings)
    merged, sources = dropins.effective(after)
    # A join takes kubelet's configuration from the cluster: unknown here.
    problems += _cgroup_problems(kubelet, merged, sources, known=not (awaiting_kubeadm and config is None))
    problems += userns_problems(kubelet, merged)
    # Judged on what kubelet runs with afterwards: the role's drop-in may
    # have been what kept the drivers equal.
    driver_after, where_after = _driver(kubelet, merged, sources)
    if crio.get("cgroup_manager") and driver_after != crio["cgroup_manager"] and not options["fix_cgroup_driver"]:
        problems.append(
            "kubelet's cgroup driver is %s (%s) but CRI-O's cgroup_manager is %s; pods would fail "
            "(\"Failed to create existing container\"). Set kubelet_fix_cgroup_driver: true to make kubelet follow "
            "CRI-O, or set CRI-O's cgroup_manager to %s (crio_cgroup_manager)"
            % (driver_after, where_after, crio["cgroup_manager"], driver_after)
        )

    rejected = set()
    for flag in kubelet["rejected_flags"]:
        hint = _HINTS.get(flag["name"])
        if options["remove_rejected_flags"] and flag["file"]:
            rejected.add(flag["name"])
            continue
        problems.append(
            "kubelet %s refuses --%s from %s: %s%s. Remove it there%s"
            % (
                kubelet["version"],
                flag["name"],
                _where(flag),
                flag["message"],
                " (%s)" % hint if hint else "",
                ", or set kubelet_remove_rejected_flags: true to let this role do it" if flag["file"] else "",
            )
        )

    edits: dict[tuple[str, str], dict[str, t.Any]] = {}
    placed: set[str] = set()
    for flag in kubelet["flags"]:
        name = flag["name"]
        if name not in remove | rejected | set(set_flags):
            continue
        if not flag["file"]:
            problems.append(
                "--%s is set in kubelet.service itself (ExecStart= or Environment=), where this role "
                "does not edit: move it to %s in %s, or remove it" % (name, EXTRA_ARGS, options["extra_args_file"])
            )
            continue
        edit = edits.setdefault((flag["file"], flag["variable"]), dict(set={}, remove=[]))
        if name in set_flags:
            edit["set"][name] = set_flags[name]
            placed.add(name)
        elif name not in edit["remove"]:
            edit["remove"].append(name)

    missing = {name: value for name, value in set_flags.items() if name not in placed}
    if missing:
        files = [entry["path"] for entry in kubelet["environment_files"]]
        if EXTRA_ARGS not in kubelet["referenced_variables"] or options["extra_args_file"] not in files:
            problems.append(
                "kubelet needs %s, and kubelet.service does not read %s from %s: add "
                "EnvironmentFile=-%s and $%s to its ExecStart, or set kubelet_extra_args_file"
                % (
                    ", ".join("--" + name for name in sorted(missing)),
                    EXTRA_ARGS,
                    options["extra_args_file"],
                    options["extra_args_file"],
                    EXTRA_ARGS,
                )
            )
        edit = edits.setdefault((options["extra_args_file"], EXTRA_ARGS), dict(set={}, remove=[]))
        edit["set"].update(missing)

    return dict(
        config_settings={} if awaiting_kubeadm or folder else config_settings,
        kubeadm_kubelet_settings=dict(wanted, **settings),
        kubeadm_kinds=_kubeadm_kinds(options.get("kubeadm_config_text")),
        awaiting_kubeadm=awaiting_kubeadm,
        config=merged,
        config_dir=folder,
        dropin=dropin,
        flag_edits=[dict(path=path, variable=variable, **edit) for (path, variable), edit in sorted(edits.items())],
        cgroup_driver=dict(current=driver, source=where, wanted=crio.get("cgroup_manager")),
        problems=problems,
    )
