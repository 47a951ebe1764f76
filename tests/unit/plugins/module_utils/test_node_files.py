# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""nodeops.crio.node_files: plan, apply and diff on a temporary tree, and the module through main()."""

from __future__ import annotations

import json
import os
import stat
import typing as t
from pathlib import Path

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils._node_files import FilesError, apply, diff, plan
from ansible_collections.nodeops.crio.plugins.modules import node_files
from ansible_collections.nodeops.crio.tests.unit import compat
from ansible_collections.nodeops.crio.tests.unit.compat import patch_module_args

MODULES = "/etc/modules-load.d/nodeops-crio.conf"
MODULES_TEXT = "# Kernel modules CRI-O needs; written by nodeops.crio.crio.\noverlay\nbr_netfilter\n"
HELPER_DIR = "/usr/local/libexec/nodeops-crio"
HELPER = HELPER_DIR + "/check-crio-dropin"
PROXY = "/etc/systemd/system/crio.service.d/50-nodeops-proxy.conf"
PROXY_TEXT = '# HTTP proxy\n[Service]\nEnvironment="HTTPS_PROXY=http://proxy.internal:3128"\n'
AUTH = "/etc/crio/auth.json"
BACKUP_DIR = "/var/backups/nodeops-crio"


def put(root: Path, path: str, text: str = MODULES_TEXT, mode: int = 0o644) -> Path:
    local = root / path.lstrip("/")
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(text)
    local.chmod(mode)
    return local


def folder(root: Path, path: str) -> Path:
    local = root / path.lstrip("/")
    local.mkdir(parents=True, exist_ok=True)
    return local


def mode_of(local: Path) -> int:
    return stat.S_IMODE(os.lstat(local).st_mode)


def run_all(entries: list[dict[str, t.Any]], root: Path, backup_dir: str | None = None) -> list[str]:
    """What the module does: plan everything, then apply each step; the backups made."""
    return [apply(step, backup_dir=backup_dir, root=str(root)) for step in plan(entries, root=str(root))]


def snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every path under root: its type, mode and (for a file) text or (for a link) target."""
    seen = {}
    for folder_path, names, files in os.walk(root):
        for name in names + files:
            local = Path(folder_path) / name
            info = os.lstat(local)
            kind = "link" if stat.S_ISLNK(info.st_mode) else "directory" if stat.S_ISDIR(info.st_mode) else "file"
            body = os.readlink(local) if kind == "link" else local.read_text() if kind == "file" else ""
            seen[str(local.relative_to(root))] = (kind, stat.S_IMODE(info.st_mode), body)
    return seen


# --------------------------------------------------------------------------
# plan() and apply()

def test_a_file_and_a_folder_are_created(tmp_path: Path) -> None:
    folder(tmp_path, "/etc/modules-load.d")
    folder(tmp_path, "/usr/local/libexec")
    entries = [dict(path=MODULES, content=MODULES_TEXT, mode="0644"),
               dict(path=HELPER_DIR, state="directory", mode="0755"),
               dict(path=HELPER, content="#!/bin/sh\n", mode="0755")]
    steps = plan(entries, root=str(tmp_path))
    assert [step["entry"]["path"] for step in steps] == [MODULES, HELPER_DIR, HELPER]
    assert [step["mode"] for step in steps] == [0o644, 0o755, 0o755]
    assert all(step["found"] == {"exists": False} for step in steps)
    assert run_all(entries, tmp_path) == ["", "", ""]
    assert (tmp_path / MODULES.lstrip("/")).read_text() == MODULES_TEXT
    assert mode_of(tmp_path / MODULES.lstrip("/")) == 0o644
    assert (tmp_path / HELPER_DIR.lstrip("/")).is_dir() and mode_of(tmp_path / HELPER_DIR.lstrip("/")) == 0o755
    assert mode_of(tmp_path / HELPER.lstrip("/")) == 0o755
    # no temporary file is left beside them
    assert os.listdir(tmp_path / "etc" / "modules-load.d") == ["nodeops-crio.conf"]
    # and a second run has nothing to do
    assert plan(entries, root=str(tmp_path)) == []


@pytest.mark.parametrize("entry, new_mode", [
    (dict(path=MODULES, content=MODULES_TEXT), 0o644),
    (dict(path=HELPER_DIR, state="directory"), 0o755),
], ids=["file", "folder"])
def test_without_a_mode_a_new_path_gets_the_usual_one(tmp_path: Path, entry: dict[str, t.Any], new_mode: int) -> None:
    folder(tmp_path, "/etc/modules-load.d")
    folder(tmp_path, "/usr/local/libexec")
    old_umask = os.umask(0o077)
    try:
        run_all([entry], tmp_path)
    finally:
        os.umask(old_umask)
    assert mode_of(tmp_path / entry["path"].lstrip("/")) == new_mode


@pytest.mark.parametrize("entry", [
    dict(path=MODULES, content=MODULES_TEXT, mode="0644"),
    dict(path=MODULES, content=MODULES_TEXT, mode=0o644),
    dict(path=MODULES, content=MODULES_TEXT, mode="644"),
    dict(path=MODULES, content=MODULES_TEXT),
    dict(path=MODULES, state="file", content=MODULES_TEXT, mode="0644", owner=str(os.geteuid()), group=str(os.getegid())),
    dict(path="/etc/modules-load.d", state="directory", mode="0755"),
    dict(path="/etc/no-such-file", state="absent"),
], ids=["quoted-mode", "int-mode", "short-mode", "no-mode", "owner-and-group", "folder", "absent-already"])
def test_what_is_already_right_needs_no_step(tmp_path: Path, entry: dict[str, t.Any]) -> None:
    put(tmp_path, MODULES)
    (tmp_path / "etc" / "modules-load.d").chmod(0o755)
    assert plan([entry], root=str(tmp_path)) == []


def test_a_file_whose_mode_alone_differs_keeps_its_text(tmp_path: Path) -> None:
    local = put(tmp_path, AUTH, text='{"auths": {}}\n', mode=0o644)
    [step] = plan([dict(path=AUTH, content='{"auths": {}}\n', mode="0600")], root=str(tmp_path))
    assert step["found"]["mode"] == "0644" and step["mode"] == 0o600
    apply(step, root=str(tmp_path))
    assert mode_of(local) == 0o600 and local.read_text() == '{"auths": {}}\n'


def test_a_folder_whose_mode_differs_is_changed(tmp_path: Path) -> None:
    local = folder(tmp_path, HELPER_DIR)
    local.chmod(0o700)
    (local / "kept").write_text("x")
    run_all([dict(path=HELPER_DIR, state="directory", mode="0755")], tmp_path)
    assert mode_of(local) == 0o755 and (local / "kept").read_text() == "x"


def test_absent_removes_a_file_and_a_link_and_leaves_their_targets(tmp_path: Path) -> None:
    put(tmp_path, PROXY, text=PROXY_TEXT)
    target = put(tmp_path, "/etc/cni/net.d/real.conflist", text="{}")
    (tmp_path / "etc" / "cni" / "net.d" / "10-nodeops-bridge.conflist").symlink_to(target)
    entries = [dict(path=PROXY, state="absent"), dict(path="/etc/cni/net.d/10-nodeops-bridge.conflist", state="absent")]
    steps = plan(entries, root=str(tmp_path))
    assert [step["found"]["type"] for step in steps] == ["file", "link"]
    run_all(entries, tmp_path)
    assert not os.path.lexists(tmp_path / PROXY.lstrip("/"))
    assert not os.path.lexists(tmp_path / "etc" / "cni" / "net.d" / "10-nodeops-bridge.conflist")
    assert target.read_text() == "{}"
    assert (tmp_path / "etc" / "systemd" / "system" / "crio.service.d").is_dir()


def test_absent_does_not_remove_a_folder(tmp_path: Path) -> None:
    folder(tmp_path, PROXY)
    with pytest.raises(FilesError, match=r"^files\[0\]: %s is a directory, not a file or link; move it away or remove it "
                                         r"first$" % PROXY):
        plan([dict(path=PROXY, state="absent")], root=str(tmp_path))
    assert (tmp_path / PROXY.lstrip("/")).is_dir()


def test_a_folder_made_by_an_earlier_entry_may_hold_a_later_one(tmp_path: Path) -> None:
    folder(tmp_path, "/etc/systemd/system")
    entries = [dict(path="/etc/systemd/system/crio.service.d", state="directory", mode="0755"),
               dict(path=PROXY, content=PROXY_TEXT, mode="0644")]
    assert len(plan(entries, root=str(tmp_path))) == 2
    run_all(entries, tmp_path)
    assert (tmp_path / PROXY.lstrip("/")).read_text() == PROXY_TEXT


@pytest.mark.parametrize("entries", [
    [dict(path=MODULES, content=MODULES_TEXT), dict(path=PROXY, content=PROXY_TEXT)],
    # the folder comes too late
    [dict(path=MODULES, content=MODULES_TEXT), dict(path=PROXY, content=PROXY_TEXT),
     dict(path="/etc/systemd/system/crio.service.d", state="directory")],
], ids=["no-entry-creates-it", "created-after"])
def test_a_file_in_a_missing_folder_fails_before_anything_is_written(tmp_path: Path,
                                                                     entries: list[dict[str, t.Any]]) -> None:
    folder(tmp_path, "/etc/modules-load.d")
    folder(tmp_path, "/etc/systemd/system")
    before = snapshot(tmp_path)
    with pytest.raises(FilesError, match=r"^files\[1\]: the folder of %s does not exist and no earlier entry creates "
                                         r"it$" % PROXY):
        run_all(entries, tmp_path)
    # not even the first entry, which could have been written
    assert snapshot(tmp_path) == before


def test_a_folder_where_a_file_is_wanted_fails(tmp_path: Path) -> None:
    folder(tmp_path, MODULES)
    before = snapshot(tmp_path)
    with pytest.raises(FilesError, match=r"^files\[0\]: %s is a directory, not a file; move it away or remove it "
                                         r"first$" % MODULES):
        run_all([dict(path=MODULES, content=MODULES_TEXT)], tmp_path)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("state, content", [("file", MODULES_TEXT), ("directory", None)])
def test_a_link_where_a_file_or_folder_is_wanted_fails_and_stays(tmp_path: Path, state: str, content: str | None) -> None:
    target = put(tmp_path, "/srv/modules.conf", text="mine\n")
    folder(tmp_path, "/etc/modules-load.d")
    link = tmp_path / MODULES.lstrip("/")
    link.symlink_to(target)
    with pytest.raises(FilesError, match=r"^files\[0\]: %s is a link, not a %s; " % (MODULES, state)):
        run_all([dict(path=MODULES, state=state, content=content)], tmp_path)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "mine\n"


@pytest.mark.parametrize("mode", ["0999", "rw", "u=rw,go=r", "-1", "017777", "", "0x644"])
def test_a_mode_that_is_not_octal_fails_before_any_write(tmp_path: Path, mode: t.Any) -> None:
    folder(tmp_path, "/etc/modules-load.d")
    folder(tmp_path, HELPER_DIR)
    before = snapshot(tmp_path)
    with pytest.raises(FilesError) as error:
        run_all([dict(path=MODULES, content=MODULES_TEXT), dict(path=HELPER, content="#!/bin/sh\n", mode=mode)], tmp_path)
    assert str(error.value) == 'files[1] (%s): mode must be octal, such as "0644"; got %r' % (HELPER, mode)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("key", ["owner", "group"])
def test_an_unknown_owner_or_group_fails_before_any_write(tmp_path: Path, key: str) -> None:
    folder(tmp_path, "/etc/modules-load.d")
    before = snapshot(tmp_path)
    entries = [dict(path=MODULES, content=MODULES_TEXT),
               dict(path=AUTH.replace("/crio/", "/"), content="{}", **{key: "no-such-nodeops-name"})]
    with pytest.raises(FilesError) as error:
        run_all(entries, tmp_path)
    assert str(error.value) == "files[1] (/etc/auth.json): %s no-such-nodeops-name does not exist on the node" % key
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("entry, message", [
    (dict(path="etc/crio/auth.json", content="{}"), "files[0]: path must be absolute; got 'etc/crio/auth.json'"),
    (dict(path=MODULES), "files[0] (%s): a file needs content" % MODULES),
], ids=["relative-path", "file-without-content"])
def test_an_entry_that_says_too_little_fails(tmp_path: Path, entry: dict[str, t.Any], message: str) -> None:
    folder(tmp_path, "/etc/modules-load.d")
    with pytest.raises(FilesError) as error:
        plan([entry], root=str(tmp_path))
    assert str(error.value) == message


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_owner_and_group_by_number_are_set_on_a_new_file_and_a_folder(tmp_path: Path) -> None:
    folder(tmp_path, "/etc/crio")
    entries = [dict(path=AUTH, content="{}", mode="0600", owner="4242", group="4343"),
               dict(path="/etc/crio/keys", state="directory", owner="4242")]
    run_all(entries, tmp_path)
    info = os.lstat(tmp_path / AUTH.lstrip("/"))
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4242, 4343, 0o600)
    assert os.lstat(tmp_path / "etc" / "crio" / "keys").st_uid == 4242
    assert plan(entries, root=str(tmp_path)) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_an_owner_that_differs_alone_is_a_step(tmp_path: Path) -> None:
    local = put(tmp_path, AUTH, text="{}", mode=0o600)
    [step] = plan([dict(path=AUTH, content="{}", mode="0600", owner="root", group="4343")], root=str(tmp_path))
    assert (step["uid"], step["gid"]) == (0, 4343)
    apply(step, root=str(tmp_path))
    assert (os.lstat(local).st_uid, os.lstat(local).st_gid) == (0, 4343)


def test_without_a_mode_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    local = put(tmp_path, AUTH, text="{}", mode=0o600)
    run_all([dict(path=AUTH, content='{"auths": {}}\n')], tmp_path)
    assert local.read_text() == '{"auths": {}}\n'
    assert mode_of(local) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_without_an_owner_a_replaced_file_keeps_its_owner_and_group(tmp_path: Path) -> None:
    local = put(tmp_path, AUTH, text="{}", mode=0o640)
    os.chown(local, 4242, 4343)
    run_all([dict(path=AUTH, content='{"auths": {}}\n', mode="0640")], tmp_path)
    assert (os.lstat(local).st_uid, os.lstat(local).st_gid) == (4242, 4343)


def test_a_backup_goes_into_the_backup_dir(tmp_path: Path) -> None:
    put(tmp_path, PROXY, text=PROXY_TEXT)
    [backup] = run_all([dict(path=PROXY, content="new\n", backup=True)], tmp_path, backup_dir=BACKUP_DIR)
    assert backup.startswith(BACKUP_DIR + "/50-nodeops-proxy.conf.%d." % os.getpid()) and backup.endswith("~")
    assert (tmp_path / backup.lstrip("/")).read_text() == PROXY_TEXT
    assert (tmp_path / PROXY.lstrip("/")).read_text() == "new\n"
    # nothing beside the file
    assert os.listdir(tmp_path / "etc" / "systemd" / "system" / "crio.service.d") == ["50-nodeops-proxy.conf"]


def test_a_backup_goes_beside_the_file_without_a_backup_dir(tmp_path: Path) -> None:
    put(tmp_path, PROXY, text=PROXY_TEXT)
    [backup] = run_all([dict(path=PROXY, state="absent", backup=True)], tmp_path)
    assert os.path.dirname(backup) == os.path.dirname(PROXY)
    assert os.path.basename(backup).startswith("50-nodeops-proxy.conf.")
    assert (tmp_path / backup.lstrip("/")).read_text() == PROXY_TEXT
    assert not (tmp_path / PROXY.lstrip("/")).exists()


def test_a_new_file_has_nothing_to_back_up(tmp_path: Path) -> None:
    folder(tmp_path, os.path.dirname(PROXY))
    assert run_all([dict(path=PROXY, content=PROXY_TEXT, backup=True)], tmp_path, backup_dir=BACKUP_DIR) == [""]
    assert not (tmp_path / BACKUP_DIR.lstrip("/")).exists()


# --------------------------------------------------------------------------
# diff()

def test_the_diff_of_a_file_shows_its_old_and_new_text(tmp_path: Path) -> None:
    put(tmp_path, MODULES, text="overlay\n")
    [step] = plan([dict(path=MODULES, content=MODULES_TEXT)], root=str(tmp_path))
    assert diff(step) == dict(before_header=MODULES, after_header=MODULES, before="overlay\n", after=MODULES_TEXT)


def test_the_diff_of_a_new_file_starts_empty(tmp_path: Path) -> None:
    folder(tmp_path, "/etc/modules-load.d")
    [step] = plan([dict(path=MODULES, content=MODULES_TEXT, mode="0644")], root=str(tmp_path))
    assert diff(step) == dict(before_header=MODULES, after_header=MODULES, before="", after=MODULES_TEXT)


@pytest.mark.parametrize("entry, before, after", [
    (dict(path=HELPER_DIR, state="directory", mode="0755"), "absent\n", "directory 0755\n"),
    (dict(path=HELPER_DIR, state="directory"), "absent\n", "directory\n"),
    (dict(path=PROXY, state="absent"), "file 0644\n", "absent\n"),
], ids=["new-folder", "new-folder-no-mode", "removed-file"])
def test_the_diff_of_a_folder_or_a_removal_names_type_and_mode(tmp_path: Path, entry: dict[str, t.Any], before: str,
                                                               after: str) -> None:
    folder(tmp_path, "/usr/local/libexec")
    put(tmp_path, PROXY, text=PROXY_TEXT)
    [step] = plan([entry], root=str(tmp_path))
    assert diff(step) == dict(before_header=entry["path"], after_header=entry["path"], before=before, after=after)


SECRET = '{"auths": {"registry.lab:5000": {"auth": "cHVsbGVyOnMzY3JldA=="}}}\n'


def test_the_diff_of_a_secret_shows_no_content(tmp_path: Path) -> None:
    put(tmp_path, AUTH, text='{"auths": {"old": {"auth": "b2xkOm9sZA=="}}}\n', mode=0o644)
    [step] = plan([dict(path=AUTH, content=SECRET, mode="0600", diff=False)], root=str(tmp_path))
    shown = diff(step)
    assert shown == dict(before_header=AUTH, after_header=AUTH, before="file 0644\n",
                         after="file 0600, new content (not shown)\n")
    assert "auth" not in shown["before"] + shown["after"]


def test_the_diff_of_a_changed_secret_shows_that_it_changes(tmp_path: Path) -> None:
    put(tmp_path, AUTH, text='{"auths": {}}\n', mode=0o600)
    [step] = plan([dict(path=AUTH, content=SECRET, mode="0600", diff=False)], root=str(tmp_path))
    shown = diff(step)
    assert "auth" not in json.dumps(shown).replace("auth.json", "")
    assert shown["before"] != shown["after"]


# --------------------------------------------------------------------------
# The module

@pytest.fixture(autouse=True)
def module_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """Module code runs as on a managed node, whatever ran before it (as tests/unit/plugins/modules/conftest.py does)."""
    compat.module_side(monkeypatch)


def run(capsys: pytest.CaptureFixture, **args: t.Any) -> tuple[int, dict[str, t.Any]]:
    with patch_module_args(args), pytest.raises(SystemExit) as error:
        node_files.main()
    return t.cast(int, error.value.code), json.loads(capsys.readouterr().out)


@pytest.fixture
def node(tmp_path: Path) -> Path:
    """A node's tree under tmp_path: the modules file right, a stale proxy drop-in, no helper yet."""
    put(tmp_path, MODULES)
    put(tmp_path, PROXY, text=PROXY_TEXT)
    folder(tmp_path, "/usr/local/libexec")
    return tmp_path


