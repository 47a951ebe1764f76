# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

import re

import pytest

from ansible_collections.nodeops.crio.plugins.action import crio_config
from ansible_collections.nodeops.crio.plugins.action.crio_config import ActionModule
from ansible_collections.nodeops.crio.tests.unit.compat import conversion_error

CONF = '/etc/crio/crio.conf'
DROP_IN = '/etc/crio/crio.conf.d/50-nodeops.conf'
SYSTEMD = {'crio': {'runtime': {'cgroup_manager': 'cgroupfs', 'pids_limit': 4096}}}


@pytest.fixture
def crio_2020(host, fixture_text) -> str:
    text = fixture_text('crio-2020.conf')
    host.write(CONF, text)
    return text


def test_edit_writes_through_copy(host, run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['changed'] is True
    assert result['changed_keys'] == ['crio.runtime.cgroup_manager', 'crio.runtime.pids_limit']
    expected = crio_2020.replace('cgroup_manager = "systemd"', 'cgroup_manager = "cgroupfs"').replace('pids_limit = 1024', 'pids_limit = 4096')
    assert host.text(CONF) == expected
    assert result['diff'] == {'before': crio_2020, 'after': expected, 'before_header': CONF, 'after_header': CONF}
    assert host.modules == ['nodeops.crio.node_probe', 'ansible.builtin.copy']
    copy_args = host.calls[-1][1]
    assert copy_args['dest'] == CONF and copy_args['follow'] is True and copy_args['backup'] is False
    assert copy_args['validate'] is None
    assert 'backup_file' not in result


def test_second_run_changes_nothing_and_writes_nothing(host, run_action, crio_2020) -> None:
    run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    host.calls.clear()
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['changed'] is False
    assert result['changed_keys'] == []
    assert 'diff' not in result
    assert host.modules == ['nodeops.crio.node_probe']


def test_check_mode_predicts_and_touches_nothing(host, run_action, crio_2020) -> None:
    checked = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD}, check_mode=True)
    assert host.text(CONF) == crio_2020
    assert host.modules == ['nodeops.crio.node_probe']
    assert host.transfers == {}
    done = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert checked['changed'] is done['changed'] is True
    assert checked['changed_keys'] == done['changed_keys']
    assert checked['diff'] == done['diff']


def test_without_diff_mode_no_diff(run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD}, diff=False)
    assert result['changed'] is True
    assert 'diff' not in result


def test_backup_next_to_the_file(host, run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'backup': True})
    assert result['backup_file'] == CONF + host.backup_suffix
    assert host.text(CONF + host.backup_suffix) == crio_2020
    assert host.calls[-1][1]['backup'] is True


def test_backup_refused_inside_crio_conf_d_before_any_remote_call(host, run_action) -> None:
    host.write(DROP_IN, '[crio.runtime]\n')
    result = run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD, 'backup': True})
    assert result['failed'] is True
    assert result['msg'].startswith('backup: a backup next to /etc/crio/crio.conf.d/50-nodeops.conf would sit in '
                                    '/etc/crio/crio.conf.d, a drop-in directory that is read file by file')
    assert 'set backup_dir' in result['msg']
    assert host.calls == []


@pytest.mark.parametrize('path', ['/etc/crio/crio.conf.d/sub/x.conf', '/etc/containers/registries.conf.d/50-x.conf'])
def test_backup_refused_in_any_drop_in_directory(host, run_action, path) -> None:
    result = run_action(ActionModule, {'path': path, 'settings': SYSTEMD, 'backup': True})
    assert 'a drop-in directory that is read file by file' in result['msg']
    assert host.calls == []


def test_backup_dir_takes_the_copy(host, run_action) -> None:
    host.write(DROP_IN, '[crio.runtime]\ncgroup_manager = "systemd"\n')
    result = run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD, 'backup': True, 'backup_dir': '/var/backups/crio'})
    assert result['changed'] is True
    assert re.match(r'^/var/backups/crio/50-nodeops\.conf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$', result['backup_file'])
    assert host.text(result['backup_file']) == '[crio.runtime]\ncgroup_manager = "systemd"\n'
    assert '/var/backups/crio' in host.dirs
    assert [name for name in host.files if name.startswith('/etc/crio/crio.conf.d/')] == [DROP_IN]
    assert host.calls[-1][1]['backup'] is False


