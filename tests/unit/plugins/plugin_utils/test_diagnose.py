# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The diagnose playbook's decisions, from what real nodes and files hold.

The base node is the diagnose scenario's healthy node as the playbook read it
(tests/unit/fixtures/diagnose/); each test changes one thing in it.
"""

from __future__ import annotations

import copy
import json
import os
import typing as t

import pytest

from ansible_collections.nodeops.crio.plugins.filter.diagnosis import FilterModule
from ansible_collections.nodeops.crio.plugins.module_utils import _crio_facts as cf
from ansible_collections.nodeops.crio.plugins.module_utils._toml_read import loads
from ansible_collections.nodeops.crio.plugins.plugin_utils._diagnose import CRUN_MINIMUM, KUBELET_CHECKS, diagnose, driver_from_cri

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures')
CONFIG = '/var/lib/kubelet/config.yaml'
KUBEADM_FLAGS = '/var/lib/kubelet/kubeadm-flags.env'


def read(name: str) -> str:
    with open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
        return handle.read()


# The fixture was read when the diagnose scenario pinned mirror:5000/pause:3.10.1;
# the role now derives kubeadm 1.36's tag there (crio_pause_repository: mirror:5000).
BED_PAUSE = 'mirror:5000/pause:3.10.2'


def bed_crio(pause_image: str = BED_PAUSE) -> dict[str, t.Any]:
    """ansible_facts.crio of the scenario's node, with CRI-O's pause_image set to pause_image."""
    facts = json.loads(read('diagnose/crio-facts-v1.36.3.json'))
    facts['config']['crio']['image']['pause_image'] = facts['pause_image'] = pause_image
    return facts


def healthy() -> dict[str, t.Any]:
    return {
        'crio': bed_crio(),
        'kubelet': json.loads(read('diagnose/kubelet-facts-v1.36.3.json')),
        'kubelet_service': 'kubelet.service',
        'kubelet_config_text': read('diagnose/kubelet-config-kubeadm-crio.yaml'),
        'runtime_versions': {'crun': read('diagnose/crun-version-1.8.1.txt'), 'runc': read('diagnose/runc-version-1.1.5.txt')},
        'cni_dir': '/etc/cni/net.d/',
        'cni_files': ['/etc/cni/net.d/10-nodeops-bridge.conflist'],
        'drop_in_dir': '/etc/crio/crio.conf.d',
        'drop_in_files': ['/etc/crio/crio.conf.d/10-crio.conf', '/etc/crio/crio.conf.d/50-nodeops.conf'],
        'sandboxes': '{\n  "items": []\n}\n',
    }


def node(**changes: t.Any) -> dict[str, t.Any]:
    result = healthy()
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = dict(result[key], **value)
        else:
            result[key] = value
    return result


def kubelet_config(**keys: str) -> str:
    """The scenario's kubelet configuration with top-level keys replaced or added."""
    lines = [line for line in read('diagnose/kubelet-config-kubeadm-crio.yaml').splitlines()
             if line.split(':')[0] not in keys]
    return '\n'.join(lines + ['%s: %s' % item for item in keys.items()]) + '\n'


def checks(result: dict[str, t.Any], severity: str | None = None) -> list[str]:
    return [item['check'] for item in result['findings'] if severity in (None, item['severity'])]


def only(result: dict[str, t.Any], check: str) -> dict[str, str]:
    found = [item for item in result['findings'] if item['check'] == check]
    assert len(found) == 1, result['findings']
    return found[0]


def flag(name: str, value: str | None, path: str = KUBEADM_FLAGS, variable: str = 'KUBELET_KUBEADM_ARGS') -> dict[str, t.Any]:
    return dict(name=name, value=value, form='eq', file=path, variable=variable)


def test_the_healthy_bed_node_only_warns_about_its_unused_old_crun():
    result = diagnose(healthy())
    assert result['clean'] is True
    assert result['skipped'] == []
    assert [(item['check'], item['severity']) for item in result['findings']] == [('crun_too_old', 'warning')]
    assert result['report'] == [
        'no problems, 1 warning',
        'WARNING crun_too_old: Runtime handler crun runs /usr/libexec/crio/crun, crun 1.8.1, older than 1.14.3: it '
        'refuses the OCI runtime spec version that CRI-O 1.36.3 writes, and containers fail at create ("unknown version '
        'specified"); no pod uses it now, but any pod whose RuntimeClass names it will fail. Fix: Install crun 1.14.3 or '
        'newer at /usr/libexec/crio/crun (CRI-O\'s release bundle carries one), or remove the handler.']


