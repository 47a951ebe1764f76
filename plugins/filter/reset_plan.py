# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r"""
---
name: reset_plan
short_description: Decide which files a reset removes, and which it leaves with why
version_added: 0.1.0
description:
  - Given a listing of the folders an install wrote to and the sha256 of their
    files, returns what to remove (files that hold, byte for byte, what
    nodeops.crio installed there, the roles' own files, and the folders that
    nothing else is left in; such a folder stands for all it holds), and the
    files at install paths that hold something else, each with the reason it
    stays.
  - What the collection installed comes from O(recorded) (the install's
    stamps), O(known), and unpacked copies on the node (O(sources)) mapped
    through O(layout).
  - The reset tasks of the roles use it; it is pure, so it changes nothing.
author:
  - nodeops.crio maintainers
options:
  _input:
    description: Output of C(find DIRS -printf '%y %p\n') on the node, a type letter and a path per line.
    type: str
    required: true
  sums:
    description: Output of C(sha256sum) over the regular files of the listing.
    type: str
    required: true
  recorded:
    description: Stamps of the install in C(sha256sum) format; each line names a path and a content that is the collection's.
    type: str
    default: ""
  known:
    description: More contents that are the collection's, as path to a list of sha256.
    type: dict
    default: {}
  own:
    description: Paths that are the collection's whatever they hold; a folder goes with everything in it.
    type: list
    elements: str
    default: []
  prune:
    description: Folders to remove once everything in them goes.
    type: list
    elements: str
    default: []
  sources:
    description: A regular expression matching the folders of unpacked copies (such as the bundle's C(cri-o/)) in the listing.
    type: str
    default: ""
  layout:
    description:
      - Where the install put each file of an unpacked copy, by its path relative to the copy.
      - A key ending in C(/) maps every other file directly in that folder to the folder it names.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Decide
  ansible.builtin.set_fact:
    plan: >-
      {{ listing.stdout | nodeops.crio.reset_plan(sums.stdout, own=['/etc/crio/crio.conf.d/50-nodeops.conf'],
         prune=['/etc/crio/crio.conf.d', '/etc/crio'], sources='^/var/cache/nodeops-crio/cri-o\\.v[^/]+/cri-o$',
         layout={'etc/10-crio.conf': '/etc/crio/crio.conf.d/10-crio.conf', 'bin/': '/usr/libexec/crio/'}) }}
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    remove:
      description: Paths to remove in this order, files first, then folders deepest first; nothing inside a listed folder is listed.
      type: list
      elements: str
    keep:
      description: Files at install paths that stay, each with C(path) and C(reason).
      type: list
      elements: dict
    sources:
      description: The unpacked copies found in the listing.
      type: list
      elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.nodeops.crio.plugins.plugin_utils._reset_plan import PlanError, plan


def reset_plan(listing, sums, recorded="", known=None, own=(), prune=(), sources="", layout=None):
    try:
        return plan(listing, sums, recorded, known, own, prune, sources, layout)
    except PlanError as error:
        raise AnsibleFilterError("nodeops.crio.reset_plan: %s" % error) from None


class FilterModule(object):
    def filters(self):
        return {"reset_plan": reset_plan}