def test_backup_dir_inside_a_drop_in_directory_is_refused(host, run_action) -> None:
    result = run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD, 'backup': True,
                                       'backup_dir': '/etc/crio/crio.conf.d/old'})
    assert result['msg'] == ('backup_dir: /etc/crio/crio.conf.d/old is inside /etc/crio/crio.conf.d, a drop-in directory '
                             'that is read file by file; choose a directory outside it')
    assert host.calls == []


def test_invalid_toml_fails_with_line_and_column(host, run_action) -> None:
    host.write(CONF, '[crio.runtime]\ncgroup_manager = "systemd"\npids_limit = = 5\n')
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['failed'] is True
    assert result['msg'].startswith('/etc/crio/crio.conf: not valid TOML: ')
    assert result['msg'].endswith('(line 3, column 14); the file was left unchanged')
    assert host.modules == ['nodeops.crio.node_probe']


def test_duplicate_key_fails_with_its_line(host, run_action, crio_2020) -> None:
    text = crio_2020.replace('pids_limit = 1024\n', 'pids_limit = 1024\npids_limit = 2048\n')
    host.write(CONF, text)
    line = text[: text.index('pids_limit = 2048')].count('\n') + 1
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['msg'] == '/etc/crio/crio.conf: not valid TOML: Key "pids_limit" already exists (line %d); ' \
                            'the file was left unchanged' % line
    assert host.text(CONF) == text


def test_type_conflict_names_key_and_types(host, run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': {'crio': {'api': {'stream_port': 10010}}}})
    assert result['failed'] is True
    assert result['msg'] == ("/etc/crio/crio.conf: crio.api.stream_port: the file has a string ('0'), settings give an "
                             "integer (10010); give a string, or set force_type: true to replace it; the file was left unchanged")
    assert host.text(CONF) == crio_2020
    forced = run_action(ActionModule, {'path': CONF, 'settings': {'crio': {'api': {'stream_port': 10010}}}, 'force_type': True})
    assert forced['changed'] is True
    assert 'stream_port = 10010\n' in host.text(CONF)


def test_remove_keys(host, run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'remove': [['crio', 'file_locking'], ['crio', 'file_locking_path']],
                                       'state': 'absent'})
    assert result['changed_keys'] == ['crio.file_locking', 'crio.file_locking_path']
    assert 'file_locking' not in host.text(CONF)


@pytest.mark.parametrize('args, message', [
    ({'path': CONF, 'colour': 'red'}, 'module: colour. Supported parameters include: attributes, backup, backup_dir, create,'),
    ({'settings': SYSTEMD}, 'missing required arguments: path'),
    ({'path': 'crio.conf', 'settings': SYSTEMD}, "path: expected an absolute path on the managed node, got 'crio.conf'"),
    ({'path': CONF, 'settings': 'cgroup_manager=systemd'}, "settings: expected a mapping (nested mappings for tables), got the "
                                                           "string 'cgroup_manager=systemd'"),
    ({'path': CONF, 'settings': ['a']}, conversion_error('settings', 'list', 'dict')),
    ({'path': CONF, 'remove': 'crio.file_locking'}, "remove: expected a list of name-part lists such as [[crio, file_locking]], "
                                                    "got the string 'crio.file_locking'"),
    ({'path': CONF, 'remove': ['crio.file_locking']}, "remove[0]: expected a list of name parts such as [crio, runtime, conmon], "
                                                      "got 'crio.file_locking'"),
    ({'path': CONF, 'remove': [['crio', 7]]}, "remove[0]: every name part must be a string, got ['crio', 7]"),
    ({'path': CONF, 'settings': {'crio': {'runtime': {'conmon': None}}}}, 'settings.crio.runtime.conmon: TOML has no null value'),
    ({'path': CONF, 'settings': {'crio': {'runtime': {'pids_limit': 2**64}}}, 'create': True},
     'settings.crio.runtime.pids_limit: 18446744073709551616 is too big; TOML integers are signed 64-bit'),
    ({'path': CONF, 'settings': SYSTEMD, 'state': 'absent'}, 'settings: not used with state=absent'),
    ({'path': CONF, 'state': 'gone'}, 'value of state must be one of: present, absent, got: gone'),
    ({'path': CONF, 'settings': SYSTEMD, 'create': 'maybe'}, conversion_error('create', 'str', 'bool')),
    ({'path': CONF, 'settings': SYSTEMD, 'validate': 'crio config'}, "validate: the command must contain %s where the new file goes, "
                                                                     "got 'crio config'"),
    ({'path': CONF, 'settings': SYSTEMD, 'backup': True, 'backup_dir': 'backups'},
     "backup_dir: expected an absolute path on the managed node, got 'backups'"),
])
def test_bad_parameters_fail_before_any_remote_call(host, run_action, args, message) -> None:
    result = run_action(ActionModule, args)
    assert result['failed'] is True
    assert message in result['msg']
    assert host.calls == []


