# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The shared values: known names in order, an unknown name refused by name."""

import pytest
from ansible.errors import AnsibleError

from ansible_collections.nodeops.crio.plugins.lookup.constant import LookupModule


def test_names_come_back_in_order() -> None:
    assert LookupModule().run(["cache_dir", "node_path"]) == [
        "/var/cache/nodeops-crio", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(AnsibleError, match="knows cache_dir, kubelet_config_dir, node_path, not bin_dir"):
        LookupModule().run(["bin_dir"])
