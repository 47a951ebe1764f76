# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Kubelet flags kept in systemd environment files.

Packages and kubeadm hand kubelet its flags through variables in files that
kubelet.service reads with EnvironmentFile= (KUBELET_EXTRA_ARGS in
/etc/default/kubelet or /etc/sysconfig/kubelet, KUBELET_KUBEADM_ARGS in
/var/lib/kubelet/kubeadm-flags.env). The unit expands them unbraced
($VAR), so systemd splits the value into words: one flag per word, or a flag
and its value as two words. These helpers read and change single flags in
such a file and leave every other byte of it alone. Pure Python, so the same
code runs in modules on the node and in unit tests.
"""

from __future__ import annotations

import re

_ASSIGNMENT = re.compile(r"^(?P<lead>\s*)(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<eq>\s*=\s*)(?P<value>.*?)(?P<trail>\s*)$")


class FlagsError(ValueError):
    """A file or value this module cannot edit without guessing."""


def _unquote(raw):
    """Return (text, quote) of an environment file value; quote is '', '"' or "'"."""
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1], raw[0]
    return raw, ""


def _quote(text, quote):
    if not quote and (" " in text or "\t" in text):
        quote = '"'
    if quote and quote in text:
        raise FlagsError("a flag value contains the quote character %s" % quote)
    return quote + text + quote if quote else text


def parse_assignments(text):
    """Return {name: value} for every assignment line; later lines win, as in systemd."""
    found = {}
    for line in text.splitlines():
        if line.lstrip().startswith(("#", ";")):
            continue
        match = _ASSIGNMENT.match(line)
        if match:
            found[match.group("name")] = _unquote(match.group("value"))[0]
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


def join_flags(entries):
    words = []
    for name, value, form in entries:
        if form == "eq":
            words.append("--%s=%s" % (name, value))
        elif form == "sep":
            words.extend(["--" + name, value])
        else:
            words.append("--" + name)
    return " ".join(words)


def flags_of(text, variable):
    """Return the flag entries the variable holds in an environment file text."""
    return split_flags(parse_assignments(text).get(variable, "").split())


def _last_assignment(lines, variable):
    index = None
    for number, line in enumerate(lines):
        match = _ASSIGNMENT.match(line)
        if match and match.group("name") == variable and not line.lstrip().startswith(("#", ";")):
            index = number
    return index


def edit_flags(text, variable, set_flags=None, remove=()):
    """Set and remove flags inside one variable of an environment file.

    A flag that is present keeps its place and its form; a new one is added
    at the end; the variable is added at the end of the file if missing.
    Returns (new_text, changes) with changes a list of "--name" strings.
    """
    set_flags = dict(set_flags or {})
    lines = text.splitlines(True)
    index = _last_assignment(lines, variable)
    if index is None:
        match, entries, quote = None, [], '"'
    else:
        match = _ASSIGNMENT.match(lines[index].rstrip("\r\n"))
        value, quote = _unquote(match.group("value"))
        entries = split_flags(value.split())

    changes = []
    kept = [entry for entry in entries if entry[0] not in remove]
    changes.extend("--" + name for name in remove if any(entry[0] == name for entry in entries))
    for name, value in set_flags.items():
        value = str(value)
        present = [entry for entry in kept if entry[0] == name]
        for entry in present:
            if entry[1] != value:
                entry[1:] = [value, "sep" if entry[2] == "sep" else "eq"]
                changes.append("--" + name)
        if not present:
            kept.append([name, value, "eq"])
            changes.append("--" + name)
    if not changes:
        return text, []

    rendered = _quote(join_flags(kept), quote)
    if match is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append("%s=%s\n" % (variable, rendered))
    else:
        ending = lines[index][len(lines[index].rstrip("\r\n")):]
        lines[index] = "".join((match.group("lead"), variable, match.group("eq"), rendered, match.group("trail"), ending))
    return "".join(lines), sorted(set(changes))
