# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The TOML editor on real files: each case states the one change it expects.

A case names a fixture, the edit, and the text before and after the change;
the whole result must equal the fixture with just that text replaced, so any
other byte that moves fails the test.
"""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_edit import (
    TomlEditError,
    TomlSyntaxError,
    edit_toml,
    normalize_remove,
    same,
    to_toml_data,
)
from ansible_collections.nodeops.crio.tests.unit.compat import tagged


def runtime(**keys: object) -> dict:
    return {'crio': {'runtime': keys}}


CASES = [
    pytest.param(
        'crio-2020.conf', runtime(cgroup_manager='cgroupfs'), [],
        'cgroup_manager = "systemd"\n', 'cgroup_manager = "cgroupfs"\n',
        ['crio.runtime.cgroup_manager'], id='2020-change-a-string'),
    pytest.param(
        'crio-2020.conf', runtime(log_size_max=-1), [],
        'log_size_max = 536870912 \n', 'log_size_max = -1 \n',
        ['crio.runtime.log_size_max'], id='2020-change-keeps-trailing-space'),
    pytest.param(
        'crio-2020.conf', runtime(default_ulimits=['nofile=1048576:1048576', 'nproc=4096:4096']), [],
        'default_ulimits = [\n  "nofile=5120:5120"\n]\n',
        'default_ulimits = [\n  "nofile=1048576:1048576",\n  "nproc=4096:4096"\n]\n',
        ['crio.runtime.default_ulimits'], id='2020-array-keeps-its-layout'),
    pytest.param(
        'crio-2020.conf', runtime(default_mounts_file='/etc/containers/mounts.conf'), [],
        '#default_mounts_file = ""\n', '#default_mounts_file = ""\ndefault_mounts_file = "/etc/containers/mounts.conf"\n',
        ['crio.runtime.default_mounts_file'], id='2020-new-key-below-its-commented-default'),
    pytest.param(
        'crio-2020.conf', runtime(conmon_cgroup='pod'), [],
        'ctr_stop_timeout = 0\n', 'ctr_stop_timeout = 0\n\nconmon_cgroup = "pod"\n',
        ['crio.runtime.conmon_cgroup'], id='2020-new-key-after-the-last-as-a-paragraph'),
    pytest.param(
        'crio-2020.conf', {}, [['crio', 'file_locking'], ['crio', 'file_locking_path']],
        '#]\n\n# If set to false, in-memory locking will be used instead of file-based locking.\nfile_locking = false\n\n'
        '# Path to the lock file.\nfile_locking_path = "/run/crio.lock"\n\n', '#]\n\n',
        ['crio.file_locking', 'crio.file_locking_path'], id='2020-remove-keys-with-their-comments'),
    pytest.param(
        'crio-2020.conf', runtime(runtimes={'kata-qemu': {'runtime_path': '/usr/bin/kata-runtime', 'runtime_type': 'vm'}}), [],
        '  runtime_type = ""\n  \n',
        '  runtime_type = ""\n\n  [crio.runtime.runtimes.kata-qemu]\n  runtime_path = "/usr/bin/kata-runtime"\n'
        '  runtime_type = "vm"\n  \n',
        ['crio.runtime.runtimes.kata-qemu.runtime_path', 'crio.runtime.runtimes.kata-qemu.runtime_type'],
        id='2020-new-runtime-after-its-sibling-indented-alike'),
    pytest.param(
        'crio-2020.conf', {'crio': {'metrics': {'enable_metrics': True}}}, [],
        '        "/opt/cni/bin",\n]\n', '        "/opt/cni/bin",\n]\n\n[crio.metrics]\nenable_metrics = true\n',
        ['crio.metrics.enable_metrics'], id='2020-new-table-at-the-end-of-its-parent'),
    pytest.param(
        'crio-2020.conf', {}, [['crio', 'runtime', 'runtimes', 'runc']],
        '  [crio.runtime.runtimes.runc]\n  runtime_path = "/usr/lib/cri-o-runc/sbin/runc"\n  runtime_type = ""\n  \n', '',
        ['crio.runtime.runtimes.runc'], id='2020-remove-a-table'),
    pytest.param(
        'crio-2020.conf', {}, [['crio', 'image', 'registries']],
        '# List of registries to be used when pulling an unqualified image (e.g.,\n'
        '# "alpine:latest"). By default, registries is set to "docker.io" for\n'
        '# compatibility reasons. Depending on your workload and usecase you may add more\n'
        '# registries (e.g., "quay.io", "registry.fedoraproject.org",\n'
        '# "registry.opensuse.org", etc.).\n'
        'registries = [\n       "quay.io",\n       "docker.io"\n]\n\n', '',
        ['crio.image.registries'], id='2020-remove-an-array-with-its-comment'),
    pytest.param(
        'crio-config-v1.36.3.conf', runtime(cgroup_manager='cgroupfs'), [],
        '# cgroup_manager = "systemd"\n', '# cgroup_manager = "systemd"\ncgroup_manager = "cgroupfs"\n',
        ['crio.runtime.cgroup_manager'], id='1.36-below-commented-default'),
    pytest.param(
        'crio-config-v1.36.3.conf', runtime(default_capabilities=['CHOWN', 'KILL']), [],
        '# \t"KILL",\n# ]\n', '# \t"KILL",\n# ]\ndefault_capabilities = [\n\t"CHOWN",\n\t"KILL",\n]\n',
        ['crio.runtime.default_capabilities'], id='1.36-array-below-and-like-its-commented-default'),
    pytest.param(
        'crio-config-v1.36.3.conf', runtime(runtimes={'crun': {'runtime_path': '/usr/libexec/crio/crun'}}), [],
        '# privileged_without_host_devices = false\n\n\n\n',
        '# privileged_without_host_devices = false\n\n[crio.runtime.runtimes.crun]\nruntime_path = "/usr/libexec/crio/crun"\n'
        '\n\n\n',
        ['crio.runtime.runtimes.crun.runtime_path'], id='1.36-table-below-its-commented-block'),
    pytest.param(
        'crio-config-v1.36.3.conf', runtime(runtimes={'kata': {'runtime_type': 'vm'}}), [],
        '# timezone = ""\n', '# timezone = ""\n\n[crio.runtime.runtimes.kata]\nruntime_type = "vm"\n',
        ['crio.runtime.runtimes.kata.runtime_type'], id='1.36-table-at-the-end-of-its-parent'),
    pytest.param(
        'crio-config-v1.36.3.conf', {'crio': {'nri': {'extra': 1}}}, [],
        '[crio.nri]\n\n# Globally enable or disable NRI.\n',
        '[crio.nri]\nextra = 1\n\n# Globally enable or disable NRI.\n',
        ['crio.nri.extra'], id='1.36-unknown-key-below-the-header'),
    pytest.param(
        'crio-config-v1.36.3.conf', {'crio': {'nri': {'nri_listen': '/run/nri/nri.sock', 'extra': 1}}}, [],
        '# nri_listen = "/var/run/nri/nri.sock"\n',
        '# nri_listen = "/var/run/nri/nri.sock"\nnri_listen = "/run/nri/nri.sock"\n\nextra = 1\n',
        ['crio.nri.nri_listen', 'crio.nri.extra'], id='1.36-next-key-after-the-new-one'),
    pytest.param(
        '10-crio.conf', runtime(cgroup_manager='systemd'), [],
        'default_runtime = "crun"\n', 'default_runtime = "crun"\ncgroup_manager = "systemd"\n',
        ['crio.runtime.cgroup_manager'], id='drop-in-dense-key'),
    pytest.param(
        '10-crio.conf', {'crio': {'log_level': 'info'}}, [],
        '\n[crio.image]\n', '\n[crio]\nlog_level = "info"\n\n[crio.image]\n',
        ['crio.log_level'], id='drop-in-parent-table-above-its-children'),
    pytest.param(
        '10-crio.conf', runtime(runtimes={'runc': {'runtime_root': '/run/runc2'}}), [['crio', 'runtime', 'runtimes', 'crun']],
        '[crio.runtime.runtimes.crun]\nruntime_path = "/usr/libexec/crio/crun"\nruntime_root = "/run/crun"\n'
        'monitor_path = "/usr/libexec/crio/conmon"\nallowed_annotations = [\n    "io.containers.trace-syscall",\n]\n\n'
        '[crio.runtime.runtimes.runc]\nruntime_path = "/usr/libexec/crio/runc"\nruntime_root = "/run/runc"\n',
        '[crio.runtime.runtimes.runc]\nruntime_path = "/usr/libexec/crio/runc"\nruntime_root = "/run/runc2"\n',
        ['crio.runtime.runtimes.crun', 'crio.runtime.runtimes.runc.runtime_root'], id='drop-in-remove-then-set'),
    pytest.param(
        'registries.conf', {'unqualified-search-registries': ['registry.example.internal:5000']}, [],
        '# unqualified-search-registries = ["example.com"]\n',
        '# unqualified-search-registries = ["example.com"]\nunqualified-search-registries = ["registry.example.internal:5000"]\n',
        ['unqualified-search-registries'], id='registries-root-key-below-commented-default'),
    pytest.param(
        'registries.conf', {'registry': [{'location': 'registry.example.internal:5000', 'insecure': True}]}, [],
        '# # in order, and use the first one that exists.\n',
        '# # in order, and use the first one that exists.\n\n[[registry]]\nlocation = "registry.example.internal:5000"\n'
        'insecure = true\n',
        ['registry'], id='registries-array-of-tables-at-the-end'),
    pytest.param(
        'registries-shortnames.conf', {'aliases': {'busybox': 'docker.io/library/busybox', 'fedora': 'quay.io/fedora/fedora'}}, [],
        '  "fedora" = "registry.fedoraproject.org/fedora"\n', '  "fedora" = "quay.io/fedora/fedora"\n',
        ['aliases.fedora'], id='shortnames-quoted-key-changes-in-place'),
]


@pytest.mark.parametrize('fixture, settings, remove, before, after, changed', CASES)
def test_edit_changes_only_what_it_must(fixture: str, settings: dict, remove: list, before: str, after: str,
                                        changed: list, fixture_text) -> None:
    text = fixture_text(fixture)
    assert text.count(before) == 1
    result = edit_toml(text, settings, normalize_remove(remove))
    assert result.text == text.replace(before, after)
    assert result.changed_keys == changed
    again = edit_toml(result.text, settings, normalize_remove(remove))
    assert again.text == result.text
    assert again.changed_keys == []


def test_new_key_in_paragraph_then_removed_restores_the_file(fixture_text) -> None:
    text = fixture_text('crio-2020.conf')
    added = edit_toml(text, runtime(conmon_cgroup='pod')).text
    assert edit_toml(added, remove=[('crio', 'runtime', 'conmon_cgroup')]).text == text


def test_key_below_commented_default_then_removed_restores_the_file(fixture_text) -> None:
    text = fixture_text('crio-config-v1.36.3.conf')
    added = edit_toml(text, runtime(cgroup_manager='cgroupfs', default_capabilities=['KILL'])).text
    removed = edit_toml(added, remove=[('crio', 'runtime', 'cgroup_manager'), ('crio', 'runtime', 'default_capabilities')])
    assert removed.text == text


def test_table_below_its_commented_block_then_removed_restores_the_file(fixture_text) -> None:
    # The commented-out workloads example after crun's block is another table's: it stays.
    text = fixture_text('crio-config-v1.36.3.conf')
    added = edit_toml(text, runtime(runtimes={'crun': {'runtime_path': '/usr/libexec/crio/crun'}})).text
    assert edit_toml(added, remove=[('crio', 'runtime', 'runtimes', 'crun')]).text == text


# The runtimes part of a crio.conf as kubespray's cri-o role renders it with
# Kata Containers enabled: its template ends the runtimes with a commented-out
# Firecracker table, then introduces [crio.image].
KUBESPRAY_RUNTIMES = '''\
[crio.runtime]
pinns_path = ""

[crio.runtime.runtimes.runc]
runtime_path = "/usr/bin/runc"
runtime_type = "oci"
runtime_root = "/run/runc"
privileged_without_host_devices = false

[crio.runtime.runtimes.kata-qemu]
runtime_path = "/usr/local/bin/containerd-shim-kata-qemu-v2"
runtime_type = "vm"
runtime_root = "/run/kata-containers"
privileged_without_host_devices = true

# Kata Containers with the Firecracker VMM
#[crio.runtime.runtimes.kata-fc]

# The crio.image table contains settings pertaining to the management of OCI images.
#
# CRI-O reads its configured registries defaults from the system wide
# containers-registries.conf(5) located in /etc/containers/registries.conf.
[crio.image]
default_transport = "docker://"
'''
KATA_QEMU = '''\
[crio.runtime.runtimes.kata-qemu]
runtime_path = "/usr/local/bin/containerd-shim-kata-qemu-v2"
runtime_type = "vm"
runtime_root = "/run/kata-containers"
privileged_without_host_devices = true

'''


RUNC = KUBESPRAY_RUNTIMES[KUBESPRAY_RUNTIMES.index('[crio.runtime.runtimes.runc]') : KUBESPRAY_RUNTIMES.index(KATA_QEMU)]


KATA_FC = '# Kata Containers with the Firecracker VMM\n#[crio.runtime.runtimes.kata-fc]\n\n'


@pytest.mark.parametrize('remove, gone', [
    ([('crio', 'runtime', 'runtimes', 'kata-qemu')], KATA_QEMU),
    ([('crio', 'runtime', 'runtimes', 'kata-qemu'), ('crio', 'runtime', 'runtimes', 'runc')], RUNC + KATA_QEMU),
    # Inside the removed table: the commented-out runtime goes with the runtimes.
    ([('crio', 'runtime', 'runtimes')], RUNC + KATA_QEMU + KATA_FC),
])
def test_removing_a_table_keeps_the_commented_out_table_after_it(remove: list, gone: str) -> None:
    result = edit_toml(KUBESPRAY_RUNTIMES, remove=remove)
    assert result.text == KUBESPRAY_RUNTIMES.replace(gone, '')
    assert edit_toml(result.text, remove=remove).text == result.text


def test_a_table_written_whole_stays_above_the_commented_out_table() -> None:
    settings = runtime(runtimes={'kata-qemu': {'runtime_path': '/usr/local/bin/containerd-shim-kata-qemu-v2', 'runtime_type': 'vm'}})
    result = edit_toml(KUBESPRAY_RUNTIMES, settings, [('crio', 'runtime', 'runtimes', 'kata-qemu')])
    assert result.text == KUBESPRAY_RUNTIMES.replace(
        KATA_QEMU, '[crio.runtime.runtimes.kata-qemu]\nruntime_path = "/usr/local/bin/containerd-shim-kata-qemu-v2"\n'
        'runtime_type = "vm"\n\n')


def test_a_new_runtime_goes_after_the_last_one_before_the_commented_out_table() -> None:
    result = edit_toml(KUBESPRAY_RUNTIMES, runtime(runtimes={'crun': {'runtime_path': '/usr/bin/crun'}}))
    assert result.text == KUBESPRAY_RUNTIMES.replace(
        KATA_QEMU, KATA_QEMU + '[crio.runtime.runtimes.crun]\nruntime_path = "/usr/bin/crun"\n\n')


@pytest.mark.parametrize('text, settings, remove, expected', [
    pytest.param('a = 1\n', {'b': {'c': 1}}, [], 'a = 1\n\n[b]\nc = 1\n', id='table-into-a-file-of-keys'),
    pytest.param('', {'crio': {'runtime': {'x': 1}}}, [], '[crio.runtime]\nx = 1\n', id='empty-file'),
    pytest.param('', {'a': 1, 't': {}}, [], 'a = 1\n\n[t]\n', id='empty-table'),
    pytest.param('a = 1', {'b': 2}, [], 'a = 1\nb = 2\n', id='no-final-newline'),
    pytest.param('a = 1\r\n[t]\r\nx = 1\r\n', {'t': {'y': [1, 2]}, 'b': 2}, [], 'a = 1\r\nb = 2\r\n[t]\r\nx = 1\r\ny = [1, 2]\r\n', id='crlf'),
    pytest.param("p = '/usr/bin/runc'\n", {'p': '/usr/bin/crun'}, [], "p = '/usr/bin/crun'\n", id='literal-quotes-kept'),
    pytest.param('t = { a = 1, b = "x" }  # inline\n', {'t': {'b': 'y', 'c': True}}, [], 't = { a = 1, b = "y", c = true }  # inline\n',
                 id='inline-table-merged'),
    pytest.param('t = { a = 1, b = 2 }\n', {}, [['t', 'a']], 't = { b = 2 }\n', id='inline-table-key-removed'),
    pytest.param('[crio]\nruntime.x = 1\n\n[crio.api]\n', {'crio': {'runtime': {'y': 2}}}, [], '[crio]\nruntime.x = 1\nruntime.y = 2\n\n[crio.api]\n',
                 id='dotted-keys-get-a-dotted-sibling'),
    pytest.param('[crio]\nruntime.x = 1\nruntime.y = 2\nz = 3\n', {}, [['crio', 'runtime']], '[crio]\nz = 3\n', id='dotted-table-removed'),
    pytest.param('[t]\n# about a and b\na = 1\nb = 2\n', {}, [['t', 'a']], '[t]\n# about a and b\nb = 2\n',
                 id='shared-comment-stays'),
    pytest.param('[t]\n\n# about a\na = 1\n\nb = 2\n', {}, [['t', 'a']], '[t]\n\nb = 2\n', id='own-comment-goes'),
    pytest.param('[[r]]\nl = "a"\n\n[[r]]\nl = "b"\n', {'r': [{'l': 'a'}, {'l': 'c'}]}, [], '[[r]]\nl = "a"\n\n[[r]]\nl = "c"\n',
                 id='array-of-tables-keeps-equal-elements'),
    pytest.param('# first\n[[r]]\nl = "a" # mine\n\n[other]\n', {'r': [{'l': 'a'}, {'l': 'b'}]}, [],
                 '# first\n[[r]]\nl = "a" # mine\n\n[[r]]\nl = "b"\n\n[other]\n', id='array-of-tables-append-keeps-comments'),
    pytest.param('[[r]]\nl = "a"\n[[r.m]]\nx = 1\n\n[[r]]\nl = "b"\n', {'r': [{'l': 'b'}]}, [], '[[r]]\nl = "b"\n',
                 id='array-of-tables-replaced-with-sub-tables'),
    pytest.param('[[r]]\nl = "a"\n', {'r': []}, [], 'r = []\n', id='array-of-tables-emptied'),
    pytest.param('x = 2020-01-21\n', {'x': datetime.date(2021, 2, 3)}, [], 'x = 2021-02-03\n', id='dates-stay-dates'),
    pytest.param('x = "2020-01-21"\n', {'x': '2021-02-03'}, [], 'x = "2021-02-03"\n', id='date-strings-stay-strings'),
    pytest.param('x = 1.0\n', {'x': 1.0}, [], 'x = 1.0\n', id='equal-float-untouched'),
    pytest.param('x = 0x10\n', {'x': 16}, [], 'x = 0x10\n', id='equal-hex-untouched'),
    pytest.param('x = nan\n', {'x': float('nan')}, [], 'x = nan\n', id='nan-equals-nan'),
    pytest.param('a = 1\n', {'b': {'c': {'d': {}}}}, [['nope'], ['b', 'x']], 'a = 1\n\n[b.c.d]\n', id='missing-remove-ignored'),
])
def test_edit_small_documents(text: str, settings: dict, remove: list, expected: str) -> None:
    result = edit_toml(text, settings, normalize_remove(remove))
    assert result.text == expected
    assert edit_toml(result.text, settings, normalize_remove(remove)).text == expected


REGISTRIES = {
    'unqualified-search-registries': ['docker.io'],
    'registry': [{'prefix': 'mirror.local:5000', 'location': 'mirror.local:5000', 'insecure': True,
                  'mirror': [{'location': 'cache.local'}]}],
}
WHOLE = [('unqualified-search-registries',), ('registry',), ('aliases',)]


def test_written_whole_then_unchanged() -> None:
    first = edit_toml('# ours\n', REGISTRIES, WHOLE)
    assert first.text == ('# ours\n\nunqualified-search-registries = ["docker.io"]\n\n[[registry]]\nprefix = "mirror.local:5000"\n'
                          'location = "mirror.local:5000"\ninsecure = true\n\n[[registry.mirror]]\nlocation = "cache.local"\n')
    assert first.changed_keys == ['unqualified-search-registries', 'registry']
    again = edit_toml(first.text, REGISTRIES, WHOLE)
    assert (again.text, again.changed_keys) == (first.text, [])
    fewer = edit_toml(first.text, {'registry': [{'location': 'other.local'}]}, WHOLE)
    assert fewer.text == '# ours\n\n[[registry]]\nlocation = "other.local"\n'
    assert fewer.changed_keys == ['unqualified-search-registries', 'registry']


@pytest.mark.parametrize('text, settings, remove, expected', [
    pytest.param('[crio.runtime.runtimes.runc]\nruntime_path = "/a"\nruntime_root = "/r"\n',
                 runtime(runtimes={'runc': {'runtime_path': '/b'}}), [['crio', 'runtime', 'runtimes', 'runc']],
                 '[crio.runtime.runtimes.runc]\nruntime_path = "/b"\n', id='table-replaced-not-merged'),
    pytest.param('t = { a = { x = 1 } }\n', {'t': {'b': {'y': 2}}}, [['t']], '[t.b]\ny = 2\n', id='inline-replaced'),
    pytest.param('u = 1\nt = { a = 1, b = 2 }\n', {'t': {'a': 'one'}}, [['t', 'a']], 'u = 1\nt = { a = "one", b = 2 }\n',
                 id='inline-key-replaced-with-new-type'),
])
def test_removed_and_set_is_replaced_whole(text: str, settings: dict, remove: list, expected: str) -> None:
    assert edit_toml(text, settings, normalize_remove(remove)).text == expected
    assert edit_toml(expected, settings, normalize_remove(remove)).changed_keys == []


@pytest.mark.parametrize('text, settings, message', [
    ('[crio.runtime]\npids_limit = 1024\n', runtime(pids_limit='2048'),
     "crio.runtime.pids_limit: the file has an integer (1024), settings give a string ('2048'); give an integer, "
     "or set force_type: true to replace it"),
    ('[crio.runtime]\nselinux = false\n', runtime(selinux=1),
     'crio.runtime.selinux: the file has a boolean (False), settings give an integer (1)'),
    ('[crio.runtime]\nx = 1\n', runtime(x=1.0), 'crio.runtime.x: the file has an integer (1), settings give a float (1.0)'),
    ('[crio.runtime]\nx = 1\n', {'crio': {'runtime': 'none'}}, 'crio.runtime: the file has a table, settings give a string'),
    ('[crio]\nruntime = "x"\n', runtime(x=1), 'crio.runtime: the file has a string (\'x\'), settings give a table'),
    ('[[registry]]\nlocation = "a"\n', {'registry': {'location': 'b'}}, 'registry: the file has an array of tables, settings give a table'),
    ('[[registry]]\nlocation = "a"\n', {'registry': ['a']}, 'registry: the file has an array of tables, settings give an array'),
    ('t = { a = 1 }\n', {'t': {'a': 'x'}}, "t.a: the file has an integer (1), settings give a string ('x')"),
    ('[t]\na = 1\nb = 2\n', {'t': {'a': 'x', 'b': 'y'}}, 't.a: the file has an integer (1), settings give a string (\'x\'); give an integer, '
     'or set force_type: true to replace it; t.b: the file has'),
])
def test_type_conflicts_name_the_key_and_both_types(text: str, settings: dict, message: str) -> None:
    with pytest.raises(TomlEditError) as error:
        edit_toml(text, settings)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize('text, settings, expected', [
    ('[crio.api]\nstream_port = "0"\n', {'crio': {'api': {'stream_port': 10010}}}, '[crio.api]\nstream_port = 10010\n'),
    ('[crio]\nruntime = "x"\n[crio.api]\n', runtime(a=1), '[crio]\n[crio.api]\n\n[crio.runtime]\na = 1\n'),
    ('[crio.runtime]\nx = 1\n', {'crio': {'runtime': 'off'}}, '[crio]\nruntime = "off"\n'),
    ('[[r]]\nl = "a"\n', {'r': ['a']}, 'r = ["a"]\n'),
])
def test_force_type_replaces(text: str, settings: dict, expected: str) -> None:
    result = edit_toml(text, settings, force_type=True)
    assert result.text == expected
    assert edit_toml(expected, settings).changed_keys == []


@pytest.mark.parametrize('text, line, column', [
    ('a = 1\n[b]\nc = = 2\n', 3, 5),
    ('a = 1\na = 2\n', 2, 1),
    ('[crio.runtime\n', 1, 14),
    ('x = "unterminated\n', 1, 18),
])
def test_invalid_toml_reports_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(TomlSyntaxError) as error:
        edit_toml(text, {'a': 1})
    assert (error.value.line, error.value.column) == (line, column)
    assert str(error.value).startswith('not valid TOML: ')
    assert str(error.value).endswith('(line %d, column %d)' % (line, column))


@pytest.mark.parametrize('text, line', [
    pytest.param('[crio]\na = 1\nb = 2\na = 3\n', 4, id='key-twice-in-a-table'),
    pytest.param('[[registry]]\nlocation = "a"\nlocation = "b"\n', 3, id='key-twice-in-an-array-of-tables'),
    pytest.param('x = 1\n[crio]\nruntime.a = 1\n\nruntime.a = 2\n', 5, id='dotted-key-twice'),
    pytest.param('[a]\nx.y = 1\n[a.x]\ny = 2\n', 3, id='table-defined-by-dotted-keys-then-a-header'),
    pytest.param('[a]\nb = 1\n[a.b]\nc = 1\n', 3, id='value-then-table'),
    pytest.param('[crio]\nt = { b = 1, b = 2 }\n', 2, id='inline-table'),
])
def test_duplicate_keys_report_their_line(text: str, line: int) -> None:
    with pytest.raises(TomlSyntaxError) as error:
        edit_toml(text, {'a': 1})
    assert str(error.value).startswith('not valid TOML: ')
    assert str(error.value).endswith('(line %d)' % line)
    assert (error.value.line, error.value.column) == (line, None)


@pytest.mark.parametrize('value, message', [
    ({'crio': {'runtime': {'conmon': None}}}, 'settings.crio.runtime.conmon: TOML has no null value'),
    ({'a': [1, None]}, 'settings.a[1]: TOML has no null value'),
    ({'a': {80: 'x'}}, 'settings.a: key 80 is an integer; TOML keys are strings, quote it'),
    ({'a': {tagged(80): 'x'}}, 'settings.a: key 80 is an integer; TOML keys are strings, quote it'),
    ({'a': tagged({'b': {1.5: 'x'}})}, 'settings.a.b: key 1.5 is a float; TOML keys are strings'),
    ({'a': b'x'}, 'settings.a: expected a string, number, boolean, date, list or mapping, got bytes'),
    ({'a.b': {'c': object()}}, 'settings."a.b".c: expected a string, number, boolean, date, list or mapping, got object'),
    ({'t': datetime.time(1, 2, tzinfo=datetime.timezone.utc)}, 'settings.t: a TOML time has no time zone'),
])
def test_bad_settings_name_the_element(value: dict, message: str) -> None:
    with pytest.raises(TomlEditError) as error:
        to_toml_data(value, 'settings')
    assert str(error.value).startswith(message)


INT64_RANGE = 'TOML integers are signed 64-bit, from -9223372036854775808 to 9223372036854775807'


@pytest.mark.parametrize('value, message', [
    ({'crio': {'runtime': {'pids_limit': 2**64}}}, 'settings.crio.runtime.pids_limit: 18446744073709551616 is too big; '),
    ({'a': 2**63}, 'settings.a: 9223372036854775808 is too big; '),
    ({'a': -2**63 - 1}, 'settings.a: -9223372036854775809 is too small; '),
    ({'a': [1, 2**64]}, 'settings.a[1]: 18446744073709551616 is too big; '),
])
def test_integers_beyond_64_bits_are_refused(value: dict, message: str) -> None:
    with pytest.raises(TomlEditError) as error:
        to_toml_data(value, 'settings')
    assert str(error.value) == message + INT64_RANGE


@pytest.mark.parametrize('value', [2**63 - 1, -2**63, 0])
def test_integers_at_the_64_bit_limits_are_kept(value: int) -> None:
    assert to_toml_data({'a': value}, 'settings') == {'a': value}


class _TaggedStr(str):
    """Stands in for the str subclasses Ansible hands templated values in."""


def test_settings_become_plain_builtin_types() -> None:
    data = to_toml_data({_TaggedStr('k'): [_TaggedStr('v'), True, 1, 1.5, datetime.date(2020, 1, 1)]}, 'settings')
    assert same(data, {'k': ['v', True, 1, 1.5, datetime.date(2020, 1, 1)]})
    assert list(data)[0].__class__ is str and data['k'][0].__class__ is str


@pytest.mark.parametrize('entries, message', [
    (['crio.file_locking'], "remove[0]: expected a list of name parts such as [crio, runtime, conmon], got 'crio.file_locking'"),
    ([[]], 'remove[0]: expected a list of name parts'),
    ([['crio'], ['crio', 1]], "remove[1]: every name part must be a string, got ['crio', 1]"),
])
def test_bad_remove_entries(entries: list, message: str) -> None:
    with pytest.raises(TomlEditError) as error:
        normalize_remove(entries)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize('text, remove, message', [
    ('[[registry]]\ninsecure = true\n', [['registry', 'insecure']],
     'remove registry.insecure: registry is an array of tables; it can be removed whole, not key by key'),
    ('[crio]\nlog_level = "info"\n', [['crio', 'log_level', 'x']], 'remove crio.log_level.x: crio.log_level is a string, not a table'),
])
def test_remove_inside_values_is_refused(text: str, remove: list, message: str) -> None:
    with pytest.raises(TomlEditError) as error:
        edit_toml(text, remove=normalize_remove(remove))
    assert str(error.value) == message


def test_dotted_settings_key_warns() -> None:
    result = edit_toml('[crio]\n', {'crio': {'runtime.cgroup_manager': 'systemd'}})
    assert result.text == '[crio]\n"runtime.cgroup_manager" = "systemd"\n'
    assert result.warnings == ['settings key \'runtime.cgroup_manager\' is one TOML key with a dot in its name '
                               '(written "runtime.cgroup_manager"); to reach a nested table, nest mappings instead']


@pytest.mark.parametrize('left, right, equal', [
    (1, 1, True), (1, True, False), (1, 1.0, False), ([1, {'a': 'b'}], [1, {'a': 'b'}], True),
    ({'a': 1}, {'a': 1, 'b': 2}, False), (float('nan'), float('nan'), True), ([1], [1, 2], False),
])
def test_same_tells_types_apart(left: object, right: object, equal: bool) -> None:
    assert same(left, right) is equal
