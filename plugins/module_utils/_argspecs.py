# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Argument specs of the config modules.

The module files hand these to AnsibleModule (so ansible-doc and sanity's
validate-modules hold the documentation to them) and the action plugins
validate task arguments against the very same dicts before touching a host.
The file attributes (owner, group, mode, ...) come on top, from
AnsibleModule's add_file_common_args and FILE_COMMON_ARGUMENTS.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

_WRITE_OPTIONS = dict(
    backup=dict(type='bool', default=False),
    backup_dir=dict(type='path'),
    validate=dict(type='str'),
)

CRIO_CONFIG = dict(
    path=dict(type='path', required=True),
    settings=dict(type='dict'),
    remove=dict(type='list', elements='list'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    create=dict(type='bool', default=False),
    force_type=dict(type='bool', default=False),
    **_WRITE_OPTIONS
)

CRICTL_CONFIG = dict(
    path=dict(type='path', default='/etc/crictl.yaml'),
    runtime_endpoint=dict(type='str'),
    image_endpoint=dict(type='str'),
    timeout=dict(type='int'),
    debug=dict(type='bool'),
    pull_image_on_create=dict(type='bool'),
    disable_pull_on_run=dict(type='bool'),
    prune=dict(type='bool', default=False),
    create=dict(type='bool', default=True),
    **_WRITE_OPTIONS
)


def fail_outside_action_plugin(name: str, argument_spec: dict) -> None:
    """main() of a module whose work its action plugin does: check the
    arguments against the same spec, then say where the work is done."""
    module = AnsibleModule(argument_spec=argument_spec, add_file_common_args=True, supports_check_mode=True)
    module.fail_json(msg='nodeops.crio.%s runs on the controller through its action plugin, which was not used here; '
                         'run it as a task of ansible-playbook or ansible' % name)
