# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""meta/execution-environment.yml declares what the plugins import.

An execution environment built with ansible-builder gets ansible-core (with
its own dependencies) plus what the collection declares; a plugin importing
anything else fails there at run time. The plugins are read with ast, so a
guarded import (try/except ImportError) counts too.
"""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import os
import re
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROVIDED = {'__future__', 'ansible', 'ansible_collections'}


def imported_top_level(source: str) -> set[str]:
    """Absolute imports anywhere in the source, by top-level name."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split('.')[0])
    return names


def third_party(names: set[str]) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n not in PROVIDED}


def normalize(name: str) -> str:
    return re.sub(r'[-_.]+', '-', name).lower()


def requirement_name(line: str) -> str:
    return normalize(re.match(r'\s*([A-Za-z0-9][A-Za-z0-9._-]*)', line).group(1))


def ansible_core_requirements() -> set[str]:
    requires = importlib.metadata.requires('ansible-core') or []
    return {requirement_name(r) for r in requires if 'extra ==' not in r}


def distributions_of(modules: set[str]) -> set[str]:
    mapping = importlib.metadata.packages_distributions()
    missing = sorted(m for m in modules if m not in mapping)
    assert not missing, f'no installed distribution provides {missing}; install it or fix the import'
    return {normalize(d) for m in modules for d in mapping[m]}


def load_ee() -> dict:
    with open(os.path.join(ROOT, 'meta', 'execution-environment.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def declared_requirements() -> set[str]:
    path = os.path.join(ROOT, load_ee()['dependencies']['python'])
    with open(path, encoding='utf-8') as handle:
        lines = [line.split('#')[0].strip() for line in handle]
    return {requirement_name(line) for line in lines if line}


def plugin_imports() -> set[str]:
    names = set()
    for folder, _dirs, files in os.walk(os.path.join(ROOT, 'plugins')):
        for name in files:
            if name.endswith('.py'):
                with open(os.path.join(folder, name), encoding='utf-8') as handle:
                    names |= imported_top_level(handle.read())
    return third_party(names)


@pytest.mark.parametrize('source, expected', [
    ('import os\nimport tomlkit.items\n', {'tomlkit'}),
    ('try:\n    import yaml\nexcept ImportError:\n    yaml = None\n', {'yaml'}),
    ('def f():\n    from requests import get\n', {'requests'}),
    ('from ansible.module_utils.basic import AnsibleModule\nfrom . import sibling\n', set()),
    ('from ansible_collections.nodeops.crio.plugins.module_utils import _toml_edit\nimport tomllib\n', set()),
])
def test_walker_finds_third_party_imports(source, expected):
    assert third_party(imported_top_level(source)) == expected


def test_ee_file_has_the_shape_ansible_builder_reads():
    ee = load_ee()
    assert ee['version'] == 3
    python = ee['dependencies']['python']
    # ansible-builder takes a collection's requirements as a file path
    # relative to the collection root; an inline list or absolute path breaks it.
    assert isinstance(python, str) and not os.path.isabs(python)
    assert os.path.isfile(os.path.join(ROOT, python))
    assert 'system' not in ee['dependencies']


def test_requirements_file_ships_in_the_tarball():
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        ignored = yaml.safe_load(handle).get('build_ignore', [])
    python = load_ee()['dependencies']['python']
    for path in (python, 'meta/execution-environment.yml'):
        assert not any(fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip('/') + '/') for pattern in ignored), path


def test_declared_requirements_match_plugin_imports():
    needed = distributions_of(plugin_imports()) - ansible_core_requirements()
    declared = declared_requirements()
    assert declared == needed, (
        f'meta/ee-requirements.txt declares {sorted(declared)}, the plugins need {sorted(needed)} '
        '(imports outside the standard library, ansible and ansible-core\'s own requirements)')
