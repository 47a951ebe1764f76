# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""nodeops.crio.kubelet_flags through main(): check mode, diff, backup, create."""

import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.nodeops.crio.plugins.modules import kubelet_flags

KUBEADM = 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --v=2"\n'


def run(capsys, **args):
    with patch_module_args(args), pytest.raises(SystemExit):
        kubelet_flags.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def env_file(tmp_path):
    path = tmp_path / "kubeadm-flags.env"
    path.write_text(KUBEADM)
    return path


def test_check_mode_predicts_and_diffs_without_writing(env_file, capsys):
    result = run(capsys, path=str(env_file), variable="KUBELET_KUBEADM_ARGS", remove=["container-runtime-endpoint"],
                 _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True
    assert result["changed_flags"] == ["--container-runtime-endpoint"]
    assert result["diff"]["after"] == 'KUBELET_KUBEADM_ARGS="--v=2"\n'
    assert env_file.read_text() == KUBEADM


def test_writes_with_backup_then_changes_nothing(env_file, capsys):
    args = dict(path=str(env_file), variable="KUBELET_KUBEADM_ARGS", remove=["container-runtime-endpoint"], backup=True)
    result = run(capsys, **args)
    assert result["changed"] is True
    assert env_file.read_text() == 'KUBELET_KUBEADM_ARGS="--v=2"\n'
    with open(result["backup_file"]) as backup:
        assert backup.read() == KUBEADM
    again = run(capsys, **args)
    assert again["changed"] is False and again["changed_flags"] == []


def test_creates_a_missing_file_only_to_set_flags(tmp_path, capsys):
    path = tmp_path / "etc" / "default" / "kubelet"
    assert run(capsys, path=str(path), variable="KUBELET_EXTRA_ARGS", remove=["x"])["changed"] is False
    assert not path.exists()
    result = run(capsys, path=str(path), variable="KUBELET_EXTRA_ARGS", set={"cgroup-driver": "systemd"}, mode="0644")
    assert result["changed"] is True
    assert path.read_text() == 'KUBELET_EXTRA_ARGS="--cgroup-driver=systemd"\n'
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_refuses_to_create_when_told_not_to(tmp_path, capsys):
    result = run(capsys, path=str(tmp_path / "kubelet"), variable="KUBELET_EXTRA_ARGS", set={"a": "b"}, create=False)
    assert result["failed"] is True
    assert result["msg"].endswith("does not exist and create is false")


def test_a_file_it_cannot_parse_fails_naming_it(tmp_path, capsys):
    path = tmp_path / "kubelet"
    path.write_text("KUBELET_EXTRA_ARGS=positional\n")
    result = run(capsys, path=str(path), variable="KUBELET_EXTRA_ARGS", set={"a": "b"})
    assert result["failed"] is True
    assert result["msg"] == "%s: 'positional' is not a flag and follows no flag that takes a value" % path
