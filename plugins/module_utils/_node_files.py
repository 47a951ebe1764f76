# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Helpers of nodeops.crio.node_files: check a whole list of files and
folders against the node, then bring each to its state. Every entry is
checked before the first write, so bad input changes nothing. They take the
root of the file system to work under, so the tests run them on a temporary
tree (tests/unit/plugins/module_utils/test_node_files.py)."""

import grp
import hashlib
import os
import pwd
import shutil
import tempfile
import time

from ansible_collections.nodeops.crio.plugins.module_utils._node_probe import _under, describe, differs

_TEXT_LIMIT = 1 << 16


class FilesError(Exception):
    """An entry that cannot be brought to its state; nothing was written."""


def _mode(index, entry):
    mode = entry.get("mode")
    if mode is None:
        return None
    try:
        number = mode if isinstance(mode, int) else int(str(mode), 8)
    except ValueError:
        number = -1
    if not 0 <= number <= 0o7777:
        raise FilesError('files[%d] (%s): mode must be octal, such as "0644"; got %r' % (index, entry["path"], mode))
    return number


def _id(index, entry, key, lookup):
    name = entry.get(key)
    if name is None:
        return -1
    try:
        return lookup(str(name))[2]
    except KeyError:
        if str(name).isdigit():
            return int(name)
        raise FilesError("files[%d] (%s): %s %s does not exist on the node" % (index, entry["path"], key, name))


def plan(entries, root="/"):
    """What each entry needs, after checking them all: a list of steps, one per entry that differs.

    A step holds the entry, what is there now (describe()), its mode number,
    uid and gid (-1: leave), and the current text of a file shown in a diff.
    Raises FilesError for the first entry that cannot be done.
    """
    steps = []
    folders = set()
    for index, entry in enumerate(entries):
        path, state = entry["path"], entry.get("state") or "file"
        if not path.startswith("/"):
            raise FilesError("files[%d]: path must be absolute; got %r" % (index, path))
        mode, uid, gid = _mode(index, entry), _id(index, entry, "owner", pwd.getpwnam), _id(index, entry, "group", grp.getgrnam)
        found = describe(path, checksum=state == "file", root=root)
        if found.get("error"):
            raise FilesError("files[%d]: cannot look at %s: %s" % (index, path, found["error"]))
        allowed = ("file", "link") if state == "absent" else (state,)
        if found["exists"] and found["type"] not in allowed:
            raise FilesError("files[%d]: %s is a %s, not a %s; move it away or remove it first"
                             % (index, path, found["type"], " or ".join(allowed)))
        if state == "file" and entry.get("content") is None:
            raise FilesError("files[%d] (%s): a file needs content" % (index, path))
        parent = os.path.dirname(path)
        # A folder comes with its missing parents, as mkdir -p makes them.
        if state == "file" and parent not in folders and not os.path.isdir(_under(root, parent)):
            raise FilesError("files[%d]: the folder of %s does not exist and no earlier entry creates it" % (index, path))
        if state == "directory":
            folders.update(_ancestors(path))
        wanted = dict(state=state, mode=mode)
        if state == "file":
            wanted["checksum"] = hashlib.sha1(entry["content"].encode("utf-8")).hexdigest()
        if uid >= 0:
            wanted["owner"] = str(uid)
        if gid >= 0:
            wanted["group"] = str(gid)
        if differs(found, wanted):
            steps.append(dict(entry=entry, found=found, mode=mode, uid=uid, gid=gid, checksum=wanted.get("checksum"),
                              before=_text(_under(root, path), found) if state == "file" else None))
    return steps


def _ancestors(path):
    while path not in ("/", ""):
        yield path
        path = os.path.dirname(path)


def _text(path, found):
    if not found["exists"] or found["size"] > _TEXT_LIMIT:
        return ""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def diff(step):
    """The diff Ansible shows for a step; a secret entry (diff: false) shows only that it changes."""
    entry, found = step["entry"], step["found"]
    state = entry.get("state") or "file"
    header = dict(before_header=entry["path"], after_header=entry["path"])
    if state == "file" and entry.get("diff", True):
        return dict(header, before=step["before"], after=entry["content"])
    before = found["type"] + " " + found["mode"] if found["exists"] else "absent"
    after = state if step["mode"] is None or state == "absent" else "%s %04o" % (state, step["mode"])
    if state == "file" and found.get("checksum") != step["checksum"]:
        # A secret's content is not shown, but that it changes is.
        after += ", new content (not shown)"
    return dict(header, before=before + "\n", after=after + "\n")


def _backup(local, backup_dir, root):
    folder = _under(root, backup_dir) if backup_dir else os.path.dirname(local)
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o755)
    stamp = time.strftime("%Y-%m-%d@%H:%M:%S", time.localtime())
    target = os.path.join(folder, "%s.%d.%s~" % (os.path.basename(local), os.getpid(), stamp))
    shutil.copy2(local, target)
    return target if root == "/" else "/" + os.path.relpath(target, root)


def _owner(local, step):
    if step["uid"] >= 0 or step["gid"] >= 0:
        os.lchown(local, step["uid"], step["gid"])


def apply(step, backup_dir=None, root="/"):
    """Bring one checked entry to its state; the backup's path when one was made, else ""."""
    entry, found = step["entry"], step["found"]
    state, local = entry.get("state") or "file", _under(root, entry["path"])
    backup = ""
    if state == "absent":
        if entry.get("backup"):
            backup = _backup(local, backup_dir, root)
        os.unlink(local)
    elif state == "directory":
        if not found["exists"]:
            os.makedirs(local)
        os.chmod(local, 0o755 if step["mode"] is None else step["mode"])
        _owner(local, step)
    else:
        if entry.get("backup") and found["exists"]:
            backup = _backup(local, backup_dir, root)
        handle, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(local), dir=os.path.dirname(local))
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(entry["content"].encode("utf-8"))
            # A replaced file keeps the mode and owner not asked for.
            kept = found["exists"]
            os.chmod(temporary, step["mode"] if step["mode"] is not None else int(found["mode"], 8) if kept else 0o644)
            os.lchown(temporary, step["uid"] if step["uid"] >= 0 else found["uid"] if kept else -1,
                      step["gid"] if step["gid"] >= 0 else found["gid"] if kept else -1)
            # A rename: readers see the old file or the new one, never half of it.
            os.rename(temporary, local)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    return backup
