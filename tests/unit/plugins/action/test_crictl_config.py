# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

import pytest

from ansible_collections.nodeops.crio.plugins.action.crictl_config import ActionModule
from ansible_collections.nodeops.crio.tests.unit.compat import conversion_error

CRICTL = '/etc/crictl.yaml'
CRIO = 'unix:///var/run/crio/crio.sock'


@pytest.fixture
def shipped(host, fixture_text) -> str:
    text = fixture_text('crictl-crio-v1.36.3.yaml')
    host.write(CRICTL, text)
    return text


def test_new_file_in_crictl_order(host, run_action) -> None:
    result = run_action(ActionModule, {'runtime_endpoint': CRIO, 'image_endpoint': CRIO, 'timeout': 10, 'debug': False})
    assert result['changed'] is True
    assert result['path'] == CRICTL
    assert host.text(CRICTL) == ('runtime-endpoint: unix:///var/run/crio/crio.sock\nimage-endpoint: unix:///var/run/crio/crio.sock\n'
                                 'timeout: 10\ndebug: false\n')
    assert result['changed_keys'] == ['runtime-endpoint', 'image-endpoint', 'timeout', 'debug']
    assert result['diff']['before'] == ''


def test_shipped_file_edited_in_place(host, run_action, shipped) -> None:
    result = run_action(ActionModule, {'runtime_endpoint': CRIO, 'timeout': 10})
    assert host.text(CRICTL) == shipped.replace('timeout: 0', 'timeout: 10')
    assert result['changed_keys'] == ['timeout']
    again = run_action(ActionModule, {'runtime_endpoint': CRIO, 'timeout': 10})
    assert again['changed'] is False


def test_check_mode_predicts(host, run_action, shipped) -> None:
    checked = run_action(ActionModule, {'timeout': 10}, check_mode=True)
    assert host.text(CRICTL) == shipped
    assert 'ansible.builtin.copy' not in host.modules
    done = run_action(ActionModule, {'timeout': 10})
    assert (checked['changed'], checked['changed_keys'], checked['diff']) == (done['changed'], done['changed_keys'], done['diff'])


def test_bare_socket_path_gets_its_scheme_with_a_warning(host, run_action) -> None:
    result = run_action(ActionModule, {'runtime_endpoint': '/var/run/crio/crio.sock'})
    assert host.text(CRICTL) == 'runtime-endpoint: unix:///var/run/crio/crio.sock\n'
    assert len(result['warnings']) == 1
    assert result['warnings'][0].startswith("runtime_endpoint '/var/run/crio/crio.sock' has no scheme; writing "
                                            "'unix:///var/run/crio/crio.sock'.")
    assert 'kubelet 1.13 bug' in result['warnings'][0]


def test_unknown_keys_fail_or_are_pruned(host, run_action) -> None:
    host.write(CRICTL, 'runtime-endpoint: unix:///run/containerd/containerd.sock\n# old\ncolor: true\n')
    failed = run_action(ActionModule, {'runtime_endpoint': CRIO})
    assert failed['failed'] is True
    assert failed['msg'] == ('/etc/crictl.yaml: the file holds keys crictl does not know: color (line 3); crictl refuses to start '
                             'with them. Remove them, or set prune: true to have them removed; the file was left unchanged')
    assert 'ansible.builtin.copy' not in host.modules
    pruned = run_action(ActionModule, {'runtime_endpoint': CRIO, 'prune': True})
    assert host.text(CRICTL) == 'runtime-endpoint: unix:///var/run/crio/crio.sock\n# old\n'
    assert pruned['changed_keys'] == ['runtime-endpoint', 'color']


def test_backup(host, run_action, shipped) -> None:
    result = run_action(ActionModule, {'debug': True, 'backup': True})
    assert result['backup_file'] == CRICTL + host.backup_suffix
    assert host.text(result['backup_file']) == shipped


def test_missing_file_with_create_false(host, run_action) -> None:
    result = run_action(ActionModule, {'debug': True, 'create': False})
    assert result['msg'] == '/etc/crictl.yaml does not exist; set create: true to create it'


@pytest.mark.parametrize('args, message', [
    ({'timeout': -1}, "timeout: expected whole seconds, 0 or more (0: crictl's default), got -1"),
    ({'timeout': '2s'}, conversion_error('timeout', 'str', 'int')),
    ({'debug': 'sometimes'}, conversion_error('debug', 'str', 'bool')),
    ({'runtime_endpoint': 'http://localhost'}, "runtime_endpoint: expected a unix://, tcp:// or npipe:// endpoint, got 'http://localhost'"),
    ({'image_endpoint': 'crio.sock'}, "image_endpoint: expected an endpoint such as unix:///var/run/crio/crio.sock, got 'crio.sock'"),
    ({'path': 'crictl.yaml'}, "path: expected an absolute path on the managed node, got 'crictl.yaml'"),
    ({'runtime-endpoint': CRIO}, 'module: runtime-endpoint. Supported parameters include:'),
])
def test_bad_parameters_fail_before_any_remote_call(host, run_action, args, message) -> None:
    result = run_action(ActionModule, args)
    assert result['failed'] is True
    assert message in result['msg']
    assert host.calls == []


def test_structures_are_refused_with_the_line(host, run_action) -> None:
    host.write(CRICTL, 'runtime-endpoint:\n  - a\n')
    result = run_action(ActionModule, {'timeout': 2})
    assert result['msg'].startswith("/etc/crictl.yaml: line 2: '- a' is not a `key: value` line")


def test_a_byte_order_mark_is_kept(host, run_action, shipped) -> None:
    host.write(CRICTL, '\ufeff' + shipped)
    result = run_action(ActionModule, {'runtime_endpoint': CRIO, 'timeout': 10})
    assert result['changed_keys'] == ['timeout']
    assert host.text(CRICTL) == '\ufeff' + shipped.replace('timeout: 0', 'timeout: 10')
