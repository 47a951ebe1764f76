# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Options and attributes shared by the config file modules."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  backup:
    description:
      - Keep a copy of the file as it was before this task changed or removed it.
        The copy is named C(NAME.PID.YYYY-MM-DD@HH:MM:SS~), as M(ansible.builtin.copy) names them,
        and its path is returned in RV(backup_file).
      - The copy goes next to the file unless O(backup_dir) is set.
      - The module refuses to put a copy inside a drop-in directory, that is any directory
        named C(*.d) that holds the file, however deep (C(/etc/crio/crio.conf.d),
        C(/etc/containers/registries.conf.d), ...). Programs read such directories file by file,
        and CRI-O reads C(crio.conf.d) recursively whatever the file names, so a backup there would
        be loaded as configuration and win over the file it saved. Set O(backup_dir) for such files.
    type: bool
    default: false
  backup_dir:
    description:
      - Absolute path of the directory on the managed node that receives the copies made by O(backup).
        It is created if missing. Used only when O(backup=true).
      - It must not be inside a drop-in directory either.
    type: path
  validate:
    description:
      - A command that checks the new file before it replaces the old one, with C(%s) where the
        path of the new file goes, as in M(ansible.builtin.copy). The file is left alone when the
        command fails, and its output is reported.
      - The command runs without a shell, so pipes and expansions do not work.
    type: str
notes:
  - The file is read and the new text computed on the controller, then written through
    M(ansible.builtin.copy) (an atomic replace that keeps the file's owner and mode unless set),
    so the managed node needs nothing but its own Python.
  - O(mode), O(owner) and O(group) are checked before anything is written, in check mode too. A mode must be
    octal (V('0644'), quoted so that YAML keeps it a string, or a number) or symbolic (V(u=rw,g=r,o=r)) as
    M(ansible.builtin.file) takes it; V(preserve) is refused, there being no source file whose mode to keep. An
    owner or group given by name must exist on the managed node; a number is taken as it is.
  - Should M(ansible.builtin.copy) fail once the new text is in place (an SELinux context or attribute it cannot
    set, for instance), the task fails with C(changed=true) and says that the new text was written.
  - A symbolic link at O(path) is followed as M(ansible.builtin.copy) follows it with C(follow=true); the file it
    points to is edited and the link stays. A backup then goes next to that file, which must not be in a drop-in
    directory either. A link that points to a file that does not exist fails the task instead of being replaced by
    a regular file; create the file it points to, or give that path. Deleting the file removes the link itself.
  - A UTF-8 byte order mark at the start of the file, as some editors save one, is read past and kept.
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Check mode predicts the exact change, diff and RV(changed_keys).
  diff_mode:
    support: full
  platform:
    platforms: posix
  safe_file_operations:
    description: Writes through Ansible's atomic file functions, which keep permissions right and never leave a half-written file.
    support: full
"""
