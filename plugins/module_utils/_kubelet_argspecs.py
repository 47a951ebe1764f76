# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Argument spec of nodeops.crio.kubelet_config, shared by its module file and action plugin."""

from __future__ import annotations

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import _WRITE_OPTIONS

KUBELET_CONFIG = dict(
    path=dict(type='path', required=True),
    settings=dict(type='dict', required=True),
    kinds=dict(type='list', elements='str'),
    create=dict(type='bool', default=False),
    **_WRITE_OPTIONS
)
