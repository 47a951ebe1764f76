# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""roles/crio/files/install-files.sh, run with sh on files in a temporary folder."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / 'roles/crio/files/install-files.sh'


def run(action: str, *records: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(['sh', str(SCRIPT), action, *records], capture_output=True, text=True, check=check)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    src = tmp_path / 'bundle'
    src.mkdir()
    (src / 'crio').write_bytes(b'\x7fELF crio 1.36.3')
    (src / 'policy.json').write_text('{"default": [{"type": "insecureAcceptAnything"}]}\n')
    return src


def test_write_lays_out_folders_binaries_and_files(tmp_path: Path, bundle: Path) -> None:
    bin_dir, etc = tmp_path / 'usr/local/bin', tmp_path / 'etc/crio'
    done = run('write', 'dir', '0755', '-', str(bin_dir), 'dir', '0755', '-', str(etc),
               'replace', '0755', str(bundle / 'crio'), str(bin_dir / 'crio'),
               'keep', '0644', str(bundle / 'policy.json'), str(etc / 'policy.json'))
    assert done.stdout.split() == [str(bin_dir), str(etc), str(bin_dir / 'crio'), str(etc / 'policy.json')]
    assert (bin_dir / 'crio').read_bytes() == (bundle / 'crio').read_bytes()
    assert (mode(bin_dir), mode(bin_dir / 'crio'), mode(etc / 'policy.json')) == (0o755, 0o755, 0o644)
    assert not list(tmp_path.rglob('*.nodeops-new'))


def test_a_second_write_changes_nothing(tmp_path: Path, bundle: Path) -> None:
    records = ('dir', '0755', '-', str(tmp_path / 'bin'),
               'replace', '0755', str(bundle / 'crio'), str(tmp_path / 'bin/crio'))
    run('write', *records)
    assert run('write', *records).stdout == ''


@pytest.mark.parametrize('kind, expected', [('keep', 'operator edit\n'), ('replace', None)])
def test_keep_leaves_an_existing_file_replace_does_not(
        tmp_path: Path, bundle: Path, kind: str, expected: str | None) -> None:
    dest = tmp_path / 'policy.json'
    dest.write_text('operator edit\n')
    done = run('write', kind, '0644', str(bundle / 'policy.json'), str(dest))
    assert dest.read_text() == (expected or (bundle / 'policy.json').read_text())
    assert done.stdout.split() == ([] if kind == 'keep' else [str(dest)])


def test_replace_fixes_a_mode_alone(tmp_path: Path, bundle: Path) -> None:
    dest = tmp_path / 'crio'
    dest.write_bytes((bundle / 'crio').read_bytes())
    dest.chmod(0o700)
    assert run('write', 'replace', '0755', str(bundle / 'crio'), str(dest)).stdout.split() == [str(dest)]
    assert mode(dest) == 0o755


def test_check_reports_without_touching(tmp_path: Path, bundle: Path) -> None:
    stale = tmp_path / 'crio'
    stale.write_bytes(b'crio 1.36.2')
    done = run('check', 'dir', '0755', '-', str(tmp_path / 'new'),
               'replace', '0755', str(bundle / 'crio'), str(stale))
    assert done.stdout.split() == [str(tmp_path / 'new'), str(stale)]
    assert stale.read_bytes() == b'crio 1.36.2'
    assert not (tmp_path / 'new').exists()


@pytest.mark.parametrize('records, message', [
    (('copy', '0644', 'a', 'b'), "unknown kind 'copy' for b"),
    (('replace', '0644', 'a'), 'arguments come in fours'),
])
def test_bad_arguments_are_refused(records: tuple[str, ...], message: str) -> None:
    done = run('write', *records, check=False)
    assert done.returncode == 2
    assert message in done.stderr


def test_a_missing_source_fails_and_leaves_the_destination(tmp_path: Path) -> None:
    dest = tmp_path / 'crio'
    dest.write_text('serving\n')
    done = run('write', 'replace', '0755', str(tmp_path / 'absent'), str(dest), check=False)
    assert done.returncode != 0
    assert dest.read_text() == 'serving\n'
