# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The module files hold docs and the argument spec; run on their own they
validate their arguments like the action plugin and then say where the work is done."""

from __future__ import annotations

import json

import pytest

from ansible_collections.nodeops.crio.plugins.modules import crictl_config, crio_config, kubelet_flags
from ansible_collections.nodeops.crio.tests.unit.compat import conversion_error, patch_module_args

MODULES = [
    (crio_config, {'path': '/etc/crio/crio.conf', 'settings': {'crio': {'runtime': {'cgroup_manager': 'systemd'}}}}),
    (crictl_config, {'runtime_endpoint': 'unix:///var/run/crio/crio.sock'}),
    (kubelet_flags, {'path': '/etc/default/kubelet', 'variable': 'KUBELET_EXTRA_ARGS', 'set': {'v': '2'}}),
]


def run_main(module: object, args: dict, capsys: pytest.CaptureFixture) -> dict:
    with patch_module_args(args), pytest.raises(SystemExit) as error:
        module.main()
    assert error.value.code == 1
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('module, args', MODULES)
def test_main_points_at_the_action_plugin(module: object, args: dict, capsys: pytest.CaptureFixture) -> None:
    result = run_main(module, dict(args, _ansible_check_mode=True), capsys)
    assert result['failed'] is True
    assert result['msg'].startswith('nodeops.crio.%s runs on the controller through its action plugin' % module.__name__.split('.')[-1])


@pytest.mark.parametrize('module, args, message', [
    (crio_config, {}, 'missing required arguments: path'),
    (crio_config, {'path': '/x', 'state': 'gone'}, 'value of state must be one of: present, absent, got: gone'),
    (crictl_config, {'timeout': 'soon'}, conversion_error('timeout', 'str', 'int')),
    (kubelet_flags, {'path': '/etc/default/kubelet'}, 'missing required arguments: variable'),
])
def test_main_validates_the_same_spec(module: object, args: dict, message: str, capsys: pytest.CaptureFixture) -> None:
    assert message in run_main(module, args, capsys)['msg']