def test_missing_tomlkit_is_reported(host, run_action, monkeypatch) -> None:
    monkeypatch.setattr(crio_config, 'HAS_TOMLKIT', False)
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['msg'].startswith('nodeops.crio.crio_config needs the Python library tomlkit on the controller')
    assert host.calls == []


def test_missing_file_needs_create(host, run_action) -> None:
    result = run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD})
    assert result['msg'] == '/etc/crio/crio.conf.d/50-nodeops.conf does not exist; set create: true to create it'
    assert DROP_IN not in host.files


def test_create_writes_a_new_drop_in(host, run_action) -> None:
    checked = run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD, 'create': True, 'mode': '0640'}, check_mode=True)
    assert checked['changed'] is True and DROP_IN not in host.files
    assert checked['diff']['before'] == ''
    result = run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD, 'create': True, 'mode': '0640'})
    assert host.text(DROP_IN) == '[crio.runtime]\ncgroup_manager = "cgroupfs"\npids_limit = 4096\n'
    assert host.modes[DROP_IN] == '0640'
    assert result['diff']['after'] == checked['diff']['after']


def test_create_in_a_missing_directory_is_predicted_in_check_mode(host, run_action) -> None:
    # In check mode the task that would create the directory did not run either.
    args = {'path': '/etc/nowhere/x.conf', 'settings': SYSTEMD, 'create': True}
    checked = run_action(ActionModule, args, check_mode=True)
    assert checked['changed'] is True and checked['diff']['before'] == ''
    assert checked['diff']['after'] == '[crio.runtime]\ncgroup_manager = "cgroupfs"\npids_limit = 4096\n'
    assert '/etc/nowhere/x.conf' not in host.files


def test_create_in_a_missing_directory_fails_for_real(host, run_action) -> None:
    result = run_action(ActionModule, {'path': '/etc/nowhere/x.conf', 'settings': SYSTEMD, 'create': True})
    assert result['msg'] == 'cannot create /etc/nowhere/x.conf: the directory /etc/nowhere does not exist'
    assert '/etc/nowhere/x.conf' not in host.files


def test_only_removing_from_a_missing_file_is_fine(host, run_action) -> None:
    result = run_action(ActionModule, {'path': DROP_IN, 'remove': [['crio', 'x']]})
    assert result['changed'] is False
    assert DROP_IN not in host.files


def test_state_absent_removes_the_file(host, run_action) -> None:
    host.write(DROP_IN, '[crio.runtime]\n')
    checked = run_action(ActionModule, {'path': DROP_IN, 'state': 'absent'}, check_mode=True)
    assert checked['changed'] is True and DROP_IN in host.files
    assert checked['diff'] == {'before': '[crio.runtime]\n', 'after': '', 'before_header': DROP_IN, 'after_header': DROP_IN}
    result = run_action(ActionModule, {'path': DROP_IN, 'state': 'absent', 'backup': True, 'backup_dir': '/var/backups'})
    assert result['changed'] is True and DROP_IN not in host.files
    assert host.text(result['backup_file']) == '[crio.runtime]\n'
    assert run_action(ActionModule, {'path': DROP_IN, 'state': 'absent'})['changed'] is False


def test_attributes_alone_go_through_the_file_module(host, run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': {}, 'mode': '0600'})
    assert result['changed'] is True
    assert host.calls[-1] == ('ansible.builtin.file', {'path': CONF, 'state': 'file', 'follow': True, 'unsafe_writes': False,
                                                       'mode': '0600'})
    assert result['diff'] == {'before': {'mode': '0644'}, 'after': {'mode': '0600'}}
    host.calls.clear()
    assert run_action(ActionModule, {'path': CONF, 'settings': {}, 'mode': '0600', 'owner': 'root'})['changed'] is False
    # The stat already shows mode and owner: no call to ansible.builtin.file.
    assert host.modules == ['nodeops.crio.node_probe']


def test_failed_validation_leaves_the_file(host, run_action, crio_2020) -> None:
    host.validator = lambda content: (1, '', 'level=fatal msg="invalid cgroup manager"')
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'validate': 'crio --config %s --config-dir "" config'})
    assert result['failed'] is True
    assert result['msg'] == ('/etc/crio/crio.conf was left unchanged: failed to validate; '
                             'stderr: level=fatal msg="invalid cgroup manager"')
    assert host.text(CONF) == crio_2020
    assert dict(host.calls)['ansible.builtin.copy']['validate'] == 'crio --config %s --config-dir "" config'