def entries_of(root: Path) -> list[dict[str, t.Any]]:
    return [dict(path=str(root) + MODULES, content=MODULES_TEXT, mode="0644"),
            dict(path=str(root) + HELPER_DIR, state="directory", mode="0755"),
            dict(path=str(root) + HELPER, content="#!/bin/sh\n", mode="0755"),
            dict(path=str(root) + PROXY, state="absent", backup=True)]


def test_check_mode_reports_what_would_change_and_writes_nothing(node: Path, capsys: pytest.CaptureFixture) -> None:
    before = snapshot(node)
    code, result = run(capsys, _ansible_check_mode=True, _ansible_diff=True, files=entries_of(node))
    assert code == 0
    assert result["changed"] is True
    assert result["changed_paths"] == [str(node) + HELPER_DIR, str(node) + HELPER, str(node) + PROXY]
    assert result["backups"] == {}
    assert [shown["after"] for shown in result["diff"]] == ["directory 0755\n", "#!/bin/sh\n", "absent\n"]
    assert snapshot(node) == before


def test_a_run_does_what_check_mode_said_and_a_second_changes_nothing(node: Path, capsys: pytest.CaptureFixture) -> None:
    code, predicted = run(capsys, _ansible_check_mode=True, files=entries_of(node))
    code, result = run(capsys, files=entries_of(node), backup_dir=str(node) + BACKUP_DIR)
    assert code == 0 and result["changed"] is True
    assert result["changed_paths"] == predicted["changed_paths"]
    assert list(result["backups"]) == [str(node) + PROXY]
    assert Path(result["backups"][str(node) + PROXY]).read_text() == PROXY_TEXT
    assert (node / HELPER.lstrip("/")).read_text() == "#!/bin/sh\n"
    assert not (node / PROXY.lstrip("/")).exists()
    code, again = run(capsys, files=entries_of(node))
    assert (code, again["changed"], again["changed_paths"], again["backups"]) == (0, False, [], {})


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_failing_entry_fails_the_module_and_nothing_is_written(node: Path, capsys: pytest.CaptureFixture,
                                                                 check_mode: bool) -> None:
    before = snapshot(node)
    files = entries_of(node) + [dict(path=str(node) + "/etc/crio/crio.conf.d/50-nodeops.conf", content="[crio]\n")]
    code, result = run(capsys, _ansible_check_mode=check_mode, files=files)
    assert code == 1 and result["failed"] is True
    assert result["msg"] == ("files[4]: the folder of %s/etc/crio/crio.conf.d/50-nodeops.conf does not exist and no "
                             "earlier entry creates it. Nothing was changed." % node)
    assert (result["changed_paths"], result["backups"]) == ([], {})
    assert result.get("changed", False) is False
    assert snapshot(node) == before


def test_the_modules_choices_are_checked(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, result = run(capsys, files=[dict(path=str(tmp_path / "x"), state="link")])
    assert code == 1
    assert "value of state must be one of: file, directory, absent, got: link found in files" in result["msg"]
