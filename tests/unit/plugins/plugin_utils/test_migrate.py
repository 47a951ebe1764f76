# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The migrate playbook's decisions: what kubelet uses, what to stop, when a node is done."""

from __future__ import annotations

import copy
import typing as t

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._migrate import (
    kubelet_endpoint, parse_units, plan, ready_static_pods, runtime_of, socket_path)

CRIO = 'unix:///var/run/crio/crio.sock'
CONTAINERD = 'unix:///var/run/containerd/containerd.sock'
CRI_DOCKERD = 'unix:///var/run/cri-dockerd.sock'
KUBEADM_FLAGS = '/var/lib/kubelet/kubeadm-flags.env'
CONFIG_FILE = '/var/lib/kubelet/config.yaml'


def flag(name: str, value: str, path: str = KUBEADM_FLAGS, variable: str = 'KUBELET_KUBEADM_ARGS') -> dict[str, str]:
    return dict(name=name, value=value, form='eq', file=path, variable=variable)


KUBEADM_NODE: dict[str, t.Any] = dict(
    installed=True, version='v1.36.3', minor=36, config_file=CONFIG_FILE,
    flags=[flag('config', CONFIG_FILE, '', 'KUBELET_CONFIG_ARGS'), flag('container-runtime-endpoint', CONTAINERD),
           flag('v', '2')],
)


def node(**changes: t.Any) -> dict[str, t.Any]:
    result = copy.deepcopy(KUBEADM_NODE)
    result.update(changes)
    return result


def units(**states: str) -> str:
    """systemctl show text; states maps a unit (underscores for dots and dashes) to 'ActiveState/UnitFileState'."""
    names = ['containerd.service', 'docker.service', 'docker.socket', 'cri-docker.service', 'cri-docker.socket',
             'crio.service']
    blocks = []
    for name in names:
        state = states.get(name.replace('.', '_').replace('-', '_'))
        if state is None:
            blocks.append('Id=%s\nLoadState=not-found\nActiveState=inactive\nUnitFileState=' % name)
        else:
            active, enabled = state.split('/')
            blocks.append('Id=%s\nLoadState=loaded\nActiveState=%s\nUnitFileState=%s' % (name, active, enabled))
    return '\n\n'.join(blocks) + '\n'


CONTAINERD_UP = units(containerd_service='active/enabled')


def run(kubelet: dict[str, t.Any] | None = None, config: dict[str, t.Any] | None = None, units_text: str = CONTAINERD_UP,
        cni_files: list[str] | None = None, cni_default_network: bool = False) -> dict[str, t.Any]:
    return plan(kubelet or KUBEADM_NODE, config, units_text, CRIO, cni_files or [], cni_default_network)


@pytest.mark.parametrize('endpoint, path', [
    ('unix:///var/run/crio/crio.sock', '/run/crio/crio.sock'),
    ('unix:///run/crio/crio.sock', '/run/crio/crio.sock'),
    ('/var/run/containerd/containerd.sock', '/run/containerd/containerd.sock'),
    ('unix:///var/run//cri-dockerd.sock', '/run/cri-dockerd.sock'),
    ('', ''),
])
def test_socket_path_treats_var_run_as_run(endpoint: str, path: str) -> None:
    assert socket_path(endpoint) == path


@pytest.mark.parametrize('endpoint, runtime', [
    (CONTAINERD, 'containerd'),
    ('unix:///run/containerd/containerd.sock', 'containerd'),
    (CRI_DOCKERD, 'docker'),
    ('/run/cri-dockerd.sock', 'docker'),
    ('unix:///run/crio/crio.sock', 'crio'),
    ('unix:///var/run/dockershim.sock', 'unknown'),
    ('tcp://10.0.0.1:1234', 'unknown'),
])
def test_runtime_of_the_endpoint(endpoint: str, runtime: str) -> None:
    assert runtime_of(endpoint, CRIO) == runtime


