# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Line-based YAML edits: the keys change, every other byte stays."""

import datetime

import pytest
import yaml


from ansible_collections.nodeops.crio.plugins.plugin_utils._kubelet_yaml import YamlEditError, plain_settings, render_scalar, set_values
from ansible_collections.nodeops.crio.tests.unit.compat import tagged

CRIO = "unix:///var/run/crio/crio.sock"

KUBEADM_CONFIG = """\
# KubeletConfiguration written by kubeadm, then edited by hand.
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false   # keep it off
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
cgroupDriver: systemd  # the operator's choice
clusterDNS:
- 10.96.0.10
containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock
kind: KubeletConfiguration
runtimeRequestTimeout: 0s
"""


def test_replaces_values_and_keeps_comments_and_order():
    after, changed, dummy = set_values(KUBEADM_CONFIG, [
        (("containerRuntimeEndpoint",), CRIO),
        (("cgroupDriver",), "cgroupfs"),
        (("runtimeRequestTimeout",), "10m"),
    ])
    assert changed == ["containerRuntimeEndpoint", "cgroupDriver", "runtimeRequestTimeout"]
    assert after == (KUBEADM_CONFIG
                     .replace("cgroupDriver: systemd  #", "cgroupDriver: cgroupfs  #")
                     .replace("unix:///var/run/containerd/containerd.sock", CRIO)
                     .replace("runtimeRequestTimeout: 0s", "runtimeRequestTimeout: 10m"))


def test_adds_missing_keys_at_the_end_of_their_mapping():
    after, changed, dummy = set_values(KUBEADM_CONFIG, [
        (("imageServiceEndpoint",), CRIO),
        (("authentication", "webhook", "enabled"), False),
    ])
    assert changed == ["imageServiceEndpoint", "authentication.webhook.enabled"]
    assert "    clientCAFile: /etc/kubernetes/pki/ca.crt\n  webhook:\n    enabled: false\ncgroupDriver" in after
    assert after.endswith("runtimeRequestTimeout: 0s\nimageServiceEndpoint: %s\n" % CRIO)


def test_a_second_run_changes_nothing():
    settings = [(("containerRuntimeEndpoint",), CRIO), (("imageServiceEndpoint",), CRIO), (("a", "b"), 1)]
    once = set_values(KUBEADM_CONFIG, settings)[0]
    assert set_values(once, settings) == (once, [], [])


class Templated(str):
    """Ansible hands templated strings over as str subclasses."""


def test_equal_values_in_another_style_or_type_are_left_alone():
    text = 'containerRuntimeEndpoint: "%s"\nhealthzPort: 10248\n' % CRIO
    assert set_values(text, [(("containerRuntimeEndpoint",), Templated(CRIO)), (("healthzPort",), 10248)]) == (text, [], [])
    assert set_values("enabled: 1\n", [(("enabled",), True)])[1] == ["enabled"]


@pytest.mark.parametrize("old, new", [
    ('key: "old"  # c\n', 'key: "unix:///x"  # c\n'),
    ("key: 'old'\n", "key: 'unix:///x'\n"),
    ("key:   old\n", "key:   unix:///x\n"),
    ("key:\n", "key: unix:///x\n"),
])
def test_a_replaced_value_keeps_its_quoting_spacing_and_comment(old, new):
    assert set_values(old, [(("key",), "unix:///x")])[0] == new


def test_kinds_select_the_documents_of_a_stream():
    stream = ("apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration:\n  name: n1\n"
              "---\nkind: ClusterConfiguration\nnetworking: {}\n"
              "---\nkind: JoinConfiguration\n")
    after, changed, warnings = set_values(stream, [(("nodeRegistration", "criSocket"), CRIO)],
                                          kinds=["InitConfiguration", "JoinConfiguration"])
    assert changed == ["nodeRegistration.criSocket", "nodeRegistration.criSocket"] and warnings == []
    docs = list(yaml.safe_load_all(after))
    assert [doc.get("nodeRegistration") for doc in docs] == [
        {"name": "n1", "criSocket": CRIO}, None, {"criSocket": CRIO}]
    assert "networking: {}\n---\n" in after


def test_an_empty_parent_mapping_gets_children():
    after = set_values("kind: InitConfiguration\nnodeRegistration: {}  # later\n",
                       [(("nodeRegistration", "criSocket"), CRIO)], kinds=["InitConfiguration"])[0]
    assert after == "kind: InitConfiguration\nnodeRegistration: # later\n  criSocket: %s\n" % CRIO


def test_an_empty_file_gets_the_keys():
    assert set_values("", [(("containerRuntimeEndpoint",), CRIO)]) == (
        "containerRuntimeEndpoint: %s\n" % CRIO, ["containerRuntimeEndpoint"], [])


def test_a_file_without_final_newline():
    assert set_values("a: 1", [(("b",), 2)])[0] == "a: 1\nb: 2\n"


@pytest.mark.parametrize("text, message", [
    ('{"kind": "KubeletConfiguration"}\n', "flow style"),
    ("key: |\n  block\n", "block or tagged value"),
    ("key:\n  nested: 1\n", "block or tagged value"),
    ("key: [unclosed\n", "not valid YAML"),
    ("key: 1\n", "is not a mapping"),
])
def test_what_cannot_be_edited_by_lines_fails(text, message):
    with pytest.raises(YamlEditError, match=message):
        set_values(text, [(("key", "sub") if message == "is not a mapping" else ("key",), "x")])


def test_a_sequence_at_the_key_indent_belongs_to_its_key():
    text = "tlsCipherSuites:\n- A\n- B\nkind: KubeletConfiguration\n"
    after = set_values(text, [(("cgroupDriver",), "systemd")])[0]
    assert after == text + "cgroupDriver: systemd\n"


