# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Make this checkout importable as ansible_collections.nodeops.crio.

ansible-test runs the tests from a tree that already has that shape; plain
pytest in a git checkout gets a symlinked one in a temporary directory.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import typing as t

import pytest
from hypothesis import settings

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(COLLECTION_ROOT, 'tests', 'unit', 'fixtures')


def _collections_path() -> str:
    parts = COLLECTION_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections'] and parts[-2:] == ['nodeops', 'crio']:
        return os.sep.join(parts[:-3])
    tree = tempfile.mkdtemp(prefix='nodeops-crio-unit-')
    atexit.register(shutil.rmtree, tree, True)
    os.makedirs(os.path.join(tree, 'ansible_collections', 'nodeops'))
    os.symlink(COLLECTION_ROOT, os.path.join(tree, 'ansible_collections', 'nodeops', 'crio'))
    return tree


sys.path.insert(0, _collections_path())
# `pytest --hypothesis-profile=thorough` for a longer search than the default 100 cases a test.
settings.register_profile('thorough', max_examples=2000)


@pytest.fixture(scope='session')
def fixture_text() -> t.Callable[[str], str]:
    """Read a file of tests/unit/fixtures; a missing one fails the test, since a skip would hide it."""

    def read(name: str) -> str:
        path = os.path.join(FIXTURES, name)
        if not os.path.exists(path):
            pytest.fail('fixture %s is missing from tests/unit/fixtures' % name)
        with open(path, encoding='utf-8') as handle:
            return handle.read()

    return read


@pytest.fixture(scope='session')
def kubeadm_init(fixture_text: t.Callable[[str], str]) -> str:
    """kubeadm's configuration for kubeadm init: three documents, one of them kubelet's."""
    return fixture_text('kubeadm-init.conf')


@pytest.fixture(scope='session')
def fixture_texts() -> dict[str, str]:
    """All files of tests/unit/fixtures, by name."""
    texts = {}
    for name in sorted(os.listdir(FIXTURES)):
        if os.path.isfile(os.path.join(FIXTURES, name)):
            with open(os.path.join(FIXTURES, name), encoding='utf-8') as handle:
                texts[name] = handle.read()
    return texts
