# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Helpers of the text operations that decide what belongs to a table."""

from __future__ import annotations

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_edit import edit_toml
from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_text import _commented_header


@pytest.mark.parametrize('line, parts', [
    ('#[crio.runtime.runtimes.kata-fc]\n', ('crio', 'runtime', 'runtimes', 'kata-fc')),
    ('# [crio.runtime.runtimes.crun]\n', ('crio', 'runtime', 'runtimes', 'crun')),
    ('  #  [ crio . runtime ]  \r\n', ('crio', 'runtime')),
    ('# [[registry.mirror]]\n', ('registry', 'mirror')),
    ('# [crio.runtime.runtimes."kata.v2"]', ('crio', 'runtime', 'runtimes', 'kata.v2')),
    ('# [crio.runtime] holds the runtime settings.\n', None),
    ('# [[registry]\n', None),
    ('# ]\n', None),
    ('# default_capabilities = [\n', None),
    ('# [\n', None),
    ('# See [the docs] for more.\n', None),
    ('[crio.runtime]\n', None),
])
def test_commented_header(line: str, parts: tuple[str, ...] | None) -> None:
    assert _commented_header(line) == parts


def test_a_commented_sub_table_of_an_array_element_goes_with_it() -> None:
    text = '[[registry]]\nlocation = "a"\n# [[registry.mirror]]\n# location = "m"\n\n[other]\nx = 1\n'
    result = edit_toml(text, {'registry': [{'location': 'b'}]})
    assert result.text == '[[registry]]\nlocation = "b"\n\n[other]\nx = 1\n'
