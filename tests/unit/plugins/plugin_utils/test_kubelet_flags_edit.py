# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Flags in systemd environment files: one flag changes, the rest stays."""

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_flags import FlagsError
from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_flags_edit import edit_flags

KUBEADM = 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-ip 10.0.0.7 --v=2"\n'


def test_set_keeps_place_and_form_remove_drops_value_word():
    after, changed = edit_flags(KUBEADM, "KUBELET_KUBEADM_ARGS", {"container-runtime-endpoint": "unix:///var/run/crio/crio.sock"},
                                ["node-ip"])
    assert after == 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/crio/crio.sock --v=2"\n'
    assert changed == ["--container-runtime-endpoint", "--node-ip"]


def test_sep_form_stays_sep():
    after, dummy = edit_flags(KUBEADM, "KUBELET_KUBEADM_ARGS", {"node-ip": "10.0.0.8"})
    assert "--node-ip 10.0.0.8 --v=2" in after


def test_new_flag_is_appended_and_a_second_run_changes_nothing():
    once, changed = edit_flags("KUBELET_EXTRA_ARGS=\n", "KUBELET_EXTRA_ARGS", {"cgroup-driver": "systemd", "v": 2})
    # an unquoted value that now holds several words gets quotes
    assert (once, changed) == ('KUBELET_EXTRA_ARGS="--cgroup-driver=systemd --v=2"\n', ["--cgroup-driver", "--v"])
    assert edit_flags(once, "KUBELET_EXTRA_ARGS", {"cgroup-driver": "systemd", "v": 2}) == (once, [])


def test_a_missing_variable_is_added_at_the_end_keeping_the_rest():
    text = "# The operator's file\nOTHER=1"
    after, changed = edit_flags(text, "KUBELET_EXTRA_ARGS", {"a": "b"})
    assert after == '# The operator\'s file\nOTHER=1\nKUBELET_EXTRA_ARGS="--a=b"\n'
    assert changed == ["--a"]


def test_only_the_last_assignment_is_edited_and_other_lines_keep_their_bytes():
    text = "X=--a=1\r\nX='--a=2 --b'\r\n"
    after, dummy = edit_flags(text, "X", {"a": "3"})
    assert after == "X=--a=1\r\nX='--a=3 --b'\r\n"


def test_removing_what_is_absent_changes_nothing():
    assert edit_flags(KUBEADM, "KUBELET_KUBEADM_ARGS", remove=["container-runtime"]) == (KUBEADM, [])


def test_a_value_with_the_quote_character_is_refused():
    with pytest.raises(FlagsError, match="quote character"):
        edit_flags('X="--a=1"\n', "X", {"a": 'say "hi"'})