def test_not_utf8_is_refused(host, run_action) -> None:
    host.write(CONF, b'a = "\xff"\n')
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['msg'] == '/etc/crio/crio.conf is not UTF-8 text (byte 5): left unchanged'


def test_a_directory_is_refused(host, run_action) -> None:
    result = run_action(ActionModule, {'path': '/etc/crio/crio.conf.d', 'settings': SYSTEMD})
    assert result['msg'] == '/etc/crio/crio.conf.d is not a regular file'


def test_home_relative_path_is_expanded_on_the_node(host, run_action) -> None:
    host.dirs.add('/root')
    result = run_action(ActionModule, {'path': '~/crio.conf', 'settings': SYSTEMD, 'create': True})
    assert result['path'] == '/root/crio.conf'
    assert '/root/crio.conf' in host.files


def test_dotted_settings_key_warns(host, run_action) -> None:
    host.write(DROP_IN, '[crio]\n')
    result = run_action(ActionModule, {'path': DROP_IN, 'settings': {'crio.runtime': {'cgroup_manager': 'systemd'}}})
    assert result['warnings'] == ["settings key 'crio.runtime' is one TOML key with a dot in its name (written \"crio.runtime\"); "
                                  'to reach a nested table, nest mappings instead']


BOM = '\ufeff'


def test_a_byte_order_mark_is_accepted_and_kept(host, run_action, fixture_text) -> None:
    # Editors on Windows save UTF-8 with a BOM; TOML allows none, CRI-O's parser skips it.
    text = BOM + fixture_text('crio-2020.conf')
    host.write(CONF, text)
    checked = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD}, check_mode=True)
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['changed'] is True and result.get('failed') is not True
    expected = text.replace('cgroup_manager = "systemd"', 'cgroup_manager = "cgroupfs"').replace('pids_limit = 1024', 'pids_limit = 4096')
    assert host.files[CONF] == expected.encode('utf-8')
    assert host.files[CONF].startswith(b'\xef\xbb\xbf# The CRI-O configuration file')
    assert result['diff'] == checked['diff'] == {'before': text, 'after': expected, 'before_header': CONF, 'after_header': CONF}
    assert run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})['changed'] is False


def test_a_file_of_only_a_byte_order_mark_gets_the_keys_after_it(host, run_action) -> None:
    host.write(DROP_IN, BOM)
    run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD})
    assert host.text(DROP_IN) == BOM + '[crio.runtime]\ncgroup_manager = "cgroupfs"\npids_limit = 4096\n'


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('mode', ['0999', 'rw', 'preserve', 0o10000])
def test_a_bad_mode_fails_before_any_remote_call(host, run_action, crio_2020, check_mode, mode) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'mode': mode}, check_mode=check_mode)
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('mode: ')
    assert host.calls == []
    assert host.text(CONF) == crio_2020


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('option, name, message', [
    ('owner', 'nosuchuser', "owner: the managed node has no user 'nosuchuser'; give a user it knows, by name or number"),
    ('group', 'nosuchgroup', "group: the managed node has no group 'nosuchgroup'; give a group it knows, by name or number"),
])
def test_an_unknown_owner_or_group_fails_before_anything_is_written(
        host, run_action, crio_2020, check_mode, option, name, message) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, option: name}, check_mode=check_mode)
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == message
    assert host.modules == ['nodeops.crio.node_probe']
    assert host.calls[0][1]['users' if option == 'owner' else 'groups'] == [name]
    assert host.text(CONF) == crio_2020 and host.transfers == {}


def test_owner_and_group_by_number_or_known_name_pass(host, run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'owner': 'nobody', 'group': '4'})
    assert result['changed'] is True and 'failed' not in result
    assert host.calls[0][1]['users'] == ['nobody'] and 'groups' not in host.calls[0][1]
    assert host.owners[CONF] == 'nobody'


def test_a_failure_after_the_write_reports_the_change(host, run_action, crio_2020) -> None:
    # chattr fails once copy has moved the new file in place: the file did change.
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'attributes': '+i'})
    expected = crio_2020.replace('cgroup_manager = "systemd"', 'cgroup_manager = "cgroupfs"').replace('pids_limit = 1024', 'pids_limit = 4096')
    assert host.text(CONF) == expected
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'] == ('/etc/crio/crio.conf: the new text was written, then ansible.builtin.copy failed: Error while '
                             'setting attributes: /usr/bin/chattr: Operation not supported while setting flags')
    assert result['changed_keys'] == ['crio.runtime.cgroup_manager', 'crio.runtime.pids_limit']
    assert result['diff']['after'] == expected


