# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What the tests need from ansible-core, on every core the collection supports (2.17 to 2.21).

ansible-core 2.19 brought the test helper patch_module_args, data tagging
(a string is a template only once trusted, and templates keep native types)
and module_utils' knowledge of whether it runs on the controller. The tests
use those through this module, which gives an older core's equivalent where
it lacks them. Controller code is imported only inside the helpers that need
it, so that importing this module from a module's tests keeps them node-side.
"""

from __future__ import annotations

import contextlib
import json
import typing as t
from unittest import mock

from ansible.module_utils import basic
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

__all__ = ['CORE', 'DATA_TAGGING', 'conversion_error', 'load_template_file', 'module_side', 'patch_module_args', 'tagged',
           'templar', 'trust_as_template']

CORE = tuple(int(part) for part in ANSIBLE_VERSION.split('.')[:2])
DATA_TAGGING = CORE >= (2, 19)

try:
    from ansible.module_utils import _internal
except ImportError:  # 2.17 has no module_utils._internal, 2.18 one without is_controller
    _internal = None  # type: ignore[assignment]

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # before 2.19: AnsibleModule reads its arguments from basic._ANSIBLE_ARGS

    @contextlib.contextmanager  # type: ignore[no-redef]
    def patch_module_args(args: dict[str, t.Any] | None = None) -> t.Iterator[None]:
        """Expose the given module args to AnsibleModule instances created within this context."""
        payload = json.dumps(dict(ANSIBLE_MODULE_ARGS=args or {})).encode('utf-8')
        with mock.patch.object(basic, '_ANSIBLE_ARGS', payload):
            yield


def module_side(monkeypatch: t.Any) -> None:
    """Module code runs as on a managed node, whatever ran before it.

    From 2.19, importing Ansible's controller code (the action plugin tests
    do) flips ansible.module_utils._internal.is_controller, after which module
    warnings go to the controller's display instead of into the module
    result. Older cores always put them in the result.
    """
    if hasattr(_internal, 'is_controller'):
        monkeypatch.setattr(_internal, 'is_controller', False)


def conversion_error(name: str, value_type: str, wanted: str) -> str:
    """The start of the argument spec's message for a value of the wrong type.

    ansible-core 2.19 names the type (str); older cores print its class (<class 'str'>).
    """
    shown = value_type if DATA_TAGGING else "<class '%s'>" % value_type
    return "argument '%s' is of type %s and we were unable to convert to %s" % (name, shown, wanted)


def trust_as_template(value: t.Any) -> t.Any:
    """A string Ansible templates; before 2.19 every string is one."""
    if not DATA_TAGGING:
        return value
    from ansible.template import trust_as_template as trust

    return trust(value)


def tagged(value: t.Any) -> t.Any:
    """The value as a template's result reaches a plugin: from 2.19 tagged with
    where it came from (its type an _AnsibleTagged... class), before 2.19 as it is."""
    if not DATA_TAGGING:
        return value
    from ansible._internal._datatag._tags import Origin

    return Origin(path='/play.yml', line_num=3).tag(value)


def load_template_file(loader: t.Any, path: str) -> t.Any:
    """A YAML file whose strings are templates, as a role's files are to Ansible."""
    if DATA_TAGGING:
        return loader.load_from_file(path, trusted_as_template=True)
    return loader.load_from_file(path)


def templar(loader: t.Any, variables: t.Mapping[str, t.Any], native: bool) -> t.Any:
    """A Templar for Jinja written for 2.19's templating, on any core.

    From 2.19 a template's result keeps its type and a string result stays a
    string. Older cores have two modes, neither quite that: by default a
    result is a string, or what literal_eval makes of one that looks like a
    list or a mapping (none becomes '', a JSON text a dict); with
    jinja2_native (ANSIBLE_JINJA2_NATIVE=true) results keep their types but a
    string that reads as a Python literal is converted ('1.36' becomes a
    float). On an older core, native picks the mode in which the caller's
    Jinja means what it means on 2.19; on 2.19 and later it changes nothing.
    """
    from ansible import constants
    from ansible.template import Templar

    if DATA_TAGGING:
        return Templar(loader=loader, variables=dict(variables))
    with mock.patch.object(constants, 'DEFAULT_JINJA2_NATIVE', native):
        return Templar(loader=loader, variables=dict(variables))
