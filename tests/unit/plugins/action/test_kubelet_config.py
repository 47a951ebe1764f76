# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""nodeops.crio.kubelet_config's action plugin against the fake host."""

from __future__ import annotations

from ansible_collections.nodeops.crio.plugins.action.kubelet_config import ActionModule, leaf_paths

CONFIG = '/etc/kubelet.yaml'
CRIO = 'unix:///var/run/crio/crio.sock'
KUBEADM = 'kind: KubeletConfiguration\n# kubeadm wrote this\ncontainerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n'


def test_leaf_paths_walk_mappings_only():
    assert leaf_paths({'a': {'b': 1, 'c': {}}, 'd': [1]}) == [(('a', 'b'), 1), (('a', 'c'), {}), (('d',), [1])]


def test_edits_predicts_and_changes_nothing_the_second_time(host, run_action):
    host.write(CONFIG, KUBEADM)
    args = {'path': CONFIG, 'settings': {'containerRuntimeEndpoint': CRIO, 'authentication': {'anonymous': {'enabled': False}}}}
    checked = run_action(ActionModule, args, check_mode=True)
    assert host.text(CONFIG) == KUBEADM
    done = run_action(ActionModule, args)
    assert (checked['changed'], checked['changed_keys'], checked['diff']) == (done['changed'], done['changed_keys'], done['diff'])
    assert done['changed_keys'] == ['containerRuntimeEndpoint', 'authentication.anonymous.enabled']
    assert host.text(CONFIG) == KUBEADM.replace('unix:///run/containerd/containerd.sock', CRIO) + \
        'authentication:\n  anonymous:\n    enabled: false\n'
    assert run_action(ActionModule, args)['changed'] is False


def test_a_missing_file_needs_create(host, run_action):
    failed = run_action(ActionModule, {'path': CONFIG, 'settings': {'a': 1}})
    assert failed['failed'] is True
    assert failed['msg'] == '/etc/kubelet.yaml does not exist; set create: true to create it'
    assert run_action(ActionModule, {'path': CONFIG, 'settings': {'a': 1}, 'create': True})['changed'] is True
    assert host.text(CONFIG) == 'a: 1\n'


def test_a_file_it_cannot_edit_is_left_alone(host, run_action):
    host.write(CONFIG, '{"kind": "KubeletConfiguration"}\n')
    failed = run_action(ActionModule, {'path': CONFIG, 'settings': {'cgroupDriver': 'systemd'}})
    assert failed['msg'] == ('/etc/kubelet.yaml: the document is in flow style ({...}); only block-style YAML can be '
                             'edited; the file was left unchanged')
    assert 'ansible.builtin.copy' not in host.modules


def test_settings_must_be_a_mapping(host, run_action):
    failed = run_action(ActionModule, {'path': CONFIG, 'settings': 'cgroupDriver=systemd'})
    assert failed['msg'].startswith('settings: expected a mapping')
    assert host.modules == []