def test_the_filter_is_the_diagnosis():
    assert FilterModule().filters()['diagnosis'](healthy()) == diagnose(healthy())


def test_a_clean_node_says_so():
    result = diagnose(node(runtime_versions={'crun': 'crun version 1.21\ncommit: x\nspec: 1.0.0\n'}))
    assert result == dict(findings=[], skipped=[], clean=True, report=['no problems, no warnings'])


# --- CRI-O -------------------------------------------------------------------

def test_the_2020_crio_conf_reports_each_removed_option_and_warns_about_deprecated_ones():
    document = loads(read('crio-2020.conf'))
    removed = [dict(item, file='/etc/crio/crio.conf') for item in cf.removed_settings(document)]
    result = diagnose(node(crio={'removed_options': removed}))
    problems = [item['message'] for item in result['findings'] if item['check'] == 'removed_option' and item['severity'] == 'problem']
    warnings = [item['message'] for item in result['findings'] if item['check'] == 'removed_option' and item['severity'] == 'warning']
    assert problems == [
        '/etc/crio/crio.conf still sets crio.file_locking, removed in CRI-O 1.16',
        '/etc/crio/crio.conf still sets crio.file_locking_path, removed in CRI-O 1.16',
        '/etc/crio/crio.conf still sets crio.runtime.default_mounts, removed in CRI-O 1.20',
        '/etc/crio/crio.conf still sets crio.image.registries, no effect since CRI-O 1.21, removed in 1.31',
        '/etc/crio/crio.conf still sets crio.image.insecure_registries, no effect since CRI-O 1.35, removed in September 2026 (cri-o/cri-o#10303)',
    ]
    assert warnings == ['/etc/crio/crio.conf still sets crio.runtime.conmon, deprecated since CRI-O 1.24',
                        '/etc/crio/crio.conf still sets crio.runtime.conmon_env, deprecated since CRI-O 1.24',
                        "/etc/crio/crio.conf still sets crio.runtime.pids_limit, deprecated in CRI-O 1.36 in favour of "
                        "kubelet's podPidsLimit",
                        "/etc/crio/crio.conf still sets crio.runtime.log_size_max, deprecated in CRI-O 1.36 in favour of "
                        "kubelet's containerLogMaxSize"]
    fixes = dict((item['message'].split(' sets ')[1].split(',')[0], item['fix']) for item in result['findings']
                 if item['check'] == 'removed_option')
    assert fixes['crio.file_locking'] == 'Delete it from /etc/crio/crio.conf'
    assert fixes['crio.image.insecure_registries'] == (
        'Delete it from /etc/crio/crio.conf; mark the registry insecure in /etc/containers/registries.conf(.d) '
        '(role variable crio_registries_insecure)')
    # The 2020 file's 512 MiB cap, in kubelet's form.
    assert fixes['crio.runtime.log_size_max'] == (
        'Delete it from /etc/crio/crio.conf; set kubelet_settings: {containerLogMaxSize: 512Mi} with nodeops.crio.kubelet '
        "and leave the crio role's crio_log_size_max null")
    assert result['clean'] is False


def test_crio_1_36_s_own_configuration_has_no_removed_option():
    assert cf.removed_settings(loads(read('crio-config-v1.36.3.conf'))) == []
    assert cf.removed_settings(loads(read('10-crio.conf'))) == []


@pytest.mark.parametrize('name, leftover', [
    ('50-nodeops.conf.4242.2026-11-25@10:00:00~', True),  # Ansible's backup: true
    ('50-nodeops.conf.bak', True),
    ('10-crio.conf.rpmsave', True),
    ('10-crio.conf.dpkg-old', True),
    ('.50-nodeops.conf.swp', True),
    ('99-local.conf.disabled', True),
    ('README', True),
    ('99-local.conf', False),
    ('teams/20-gpu.conf', False),
])
def test_files_crio_reads_whatever_their_name(name, leftover):
    path = '/etc/crio/crio.conf.d/' + name
    result = diagnose(node(drop_in_files=healthy()['drop_in_files'] + [path]))
    assert ('drop_in_leftover' in checks(result, 'problem')) is leftover
    if leftover:
        assert only(result, 'drop_in_leftover')['message'].startswith(path + ' is no .conf file, yet CRI-O reads every file')


