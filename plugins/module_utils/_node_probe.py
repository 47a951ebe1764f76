# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Helpers of nodeops.crio.node_probe: describe paths, compare them with what
is wanted, read sysctls and check sha256sum lists. They take the root of the
file system to look under, so the tests run them on a temporary tree
(tests/unit/plugins/module_utils/test_node_probe.py)."""

import base64
import grp
import hashlib
import os
import pwd
import re
import stat

_CHUNK = 1 << 20
_SUM_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


def _under(root, path):
    return os.path.join(root, path.lstrip("/")) if root != "/" else path


def file_digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def path_type(mode):
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "link"
    return "other"


def describe(path, follow=False, checksum=False, content=False, root="/"):
    """What is at path: type, mode, owner; the sha1 and base64 content of a file when asked.

    A path that cannot be looked at (or read) gets an error instead of failing
    the whole probe, so that one unreadable file does not hide the others.
    """
    local = _under(root, path)
    # Followed, a link is described as what it points to; say where that is,
    # so that a writer can tell a missing file from a link that points nowhere.
    link = {"link_target": _real_path(local, root)} if follow and os.path.islink(local) else {}
    try:
        info = os.stat(local) if follow else os.lstat(local)
    except FileNotFoundError:
        return dict({"exists": False}, **link)
    except OSError as error:
        return {"exists": False, "error": error.strerror or str(error)}
    found = dict(link, **{
        "exists": True,
        "type": path_type(info.st_mode),
        "mode": "%04o" % stat.S_IMODE(info.st_mode),
        "uid": info.st_uid,
        "gid": info.st_gid,
        "owner": _name(pwd.getpwuid, info.st_uid),
        "group": _name(grp.getgrgid, info.st_gid),
        "size": info.st_size,
    })
    if found["type"] == "file" and (checksum or content):
        try:
            if checksum:
                found["checksum"] = file_digest(local, "sha1")
            if content:
                with open(local, "rb") as handle:
                    found["content"] = base64.b64encode(handle.read()).decode("ascii")
        except OSError as error:
            found["error"] = error.strerror or str(error)
    return found


def account_ids(names, lookup):
    """{name: number} of user or group names (lookup: pwd.getpwnam or grp.getgrnam);
    None for a name the node does not know, so a task can refuse it before it writes."""
    ids = {}
    for name in names:
        try:
            ids[name] = lookup(name)[2]
        except KeyError:
            ids[name] = None
    return ids


def _real_path(local, root):
    """The node path that local resolves to, every link in it followed as far as it goes."""
    real = os.path.realpath(local)
    if root == "/":
        return real
    base = os.path.realpath(root)
    if real != base and not real.startswith(base + os.sep):
        return real
    relative = os.path.relpath(real, base)
    return "/" if relative == "." else "/" + relative


def _mode_number(mode):
    return mode if isinstance(mode, int) else int(str(mode), 8)


def differs(found, wanted):
    """Whether what describe() found falls short of wanted.

    wanted: {state: file|directory|absent, checksum: sha1, mode, owner, group};
    only the keys given are compared. Any doubt (an error, a link where a file
    is wanted) counts as a difference: the caller then lets the real task decide.
    """
    state = wanted.get("state") or "file"
    if found.get("error"):
        return True
    if state == "absent":
        return found["exists"]
    if not found["exists"] or found["type"] != state:
        return True
    if wanted.get("checksum") and found.get("checksum") != wanted["checksum"]:
        return True
    if wanted.get("mode") is not None and int(found["mode"], 8) != _mode_number(wanted["mode"]):
        return True
    if wanted.get("owner") is not None and str(wanted["owner"]) not in (found["owner"], str(found["uid"])):
        return True
    return wanted.get("group") is not None and str(wanted["group"]) not in (found["group"], str(found["gid"]))


def sysctl_path(name):
    return "/proc/sys/" + name.replace(".", "/")


def read_sysctls(names, root="/"):
    """{name: value} of the sysctls that exist; whitespace inside a value becomes one space."""
    values = {}
    for name in names:
        try:
            with open(_under(root, sysctl_path(name))) as handle:
                values[name] = " ".join(handle.read().split())
        except OSError:
            continue
    return values


def sysctls_writable(root="/"):
    """Whether sysctls can be set now: /proc/sys is mounted read-write.

    Asked of the mount, not of a folder: /proc/sys's folders are r-x even for
    root, so access(W_OK) on one is false on every node.
    """
    try:
        return not os.statvfs(_under(root, "/proc/sys")).f_flag & os.ST_RDONLY
    except OSError:
        return False


def list_dir(path, root="/"):
    """The sorted names in a folder; [] when it is missing or unreadable."""
    try:
        return sorted(os.listdir(_under(root, path)))
    except OSError:
        return []


def checksum_list_holds(list_path, root="/"):
    """Whether every file a sha256sum list names still has its sha256 (sha256sum --check --strict).

    A missing or malformed list, or an empty one, does not hold.
    """
    try:
        with open(_under(root, list_path)) as handle:
            lines = handle.read().splitlines()
    except OSError:
        return False
    entries = [_SUM_LINE.match(line) for line in lines if line.strip()]
    if not entries or not all(entries):
        return False
    for entry in entries:
        try:
            if file_digest(_under(root, entry.group(2)), "sha256") != entry.group(1).lower():
                return False
        except OSError:
            return False
    return True
