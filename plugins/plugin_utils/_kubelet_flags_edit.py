# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Changing single kubelet flags in a systemd environment file, for the
action plugin of nodeops.crio.kubelet_flags.

A flag that is present keeps its place and its form; every other byte of
the file stays. Reading the file's assignments and flags is shared with
kubelet_facts on the node (module_utils/_kubelet_flags).
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.nodeops.crio.plugins.module_utils._kubelet_flags import ASSIGNMENT, FlagsError, split_flags, unquote

# [name, value, form] as split_flags makes them: value None for a lone --name.
Entry = t.List[t.Optional[str]]


def _quote(text: str, quote: str) -> str:
    if not quote and (" " in text or "\t" in text):
        quote = '"'
    if quote and quote in text:
        raise FlagsError("a flag value contains the quote character %s" % quote)
    return quote + text + quote if quote else text


def join_flags(entries: t.Sequence[Entry]) -> str:
    words: list[str] = []
    for name, value, form in entries:
        if form == "eq":
            words.append("--%s=%s" % (name, value))
        elif form == "sep":
            words.extend(["--%s" % name, str(value)])
        else:
            words.append("--%s" % name)
    return " ".join(words)


def _last_assignment(lines: list[str], variable: str) -> tuple[int, re.Match[str]] | None:
    """The line that sets the variable last (systemd takes that one), and its parts."""
    found = None
    for number, line in enumerate(lines):
        match = ASSIGNMENT.match(line.rstrip("\r\n"))
        if match and match.group("name") == variable and not line.lstrip().startswith(("#", ";")):
            found = number, match
    return found


def edit_flags(
    text: str, variable: str, set_flags: t.Mapping[str, object] | None = None, remove: t.Collection[str] = ()
) -> tuple[str, list[str]]:
    """Set and remove flags inside one variable of an environment file.

    A flag that is present keeps its place and its form; a new one is added
    at the end; the variable is added at the end of the file if missing.
    Returns (new_text, changes) with changes a list of "--name" strings.
    """
    lines = text.splitlines(True)
    last = _last_assignment(lines, variable)
    entries: list[Entry] = []
    quote = '"'
    if last is not None:
        value, quote = unquote(last[1].group("value"))
        entries = split_flags(value.split())

    changes = ["--%s" % name for name in remove if any(entry[0] == name for entry in entries)]
    kept = [entry for entry in entries if entry[0] not in remove]
    for name, wanted in (set_flags or {}).items():
        value = str(wanted)
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
    if last is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append("%s=%s\n" % (variable, rendered))
    else:
        index, match = last
        ending = lines[index][len(lines[index].rstrip("\r\n")) :]
        lines[index] = "".join((match.group("lead"), variable, match.group("eq"), rendered, match.group("trail"), ending))
    return "".join(lines), sorted(set(changes))