@pytest.mark.parametrize('names, missing', [
    ([], True),
    (['10-crio-bridge.conflist.disabled'], True),
    (['README.md', '87-podman.conflist.orig'], True),
    (['10-nodeops-bridge.conflist'], False),
    (['10-calico.conf'], False),
    (['05-cilium.json'], False),
])
def test_cni_configuration(names, missing):
    result = diagnose(node(cni_files=['/etc/cni/net.d/' + name for name in names]))
    assert ('cni_config_missing' in checks(result, 'problem')) is missing
    if missing and names:
        assert 'it holds only %s' % ', '.join(sorted(names)) in only(result, 'cni_config_missing')['message']


@pytest.mark.parametrize('network_ready, said', [
    (False, '; CRI-O reports NetworkReady=false, so pods get no network'),
    (True, '; CRI-O keeps the network it loaded before only until it restarts, then pods get no network'),
])
def test_cni_message_follows_what_crio_reports(network_ready, said):
    facts = dict(healthy()['crio'], conditions={'RuntimeReady': True, 'NetworkReady': network_ready})
    message = only(diagnose(node(crio=facts, cni_files=[])), 'cni_config_missing')['message']
    assert message == 'No CNI network configuration in /etc/cni/net.d/ (CRI-O takes the first *.conf, *.conflist or *.json there)' + said


@pytest.mark.parametrize('text, too_old', [
    ('crun version 1.8.1\ncommit: f8a096b\nrundir: /run/crun\nspec: 1.0.0\n', True),  # Debian 12
    ('crun version 1.14.1\n', True),
    ('crun version 1.14.2\n', True),
    ('crun version 1.14.3\n', False),
    ('crun version 1.21\ncommit: x\n', False),  # Debian 13
    ('crun version 1.24\n', False),
    ('', False),  # did not answer
])
def test_crun_version_threshold(text, too_old):
    facts = dict(healthy()['crio'], default_runtime='crun')
    result = diagnose(node(crio=facts, runtime_versions={'crun': text, 'runc': read('diagnose/runc-version-1.1.5.txt')}))
    assert ('crun_too_old' in checks(result, 'problem')) is too_old
    assert CRUN_MINIMUM == (1, 14, 3)


def test_runc_is_never_taken_for_crun():
    versions = {'crun': read('diagnose/runc-version-1.1.5.txt'), 'runc': read('diagnose/runc-version-1.1.5.txt')}
    assert 'crun_too_old' not in checks(diagnose(node(runtime_versions=versions)))


def test_an_old_crun_is_a_problem_as_default_or_when_a_sandbox_uses_it():
    default = diagnose(node(crio={'default_runtime': 'crun'}))
    assert only(default, 'crun_too_old')['severity'] == 'problem'
    assert only(default, 'crun_too_old')['message'].endswith('; it is the default runtime, so every pod fails')
    pods = json.loads(read('diagnose/crictl-pods-v1.36.0.json'))
    pods['items'][0]['runtimeHandler'] = 'crun'
    used = diagnose(node(sandboxes=json.dumps(pods)))
    assert [item['severity'] for item in used['findings'] if item['check'] == 'crun_too_old'] == ['problem']
    assert 'pod sandboxes on this node use it' in only(used, 'crun_too_old')['message']


def test_only_notready_sandboxes_of_pods_without_a_ready_one_are_reported():
    # bed-pod: attempt 0 NotReady, attempt 1 Ready; bed-stale: NotReady only.
    result = diagnose(node(sandboxes=read('diagnose/crictl-pods-v1.36.0.json')))
    finding = only(result, 'notready_sandbox')
    assert finding == dict(
        check='notready_sandbox', severity='problem',
        message='Pod sandbox bf2a6c7122d15 (default/bed-stale, attempt 0) is NotReady and its pod has no Ready sandbox',
        fix='If kubelet no longer runs this pod, remove it: crictl rmp '
            'bf2a6c7122d151e60c7b5357b61fcee6d79553883ee696f9026885bb72e4f4ea. If it does, journalctl -u kubelet says '
            'why its sandbox stopped (a cgroup driver that differs from CRI-O\'s used to be the cause)')