@pytest.mark.parametrize("value, style, text", [
    ("10m", "", "10m"),
    ("yes", "", '"yes"'),
    ("1.5", "", '"1.5"'),
    ("a b", "", '"a b"'),
    ("it's", "'", "'it''s'"),
    (True, "", "true"),
    (None, "", "null"),
    (8, "", "8"),
    (["a", 1], "", '["a", 1]'),
])
def test_render_scalar(value, style, text):
    assert render_scalar(value, style) == text
    assert yaml.safe_load("k: " + text)["k"] == value


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
"""


def test_by_default_only_a_kubelet_configuration_is_edited(kubeadm_init):
    after, changed, warnings = set_values(kubeadm_init, [(("cgroupDriver",), "systemd")])
    assert after == kubeadm_init.replace("cgroupDriver: cgroupfs", "cgroupDriver: systemd")
    assert (changed, warnings) == (["cgroupDriver"], [])


def test_a_document_without_a_kind_is_edited_as_a_patch():
    # kubeadm's instance-config.yaml is a patch of kubelet's configuration, with no kind.
    text = 'containerRuntimeEndpoint: "unix:///var/run/containerd/containerd.sock"\n'
    assert set_values(text, [(("containerRuntimeEndpoint",), CRIO)])[0] == 'containerRuntimeEndpoint: "%s"\n' % CRIO


@pytest.mark.parametrize("text, kinds, message", [
    (DEPLOYMENT, None, "the document is of kind Deployment, not KubeletConfiguration; set kinds to edit another kind"),
    ("kind: InitConfiguration\nnodeRegistration: {}\n", None,
     "the document is of kind InitConfiguration, not KubeletConfiguration; set kinds to edit another kind"),
    ("# kubelet\nkind: KubeletConfiguration\n", ["InitConfiguration", "JoinConfiguration"],
     "the document is of kind KubeletConfiguration, not one of InitConfiguration, JoinConfiguration"),
    ("- kind: KubeletConfiguration\n  cgroupDriver: systemd\n", None,
     "the document at line 1 is a list, not a mapping; kubelet_config edits mappings such as a KubeletConfiguration"),
    ("kind: KubeletConfiguration\n---\n# two\nplain text\n", None, "the document at line 4 is a string, not a mapping"),
])
def test_a_document_it_must_not_edit_is_refused(text, kinds, message):
    with pytest.raises(YamlEditError) as error:
        set_values(text, [(("cgroupDriver",), "systemd")], **({"kinds": kinds} if kinds else {}))
    assert str(error.value).startswith(message)


def test_a_document_without_a_kind_in_a_stream_is_left_alone(kubeadm_init):
    text = kubeadm_init + "---\ncgroupDriver: cgroupfs\n"
    after, changed, dummy = set_values(text, [(("cgroupDriver",), "systemd")])
    assert after == kubeadm_init.replace("cgroupDriver: cgroupfs", "cgroupDriver: systemd") + "---\ncgroupDriver: cgroupfs\n"
    assert changed == ["cgroupDriver"]


def test_a_stream_of_a_kindless_document_and_another_kind_warns():
    text = "cgroupDriver: cgroupfs\n---\n" + DEPLOYMENT
    assert set_values(text, [(("cgroupDriver",), "systemd")]) == (
        text, [], ["no document of kind KubeletConfiguration, only Deployment; nothing was changed"])


def test_a_stream_without_a_matching_document_warns_and_changes_nothing(kubeadm_init):
    text = kubeadm_init.split("---\napiVersion: kubelet", maxsplit=1)[0]
    after, changed, warnings = set_values(text, [(("cgroupDriver",), "systemd")])
    assert (after, changed) == (text, [])
    assert warnings == ["no document of kind KubeletConfiguration, only InitConfiguration, ClusterConfiguration; nothing was changed"]


@pytest.mark.parametrize("settings, message", [
    ({"cgroupDriver": None}, "settings.cgroupDriver: a null value is not written; leave the key out"),
    ({"authentication": {"anonymous": {"enabled": None}}}, "settings.authentication.anonymous.enabled: a null value"),
    ({"clusterDNS": ["10.96.0.10", None]}, "settings.clusterDNS[1]: a null value"),
    ({"evictionHard": {5: "x"}}, "settings.evictionHard: key 5 is an integer; YAML keys here are strings, quote it"),
    ({"x": datetime.date(2020, 1, 1)}, "settings.x: expected a string, number, boolean, list or mapping, got date"),
    ({"x": tagged({tagged(80): 1})}, "settings.x: key 80 is an integer"),
])
def test_settings_a_file_cannot_take_are_refused(settings, message):
    with pytest.raises(YamlEditError) as error:
        plain_settings(settings)
    assert str(error.value).startswith(message)


def test_settings_become_plain_builtin_types():
    plain = plain_settings({tagged("cgroupDriver"): tagged("systemd"), "podPidsLimit": tagged(4096),
                            "clusterDNS": tagged([tagged("10.96.0.10")]), "evictionHard": {"memory.available": "100Mi"}})
    assert plain == {"cgroupDriver": "systemd", "podPidsLimit": 4096, "clusterDNS": ["10.96.0.10"],
                     "evictionHard": {"memory.available": "100Mi"}}
    # The exact types, not subclasses such as ansible-core's tagged ones.
    assert [type(key) for key in plain] == [str] * 4
    assert [type(plain[key]) for key in ("cgroupDriver", "podPidsLimit", "clusterDNS")] == [str, int, list]
