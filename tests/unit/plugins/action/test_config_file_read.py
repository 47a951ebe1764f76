# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The config actions read their file and its folder with one nodeops.crio.node_probe call,
and refuse what they cannot edit before anything is written."""

from __future__ import annotations

import typing as t

import pytest

from ansible_collections.nodeops.crio.plugins.action.crio_config import ActionModule

CONF = '/etc/crio/crio.conf'
SYSTEMD = {'crio': {'runtime': {'cgroup_manager': 'systemd'}}}
PROBE = ('nodeops.crio.node_probe', {'paths': [CONF, '/etc/crio'], 'follow': True, 'get_content': True})


@pytest.fixture
def unreadable(host, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, t.Any]]:
    """Paths whose probe answer is given here, as node_probe gives it for a path it cannot stat or read."""
    answers: dict[str, dict[str, t.Any]] = {}
    describe = host._describe
    monkeypatch.setattr(host, '_describe', lambda path, content, follow=True: answers.get(path) or describe(path, content, follow))
    return answers


def test_one_probe_reads_file_and_folder(host, run_action) -> None:
    host.write(CONF, '[crio.runtime]\ncgroup_manager = "systemd"\n')
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['changed'] is False
    assert host.calls == [PROBE]


@pytest.mark.parametrize('answer', [
    {'exists': False, 'error': 'Permission denied'},
    {'exists': True, 'type': 'file', 'mode': '0000', 'uid': 0, 'gid': 0, 'owner': 'root', 'group': 'root',
     'error': 'Permission denied'},
])
def test_an_error_in_the_probe_fails_naming_the_path(host, run_action, unreadable, answer: dict[str, t.Any]) -> None:
    # Neither "missing" (which would create the file) nor a file without content.
    unreadable[CONF] = answer
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'create': True})
    assert result['failed'] is True
    assert result['msg'] == 'cannot read /etc/crio/crio.conf: Permission denied'
    assert host.calls == [PROBE]
    assert CONF not in host.files


@pytest.mark.parametrize('setup, path, message', [
    (lambda host: host.dirs.add(CONF), CONF, '/etc/crio/crio.conf is not a regular file'),
    (lambda host: host.write(CONF, b'a = "\xff"\n'), CONF, '/etc/crio/crio.conf is not UTF-8 text (byte 5): left unchanged'),
    (lambda host: None, '/etc/nowhere/x.conf', 'cannot create /etc/nowhere/x.conf: the directory /etc/nowhere does not exist'),
    (lambda host: host.write('/etc/nowhere', ''), '/etc/nowhere/x.conf', 'cannot create /etc/nowhere/x.conf: /etc/nowhere is not a directory'),
])
def test_refused_after_the_probe_alone(host, run_action, setup: t.Callable[[t.Any], None], path: str, message: str) -> None:
    setup(host)
    before = dict(host.files)
    result = run_action(ActionModule, {'path': path, 'settings': SYSTEMD, 'create': True})
    assert result['failed'] is True
    assert result['msg'] == message
    assert host.modules == ['nodeops.crio.node_probe']
    assert host.calls[0][1]['paths'] == [path, path.rsplit('/', 1)[0]]
    assert host.files == before and host.transfers == {}
