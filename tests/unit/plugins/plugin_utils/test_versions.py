# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The upgrade's decision: which CRI-O release, and which skews and downgrades stop it."""

import pytest

from ansible_collections.nodeops.crio.plugins.filter.crio_upgrade_plan import FilterModule
from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import (
    RELEASES as KNOWN, STREAMS, image_tag, minor_of, parse_version, pause_tag, release_key, split_image, upgrade_plan)

# A table as _versions.RELEASES has it, fixed here so that a new release does not change these tests.
RELEASES = {"1.34": "1.34.11", "1.35": "1.35.6", "1.36": "1.36.3"}


def plan(installed="1.36.2", kubelet="v1.36.3", crio_version="", kubernetes_version="", **flags):
    return upgrade_plan(installed, kubelet, crio_version, kubernetes_version, RELEASES, **flags)


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("1.36", (1, 36, None, "")),
        ("v1.36.3", (1, 36, 3, "")),
        ("1.36.0-rc.1", (1, 36, 0, "-rc.1")),
        (" 1.35.6 ", (1, 35, 6, "")),
        ("1", None),
        ("1.x", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_version(text, parsed):
    assert parse_version(text) == parsed


@pytest.mark.parametrize("text, minor", [("v1.36.3", "1.36"), ("1.35", "1.35"), ("latest", ""), ("", "")])
def test_minor_of(text, minor):
    assert minor_of(text) == minor


@pytest.mark.parametrize(
    "older, newer",
    [
        ("1.36.2", "1.36.3"),
        ("1.35.6", "1.36.0"),
        ("1.36.0-rc.1", "1.36.0"),
        ("1.36.0~dev", "1.36.0"),
        ("1.36.9", "1.36.10"),
    ],
)
def test_release_order(older, newer):
    assert release_key(older) < release_key(newer)


def test_build_metadata_is_no_pre_release():
    assert release_key("1.36.0+deb1") > release_key("1.36.0-rc.1")
    assert release_key("1.36.0+deb1")[:4] == release_key("1.36.0")[:4]


def test_a_minor_is_no_release():
    with pytest.raises(ValueError, match="not a full release"):
        release_key("1.36")


@pytest.mark.parametrize(
    "args, target, change, source",
    [
        # A Kubernetes minor upgrade: the kubelet went to 1.36 first, CRI-O follows.
        (dict(installed="1.35.6", kubelet="v1.36.0"), "1.36.3", "upgrade", "Kubernetes 1.36 of kubelet v1.36.0"),
        # A patch upgrade within the kubelet's minor.
        (dict(installed="1.36.2"), "1.36.3", "upgrade", "Kubernetes 1.36 of kubelet v1.36.3"),
        (dict(crio_version="1.36.3"), "1.36.3", "upgrade", "crio_version 1.36.3"),
        (dict(crio_version="v1.36"), "1.36.3", "upgrade", "crio_version 1.36"),
        (dict(installed="1.35.0", kubelet="v1.35.2", crio_version="1.35.1"), "1.35.1", "upgrade", "crio_version 1.35.1"),
        # Nodes without kubelet follow crio_kubernetes_version.
        (dict(kubelet="", kubernetes_version="v1.36.2"), "1.36.3", "upgrade", "crio_kubernetes_version 1.36.2"),
        (dict(installed="1.35.6", kubelet="", crio_version="1.36.3", kubernetes_version="1.36"), "1.36.3", "upgrade",
         "crio_version 1.36.3"),
        # Already there.
        (dict(installed="1.36.3"), "1.36.3", "none", "Kubernetes 1.36 of kubelet v1.36.3"),
        (dict(installed="v1.36.3", crio_version="1.36.3"), "1.36.3", "none", "crio_version 1.36.3"),
    ],
)
def test_supported_upgrades(args, target, change, source):
    result = plan(**args)
    assert result["problems"] == []
    assert (result["target"], result["change"], result["source"]) == (target, change, source)


def test_the_summary_names_both_versions_and_the_reason():
    assert plan(installed="1.35.6", kubelet="v1.36.0")["summary"] == "CRI-O 1.35.6 -> 1.36.3 (Kubernetes 1.36 of kubelet v1.36.0)"
    assert plan(installed="1.36.3")["summary"] == "CRI-O 1.36.3 stays (Kubernetes 1.36 of kubelet v1.36.3)"


@pytest.mark.parametrize(
    "args, texts",
    [
        # CRI-O behind the kubelet.
        (dict(installed="1.35.0", crio_version="1.35"),
         ["CRI-O 1.35.6 (from crio_version 1.35) does not pair with kubelet v1.36.3",
          "follow the kubelet (CRI-O 1.36)", "upgrade_allow_skew: true"]),
        # CRI-O ahead of the kubelet, in the middle of a Kubernetes upgrade.
        (dict(installed="1.35.6", kubelet="v1.35.6", crio_version="1.36.3"),
         ["CRI-O 1.36.3 (from crio_version 1.36.3) does not pair with kubelet v1.35.6"]),
        # crio_kubernetes_version that the node's kubelet contradicts.
        (dict(installed="1.35.6", kubelet="v1.35.6", kubernetes_version="1.36"),
         ["CRI-O 1.36.3 (from crio_kubernetes_version 1.36) does not pair with kubelet v1.35.6"]),
    ],
)
def test_unsupported_skews_are_refused(args, texts):
    result = plan(**args)
    assert len(result["problems"]) == 1
    for text in texts:
        assert text in result["problems"][0]


def test_a_skew_is_accepted_when_the_operator_insists():
    result = plan(installed="1.35.6", kubelet="v1.35.6", crio_version="1.36.3", allow_skew=True)
    assert (result["problems"], result["target"], result["change"]) == ([], "1.36.3", "upgrade")


@pytest.mark.parametrize(
    "args, text",
    [
        (dict(installed="1.36.3", crio_version="1.36.2"),
         "CRI-O 1.36.3 is installed and 1.36.2 (from crio_version 1.36.2) is older"),
        # The kubelet went back a minor: following it would downgrade CRI-O.
        (dict(installed="1.36.3", kubelet="v1.35.6"), "CRI-O 1.36.3 is installed and 1.35.6 (from Kubernetes 1.35 of kubelet v1.35.6) is older"),
        (dict(installed="1.36.0", crio_version="1.36.0-rc.1"), "CRI-O 1.36.0 is installed and 1.36.0-rc.1"),
    ],
)
def test_downgrades_are_refused(args, text):
    result = plan(**args)
    assert len(result["problems"]) == 1
    assert text in result["problems"][0]
    assert "upgrade_allow_downgrade: true" in result["problems"][0]
    assert result["change"] == "downgrade"


def test_a_downgrade_is_accepted_when_the_operator_insists():
    result = plan(installed="1.36.3", crio_version="1.36.2", allow_downgrade=True)
    assert (result["problems"], result["target"], result["change"]) == ([], "1.36.2", "downgrade")


def test_skew_and_downgrade_are_both_reported():
    result = plan(installed="1.36.3", crio_version="1.35.6")
    assert [p.split(":")[0] for p in result["problems"]] == [
        "CRI-O 1.35.6 (from crio_version 1.35.6) does not pair with kubelet v1.36.3",
        "CRI-O 1.36.3 is installed and 1.35.6 (from crio_version 1.35.6) is older"]


@pytest.mark.parametrize(
    "args, text",
    [
        (dict(crio_version="1.x"), 'crio_version must be empty, a minor such as 1.36 or a release such as 1.36.3; got "1.x"'),
        (dict(kubernetes_version="latest"), 'crio_kubernetes_version must be empty'),
        (dict(kubelet="Kubernetes v1.36.3"), 'kubelet reports the version "Kubernetes v1.36.3"'),
        (dict(crio_version="1.36.3", kubernetes_version="1.35"),
         "crio_version 1.36.3 (CRI-O 1.36) does not match crio_kubernetes_version 1.35 (Kubernetes 1.35)"),
        (dict(kubelet=""), "there is no kubelet on this node to take the Kubernetes minor from: set crio_version"),
        (dict(kubelet="v1.33.1"), "the crio role knows no release of CRI-O 1.33 (it knows 1.34, 1.35, 1.36)"),
        (dict(installed=None), "CRI-O is not installed here, so there is nothing to upgrade"),
        (dict(installed=""), 'crio reports the version "", so an upgrade cannot be told from a downgrade'),
    ],
)
def test_what_cannot_be_decided_is_refused(args, text):
    result = plan(**args)
    assert any(text in problem for problem in result["problems"]), result["problems"]
    assert result["change"] == ""


def test_the_filter_is_the_decision():
    decide = FilterModule().filters()["crio_upgrade_plan"]
    assert decide("1.36.2", "v1.36.3", "", "", RELEASES) == plan()
    assert decide("1.36.3", "v1.36.3", "1.36.2", "", RELEASES, False, True)["problems"] == []


# PauseVersion of cmd/kubeadm/app/constants/constants.go in k8s.io/kubernetes v1.35.4, v1.36.3 and v1.37.2.
@pytest.mark.parametrize(
    "version, tag",
    [
        ("1.35", "3.10.1"),
        ("1.36", "3.10.2"),
        ("1.37", "3.10.2"),
        ("v1.36.3", "3.10.2"),
        ("1.35.6", "3.10.1"),
        ("1.37.0-rc.1", "3.10.2"),
        ("1.34", ""),
        ("1.38.0", ""),
        ("latest", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_pause_tag_is_kubeadms_of_the_minor(version, tag):
    assert pause_tag(version) == tag


def test_the_release_table_is_a_view_of_the_streams():
    assert KNOWN == {minor: stream.release for minor, stream in STREAMS.items()}
    assert all(stream.pause and minor_of(stream.release) == minor for minor, stream in STREAMS.items())


@pytest.mark.parametrize(
    "image, tag",
    [
        ("registry.k8s.io/pause:3.10.1", "3.10.1"),
        ("mirror:5000/pause:3.10.2", "3.10.2"),
        ("[fd00::1]:5000/k8s/pause:3.10.2", "3.10.2"),
        ("mirror:5000/pause", "latest"),
        ("pause", "latest"),
        ("registry.k8s.io/pause:3.10.1@sha256:" + "0" * 64, "3.10.1"),
        ("registry.k8s.io/pause@sha256:" + "0" * 64, None),
        ("", None),
    ],
    ids=["upstream", "mirror-with-port", "ipv6-mirror", "port-is-no-tag", "short-name", "tag-and-digest", "digest-only",
         "no-image"],
)
def test_image_tag(image, tag):
    assert image_tag(image) == tag


@pytest.mark.parametrize(
    "image, parts",
    [
        ("mirror:5000/pause:3.10.2", ("mirror:5000/pause", "3.10.2", "")),
        ("mirror:5000/pause", ("mirror:5000/pause", None, "")),
        ("registry.k8s.io/pause:3.10.1@sha256:" + "0" * 64, ("registry.k8s.io/pause", "3.10.1", "sha256:" + "0" * 64)),
    ],
    ids=["tag", "port-is-no-tag", "tag-and-digest"],
)
def test_split_image(image, parts):
    assert split_image(image) == parts


def test_pause_tag_reads_the_operators_table_too():
    table = {"1.38": {"release": "1.38.0", "pause": "3.10.3"}}
    assert pause_tag("1.38.0", table) == "3.10.3"
    assert pause_tag("1.37", table) == "3.10.2"
    # A malformed table is refused where it is read (release()); here it is left out.
    assert pause_tag("1.38.0", {"1.38": {"pause": "3.10.3"}}) == ""


def test_every_stream_names_where_its_facts_came_from():
    assert all(stream.release_from and stream.pause_from for stream in STREAMS.values())
    assert all(stream.release.startswith(minor + ".") for minor, stream in STREAMS.items())