NOT_LISTED = 'notready_sandbox: CRI-O did not list its pod sandboxes'


@pytest.mark.parametrize('facts, check, skipped', [
    ({'installed': False, 'running': False, 'config_source': 'none', 'version': None}, 'crio_missing',
     ['CRI-O checks: CRI-O is not installed']),
    ({'running': False, 'ready': False, 'config_source': 'files'}, 'crio_down', [NOT_LISTED]),
    ({'ready': False, 'conditions': {'RuntimeReady': False, 'NetworkReady': True}}, 'crio_down', [NOT_LISTED]),
    ({'running': False, 'ready': False, 'config_source': 'none', 'config_error': 'crio config failed: invalid TOML'},
     'crio_config', ['cni_config_missing, crun_too_old, pause_image, cgroup_driver, version_skew: no configuration to read']),
])
def test_crio_itself(facts, check, skipped):
    result = diagnose(node(crio=facts, sandboxes=None))
    assert check in checks(result, 'problem')
    assert result['skipped'] == skipped
    assert result['clean'] is False


def test_without_crictl_readiness_and_sandboxes_are_not_known():
    result = diagnose(node(crio={'ready': False, 'conditions': {}, 'crictl_version': None}, sandboxes=None))
    assert checks(result, 'problem') == []
    assert result['skipped'] == ["crio_down: crictl did not report CRI-O's conditions (is crictl installed?)", NOT_LISTED]


def test_without_crio_kubelet_is_still_checked_against_crio_s_default_socket():
    result = diagnose(node(crio={'installed': False, 'running': False}, kubelet_config_text=kubelet_config(
        containerRuntimeEndpoint='unix:///run/containerd/containerd.sock')))
    assert checks(result) == ['crio_missing', 'cri_endpoint']
    assert "not CRI-O's /var/run/crio/crio.sock" in only(result, 'cri_endpoint')['message']


# --- the pause image ---------------------------------------------------------

def pause_node(pause_image: str, kubelet_version: str = 'v1.36.3', crio_version: str = '1.36.3') -> dict[str, t.Any]:
    return node(crio=dict(bed_crio(pause_image), version=crio_version), kubelet={'version': kubelet_version})


def test_the_pinned_pause_of_the_captured_node_is_not_kubeadm_1_36_s():
    # The fixture as read: the scenario's node then ran mirror:5000/pause:3.10.1 under kubelet v1.36.3.
    result = diagnose(node(crio=json.loads(read('diagnose/crio-facts-v1.36.3.json'))))
    assert result['clean'] is True
    assert only(result, 'pause_image') == dict(
        check='pause_image', severity='warning',
        message="CRI-O's pause_image is mirror:5000/pause:3.10.1, but kubeadm 1.36 (the minor of kubelet v1.36.3) uses the "
                "pause tag 3.10.2, as in registry.k8s.io/pause:3.10.2: kubeadm warns that the runtime's sandbox image "
                "differs from its own",
        fix='Give CRI-O mirror:5000/pause:3.10.2: with nodeops.crio.crio, leave crio_pause_image empty and set '
            'crio_pause_repository: mirror:5000, so the tag follows the minor, or set crio_pause_image: '
            'mirror:5000/pause:3.10.2. CRI-O takes a new pause_image on reload: systemctl reload crio')