@pytest.mark.parametrize('kubelet, config, expected', [
    (KUBEADM_NODE, {'containerRuntimeEndpoint': CRIO},
     (CONTAINERD, '--container-runtime-endpoint in KUBELET_KUBEADM_ARGS in ' + KUBEADM_FLAGS)),
    (node(flags=[flag('container-runtime-endpoint', CRI_DOCKERD, '', 'KUBELET_ARGS'),
                 flag('container-runtime-endpoint', CONTAINERD)]), None,
     (CONTAINERD, '--container-runtime-endpoint in KUBELET_KUBEADM_ARGS in ' + KUBEADM_FLAGS)),
    (node(flags=[flag('container-runtime-endpoint', CRI_DOCKERD, '', '')]), None,
     (CRI_DOCKERD, '--container-runtime-endpoint in kubelet.service')),
    (node(flags=[]), {'containerRuntimeEndpoint': CRIO}, (CRIO, 'containerRuntimeEndpoint in ' + CONFIG_FILE)),
    (node(flags=[]), {}, ('unix:///run/containerd/containerd.sock', "kubelet's default")),
    (node(flags=[]), None, ('unix:///run/containerd/containerd.sock', "kubelet's default")),
], ids=['flag-wins', 'last-flag-wins', 'flag-in-unit', 'config', 'default-empty-config', 'default-no-config'])
def test_kubelet_endpoint_follows_kubelets_precedence(kubelet: dict[str, t.Any], config: dict[str, t.Any] | None,
                                                      expected: tuple[str, str]) -> None:
    assert kubelet_endpoint(kubelet, config) == expected


def test_parse_units_reads_each_block() -> None:
    parsed = parse_units(units(containerd_service='active/enabled', docker_socket='inactive/disabled'))
    assert parsed['containerd.service'] == dict(Id='containerd.service', LoadState='loaded', ActiveState='active',
                                                UnitFileState='enabled')
    assert parsed['docker.socket']['UnitFileState'] == 'disabled'
    assert parsed['cri-docker.socket']['LoadState'] == 'not-found'
    assert parse_units('') == {}


def test_containerd_node_stops_containerd_and_cleans_its_socket() -> None:
    result = run()
    assert result == dict(runtime='containerd', endpoint=CONTAINERD,
                          endpoint_source='--container-runtime-endpoint in KUBELET_KUBEADM_ARGS in ' + KUBEADM_FLAGS,
                          done=False, stop_units=['containerd.service'], clean_endpoint=CONTAINERD,
                          active_units=['containerd.service'], problems=[])


def test_docker_node_stops_cri_dockerd_docker_and_its_containerd_sockets_first() -> None:
    text = units(containerd_service='active/enabled', docker_service='active/enabled', docker_socket='active/enabled',
                 cri_docker_service='active/enabled', cri_docker_socket='active/enabled')
    result = run(node(flags=[flag('container-runtime-endpoint', CRI_DOCKERD)]), units_text=text)
    assert result['runtime'] == 'docker'
    assert result['stop_units'] == ['cri-docker.socket', 'cri-docker.service', 'docker.socket', 'docker.service',
                                    'containerd.service']
    assert result['clean_endpoint'] == CRI_DOCKERD
    assert result['problems'] == []


@pytest.mark.parametrize('state, stop, clean', [
    ('active/enabled', ['containerd.service'], CONTAINERD),
    ('active/disabled', ['containerd.service'], CONTAINERD),
    ('inactive/enabled', ['containerd.service'], ''),
    ('failed/enabled', ['containerd.service'], ''),
    ('inactive/disabled', [], ''),
    ('inactive/masked', [], ''),
])
def test_an_interrupted_move_stops_what_is_left(state: str, stop: list[str], clean: str) -> None:
    result = run(units_text=units(containerd_service=state))
    assert (result['done'], result['stop_units'], result['clean_endpoint']) == (False, stop, clean)


def test_a_node_on_crio_is_done_whatever_else_runs() -> None:
    kubelet = node(flags=[flag('container-runtime-endpoint', 'unix:///run/crio/crio.sock')])
    result = run(kubelet, units_text=units(containerd_service='active/enabled', docker_service='active/enabled'),
                 cni_files=['/etc/cni/net.d/10-calico.conflist'], cni_default_network=True)
    assert (result['runtime'], result['done'], result['stop_units'], result['problems']) == ('crio', True, [], [])


@pytest.mark.parametrize('states, active', [
    ({'containerd_service': 'active/enabled', 'crio_service': 'active/enabled'}, ['containerd.service', 'crio.service']),
    ({'containerd_service': 'failed/enabled', 'crio_service': 'inactive/disabled'}, []),
    ({'docker_socket': 'active/enabled', 'docker_service': 'active/enabled'}, ['docker.service', 'docker.socket']),
    ({}, []),
])
def test_active_units_are_the_running_ones(states: dict[str, str], active: list[str]) -> None:
    assert run(units_text=units(**states))['active_units'] == active


