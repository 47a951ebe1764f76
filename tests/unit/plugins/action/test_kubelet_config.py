# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""nodeops.crio.kubelet_config's action plugin against the fake host."""

from __future__ import annotations

import pytest

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


KUBEADM_CONFIG = '/etc/kubernetes/kubeadm-config.yaml'


def test_a_kubeadm_file_gets_the_keys_in_its_kubelet_configuration_only(host, run_action, kubeadm_init):
    host.dirs.add('/etc/kubernetes')
    host.write(KUBEADM_CONFIG, kubeadm_init)
    done = run_action(ActionModule, {'path': KUBEADM_CONFIG, 'settings': {'cgroupDriver': 'systemd'}})
    assert done['changed'] is True and 'warnings' not in done
    assert host.text(KUBEADM_CONFIG) == kubeadm_init.replace('cgroupDriver: cgroupfs', 'cgroupDriver: systemd')


def test_a_kubeadm_file_without_the_kind_warns_and_is_left_alone(host, run_action, kubeadm_init):
    host.write(KUBEADM_CONFIG, kubeadm_init.split('---\napiVersion: kubelet', maxsplit=1)[0])
    result = run_action(ActionModule, {'path': KUBEADM_CONFIG, 'settings': {'cgroupDriver': 'systemd'}})
    assert result['changed'] is False and 'failed' not in result
    assert result['warnings'] == ['/etc/kubernetes/kubeadm-config.yaml: no document of kind KubeletConfiguration, only '
                                  'InitConfiguration, ClusterConfiguration; nothing was changed']
    assert host.modules == ['nodeops.crio.node_probe']


@pytest.mark.parametrize('text, message', [
    ('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n',
     'the document is of kind Deployment, not KubeletConfiguration; set kinds to edit another kind'),
    ('- kind: KubeletConfiguration\n', 'the document at line 1 is a list, not a mapping'),
])
def test_a_file_that_is_no_kubelet_configuration_is_refused(host, run_action, text, message):
    host.write(CONFIG, text)
    result = run_action(ActionModule, {'path': CONFIG, 'settings': {'cgroupDriver': 'systemd'}})
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('/etc/kubelet.yaml: ' + message)
    assert result['msg'].endswith('; the file was left unchanged')
    assert host.text(CONFIG) == text and host.modules == ['nodeops.crio.node_probe']


def test_a_null_setting_is_refused_before_any_remote_call(host, run_action):
    result = run_action(ActionModule, {'path': CONFIG, 'settings': {'cgroupDriver': None}})
    assert result['failed'] is True
    assert result['msg'].startswith('settings.cgroupDriver: a null value is not written; leave the key out')
    assert host.calls == []


def test_kinds_may_not_be_empty(host, run_action):
    result = run_action(ActionModule, {'path': CONFIG, 'settings': {'cgroupDriver': 'systemd'}, 'kinds': []})
    assert result['msg'] == 'kinds: expected the kinds of document to edit, such as [KubeletConfiguration], got none'
    assert host.calls == []