@pytest.mark.parametrize('pause_image, kubelet_version, crio_version, wanted', [
    ('mirror:5000/pause:3.10.2', 'v1.36.3', '1.36.3', None),
    ('registry.k8s.io/pause:3.10.2', 'v1.36.3', '1.36.3', None),
    ('mirror.internal:5000/k8s/pause:3.10.1', 'v1.35.2', '1.35.6', None),
    ('mirror:5000/pause:3.10.2', 'v1.37.2', '1.37.4', None),
    ('mirror:5000/pause:3.10.1', 'v1.36.3', '1.36.3', '3.10.2'),
    ('mirror:5000/pause:3.10.2', 'v1.35.2', '1.36.3', '3.10.1'),
    ('mirror:5000/pause:3.10.1', 'v1.35.2', '1.36.3', None),
    ('mirror:5000/pause', 'v1.36.3', '1.36.3', '3.10.2'),
    ('registry.k8s.io/pause:3.9@sha256:' + '0' * 64, 'v1.36.3', '1.36.3', '3.10.2'),
    ('registry.k8s.io/pause@sha256:' + '0' * 64, 'v1.36.3', '1.36.3', None),
    ('mirror:5000/pause:3.10.1', 'v1.38.0', '1.38.0', None),
    ('mirror:5000/pause:3.10.2', 'v1.34.4', '1.35.9', None),
    ('mirror:5000/pause:3.10.1', '', '1.36.3', '3.10.2'),
    ('mirror:5000/pause:3.10.2', '', '1.35.6', '3.10.1'),
    ('', 'v1.36.3', '1.36.3', None),
], ids=['derived', 'another-repository-same-tag', 'mirror-with-path-1.35', 'kubeadm-1.37', 'tag-of-1.35-under-1.36',
        'the-kubelet-s-minor-wins', 'right-for-the-kubelet', 'no-tag-is-latest', 'tag-beside-a-digest', 'digest-only',
        'unknown-minor', 'unknown-kubelet-minor-is-not-crio-s', 'no-kubelet-version-takes-crio-s',
        'no-kubelet-version-1.35', 'no-pause-image'])
def test_the_pause_tag_against_kubeadm_s_of_the_minor(pause_image, kubelet_version, crio_version, wanted):
    found = [item for item in diagnose(pause_node(pause_image, kubelet_version, crio_version))['findings']
             if item['check'] == 'pause_image']
    assert [item['message'].split(' uses the pause tag ')[1].split(',')[0] for item in found] == ([wanted] if wanted else [])


def test_crio_1_36_s_own_default_differs_from_kubeadm_1_36_s_not_1_35_s():
    # What `crio config --default` of CRI-O 1.36.3 prints: its built-in pause_image.
    default = cf.summarize_config(loads(read('crio_facts/crio-1.36.3-config-default.toml')))['pause_image']
    assert default == 'registry.k8s.io/pause:3.10.1'
    finding = only(diagnose(pause_node(default)), 'pause_image')
    assert finding['fix'].startswith('Give CRI-O registry.k8s.io/pause:3.10.2: with nodeops.crio.crio, leave crio_pause_image '
                                     'empty and set crio_pause_repository: registry.k8s.io,')
    assert 'pause_image' not in checks(diagnose(pause_node(default, 'v1.35.2')))


def test_without_kubelet_the_pause_tag_is_cri_o_s_minor_s():
    result = diagnose(node(crio=bed_crio('mirror:5000/pause:3.10.1'), kubelet=json.loads(read('diagnose/kubelet-facts-absent.json')),
                           kubelet_service='bed-absent-kubelet.service', kubelet_config_text=None))
    assert "kubeadm 1.36 (the minor of CRI-O 1.36.3, no kubelet version known)" in only(result, 'pause_image')['message']


@pytest.mark.parametrize('pause_image, kubelet_version, fix', [
    ('mirror:5000/k8s-pause:3.9', 'v1.36.3', 'Give CRI-O mirror:5000/k8s-pause:3.10.2: with nodeops.crio.crio, set '
     'crio_pause_image: mirror:5000/k8s-pause:3.10.2.'),
    ('pause:3.9', 'v1.36.3', 'Give CRI-O pause:3.10.2: with nodeops.crio.crio, set crio_pause_image: pause:3.10.2.'),
    # CRI-O 1.36 would derive 3.10.2, which is not kubelet 1.35's.
    ('mirror:5000/pause:3.10.2', 'v1.35.2', 'Give CRI-O mirror:5000/pause:3.10.1: with nodeops.crio.crio, set '
     'crio_pause_image: mirror:5000/pause:3.10.1.'),
], ids=['not-named-pause', 'short-name', 'skewed-kubelet'])
def test_the_fix_derives_from_the_repository_only_where_the_role_would(pause_image, kubelet_version, fix):
    assert only(diagnose(pause_node(pause_image, kubelet_version)), 'pause_image')['fix'].startswith(fix)


# --- kubelet -----------------------------------------------------------------

