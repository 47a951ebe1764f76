# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""What a reset removes: the files nodeops.crio wrote, as it wrote them.

The roles keep what they install from on the node (the unpacked CRI-O bundle
and cri-tools tarball in their cache) and stamp what they laid out (sha256 of
each file).  A file where an install put one goes only when its content is
byte for byte one of those: a file an operator edited or replaced since
stays, and the plan says why.  The roles' own files (their drop-ins, helper,
backups, cache) go whatever they hold, and a folder the install created goes
once nothing else is left in it, as a whole.  Files nobody installed are not
looked at.

The node is described by the text of two commands, so the reset asks it
twice and decides here: `find DIRS -printf '%y %p\\n'` (type letter and
path of every entry) and `sha256sum` of the regular files among them.
Pure, so every rule is tested without a node
(tests/unit/plugins/plugin_utils/test_reset_plan.py).
"""

from __future__ import annotations

import posixpath
import re
import typing as t

from ansible_collections.nodeops.crio.plugins.plugin_utils._type_names import plain_type_name

_LISTED = re.compile(r'^([a-zA-Z]) (/.*)$')
# sha256sum prints "SUM  PATH" ("SUM *PATH" in binary mode); it escapes an
# odd name with a leading backslash, which no path the roles write has.
_SUMMED = re.compile(r'^([0-9a-f]{64}) [ *](/.*)$')
_KINDS = {
    'd': 'a directory',
    'l': 'a symbolic link',
    'p': 'a named pipe',
    's': 'a socket',
    'b': 'a block device',
    'c': 'a character device',
}

EDITED = 'differs from what nodeops.crio installed there (edited since, or there before), so left'
UNREAD = 'could not be read to compare with what nodeops.crio installed, so left'


class PlanError(ValueError):
    """Input the plan cannot use; the message names the argument."""


def parse_listing(text: str) -> dict[str, str]:
    """Path to type letter (f, d, l, ...) of `find -printf '%y %p\\n'` output; other lines are skipped."""
    entries = {}
    for line in text.splitlines():
        match = _LISTED.match(line)
        if match:
            entries[posixpath.normpath(match.group(2))] = match.group(1)
    return entries


def parse_sums(text: str) -> dict[str, str]:
    """Path to sha256 of `sha256sum` output (or a stamp in that format); other lines are skipped."""
    sums = {}
    for line in text.splitlines():
        match = _SUMMED.match(line.rstrip('\n'))
        if match:
            sums[posixpath.normpath(match.group(2))] = match.group(1)
    return sums


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip('/') + '/')


def _destination(relative: str, layout: t.Mapping[str, str]) -> str | None:
    """Where the install put the file at `relative` of an unpacked copy.

    A key without a trailing slash names one file; a key "dir/" every other
    file directly in that folder, into the folder it maps to.
    """
    if relative in layout:
        return layout[relative]
    folder, name = posixpath.split(relative)
    target = layout.get(folder + '/') if folder else None
    return posixpath.join(target, name) if target else None


def copies(entries: t.Mapping[str, str], sources: str, layout: t.Mapping[str, str]) -> tuple[list[str], dict[str, list[str]]]:
    """The unpacked copies found (folders matching the regex `sources`) and, per
    installed path, the files of those copies it was installed from."""
    if not sources:
        return [], {}
    try:
        pattern = re.compile(sources)
    except re.error as error:
        raise PlanError('sources: not a regular expression (%s): %r' % (error, sources)) from None
    roots = sorted(path for path, kind in entries.items() if kind == 'd' and pattern.match(path))
    found: dict[str, list[str]] = {}
    for path, kind in sorted(entries.items()):
        if kind != 'f':
            continue
        root = next((root for root in roots if path.startswith(root + '/')), None)
        destination = _destination(path[len(root) + 1 :], layout) if root else None
        if destination:
            found.setdefault(posixpath.normpath(destination), []).append(path)
    return roots, found


def plan(
    listing: str,
    sums: str,
    recorded: str = '',
    known: t.Mapping[str, t.Sequence[str]] | None = None,
    own: t.Sequence[str] = (),
    prune: t.Sequence[str] = (),
    sources: str = '',
    layout: t.Mapping[str, str] | None = None,
) -> dict[str, t.Any]:
    """What to remove (files, then folders deepest first; a folder that goes whole
    stands for everything in it), and what to keep with why.

    listing, sums: the node's entries and the sha256 of its regular files.
    recorded: the install's stamps (sha256sum format): these contents are the collection's.
    known: more contents that are the collection's, by path (sha256 each).
    own: paths that are the collection's whatever they hold (a folder with all in it).
    prune: folders to remove once everything in them goes.
    sources, layout: unpacked copies the install copied from, and where each of their files went.
    """
    for name, value in (('listing', listing), ('sums', sums), ('recorded', recorded), ('sources', sources)):
        if not isinstance(value, str):
            raise PlanError('%s: expected text, got %s' % (name, plain_type_name(value)))
    for name, mapping in (('known', known or {}), ('layout', layout or {})):
        if not isinstance(mapping, t.Mapping):
            raise PlanError('%s: expected a mapping of paths, got %s' % (name, plain_type_name(mapping)))
    for name, paths in (('own', own), ('prune', prune)):
        if isinstance(paths, str) or not all(isinstance(path, str) and path.startswith('/') for path in paths):
            raise PlanError('%s: expected a list of absolute paths, got %r' % (name, paths))

    entries = parse_listing(listing)
    digests = parse_sums(sums)
    roots, sourced = copies(entries, sources, layout or {})
    allowed: dict[str, set[str]] = {}
    for path, digest in parse_sums(recorded).items():
        allowed.setdefault(path, set()).add(digest)
    for path, values in (known or {}).items():
        if isinstance(values, str):
            raise PlanError('known: expected a list of sha256 per path, got a string for %s' % path)
        allowed.setdefault(posixpath.normpath(path), set()).update(str(value).lower() for value in values)
    for path, files in sourced.items():
        allowed.setdefault(path, set()).update(digests[source] for source in files if source in digests)

    owned = [posixpath.normpath(path) for path in own]
    remove_files: list[str] = []
    remove_dirs: list[str] = [path for path in owned if entries.get(path) == 'd']
    keep: list[dict[str, str]] = []
    gone = set()
    for path, kind in sorted(entries.items()):
        if any(_under(path, mine) for mine in owned):
            gone.add(path)
            if path in owned and kind != 'd':
                remove_files.append(path)
        elif path in allowed:
            if kind == 'f' and digests.get(path) in allowed[path]:
                remove_files.append(path)
                gone.add(path)
            elif kind == 'f':
                keep.append(dict(path=path, reason=EDITED if path in digests else UNREAD))
            else:
                keep.append(
                    dict(
                        path=path,
                        reason='is %s where nodeops.crio installed a file, so left' % _KINDS.get(kind, 'not a regular file'),
                    )
                )

    for folder in sorted((posixpath.normpath(path) for path in prune), key=lambda path: (-path.count('/'), path)):
        if entries.get(folder) != 'd' or folder in gone:
            continue
        if all(path in gone for path in entries if path != folder and _under(path, folder)):
            remove_dirs.append(folder)
            gone.add(folder)

    # A folder that goes whole takes what is in it: one removal instead of many.
    whole = set(remove_dirs)
    remove = [
        path
        for path in remove_files + sorted(remove_dirs, key=lambda path: (-path.count('/'), path))
        if not any(_under(path, folder) and path != folder for folder in whole)
    ]
    return dict(remove=remove, keep=keep, sources=roots)
