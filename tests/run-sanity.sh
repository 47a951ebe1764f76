#!/usr/bin/env bash
# Run `ansible-test sanity` on this checkout, offline apart from PyPI.
#
# ansible-test wants the collection at .../ansible_collections/nodeops/crio
# and sees only files git knows about, so the tracked files and the untracked
# ones git does not ignore are copied into such a tree (a git repository of
# its own) in a temporary directory. --venv makes ansible-test install its
# pinned tools from PyPI; it would also fetch a pip bootstrap script from
# ci-files.testing.ansible.com, which is out of reach, so a stand-in that runs
# ensurepip and then pip install goes where ansible-test caches that script.
#
# Usage: tests/run-sanity.sh [extra ansible-test arguments, e.g. --test pep8]
#        tests/run-sanity.sh --tar    those files as a tar on stdout, for a
#                                     checkout elsewhere (tests/cores.sh)
# Environment: SANITY_VENV, the venv whose ansible-core runs the tests
# (default .venv, the pinned one), and SANITY_PYTHON, the Python version of
# the tests (default 3.11), both set by tests/cores.sh for the other cores.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The collection's files: the tracked ones and the untracked ones git does not ignore.
collection_files() {
    (
        cd "$root"
        git ls-files -co --exclude-standard -z | while IFS= read -r -d '' file; do
            if [ -f "$file" ]; then
                printf '%s\0' "$file"
            fi
        done | tar --null -T - -cf -
    )
}

if [ "${1:-}" = --tar ]; then
    collection_files
    exit 0
fi

venv=${SANITY_VENV:-$root/.venv}
if [ -x "$venv/bin/ansible-test" ]; then
    PATH="$venv/bin:$PATH"
fi
python=${SANITY_PYTHON:-3.11}

pip_version=$(python3 - "$python" <<'PY'
import sys
import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version=sys.argv[1]))['pip'])
PY
)
bootstrap="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -f "$bootstrap" ]; then
    mkdir -p "$(dirname "$bootstrap")"
    cat >"$bootstrap" <<'PY'
"""Stand-in for pip's get-pip.py: ensurepip, then pip install the arguments."""
import subprocess
import sys

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
arguments = [argument for argument in sys.argv[1:] if argument not in ('--no-setuptools', '--no-wheel')]
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + arguments))
PY
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nodeops-crio-sanity.XXXXXX")
trap 'rm -rf "$work"' EXIT
collection="$work/ansible_collections/nodeops/crio"
mkdir -p "$collection"
collection_files | tar -C "$collection" -xf -
git -C "$collection" init -q
git -C "$collection" add -A

cd "$collection"
ansible-test sanity --venv --python "$python" --color no "$@"