@pytest.mark.parametrize('value, found, said', [
    ('unix:///var/run/crio/crio.sock', [], ''),
    ('unix:///run/crio/crio.sock', [], ''),
    ('/var/run/crio/crio.sock', [('cri_endpoint_form', 'warning')], 'a bare path'),
    ('unix:///run/containerd/containerd.sock', [('cri_endpoint', 'problem')], "containerd's socket"),
    ('unix:///var/run/dockershim.sock', [('cri_endpoint', 'problem')], "the dockershim's socket"),
    ('/run/cri-dockerd.sock', [('cri_endpoint', 'problem'), ('cri_endpoint_form', 'warning')], "cri-dockerd's socket"),
    ('unix:///var/run/crio/other.sock', [('cri_endpoint', 'problem')], 'a socket CRI-O does not listen on'),
    ('tcp://127.0.0.1:3735', [('cri_endpoint', 'problem')], 'only over a unix socket'),
])
def test_the_cri_endpoint(value, found, said):
    result = diagnose(node(kubelet_config_text=kubelet_config(containerRuntimeEndpoint=value)))
    assert [(item['check'], item['severity']) for item in result['findings'] if item['check'].startswith('cri_')] == found
    assert said in ' '.join(item['message'] for item in result['findings'])


def test_the_image_endpoint_is_checked_only_when_set():
    result = diagnose(node(kubelet_config_text=kubelet_config(imageServiceEndpoint='/var/run/crio/crio.sock')))
    assert only(result, 'cri_endpoint_form')['message'] == (
        "kubelet's imageServiceEndpoint is /var/run/crio/crio.sock (imageServiceEndpoint in %s), a bare path: kubelet "
        "still accepts it but calls the form deprecated" % CONFIG)
    unset = kubelet_config().replace('imageServiceEndpoint: unix:///var/run/crio/crio.sock\n', '')
    assert 'imageServiceEndpoint' not in unset
    assert checks(diagnose(node(kubelet_config_text=unset))) == ['crun_too_old']


def test_kubelet_s_default_endpoint_is_containerd_and_a_flag_wins_over_the_file():
    unset = kubelet_config().replace('containerRuntimeEndpoint: unix:///var/run/crio/crio.sock\n', '')
    assert "(kubelet's default), containerd's socket" in only(diagnose(node(kubelet_config_text=unset)), 'cri_endpoint')['message']
    flags = healthy()['kubelet']['flags'] + [flag('container-runtime-endpoint', 'unix:///run/containerd/containerd.sock')]
    result = diagnose(node(kubelet={'flags': flags}))
    assert only(result, 'cri_endpoint')['message'].startswith(
        "kubelet's containerRuntimeEndpoint is unix:///run/containerd/containerd.sock (--container-runtime-endpoint in "
        "KUBELET_KUBEADM_ARGS in /var/lib/kubelet/kubeadm-flags.env)")


@pytest.mark.parametrize('kube, crio, gate, severity', [
    ('v1.36.3', '1.36.3', None, 'warning'),
    ('v1.34.0', '1.34.11', None, 'warning'),
    ('v1.32.4', '1.32.0', None, 'warning'),
    ('v1.32.4', '1.32.0', False, 'problem'),
    ('v1.30.5', '1.30.0', None, 'problem'),
    ('v1.30.5', '1.30.0', True, 'warning'),
    ('v1.27.16', '1.27.0', True, 'problem'),
])
def test_a_cgroup_driver_mismatch_is_a_problem_only_where_kubelet_uses_its_own(kube, crio, gate, severity):
    keys = {'cgroupDriver': 'cgroupfs'}
    if gate is not None:
        keys['featureGates'] = '{KubeletCgroupDriverFromCRI: %s}' % str(gate).lower()
    result = diagnose(node(crio={'version': crio}, kubelet={'version': kube}, kubelet_config_text=kubelet_config(**keys)))
    finding = only(result, 'cgroup_driver')
    assert finding['severity'] == severity
    assert finding['message'].startswith(
        "kubelet's cgroup driver is cgroupfs (cgroupDriver in %s) but CRI-O's cgroup_manager is systemd" % CONFIG)


