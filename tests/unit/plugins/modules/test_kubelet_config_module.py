# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""kubelet_config's module file checks the action plugin's spec, then points at it."""

import json

import pytest

from ansible_collections.nodeops.crio.plugins.modules import kubelet_config
from ansible_collections.nodeops.crio.tests.unit.compat import patch_module_args


@pytest.mark.parametrize("args, message", [
    ({"path": "/x", "settings": {"a": 1}}, "nodeops.crio.kubelet_config runs on the controller through its action plugin"),
    ({"path": "/x"}, "missing required arguments: settings"),
])
def test_main(args, message, capsys):
    with patch_module_args(args), pytest.raises(SystemExit):
        kubelet_config.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert result["msg"].startswith(message)
