# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""A reset removes what nodeops.crio wrote, as it wrote it, and nothing else."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.nodeops.crio.plugins.plugin_utils._reset_plan import EDITED, UNREAD, PlanError, parse_listing, parse_sums, plan
from ansible_collections.nodeops.crio.tests.unit.compat import tagged

BUNDLE = '/var/cache/nodeops-crio/cri-o.v1.36.3/cri-o'
OLD_BUNDLE = '/var/cache/nodeops-crio/cri-o.v1.36.2/cri-o'
SOURCES = r'^/var/cache/nodeops-crio/cri-o\.v[^/]+/cri-o$'
LAYOUT = {
    'bin/crio': '/usr/local/bin/crio',
    'bin/': '/usr/libexec/crio/',
    'cni-plugins/': '/opt/cni/bin/',
    'contrib/policy.json': '/etc/crio/policy.json',
}
OWN = ['/etc/crio/crio.conf.d/50-nodeops.conf', '/var/cache/nodeops-crio/cri-o.v1.36.3']
PRUNE = ['/etc/crio', '/etc/crio/crio.conf.d', '/opt/cni/bin', '/usr/libexec/crio', '/opt/cni']
A, B, C, D = ('a' * 64), ('b' * 64), ('c' * 64), ('d' * 64)


def listing(*lines):
    return ''.join(line + '\n' for line in lines)


def sums(**by_path):
    return ''.join('%s  %s\n' % (digest, path) for path, digest in by_path.items())


INSTALLED = listing(
    'd /usr/local/bin', 'f /usr/local/bin/crio', 'f /usr/local/bin/kubectl',
    'd /usr/libexec/crio', 'f /usr/libexec/crio/runc',
    'd /opt/cni', 'd /opt/cni/bin', 'f /opt/cni/bin/bridge',
    'd /etc/crio', 'f /etc/crio/policy.json', 'd /etc/crio/crio.conf.d', 'f /etc/crio/crio.conf.d/50-nodeops.conf',
    'd /var/cache/nodeops-crio', 'd /var/cache/nodeops-crio/cri-o.v1.36.3', 'd ' + BUNDLE,
    'd %s/bin' % BUNDLE, 'f %s/bin/crio' % BUNDLE, 'f %s/bin/runc' % BUNDLE,
    'd %s/cni-plugins' % BUNDLE, 'f %s/cni-plugins/bridge' % BUNDLE,
    'd %s/contrib' % BUNDLE, 'f %s/contrib/policy.json' % BUNDLE, 'f %s/README.md' % BUNDLE,
)
SUMS = {
    '/usr/local/bin/crio': A, '/usr/local/bin/kubectl': D, '/usr/libexec/crio/runc': B, '/opt/cni/bin/bridge': C,
    '/etc/crio/policy.json': D, '/etc/crio/crio.conf.d/50-nodeops.conf': D,
    BUNDLE + '/bin/crio': A, BUNDLE + '/bin/runc': B, BUNDLE + '/cni-plugins/bridge': C,
    BUNDLE + '/contrib/policy.json': D, BUNDLE + '/README.md': A,
}


def run(entries=INSTALLED, digests=None, **options):
    options.setdefault('own', OWN)
    options.setdefault('prune', PRUNE)
    options.setdefault('sources', SOURCES)
    options.setdefault('layout', LAYOUT)
    return plan(entries, sums(**(SUMS if digests is None else digests)), **options)


def test_a_fresh_install_goes_whole_and_leaves_other_files():
    result = run()
    # Folders that go whole stand for what is in them.
    assert result['remove'] == [
        '/usr/local/bin/crio', '/var/cache/nodeops-crio/cri-o.v1.36.3', '/usr/libexec/crio', '/etc/crio', '/opt/cni',
    ]
    assert result['keep'] == []
    assert result['sources'] == [BUNDLE]


def test_a_file_nobody_installed_keeps_its_folders_and_is_not_reported():
    entries = INSTALLED + listing('f /etc/crio/crio.conf.d/60-operator.conf', 'f /opt/cni/bin/calico')
    result = run(entries, dict(SUMS, **{'/etc/crio/crio.conf.d/60-operator.conf': A, '/opt/cni/bin/calico': A}))
    assert result['remove'] == [
        '/etc/crio/crio.conf.d/50-nodeops.conf', '/etc/crio/policy.json', '/opt/cni/bin/bridge', '/usr/local/bin/crio',
        '/var/cache/nodeops-crio/cri-o.v1.36.3', '/usr/libexec/crio',
    ]
    assert result['keep'] == []


@pytest.mark.parametrize('path', ['/etc/crio/policy.json', '/usr/local/bin/crio', '/opt/cni/bin/bridge'])
def test_a_file_that_differs_from_the_bundle_stays_with_its_folders(path):
    result = run(digests=dict(SUMS, **{path: 'e' * 64}))
    assert path not in result['remove']
    assert result['keep'] == [dict(path=path, reason=EDITED)]
    for folder in PRUNE:
        if path.startswith(folder + '/'):
            assert folder not in result['remove']


def test_any_bundle_kept_on_the_node_vouches_for_its_content():
    entries = INSTALLED + listing('d /var/cache/nodeops-crio/cri-o.v1.36.2', 'd ' + OLD_BUNDLE,
                                  'd %s/bin' % OLD_BUNDLE, 'f %s/bin/crio' % OLD_BUNDLE)
    result = run(entries, dict(SUMS, **{'/usr/local/bin/crio': B, OLD_BUNDLE + '/bin/crio': B}))
    assert '/usr/local/bin/crio' in result['remove']
    assert result['sources'] == [OLD_BUNDLE, BUNDLE]