def test_the_feature_gate_flag_wins_and_an_agreeing_driver_is_fine():
    flags = healthy()['kubelet']['flags'] + [
        flag('feature-gates', 'KubeletCgroupDriverFromCRI=false,Other=true', '/etc/default/kubelet', 'KUBELET_EXTRA_ARGS'),
        flag('cgroup-driver', 'cgroupfs', '/etc/default/kubelet', 'KUBELET_EXTRA_ARGS')]
    result = diagnose(node(crio={'version': '1.32.0'}, kubelet={'version': 'v1.32.4', 'flags': flags}))
    assert only(result, 'cgroup_driver')['severity'] == 'problem'
    assert '(--cgroup-driver in KUBELET_EXTRA_ARGS in /etc/default/kubelet)' in only(result, 'cgroup_driver')['message']
    assert 'cgroup_driver' not in checks(diagnose(healthy()))
    in_unit = healthy()['kubelet']['flags'] + [flag('cgroup-driver', 'cgroupfs', '', '')]
    assert "(--cgroup-driver in kubelet's unit itself (ExecStart= or Environment=))" in only(
        diagnose(node(kubelet={'flags': in_unit})), 'cgroup_driver')['message']
    no_setting = kubelet_config().replace('cgroupDriver: systemd\n', '')
    assert "(kubelet's default)" in only(diagnose(node(kubelet_config_text=no_setting)), 'cgroup_driver')['message']


@pytest.mark.parametrize('kube, crio, expected', [
    ((1, 36, 3), (1, 36, 3), True),
    ((1, 33, 0), (1, 36, 3), True),
    ((1, 36, 3), (1, 27, 0), False),  # CRI-O 1.27 cannot answer RuntimeConfig
    ((1, 28, 0), (1, 28, 0), False),
    (None, (1, 36, 3), False),
])
def test_driver_from_cri(kube, crio, expected):
    assert driver_from_cri(kube, crio, None) is expected


@pytest.mark.parametrize('kube, crio, ok', [
    ('v1.36.3', '1.36.0', True),
    ('v1.35.2', '1.36.3', True),
    ('v1.36.3', '1.35.6', False),
    ('v1.34.2', '1.36.3', False),
    ('v2.36.0', '1.36.3', False),
])
def test_version_skew(kube, crio, ok):
    result = diagnose(node(crio={'version': crio}, kubelet={'version': kube}))
    assert ('version_skew' not in checks(result)) is ok
    if not ok:
        assert only(result, 'version_skew')['fix'] == 'Install CRI-O %s (crio_version in nodeops.crio.crio), or move kubelet to %s' % (
            kube.lstrip('v').rsplit('.', 1)[0], crio.rsplit('.', 1)[0])


def test_the_2020_kubelet_flags_on_a_kubelet_1_36():
    # The post's kubelet flags, left in kubeadm's file through upgrades.
    flags = healthy()['kubelet']['flags'] + [
        flag('container-runtime', 'remote'), flag('container-runtime-endpoint', '/var/run/crio/crio.sock'),
        flag('runtime-request-timeout', '10m')]
    rejected = [dict(flags[-3], message='unknown flag: --container-runtime')]
    result = diagnose(node(kubelet={'flags': flags, 'rejected_flags': rejected}))
    assert checks(result) == ['crun_too_old', 'kubelet_flag', 'cri_endpoint_form']
    assert only(result, 'kubelet_flag') == dict(
        check='kubelet_flag', severity='problem',
        message='kubelet v1.36.3 refuses --container-runtime from KUBELET_KUBEADM_ARGS in %s (unknown flag: '
                '--container-runtime), so it does not start' % KUBEADM_FLAGS,
        fix='Remove it there; nodeops.crio.kubelet does with kubelet_remove_rejected_flags: true')


@pytest.mark.parametrize('text, said', [
    (None, "kubelet's --config names %s, which does not exist" % CONFIG),
    ('kind: KubeletConfiguration\ncgroupDriver: [systemd\n', '%s is not valid YAML' % CONFIG),
    ('apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n', '%s is not a KubeletConfiguration' % CONFIG),
])
def test_a_configuration_file_kubelet_cannot_read(text, said):
    finding = only(diagnose(node(kubelet_config_text=text)), 'kubelet_config')
    assert finding['severity'] == 'problem' and finding['message'].startswith(said)


