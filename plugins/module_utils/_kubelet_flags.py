# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Kubelet flags kept in systemd environment files.

Packages and kubeadm hand kubelet its flags through variables in files that
kubelet.service reads with EnvironmentFile= (KUBELET_EXTRA_ARGS in
/etc/default/kubelet or /etc/sysconfig/kubelet, KUBELET_KUBEADM_ARGS in
/var/lib/kubelet/kubeadm-flags.env). The unit expands them unbraced
($VAR), so systemd splits the value into words: one flag per word, or a flag
and its value as two words. These helpers read and change single flags in
such a file; kubelet_facts runs them on the node, and the editor of
nodeops.crio.kubelet_flags (plugin_utils/_kubelet_flags_edit) on the
controller.
"""

from __future__ import annotations

import re

ASSIGNMENT = re.compile(r"^(?P<lead>\s*)(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<eq>\s*=\s*)(?P<value>.*?)(?P<trail>\s*)$")


class FlagsError(ValueError):
    """A file or value this module cannot edit without guessing."""


def unquote(raw):
    """Return (text, quote) of an environment file value; quote is '', '"' or "'"."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1], raw[0]
    return raw, ""


def parse_assignments(text):
    """Return {name: value} for every assignment line; later lines win, as in systemd."""
    found = {}
    for line in text.splitlines():
        if line.lstrip().startswith(("#", ";")):
            continue
        match = ASSIGNMENT.match(line)
        if match:
            found[match.group("name")] = unquote(match.group("value"))[0]
    return found


def split_flags(words):
    """Group words into [name, value, form] entries.

    form is "eq" for --name=value, "sep" for --name value, "bool" for a lone
    --name. kubelet takes no positional arguments, so a word that does not
    start with "-" is the value of the flag before it.
    """
    entries = []
    for word in words:
        if word.startswith("-"):
            name, eq, value = word.lstrip("-").partition("=")
            entries.append([name, value if eq else None, "eq" if eq else "bool"])
        elif entries and entries[-1][2] == "bool":
            entries[-1][1:] = [word, "sep"]
        else:
            raise FlagsError("%r is not a flag and follows no flag that takes a value" % word)
    return entries
