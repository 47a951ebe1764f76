# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The crio role's decisions (plugins/plugin_utils/_crio_plan.py and _versions.py); documented in the .yml beside."""

from ansible_collections.nodeops.crio.plugins.plugin_utils import _crio_plan
from ansible_collections.nodeops.crio.plugins.plugin_utils._versions import release


def crio_release(crio_version, kubernetes_version="", table=None):
    return release(crio_version, kubernetes_version, table)


def crio_settings(options):
    return _crio_plan.settings(options)


def crio_files(spec, form="write"):
    entries = _crio_plan.files(spec)
    return _crio_plan.expected(entries) if form == "expect" else entries


def crio_bundle(spec, sources=None):
    found = _crio_plan.bundle(spec)
    if sources is not None:
        found.update(_crio_plan.bundle_layout(spec, found["unpacked"], sources))
    return found


def crio_apply(changed):
    return _crio_plan.apply(changed)


class FilterModule(object):
    def filters(self):
        return {
            "crio_release": crio_release,
            "crio_settings": crio_settings,
            "crio_files": crio_files,
            "crio_bundle": crio_bundle,
            "crio_apply": crio_apply,
        }