def test_a_failure_before_the_write_says_the_file_is_unchanged(host, run_action, crio_2020) -> None:
    host.validator = lambda content: (1, '', 'bad')
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'validate': 'check %s'})
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == '/etc/crio/crio.conf was left unchanged: failed to validate; stderr: bad'
    assert 'diff' not in result


def test_attributes_that_fail_halfway_report_what_changed(host, run_action, crio_2020) -> None:
    result = run_action(ActionModule, {'path': CONF, 'settings': {}, 'mode': '0600', 'attributes': '+i'})
    assert host.modes[CONF] == '0600'
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'] == ('cannot set all the attributes of /etc/crio/crio.conf: Error while setting attributes: '
                             '/usr/bin/chattr: Operation not supported while setting flags; set before the failure: '
                             'mode 0600 (was 0644)')


# A symbolic link at path is followed, as ansible.builtin.copy follows it with follow=true; one that
# points nowhere is refused rather than replaced by a regular file.

def test_a_link_to_a_file_edits_the_file_and_keeps_the_link(host, run_action, crio_2020) -> None:
    host.files['/etc/crio/crio.conf.real'] = host.files.pop(CONF)
    host.links[CONF] = '/etc/crio/crio.conf.real'
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})
    assert result['changed'] is True and result['path'] == CONF
    assert host.links == {CONF: '/etc/crio/crio.conf.real'} and CONF not in host.files
    assert 'cgroup_manager = "cgroupfs"' in host.text('/etc/crio/crio.conf.real')
    assert dict(host.calls)['ansible.builtin.copy']['dest'] == '/etc/crio/crio.conf.real'
    assert run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD})['changed'] is False


def test_a_backup_through_a_link_into_a_drop_in_directory_is_refused(host, run_action, crio_2020) -> None:
    # copy puts its backup next to the file the link points to: here inside crio.conf.d.
    real = '/etc/crio/crio.conf.d/00-base.conf'
    host.files[real] = host.files.pop(CONF)
    host.links[CONF] = real
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'backup': True})
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'].startswith('backup: a backup next to /etc/crio/crio.conf.d/00-base.conf would sit in '
                                    '/etc/crio/crio.conf.d, a drop-in directory')
    assert host.modules == ['nodeops.crio.node_probe']
    assert host.text(real) == crio_2020 and [name for name in host.files if name.startswith(real)] == [real]


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_dangling_link_is_refused_not_replaced(host, run_action, check_mode) -> None:
    host.links[DROP_IN] = '/opt/crio/50-nodeops.conf'
    result = run_action(ActionModule, {'path': DROP_IN, 'settings': SYSTEMD, 'create': True}, check_mode=check_mode)
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == ('/etc/crio/crio.conf.d/50-nodeops.conf is a symbolic link to /opt/crio/50-nodeops.conf, '
                             'which does not exist; create that file first, set path to it, or remove the link')
    assert host.links == {DROP_IN: '/opt/crio/50-nodeops.conf'} and DROP_IN not in host.files
    assert host.modules == ['nodeops.crio.node_probe']


def test_a_dangling_link_with_nothing_to_write_is_left_alone(host, run_action) -> None:
    host.links[DROP_IN] = '/opt/crio/50-nodeops.conf'
    result = run_action(ActionModule, {'path': DROP_IN, 'remove': [['crio', 'x']]})
    assert result['changed'] is False and 'failed' not in result
    assert host.links == {DROP_IN: '/opt/crio/50-nodeops.conf'}


def test_a_failure_that_cannot_be_looked_into_says_so(host, run_action, crio_2020, monkeypatch) -> None:
    probe = host._probe
    looks = []

    def flaky(args: dict) -> dict:
        looks.append(args)
        return probe(args) if len(looks) == 1 else {'failed': True, 'msg': 'Connection reset'}

    monkeypatch.setattr(host, '_probe', flaky)
    result = run_action(ActionModule, {'path': CONF, 'settings': SYSTEMD, 'attributes': '+i'})
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == ('/etc/crio/crio.conf: Error while setting attributes: /usr/bin/chattr: Operation not supported '
                             'while setting flags; whether it changed is unknown, as looking at it again failed too: '
                             'Connection reset')