def test_a_node_on_crio_from_its_configuration_is_done() -> None:
    result = run(node(flags=[]), config={'containerRuntimeEndpoint': CRIO}, units_text=units())
    assert result['done'] is True


@pytest.mark.parametrize('kubelet, expected', [
    (node(installed=False, flags=[], config_file=''), 'there is no kubelet to move'),
    (node(flags=[flag('container-runtime-endpoint', 'unix:///var/run/dockershim.sock')]),
     'kubelet uses unix:///var/run/dockershim.sock (--container-runtime-endpoint in KUBELET_KUBEADM_ARGS in '
     '/var/lib/kubelet/kubeadm-flags.env), which is not containerd\'s, cri-dockerd\'s or CRI-O\'s'),
], ids=['no-kubelet', 'unknown-endpoint'])
def test_nodes_it_cannot_move_are_refused(kubelet: dict[str, t.Any], expected: str) -> None:
    result = run(kubelet)
    assert result['done'] is False
    assert len(result['problems']) == 1 and expected in result['problems'][0]


@pytest.mark.parametrize('files, default_network, refused', [
    (['/etc/cni/net.d/10-flannel.conflist'], True, True),
    (['/etc/cni/net.d/10-calico.conflist', '/etc/cni/net.d/calico-kubeconfig'], True, True),
    (['/etc/cni/net.d/10-flannel.conflist'], False, False),
    (['/etc/cni/net.d/10-nodeops-bridge.conflist'], True, False),
    (['/etc/cni/net.d/calico-kubeconfig'], True, False),
    # CRI-O's own bridges, of its package or its bundle, are not a cluster's network.
    (['/etc/cni/net.d/10-crio-bridge.conflist', '/etc/cni/net.d/11-crio-ipv4-bridge.conflist'], True, False),
    (['/etc/cni/net.d/10-flannel.conflist', '/etc/cni/net.d/11-crio-ipv4-bridge.conflist'], True, True),
    ([], True, False),
])
def test_the_bridge_network_is_refused_beside_the_clusters_cni(
        files: list[str], default_network: bool, refused: bool) -> None:
    problems = run(cni_files=files, cni_default_network=default_network)['problems']
    assert bool(problems) == refused
    if refused:
        assert 'crio_cni_default_network: false' in problems[0] and files[0].rsplit('/', 1)[1] in problems[0]


def pod(pod_id: str, name: str, state: str = 'SANDBOX_READY', source: str | None = 'file') -> dict[str, t.Any]:
    annotations = {'kubernetes.io/config.hash': 'h'}
    if source:
        annotations['kubernetes.io/config.source'] = source
    return dict(id=pod_id, metadata=dict(name=name, namespace='kube-system', uid='u', attempt=0), state=state,
                annotations=annotations)


def container(pod_id: str, state: str = 'CONTAINER_RUNNING') -> dict[str, t.Any]:
    return dict(id='c-' + pod_id, podSandboxId=pod_id, state=state)


@pytest.mark.parametrize('pods, containers, expected', [
    ([pod('a', 'etcd-n1'), pod('b', 'kube-apiserver-n1')], [container('a'), container('b')],
     ['kube-system/etcd-n1', 'kube-system/kube-apiserver-n1']),
    ([pod('a', 'etcd-n1', state='SANDBOX_NOTREADY')], [container('a')], []),
    ([pod('a', 'etcd-n1')], [container('a', 'CONTAINER_EXITED')], []),
    ([pod('a', 'etcd-n1')], [], []),
    ([pod('a', 'coredns-x', source='api')], [container('a')], []),
    ([pod('a', 'coredns-x', source=None)], [container('a')], []),
    ([pod('a', 'etcd-n1'), pod('b', 'etcd-n1')], [container('a'), container('b')], ['kube-system/etcd-n1']),
], ids=['two-ready', 'sandbox-not-ready', 'container-exited', 'no-container', 'api-pod', 'no-source', 'two-attempts'])
def test_ready_static_pods(pods: list[dict[str, t.Any]], containers: list[dict[str, t.Any]],
                           expected: list[str]) -> None:
    assert ready_static_pods({'items': pods}, {'containers': containers}) == expected


def test_ready_static_pods_of_empty_answers() -> None:
    assert ready_static_pods({'items': None}, {}) == []
