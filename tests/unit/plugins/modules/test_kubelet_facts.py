# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""How kubelet_facts reads systemd's view of kubelet.service."""

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_flags import FlagsError
from ansible_collections.nodeops.crio.plugins.modules import kubelet_facts
from ansible_collections.nodeops.crio.plugins.modules.kubelet_facts import (
    dropin_files, environment, exec_start, expand, read_config_dirs, unit_properties, user_namespaces)

# systemctl show kubelet.service on a kubeadm node (10-kubeadm.conf drop-in).
SHOW = """\
LoadState=loaded
ExecStart={ path=/usr/bin/kubelet ; argv[]=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS \
$KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS ${SINGLE} --v 3 ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; \
pid=0 ; code=(null) ; status=0/0 }
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf" \
KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml SINGLE=--one=a
EnvironmentFiles=/var/lib/kubelet/kubeadm-flags.env (ignore_errors=yes)
EnvironmentFiles=/etc/default/kubelet (ignore_errors=yes)
"""


def test_unit_properties_and_exec_start():
    props = unit_properties(SHOW)
    assert props["EnvironmentFiles"] == ["/var/lib/kubelet/kubeadm-flags.env (ignore_errors=yes)",
                                         "/etc/default/kubelet (ignore_errors=yes)"]
    path, words = exec_start(props["ExecStart"][0])
    assert path == "/usr/bin/kubelet"
    assert words[1:] == ["$KUBELET_KUBECONFIG_ARGS", "$KUBELET_CONFIG_ARGS", "$KUBELET_KUBEADM_ARGS",
                         "$KUBELET_EXTRA_ARGS", "${SINGLE}", "--v", "3"]


def test_flags_carry_their_file_and_variable(tmp_path):
    kubeadm = tmp_path / "kubeadm-flags.env"
    kubeadm.write_text('KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///x --node-ip 10.0.0.7"\n')
    show = SHOW.replace("/var/lib/kubelet/kubeadm-flags.env", str(kubeadm)).replace("/etc/default/kubelet", str(tmp_path / "none"))
    props = unit_properties(show)
    assignments, files = environment(props)
    assert files == [dict(path=str(kubeadm), optional=True, exists=True, variables=["KUBELET_KUBEADM_ARGS"]),
                     dict(path=str(tmp_path / "none"), optional=True, exists=False, variables=[])]
    flags = expand(exec_start(props["ExecStart"][0])[1][1:], assignments)
    assert [(f["name"], f["value"], f["file"], f["variable"]) for f in flags] == [
        ("bootstrap-kubeconfig", "/etc/kubernetes/bootstrap-kubelet.conf", "", "KUBELET_KUBECONFIG_ARGS"),
        ("kubeconfig", "/etc/kubernetes/kubelet.conf", "", "KUBELET_KUBECONFIG_ARGS"),
        ("config", "/var/lib/kubelet/config.yaml", "", "KUBELET_CONFIG_ARGS"),
        ("container-runtime-endpoint", "unix:///x", str(kubeadm), "KUBELET_KUBEADM_ARGS"),
        ("node-ip", "10.0.0.7", str(kubeadm), "KUBELET_KUBEADM_ARGS"),
        ("one", "a", "", "SINGLE"),
        ("v", "3", "", ""),
    ]


def test_a_file_overrides_environment_and_an_empty_variable_adds_nothing(tmp_path):
    extra = tmp_path / "kubelet"
    extra.write_text("KUBELET_CONFIG_ARGS=--config=/etc/kubelet.yaml\nKUBELET_EXTRA_ARGS=\n")
    props = unit_properties(SHOW.replace("/etc/default/kubelet", str(extra)))
    flags = expand(["$KUBELET_CONFIG_ARGS", "$KUBELET_EXTRA_ARGS"], environment(props)[0])
    assert [(f["name"], f["value"], f["file"]) for f in flags] == [("config", "/etc/kubelet.yaml", str(extra))]


def test_a_word_kubelet_would_not_take_names_its_origin(tmp_path):
    extra = tmp_path / "kubelet"
    extra.write_text("KUBELET_EXTRA_ARGS=stray --v=2\n")
    props = unit_properties(SHOW.replace("/etc/default/kubelet", str(extra)))
    with pytest.raises(FlagsError, match="^KUBELET_EXTRA_ARGS in %s: 'stray' is not a flag" % extra):
        expand(["$KUBELET_EXTRA_ARGS"], environment(props)[0])


def test_drop_ins_are_read_in_kubelets_order_with_subfolders_in_place(tmp_path):
    for name in ("20-b.conf", "10-a.conf", "15-sub/x.conf", "15-sub/notes.txt", "30-c.yaml", ".conf"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(name)
    found = dropin_files(str(tmp_path))
    assert [entry["path"][len(str(tmp_path)) + 1:] for entry in found] == [".conf", "10-a.conf", "15-sub/x.conf", "20-b.conf"]
    assert found[1]["content"] == "10-a.conf"


def test_the_flags_folder_is_made_absolute_and_a_missing_one_read_as_empty(tmp_path):
    flags = [dict(name="config-dir", value=str(tmp_path) + "/./d/")]
    (tmp_path / "d").mkdir()
    read = read_config_dirs(flags, [str(tmp_path / "none")])
    assert read == {str(tmp_path / "d"): dict(exists=True, files=[]), str(tmp_path / "none"): dict(exists=False, files=[])}
    assert read_config_dirs([dict(name="config-dir", value="rel")], []) == {"/rel": dict(exists=False, files=[])}


class Node:
    """The part of AnsibleModule user_namespaces() uses: a getsubids that answers from /etc/subuid and /etc/subgid."""

    def __init__(self, tool, answers):
        self.tool, self.answers, self.ran = tool, answers, []

    def get_bin_path(self, name):
        return self.tool if name == "getsubids" else None

    def run_command(self, argv):
        self.ran.append(argv)
        return self.answers[tuple(argv[1:])]


def kubelet_user(monkeypatch, exists):
    def getpwnam(name):
        if name == "kubelet" and exists:
            return object()
        raise KeyError(name)
    monkeypatch.setattr(kubelet_facts.pwd, "getpwnam", getpwnam)


LINE = "0: kubelet 65536 7208960\n"


def test_without_a_kubelet_user_nothing_is_asked(monkeypatch):
    kubelet_user(monkeypatch, False)
    node = Node("/usr/bin/getsubids", {})
    assert user_namespaces(node) == dict(user=False, getsubids="", uids=None, gids=None, error="")
    assert node.ran == []


def test_getsubids_is_asked_for_users_and_groups_as_kubelet_asks(monkeypatch):
    kubelet_user(monkeypatch, True)
    node = Node("/usr/bin/getsubids", {("kubelet",): (0, LINE, ""), ("-g", "kubelet"): (0, LINE, "")})
    assert user_namespaces(node) == dict(user=True, getsubids="/usr/bin/getsubids", uids=LINE, gids=LINE, error="")
    assert node.ran == [["/usr/bin/getsubids", "kubelet"], ["/usr/bin/getsubids", "-g", "kubelet"]]


def test_a_failing_getsubids_and_a_missing_one_are_told(monkeypatch):
    kubelet_user(monkeypatch, True)
    failing = Node("/usr/bin/getsubids", {("kubelet",): (1, "", "Error fetching ranges\n")})
    assert user_namespaces(failing)["error"] == "`getsubids kubelet` answered 'Error fetching ranges' (exit 1)"
    assert user_namespaces(Node(None, {})) == dict(user=True, getsubids="", uids=None, gids=None, error="")
