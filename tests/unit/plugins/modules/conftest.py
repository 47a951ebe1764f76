# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Module code runs as on a managed node here, whatever ran before it.

Importing Ansible's controller code (the action plugin tests do) flips
ansible.module_utils._internal.is_controller (ansible-core 2.19 and later),
after which module warnings go to the controller's display instead of into
the module result; compat.module_side sets it back.
"""

from __future__ import annotations

import pytest

from ansible_collections.nodeops.crio.tests.unit import compat


@pytest.fixture(autouse=True)
def module_side(monkeypatch: pytest.MonkeyPatch) -> None:
    compat.module_side(monkeypatch)
