# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Argument specs of nodeops.crio.kubelet_config and kubelet_flags, shared by their module files and action plugins."""

from __future__ import annotations

from ansible_collections.nodeops.crio.plugins.module_utils._argspecs import _WRITE_OPTIONS

KUBELET_CONFIG = dict(
    path=dict(type='path', required=True),
    settings=dict(type='dict', required=True),
    kinds=dict(type='list', elements='str', default=['KubeletConfiguration']),
    create=dict(type='bool', default=False),
    **_WRITE_OPTIONS
)

KUBELET_FLAGS = dict(
    path=dict(type='path', required=True),
    variable=dict(type='str', required=True),
    set=dict(type='dict', default={}),
    remove=dict(type='list', elements='str', default=[]),
    create=dict(type='bool', default=True),
    **_WRITE_OPTIONS
)
