# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Flags in systemd environment files, read as kubelet_facts reads them on the node."""

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_flags import FlagsError, parse_assignments, split_flags


def test_split_flags_knows_the_three_forms():
    assert split_flags(["--a=1", "--b", "2", "--c", "-d=x"]) == [
        ["a", "1", "eq"], ["b", "2", "sep"], ["c", None, "bool"], ["d", "x", "eq"]]


def test_a_word_that_is_no_flag_value_is_refused():
    with pytest.raises(FlagsError, match="is not a flag"):
        split_flags(["positional"])


def test_parse_assignments_follows_systemd():
    text = "# comment\nA=1\n; other comment\nB='two words'\nA=\"3\"\n"
    assert parse_assignments(text) == {"A": "3", "B": "two words"}
