# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What moving a node to CRI-O involves: which runtime kubelet uses now, which
units of it to stop, and whether the node is already done.

Input: kubelet's facts (nodeops.crio.kubelet_facts), its KubeletConfiguration,
`systemctl show` of the old runtimes' units, the CNI configuration files
found, and CRI-O's endpoint. Pure, so every rule is unit-tested without a node.
"""

from __future__ import annotations

import posixpath
import typing as t

from ansible_collections.nodeops.crio.plugins.plugin_utils._cni_bridge import CNI_SUFFIXES, CRIO_BRIDGES
from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_dropins import kubelet_view

# kubelet's default endpoint since dockershim left (1.24): containerd's.
KUBELET_DEFAULT_ENDPOINT = 'unix:///run/containerd/containerd.sock'

# What kubelet talks to, by the socket's file name.
_SOCKETS = {'containerd.sock': 'containerd', 'cri-dockerd.sock': 'docker'}

# The units of each runtime, in the order they are stopped: sockets first,
# so systemd does not start a service again for a client.
RUNTIME_UNITS = {
    'containerd': ('containerd.service',),
    'docker': ('cri-docker.socket', 'cri-docker.service', 'docker.socket', 'docker.service', 'containerd.service'),
}

CRIO_CNI_FILE = '10-nodeops-bridge.conflist'


def socket_path(endpoint: str) -> str:
    """The socket's path of a unix:// endpoint or a bare path; /var/run is /run."""
    path = endpoint[len('unix://') :] if endpoint.startswith('unix://') else endpoint
    path = posixpath.normpath(path) if path else ''
    if path.startswith('/var/run/'):
        path = path[len('/var') :]
    return path


def kubelet_endpoint(kubelet: dict[str, t.Any], config: dict[str, t.Any] | None) -> tuple[str, str]:
    """(endpoint, where it is set) kubelet uses: its last flag, else its drop-ins and configuration file, else its default."""
    flags = [flag for flag in kubelet.get('flags', []) if flag['name'] == 'container-runtime-endpoint']
    if flags:
        flag = flags[-1]
        where = '%s in %s' % (flag['variable'], flag['file']) if flag['file'] else 'kubelet.service'
        return flag['value'], '--container-runtime-endpoint in ' + where
    merged, sources, _unreadable = kubelet_view(kubelet, config)
    if merged.get('containerRuntimeEndpoint'):
        return merged['containerRuntimeEndpoint'], 'containerRuntimeEndpoint in ' + sources['containerRuntimeEndpoint']
    return KUBELET_DEFAULT_ENDPOINT, "kubelet's default"


def runtime_of(endpoint: str, crio_endpoint: str) -> str:
    """'crio', 'containerd', 'docker' (cri-dockerd) or 'unknown'."""
    path = socket_path(endpoint)
    if path and path == socket_path(crio_endpoint):
        return 'crio'
    return _SOCKETS.get(posixpath.basename(path), 'unknown')


def parse_units(text: str) -> dict[str, dict[str, str]]:
    """`systemctl show UNIT... --property=Id,LoadState,ActiveState,UnitFileState` as {Id: {property: value}}."""
    units: dict[str, dict[str, str]] = {}
    for block in text.strip().split('\n\n'):
        props = dict(line.partition('=')[::2] for line in block.splitlines() if '=' in line)
        if props.get('Id'):
            units[props['Id']] = props
    return units


def _in_use(props: dict[str, str]) -> bool:
    return props.get('LoadState') == 'loaded' and (
        props.get('ActiveState') not in ('inactive', 'failed', '') or props.get('UnitFileState') in ('enabled', 'static-enabled')
    )


def _foreign_cni(files: list[str]) -> list[str]:
    """The cluster's networks: CRI-O's own bridges, of its package or bundle, are not one (as for the crio role)."""
    names = (posixpath.basename(path) for path in files)
    return sorted(name for name in names if name != CRIO_CNI_FILE and name not in CRIO_BRIDGES and name.endswith(CNI_SUFFIXES))


def plan(
    kubelet: dict[str, t.Any],
    config: dict[str, t.Any] | None,
    units_text: str,
    crio_endpoint: str,
    cni_files: list[str],
    cni_default_network: bool,
) -> dict[str, t.Any]:
    """The migration of one node; see the module docstring.

    Returns runtime, endpoint and endpoint_source (what kubelet uses now),
    done (kubelet already on CRI-O: nothing to move), stop_units (the old
    runtime's units that run or start at boot, in stop order), clean_endpoint
    (the old runtime's CRI socket whose pods go, empty when there is none),
    active_units (the units of units_text that run) and problems (why the
    node must not be touched, each with what to do).
    """
    endpoint, source = kubelet_endpoint(kubelet, config)
    runtime = runtime_of(endpoint, crio_endpoint)
    units = parse_units(units_text)
    problems = []
    if not kubelet.get('installed'):
        problems.append(
            'there is no kubelet to move (kubelet_service): install kubelet first, or use nodeops.crio.site '
            'for a node without one'
        )
    elif runtime == 'unknown':
        problems.append(
            'kubelet uses %s (%s), which is not containerd\'s, cri-dockerd\'s or CRI-O\'s (%s) socket: '
            'this playbook moves kubelet off containerd or Docker (cri-dockerd); set kubelet_crio_endpoint '
            'if CRI-O listens elsewhere' % (endpoint, source, crio_endpoint)
        )
    foreign = _foreign_cni(cni_files)
    if cni_default_network and foreign and runtime != 'crio':
        problems.append(
            'the cluster\'s CNI configuration (%s in /etc/cni/net.d) is there, and CRI-O would also get '
            'the role\'s bridge network %s, which sorts first and takes over pod networking: set '
            'crio_cni_default_network: false' % (', '.join(foreign), CRIO_CNI_FILE)
        )
    old_units = RUNTIME_UNITS.get(runtime, ())
    stop = [unit for unit in old_units if _in_use(units.get(unit, {}))]
    clean = (
        endpoint
        if runtime in RUNTIME_UNITS and any(units.get(unit, {}).get('ActiveState') == 'active' for unit in old_units)
        else ''
    )
    return dict(
        runtime=runtime,
        endpoint=endpoint,
        endpoint_source=source,
        done=runtime == 'crio' and not problems,
        stop_units=stop,
        clean_endpoint=clean,
        active_units=sorted(name for name, props in units.items() if props.get('ActiveState') == 'active'),
        problems=problems,
    )


def ready_static_pods(pods: dict[str, t.Any], containers: dict[str, t.Any]) -> list[str]:
    """The "namespace/name" of the static pods (kubelet's file source) whose sandbox
    is Ready with a running container, from `crictl pods -o json` and `crictl ps -o json`."""
    running = {
        container.get('podSandboxId')
        for container in containers.get('containers') or []
        if container.get('state') == 'CONTAINER_RUNNING'
    }
    ready = set()
    for pod in pods.get('items') or []:
        annotations = pod.get('annotations') or {}
        if (
            pod.get('state') == 'SANDBOX_READY'
            and pod.get('id') in running
            and annotations.get('kubernetes.io/config.source') == 'file'
        ):
            metadata = pod.get('metadata') or {}
            ready.add('%s/%s' % (metadata.get('namespace', ''), metadata.get('name', '')))
    return sorted(ready)
