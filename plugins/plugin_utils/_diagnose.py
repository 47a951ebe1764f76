# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What is wrong with a CRI-O node, and how to fix it.

Input: what nodeops.crio.crio_facts and nodeops.crio.kubelet_facts found, and
what the diagnose playbook reads beside them (kubelet's configuration file,
each OCI runtime's --version, the CNI and drop-in folders, `crictl pods`).
Output: findings, each naming its check, a severity, what is wrong and the
fix, and the checks that could not run and why. A "problem" breaks the node
now or at crio's next start; a "warning" works today but is deprecated,
ignored or waiting to break. Pure, so every rule is tested without a node.
"""

from __future__ import annotations

import json
import posixpath
import re
import typing as t

from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_dropins import kubelet_view
from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_plan import fail_cgroup_v1, read_config
from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import image_tag, minor_of, pause_tag, split_image

PROBLEM = 'problem'
WARNING = 'warning'

# The checks that need kubelet, then every check, in report order.
KUBELET_CHECKS = (
    'kubelet_config',
    'kubelet_flag',
    'cri_endpoint',
    'cri_endpoint_form',
    'cgroup_driver',
    'version_skew',
    'cgroup_v1',
)
CHECKS = (
    'crio_missing',
    'crio_config',
    'crio_down',
    'removed_option',
    'drop_in_leftover',
    'cni_config_missing',
    'crun_too_old',
    'notready_sandbox',
    'pause_image',
) + KUBELET_CHECKS

# crun before 1.14.2 compared the OCI runtime spec version of config.json with
# the versions it knew and refused newer ones ("unknown version specified");
# 1.14.3 dropped the last of those checks. CRI-O 1.36 writes spec 1.3.0.
CRUN_MINIMUM = (1, 14, 3)
CRIO_SOCKET = '/var/run/crio/crio.sock'
CNI_DIR = '/etc/cni/net.d/'
# ocicni reads the first file of network_dir with one of these endings.
CNI_ENDINGS = ('.conf', '.conflist', '.json')
# kubelet's default containerRuntimeEndpoint since the dockershim went away.
KUBELET_DEFAULT_ENDPOINT = 'unix:///run/containerd/containerd.sock'
# Sockets of other runtimes kubelet may still point at, by path under /run.
OTHER_SOCKETS = {
    '/run/containerd/containerd.sock': "containerd's socket",
    '/run/dockershim.sock': "the dockershim's socket (kubelet 1.24 removed the dockershim)",
    '/run/cri-dockerd.sock': "cri-dockerd's socket (Docker)",
    '/run/docker.sock': "Docker's own API socket, which is no CRI endpoint",
}
FEATURE_GATE = 'KubeletCgroupDriverFromCRI'

Finding = t.Dict[str, str]


def _finding(check: str, severity: str, message: str, fix: str) -> Finding:
    return {'check': check, 'severity': severity, 'message': message, 'fix': fix}


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """(major, minor[, patch]) of "1.36.3", "v1.36.3" or "crun version 1.8.1"."""
    match = re.search(r'v?(\d+)\.(\d+)(?:\.(\d+))?', text or '')
    if not match:
        return None
    return tuple(int(part) for part in match.groups() if part is not None)


def _dotted(parts: tuple[int, ...]) -> str:
    return '.'.join(str(part) for part in parts)


def _socket_path(path: str) -> str:
    """The path a socket is reached by: /var/run is /run on every systemd host."""
    path = posixpath.normpath(path)
    return path[len('/var') :] if path.startswith('/var/run/') else path


# --- CRI-O -------------------------------------------------------------------


def _crio_service(crio: dict[str, t.Any]) -> list[Finding]:
    socket = crio.get('socket') or CRIO_SOCKET
    if not crio.get('running'):
        return [
            _finding(
                'crio_down',
                PROBLEM,
                'CRI-O does not answer on %s, so nothing runs pods on this node' % socket,
                'Ask systemd why (systemctl status crio; journalctl -u crio) and start it: systemctl start crio',
            )
        ]
    if (crio.get('conditions') or {}).get('RuntimeReady') is False:
        return [
            _finding(
                'crio_down',
                PROBLEM,
                'CRI-O answers on %s but reports RuntimeReady=false' % socket,
                'Its log says why: journalctl -u crio',
            )
        ]
    return []


def _removed_options(crio: dict[str, t.Any]) -> list[Finding]:
    found = []
    for item in crio.get('removed_options') or []:
        when, _sep, how = item['message'].partition(': ')
        fix = 'Delete it from %s' % item['file']
        if not how.endswith('delete the key'):
            fix += '; %s' % how
        # A deprecated option still works; a removed one does nothing.
        severity = WARNING if when.startswith('deprecated') else PROBLEM
        found.append(_finding('removed_option', severity, '%s still sets %s, %s' % (item['file'], item['key'], when), fix))
    return found


def _drop_in_leftovers(drop_in_dir: str, files: list[str]) -> list[Finding]:
    found = []
    for path in sorted(files):
        if posixpath.basename(path).endswith('.conf'):
            continue
        found.append(
            _finding(
                'drop_in_leftover',
                PROBLEM,
                '%s is no .conf file, yet CRI-O reads every file under %s in lexical order, whatever its name, so its '
                'settings override the files before it' % (path, drop_in_dir),
                'Move it out of %s (keep backups elsewhere), then restart crio: systemctl restart crio' % drop_in_dir,
            )
        )
    return found


def _cni(crio: dict[str, t.Any], cni_dir: str, files: list[str]) -> list[Finding]:
    names = sorted(posixpath.basename(path) for path in files)
    if any(name.endswith(CNI_ENDINGS) for name in names):
        return []
    network = (crio.get('conditions') or {}).get('NetworkReady')
    message = 'No CNI network configuration in %s (CRI-O takes the first *.conf, *.conflist or *.json there)' % cni_dir
    if names:
        message += '; it holds only %s' % ', '.join(names)
    if network is False:
        message += '; CRI-O reports NetworkReady=false, so pods get no network'
    elif network:
        message += '; CRI-O keeps the network it loaded before only until it restarts, then pods get no network'
    else:
        message += ', so pods will get no network'
    return [
        _finding(
            'cni_config_missing',
            PROBLEM,
            message,
            "Install the cluster's network plugin, which writes its configuration there; on a node outside a cluster, "
            "nodeops.crio.crio writes a bridge network (crio_cni_default_network: auto or true)",
        )
    ]


def _crun(crio: dict[str, t.Any], versions: dict[str, str | None], in_use: set[str]) -> list[Finding]:
    found = []
    default = crio.get('default_runtime')
    for handler, table in sorted((crio.get('runtimes') or {}).items()):
        match = re.search(r'(?m)^crun version (\S+)', versions.get(handler) or '')
        if match is None:
            continue
        version = version_tuple(match.group(1))
        if version is None or version >= CRUN_MINIMUM:
            continue
        path = table.get('runtime_path') or handler
        message = (
            'Runtime handler %s runs %s, crun %s, older than %s: it refuses the OCI runtime spec version that '
            'CRI-O %s writes, and containers fail at create ("unknown version specified")'
            % (handler, path, match.group(1), _dotted(CRUN_MINIMUM), crio.get('version') or '')
        )
        install = 'Install crun %s or newer at %s (CRI-O\'s release bundle carries one)' % (_dotted(CRUN_MINIMUM), path)
        if handler == default:
            found.append(
                _finding(
                    'crun_too_old',
                    PROBLEM,
                    message + '; it is the default runtime, so every pod fails',
                    install + ', or make another runtime the default (crio_default_runtime)',
                )
            )
        elif handler in in_use:
            found.append(
                _finding(
                    'crun_too_old',
                    PROBLEM,
                    message + '; pod sandboxes on this node use it',
                    install + ', or move those pods to another RuntimeClass',
                )
            )
        else:
            found.append(
                _finding(
                    'crun_too_old',
                    WARNING,
                    message + '; no pod uses it now, but any pod whose RuntimeClass names it will fail',
                    install + ', or remove the handler',
                )
            )
    return found


def _sandboxes(text: str) -> list[dict[str, t.Any]]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    return [item for item in (data.get('items') or []) if isinstance(item, dict)] if isinstance(data, dict) else []


def _notready(sandboxes: list[dict[str, t.Any]]) -> list[Finding]:
    ready = {item.get('metadata', {}).get('uid') for item in sandboxes if item.get('state') == 'SANDBOX_READY'}
    found = []
    for item in sandboxes:
        meta = item.get('metadata') or {}
        # An older attempt beside a Ready one is kubelet's to collect.
        if item.get('state') == 'SANDBOX_READY' or meta.get('uid') in ready:
            continue
        found.append(
            _finding(
                'notready_sandbox',
                PROBLEM,
                'Pod sandbox %s (%s/%s, attempt %s) is NotReady and its pod has no Ready sandbox'
                % (item.get('id', '')[:13], meta.get('namespace', ''), meta.get('name', ''), meta.get('attempt', 0)),
                'If kubelet no longer runs this pod, remove it: crictl rmp %s. If it does, journalctl -u kubelet says why '
                'its sandbox stopped (a cgroup driver that differs from CRI-O\'s used to be the cause)' % item.get('id', ''),
            )
        )
    return found


def _pause_fix(image: str, wanted: str, crio_minor: str, table: dict[str, t.Any] | None) -> str:
    """How to give CRI-O the pause image at kubeadm's tag, in the same repository (a mirror stays a mirror)."""
    untagged = split_image(image)[0]
    right = '%s:%s' % (untagged, wanted)
    fix = 'Give CRI-O %s: with nodeops.crio.crio, ' % right
    folder, _slash, base = untagged.rpartition('/')
    # Derived from the repository only where the role would derive this tag,
    # that is where CRI-O's own minor pairs with kubeadm's.
    if folder and base == 'pause' and pause_tag(crio_minor, table) == wanted:
        fix += 'leave crio_pause_image empty and set crio_pause_repository: %s, so the tag follows the minor, or ' % folder
    return fix + 'set crio_pause_image: %s. CRI-O takes a new pause_image on reload: systemctl reload crio' % right


def _pause_image(crio: dict[str, t.Any], kubelet: dict[str, t.Any] | None, table: dict[str, t.Any] | None) -> list[Finding]:
    """CRI-O's pause image against the tag kubeadm of the node's Kubernetes minor uses: kubeadm warns when they differ."""
    image = crio.get('pause_image') or ''
    kubelet_version = (kubelet or {}).get('version') or ''
    if minor_of(kubelet_version):
        minor, whose = minor_of(kubelet_version), 'kubelet %s' % kubelet_version
    else:
        minor, whose = minor_of(crio.get('version')), 'CRI-O %s, no kubelet version known' % crio.get('version')
    wanted, tag = pause_tag(minor, table), image_tag(image)
    # Mirrors serve the same pause under another repository, so only the tag
    # counts; a minor the table does not know, or a digest alone, is no finding.
    if not wanted or tag is None or tag == wanted:
        return []
    return [
        _finding(
            'pause_image',
            WARNING,
            "CRI-O's pause_image is %s, but kubeadm %s (the minor of %s) uses the pause tag %s, as in "
            "registry.k8s.io/pause:%s: kubeadm warns that the runtime's sandbox image differs from its own"
            % (image, minor, whose, wanted, wanted),
            _pause_fix(image, wanted, minor_of(crio.get('version')), table),
        )
    ]


# --- kubelet -----------------------------------------------------------------


def _where(flag: dict[str, t.Any]) -> str:
    if flag.get('file'):
        return '%s in %s' % (flag['variable'], flag['file'])
    return "kubelet's unit itself (ExecStart= or Environment=)"


def _setting(
    kubelet: dict[str, t.Any], config: dict[str, t.Any], sources: dict[str, str], key: str, flag: str, default: str
) -> tuple[str, str]:
    """(value, where it comes from): a flag wins over the drop-ins and the file, those over kubelet's default."""
    flags = [item for item in kubelet.get('flags') or [] if item['name'] == flag]
    if flags:
        return flags[-1]['value'] or '', '--%s in %s' % (flag, _where(flags[-1]))
    if config.get(key):
        return str(config[key]), '%s in %s' % (key, sources.get(key) or kubelet['config_file'])
    return default, "kubelet's default"


def _feature_gate(kubelet: dict[str, t.Any], config: dict[str, t.Any]) -> bool | None:
    value = None
    gates = config.get('featureGates')
    if isinstance(gates, dict) and isinstance(gates.get(FEATURE_GATE), bool):
        value = gates[FEATURE_GATE]
    for flag in kubelet.get('flags') or []:
        if flag['name'] == 'feature-gates':
            for gate in (flag['value'] or '').split(','):
                name, _sep, setting = gate.strip().partition('=')
                if name == FEATURE_GATE:
                    value = setting.strip().lower() == 'true'
    return value


def driver_from_cri(kubelet_version: tuple[int, ...] | None, crio_version: tuple[int, ...] | None, gate: bool | None) -> bool:
    """Whether kubelet takes its cgroup driver from CRI-O (KubeletCgroupDriverFromCRI, KEP-4033).

    The gate is alpha in 1.28, on by default in 1.31, locked on in 1.34;
    CRI-O answers the RuntimeConfig call it needs since 1.28.
    """
    if not kubelet_version or not crio_version or crio_version[:2] < (1, 28):
        return False
    if kubelet_version[:2] >= (1, 34):
        return True
    if kubelet_version[:2] >= (1, 31):
        return gate is not False
    return kubelet_version[:2] >= (1, 28) and gate is True


def _endpoint(key: str, value: str, source: str, socket: str) -> list[Finding]:
    scheme, sep, path = value.partition('://')
    if not sep:
        scheme, path = 'unix', value
    found = []
    fix = (
        'Point it at unix://%s: nodeops.crio.site with wire_kubelet: true does (role nodeops.crio.kubelet), or edit '
        'it where it is set and restart kubelet' % socket
    )
    if scheme != 'unix':
        return [
            _finding(
                'cri_endpoint',
                PROBLEM,
                "kubelet's %s is %s (%s): kubelet on Linux reaches its runtime only over a unix socket" % (key, value, source),
                fix,
            )
        ]
    if not sep:
        found.append(
            _finding(
                'cri_endpoint_form',
                WARNING,
                "kubelet's %s is %s (%s), a bare path: kubelet still accepts it but calls the form deprecated"
                % (key, value, source),
                'Write it as unix://%s (the advice to drop unix:// came from a kubelet 1.13 bug, fixed in 2018)' % path,
            )
        )
    if _socket_path(path) != _socket_path(socket):
        what = OTHER_SOCKETS.get(_socket_path(path), 'a socket CRI-O does not listen on')
        found.append(
            _finding(
                'cri_endpoint', PROBLEM, "kubelet's %s is %s (%s), %s, not CRI-O's %s" % (key, value, source, what, socket), fix
            )
        )
    return found


def _kubelet(node: dict[str, t.Any], crio: dict[str, t.Any] | None) -> list[Finding]:
    kubelet = node['kubelet']
    found = []
    config: dict[str, t.Any] = {}
    if kubelet.get('config_file'):
        data, problem = read_config(node.get('kubelet_config_text'), kubelet['config_file'])
        if problem:
            found.append(
                _finding(
                    'kubelet_config',
                    PROBLEM,
                    problem.split('; ')[0],
                    problem.partition('; ')[2] or 'Fix the file, then restart kubelet',
                )
            )
        config = data or {}
    config, sources, refused = kubelet_view(kubelet, config)
    for problem in refused:
        found.append(_finding('kubelet_config', PROBLEM, problem.split('; ')[0], problem.partition('; ')[2]))

    for flag in kubelet.get('rejected_flags') or []:
        found.append(
            _finding(
                'kubelet_flag',
                PROBLEM,
                'kubelet %s refuses --%s from %s (%s), so it does not start'
                % (kubelet.get('version'), flag['name'], _where(flag), flag.get('message', '')),
                'Remove it there; nodeops.crio.kubelet does with kubelet_remove_rejected_flags: true',
            )
        )

    socket = (crio or {}).get('socket') or CRIO_SOCKET
    value, source = _setting(
        kubelet, config, sources, 'containerRuntimeEndpoint', 'container-runtime-endpoint', KUBELET_DEFAULT_ENDPOINT
    )
    found += _endpoint('containerRuntimeEndpoint', value, source, socket)
    value, source = _setting(kubelet, config, sources, 'imageServiceEndpoint', 'image-service-endpoint', '')
    if value:
        found += _endpoint('imageServiceEndpoint', value, source, socket)

    found += _cgroup_v1(kubelet, config, sources)
    if crio is None:
        return found
    kube_version, crio_version = version_tuple(kubelet.get('version')), version_tuple(crio.get('version'))
    manager = crio.get('cgroup_manager')
    driver, source = _setting(kubelet, config, sources, 'cgroupDriver', 'cgroup-driver', 'cgroupfs')
    if manager and driver != manager:
        message = "kubelet's cgroup driver is %s (%s) but CRI-O's cgroup_manager is %s" % (driver, source, manager)
        fix = (
            'Make them agree: kubelet\'s cgroupDriver %s (nodeops.crio.kubelet sets it with kubelet_fix_cgroup_driver: '
            'true), or CRI-O\'s cgroup_manager %s (crio_cgroup_manager), then restart both' % (manager, driver)
        )
        if driver_from_cri(kube_version, crio_version, _feature_gate(kubelet, config)):
            found.append(
                _finding(
                    'cgroup_driver',
                    WARNING,
                    message + '. kubelet %s asks CRI-O at start and uses %s, so '
                    'pods run, but its setting says otherwise' % (kubelet.get('version'), manager),
                    fix,
                )
            )
        else:
            found.append(
                _finding(
                    'cgroup_driver',
                    PROBLEM,
                    message + ': pods fail and kubelet logs "Failed to create existing container" in a loop',
                    fix,
                )
            )

    if (
        kube_version
        and crio_version
        and not (kube_version[0] == crio_version[0] and kube_version[1] <= crio_version[1] <= kube_version[1] + 1)
    ):
        found.append(
            _finding(
                'version_skew',
                PROBLEM,
                'CRI-O %s and kubelet %s are outside the supported skew: CRI-O 1.X is made for Kubernetes 1.X, and may be '
                'one minor ahead during an upgrade' % (crio.get('version'), kubelet.get('version')),
                'Install CRI-O %s (crio_version in nodeops.crio.crio), or move kubelet to %s'
                % (_dotted(kube_version[:2]), _dotted(crio_version[:2])),
            )
        )
    return found


def _cgroup_v1(kubelet: dict[str, t.Any], config: dict[str, t.Any], sources: dict[str, str]) -> list[Finding]:
    if kubelet.get('cgroup_version') != 1:
        return []
    fails, where = fail_cgroup_v1(kubelet, config, sources)
    if not fails:
        return []
    return [
        _finding(
            'cgroup_v1',
            PROBLEM,
            'This node runs cgroup v1, and kubelet %s refuses to start on it (failCgroupV1 is true: %s)'
            % (kubelet.get('version'), where),
            'Move the node to cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1); or, while Kubernetes still allows '
            'it, set failCgroupV1: false (nodeops.crio.kubelet: kubelet_settings: {failCgroupV1: false}) and restart kubelet',
        )
    ]


def _kubelet_absent(node: dict[str, t.Any]) -> str | None:
    """Why the kubelet checks cannot run, or None when they can."""
    kubelet = node.get('kubelet')
    service = node.get('kubelet_service') or 'kubelet.service'
    if not kubelet:
        return 'kubelet was not looked at'
    if kubelet.get('installed'):
        return None
    state = (kubelet.get('unit') or {}).get('load_state') or 'unknown'
    if state != 'loaded':
        return 'no kubelet: systemd does not know %s (LoadState=%s)' % (service, state)
    return 'no kubelet: %s starts %s, which is not there' % (service, kubelet.get('binary') or 'no binary')


# --- the whole node ----------------------------------------------------------


def diagnose(node: dict[str, t.Any]) -> dict[str, t.Any]:
    """Findings for one node; see the module docstring for the input."""
    crio = node.get('crio') or {}
    findings: list[Finding] = []
    skipped: list[str] = []
    crio_for_kubelet: dict[str, t.Any] | None = crio

    if not crio.get('installed'):
        findings.append(
            _finding(
                'crio_missing',
                PROBLEM,
                'No crio binary on this node',
                'Install CRI-O: nodeops.crio.site (role nodeops.crio.crio)',
            )
        )
        skipped.append('CRI-O checks: CRI-O is not installed')
        crio_for_kubelet = None
    else:
        if crio.get('config_error'):
            findings.append(
                _finding(
                    'crio_config',
                    PROBLEM,
                    "CRI-O's configuration cannot be read: %s" % crio['config_error'],
                    'Fix the file crio names; crio does not start with it either',
                )
            )
        findings += _crio_service(crio)
        if crio.get('running') and not crio.get('conditions'):
            skipped.append('crio_down: crictl did not report CRI-O\'s conditions (is crictl installed?)')
        findings += _removed_options(crio)
        findings += _drop_in_leftovers(node.get('drop_in_dir') or '/etc/crio/crio.conf.d', node.get('drop_in_files') or [])
        if crio.get('config_source', 'none') == 'none':
            skipped.append('cni_config_missing, crun_too_old, pause_image, cgroup_driver, version_skew: no configuration to read')
            crio_for_kubelet = None
        else:
            findings += _cni(crio, node.get('cni_dir') or CNI_DIR, node.get('cni_files') or [])
            sandboxes = _sandboxes(node['sandboxes']) if node.get('sandboxes') is not None else None
            in_use = {item.get('runtimeHandler') or crio.get('default_runtime') or '' for item in sandboxes or []}
            findings += _crun(crio, node.get('runtime_versions') or {}, in_use)
            if sandboxes is None:
                skipped.append('notready_sandbox: CRI-O did not list its pod sandboxes')
            else:
                findings += _notready(sandboxes)
            kubelet = node['kubelet'] if _kubelet_absent(node) is None else None
            findings += _pause_image(crio, kubelet, node.get('release_table'))

    why = _kubelet_absent(node)
    if why:
        skipped.append('kubelet checks (%s): %s' % (', '.join(KUBELET_CHECKS), why))
    else:
        findings += _kubelet(node, crio_for_kubelet)

    findings.sort(key=lambda item: CHECKS.index(item['check']))
    problems = [item for item in findings if item['severity'] == PROBLEM]
    return {'findings': findings, 'skipped': skipped, 'clean': not problems, 'report': report(findings, skipped)}


def report(findings: list[Finding], skipped: list[str]) -> list[str]:
    """The findings as lines for people: problems, then warnings, then what was skipped."""
    problems = [item for item in findings if item['severity'] == PROBLEM]
    warnings = [item for item in findings if item['severity'] == WARNING]
    lines = ['%s, %s' % (_count(len(problems), 'problem'), _count(len(warnings), 'warning'))]
    for item in problems + warnings:
        lines.append('%s %s: %s. Fix: %s.' % (item['severity'].upper(), item['check'], item['message'], item['fix']))
    lines += ['SKIPPED %s' % reason for reason in skipped]
    return lines


def _count(number: int, word: str) -> str:
    return '%s %s%s' % (number or 'no', word, '' if number == 1 else 's')