def test_without_a_bundle_on_the_node_nothing_it_installed_is_touched():
    entries = listing(*(line for line in INSTALLED.splitlines() if '/var/cache' not in line))
    result = run(entries)
    assert result['remove'] == ['/etc/crio/crio.conf.d']
    assert result['sources'] == []


@pytest.mark.parametrize('recorded, known', [
    (sums(**{'/usr/local/lib/systemd/system/crio.service': C}), {}),
    ('', {'/usr/local/lib/systemd/system/crio.service': [C.upper()]}),
])
def test_stamps_and_known_contents_count_as_the_collections(recorded, known):
    entries = listing('d /usr/local/lib/systemd', 'd /usr/local/lib/systemd/system', 'f /usr/local/lib/systemd/system/crio.service')
    digests = {'/usr/local/lib/systemd/system/crio.service': C}
    result = run(entries, digests, recorded=recorded, known=known, own=[],
                 prune=['/usr/local/lib/systemd', '/usr/local/lib/systemd/system'])
    assert result['remove'] == ['/usr/local/lib/systemd']


@pytest.mark.parametrize('kind, reason', [
    ('l', 'is a symbolic link where nodeops.crio installed a file, so left'),
    ('d', 'is a directory where nodeops.crio installed a file, so left'),
])
def test_something_else_than_a_file_at_an_install_path_stays(kind, reason):
    entries = INSTALLED.replace('f /usr/local/bin/crio\n', '%s /usr/local/bin/crio\n' % kind)
    digests = dict(SUMS)
    del digests['/usr/local/bin/crio']
    assert run(entries, digests)['keep'] == [dict(path='/usr/local/bin/crio', reason=reason)]


def test_a_file_without_a_sum_stays():
    digests = dict(SUMS)
    del digests['/usr/libexec/crio/runc']
    result = run(digests=digests)
    assert result['keep'] == [dict(path='/usr/libexec/crio/runc', reason=UNREAD)]
    assert '/usr/libexec/crio' not in result['remove']


def test_a_second_reset_finds_nothing_to_do():
    first = run()
    left = listing(*(line for line in INSTALLED.splitlines()
                     if not any(line[2:] == path or line[2:].startswith(path + '/') for path in first['remove'])))
    assert run(left) == dict(remove=[], keep=[], sources=[])


def test_an_own_folder_goes_whole_and_missing_paths_are_ignored():
    entries = listing('d /var/backups/nodeops-crio', 'f /var/backups/nodeops-crio/50-nodeops.conf.1.2026~')
    result = run(entries, {}, own=['/var/backups/nodeops-crio', '/usr/local/libexec/nodeops-crio'], prune=['/etc/crio'])
    assert result['remove'] == ['/var/backups/nodeops-crio']


@pytest.mark.parametrize('text, expected', [
    ('f /etc/crio/x\nd /etc/crio/\n\ngarbage\nf relative\n', {'/etc/crio/x': 'f', '/etc/crio': 'd'}),
    ('l /etc/a b\n', {'/etc/a b': 'l'}),
])
def test_parse_listing(text, expected):
    assert parse_listing(text) == expected


@pytest.mark.parametrize('text, expected', [
    ('%s  /usr/bin/x\n%s */usr/bin/y\n' % (A, B), {'/usr/bin/x': A, '/usr/bin/y': B}),
    ('\\%s  /usr/bin/odd\\nname\nsha256sum: /nope: No such file\n' % A, {}),
])
def test_parse_sums(text, expected):
    assert parse_sums(text) == expected


@pytest.mark.parametrize('options, message', [
    (dict(own='/etc/crio'), 'own: expected a list of absolute paths'),
    (dict(prune=['etc/crio']), 'prune: expected a list of absolute paths'),
    (dict(known=['/etc/crictl.yaml']), 'known: expected a mapping'),
    (dict(known={'/etc/crictl.yaml': A}), 'known: expected a list of sha256 per path'),
    (dict(sources='(['), 'sources: not a regular expression'),
    (dict(recorded=None), 'recorded: expected text'),
    # ansible-core 2.19 tags templated values; the message names the plain type.
    (dict(recorded=tagged(['x'])), 'recorded: expected text, got list$'),
    (dict(layout=tagged(['x'])), 'layout: expected a mapping of paths, got list$'),
])
def test_bad_input_names_the_argument(options, message):
    with pytest.raises(PlanError, match=message):
        run(**options)


DIRS = ['/a', '/a/b', '/c']
FILES = ['/a/x', '/a/b/y', '/a/b/w', '/c/z']


@given(present=st.sets(st.sampled_from(FILES)), edited=st.sets(st.sampled_from(FILES)),
       expected=st.sets(st.sampled_from(FILES)), own=st.sets(st.sampled_from(FILES + DIRS)),
       prune=st.sets(st.sampled_from(DIRS)))
def test_nothing_is_removed_that_is_not_the_collections(present, edited, expected, own, prune):
    entries = listing(*(['d ' + path for path in DIRS] + ['f ' + path for path in sorted(present)]))
    digests = {path: (B if path in edited else A) for path in present}
    result = plan(entries, sums(**digests), known={path: [A] for path in expected}, own=sorted(own), prune=sorted(prune))

    def mine(path):
        return any(path == o or path.startswith(o + '/') for o in own) or (path in expected and path not in edited)

    for path in result['remove']:
        inside = [entry for entry in present | set(DIRS) if entry.startswith(path + '/')]
        assert mine(path) or path in prune
        # A folder goes only with what is in it being the collection's, or it is the collection's own.
        assert mine(path) or all(mine(entry) or entry in prune for entry in inside)
    owned = {path for path in present if any(path == o or path.startswith(o + '/') for o in own)}
    assert {entry['path'] for entry in result['keep']} == (present & expected & edited) - owned
