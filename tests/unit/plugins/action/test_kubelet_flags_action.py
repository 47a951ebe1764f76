# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""nodeops.crio.kubelet_flags' action plugin against the fake host: check mode, diff, backup, create,
and what it shares with the other config modules (validate, backup_dir, no backup in a drop-in directory)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.nodeops.crio.plugins.action.kubelet_flags import ActionModule

KUBEADM = 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --v=2"\n'
ENV_FILE = '/var/lib/kubelet/kubeadm-flags.env'
DROP_IN = '/etc/systemd/system/kubelet.service.d/20-flags.env'
REMOVE_ENDPOINT = dict(path=ENV_FILE, variable='KUBELET_KUBEADM_ARGS', remove=['container-runtime-endpoint'])


@pytest.fixture
def env_file(host) -> str:
    host.dirs.update({'/var/lib', '/var/lib/kubelet'})
    host.write(ENV_FILE, KUBEADM)
    return ENV_FILE


def test_check_mode_predicts_and_diffs_without_writing(host, env_file, run_action) -> None:
    result = run_action(ActionModule, REMOVE_ENDPOINT, check_mode=True)
    assert result['changed'] is True
    assert result['changed_flags'] == ['--container-runtime-endpoint']
    assert result['diff']['after'] == 'KUBELET_KUBEADM_ARGS="--v=2"\n'
    assert host.text(env_file) == KUBEADM


def test_writes_with_backup_then_changes_nothing(host, env_file, run_action) -> None:
    args = dict(REMOVE_ENDPOINT, backup=True)
    result = run_action(ActionModule, args)
    assert result['changed'] is True
    assert host.text(env_file) == 'KUBELET_KUBEADM_ARGS="--v=2"\n'
    assert host.text(result['backup_file']) == KUBEADM
    again = run_action(ActionModule, args)
    assert again['changed'] is False and again['changed_flags'] == []


def test_creates_a_missing_file_only_to_set_flags(host, run_action) -> None:
    path = '/etc/default/kubelet'
    assert run_action(ActionModule, dict(path=path, variable='KUBELET_EXTRA_ARGS', remove=['x']))['changed'] is False
    assert path not in host.files
    result = run_action(ActionModule, dict(path=path, variable='KUBELET_EXTRA_ARGS', set={'cgroup-driver': 'systemd'},
                                           mode='0644'))
    assert result['changed'] is True
    assert host.text(path) == 'KUBELET_EXTRA_ARGS="--cgroup-driver=systemd"\n'
    assert host.modes[path] == '0644'
    assert ('ansible.builtin.file', {'path': '/etc/default', 'state': 'directory'}) in host.calls


def test_refuses_to_create_when_told_not_to(host, run_action) -> None:
    result = run_action(ActionModule, dict(path='/etc/kubelet', variable='KUBELET_EXTRA_ARGS', set={'a': 'b'}, create=False))
    assert result['failed'] is True
    assert result['msg'].endswith('does not exist and create is false')


def test_a_file_it_cannot_parse_fails_naming_it(host, run_action) -> None:
    path = '/etc/kubelet'
    host.write(path, 'KUBELET_EXTRA_ARGS=positional\n')
    result = run_action(ActionModule, dict(path=path, variable='KUBELET_EXTRA_ARGS', set={'a': 'b'}))
    assert result['failed'] is True
    assert result['msg'] == "%s: 'positional' is not a flag and follows no flag that takes a value" % path


def test_failed_validation_leaves_the_file(host, env_file, run_action) -> None:
    host.validator = lambda content: (1, '', 'unknown flag: --v')
    result = run_action(ActionModule, dict(REMOVE_ENDPOINT, validate='/usr/local/bin/check-flags %s'))
    assert result['failed'] is True
    assert result['msg'] == ('%s was left unchanged: failed to validate; stderr: unknown flag: --v' % env_file)
    assert host.text(env_file) == KUBEADM
    assert dict(host.calls)['ansible.builtin.copy']['validate'] == '/usr/local/bin/check-flags %s'


def test_validate_needs_the_place_of_the_file(host, env_file, run_action) -> None:
    result = run_action(ActionModule, dict(REMOVE_ENDPOINT, validate='/usr/local/bin/check-flags'))
    assert result['msg'].startswith('validate: the command must contain %s where the new file goes')
    assert host.modules == []


def test_backup_refused_inside_a_drop_in_directory_before_any_remote_call(host, run_action) -> None:
    result = run_action(ActionModule, dict(path=DROP_IN, variable='KUBELET_EXTRA_ARGS', set={'v': '2'}, backup=True))
    assert result['failed'] is True
    assert result['msg'].startswith('backup: a backup next to %s would sit in /etc/systemd/system/kubelet.service.d, '
                                    'a drop-in directory that is read file by file' % DROP_IN)
    assert host.modules == []


def test_backup_dir_takes_the_copy(host, run_action) -> None:
    host.dirs.update({'/etc/systemd', '/etc/systemd/system', '/etc/systemd/system/kubelet.service.d'})
    host.write(DROP_IN, 'KUBELET_EXTRA_ARGS=--v=1\n')
    result = run_action(ActionModule, dict(path=DROP_IN, variable='KUBELET_EXTRA_ARGS', set={'v': '2'}, backup=True,
                                           backup_dir='/var/backups/kubelet'))
    assert result['changed_flags'] == ['--v']
    assert re.match(r'^/var/backups/kubelet/20-flags\.env\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$', result['backup_file'])
    assert host.text(result['backup_file']) == 'KUBELET_EXTRA_ARGS=--v=1\n'
    assert host.text(DROP_IN) == 'KUBELET_EXTRA_ARGS=--v=2\n'
    assert [name for name in host.files if name.startswith('/etc/systemd')] == [DROP_IN]


def test_unchanged_flags_still_get_their_mode(host, env_file, run_action) -> None:
    result = run_action(ActionModule, dict(path=env_file, variable='KUBELET_KUBEADM_ARGS', set={'v': '2'}, mode='0600'))
    assert (result['changed'], result['changed_flags']) == (True, [])
    assert host.modes[env_file] == '0600'
    assert 'ansible.builtin.copy' not in host.modules