@pytest.mark.parametrize('kubelet, service, why', [
    (json.loads(read('diagnose/kubelet-facts-absent.json')), 'bed-absent-kubelet.service',
     'no kubelet: systemd does not know bed-absent-kubelet.service (LoadState=not-found)'),
    (dict(json.loads(read('diagnose/kubelet-facts-v1.36.3.json')), installed=False, binary='/usr/bin/kubelet'),
     'kubelet.service', 'no kubelet: kubelet.service starts /usr/bin/kubelet, which is not there'),
    (None, 'kubelet.service', 'kubelet was not looked at'),
])
def test_nodes_without_kubelet_skip_its_checks_and_say_so(kubelet, service, why):
    result = diagnose(node(kubelet=kubelet, kubelet_service=service, kubelet_config_text=None))
    assert result['skipped'] == ['kubelet checks (%s): %s' % (', '.join(KUBELET_CHECKS), why)]
    assert not set(checks(result)) & set(KUBELET_CHECKS)
    assert result['report'][-1] == 'SKIPPED ' + result['skipped'][0]


def test_the_report_lists_problems_before_warnings():
    result = diagnose(node(crio={'default_runtime': 'crun'}, kubelet_config_text=kubelet_config(
        imageServiceEndpoint='/var/run/crio/crio.sock', containerRuntimeEndpoint='unix:///run/containerd/containerd.sock')))
    assert result['report'][0] == '2 problems, 1 warning'
    assert [line.split(':')[0] for line in result['report'][1:]] == [
        'PROBLEM crun_too_old', 'PROBLEM cri_endpoint', 'WARNING cri_endpoint_form']
    assert result['clean'] is False


def test_input_is_not_changed():
    given = node(sandboxes=read('diagnose/crictl-pods-v1.36.0.json'))
    kept = copy.deepcopy(given)
    diagnose(given)
    assert given == kept


DROPINS = '/etc/kubernetes/kubelet.conf.d'
DROPIN_HEAD = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n'


def with_dropins(*files: tuple[str, str]) -> dict[str, t.Any]:
    """The healthy node's kubelet with --config-dir and these drop-ins in it."""
    kubelet = healthy()['kubelet']
    return dict(
        flags=kubelet['flags'] + [flag('config-dir', DROPINS, '/etc/default/kubelet', 'KUBELET_EXTRA_ARGS')],
        config_dir_files={DROPINS: dict(exists=True, files=[dict(path=DROPINS + '/' + name, content=text) for name, text in files])},
    )


def test_kubelet_s_settings_are_read_through_its_drop_ins():
    # config.yaml as kubeadm writes it on containerd; the kubelet role's drop-in makes it CRI-O.
    containerd = kubelet_config(containerRuntimeEndpoint='unix:///run/containerd/containerd.sock')
    wired = with_dropins(('90-nodeops-crio.conf', DROPIN_HEAD + 'containerRuntimeEndpoint: unix:///var/run/crio/crio.sock\n'))
    assert 'cri_endpoint' not in checks(diagnose(node(kubelet_config_text=containerd, kubelet=wired)))
    late = with_dropins(('99-site.conf', DROPIN_HEAD + 'containerRuntimeEndpoint: unix:///run/containerd/containerd.sock\n'))
    assert '(containerRuntimeEndpoint in %s/99-site.conf)' % DROPINS in only(diagnose(node(kubelet=late)), 'cri_endpoint')['message']


def test_a_drop_in_kubelet_refuses_is_a_problem_named_by_its_path():
    result = diagnose(node(kubelet=with_dropins(('10-bad.conf', 'maxPods: 5\n'))))
    assert only(result, 'kubelet_config')['message'].startswith(DROPINS + '/10-bad.conf is not a KubeletConfiguration')


# The bed's file without the line the bed adds for its cgroup v1 host.
UNSET = kubelet_config().replace('failCgroupV1: false\n', '')


@pytest.mark.parametrize('version, cgroup, text, dropin, refused', [
    ('v1.36.3', 1, UNSET, '', True),
    ('v1.36.3', 1, kubelet_config(), '', False),
    ('v1.36.3', 1, kubelet_config(), 'failCgroupV1: true\n', True),
    ('v1.36.3', 2, UNSET, '', False),
    ('v1.34.4', 1, UNSET, '', False),
])
def test_cgroup_v1_against_the_kubelet_and_its_failcgroupv1(version, cgroup, text, dropin, refused):
    kubelet = dict(with_dropins(('50-x.conf', DROPIN_HEAD + dropin)), version=version, cgroup_version=cgroup)
    result = diagnose(node(kubelet=kubelet, kubelet_config_text=text))
    assert ('cgroup_v1' in checks(result, 'problem')) == refused
    if refused:
        assert 'systemd.unified_cgroup_hierarchy=1' in only(result, 'cgroup_v1')['fix']
