# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The node-side TOML reader: its fallback must agree with tomllib."""

import math
import os
import tomllib

import pytest

from ansible_collections.nodeops.crio.plugins.module_utils import _toml_read
from ansible_collections.nodeops.crio.plugins.module_utils._toml_read import TomlReadError

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures")


def fallback(text):
    return _toml_read._Reader(text).document()


SAMPLES = [
    '[crio.runtime]\ncgroup_manager = "systemd"\npids_limit = -1\n',
    '[crio.runtime.runtimes."kata-qemu"]\nruntime_path = \'/opt/kata\'\n',
    'a.b.c = 1\n"quoted.key" = true\nx = 1_000\nh = 0xff\no = 0o17\nb = 0b101\nf = 1.5e3\nn = -2\n',
    'arr = [\n  "one", # a comment\n  "two",\n]\nnested = [[1, 2], ["x"]]\nempty = []\n',
    'inline = { a = 1, b = "two", c = { d = false } }\nempty = {}\n',
    '[[registry]]\nprefix = "a"\n[[registry.mirror]]\nlocation = "m1"\n[[registry]]\nprefix = "b"\n',
    's = "tab\\tquote\\" unicode \\u00e9 \\U0001F600"\nlit = \'C:\\path\'\n',
    'ml = """\nfirst\n  second \\\n    joined"""\nml2 = \'\'\'\nraw \\n\'\'\'\nq = """x""\\""""\n',
    'when = 2024-01-02T03:04:05Z\nday = 2024-01-02\n',
    '# only a comment\n\n[empty]\n[t]  # trailing\nk = "v" # trailing too\n',
]


@pytest.mark.parametrize("text", SAMPLES)
def test_fallback_agrees_with_tomllib(text):
    expected = tomllib.loads(text)
    got = fallback(text)
    for key in ("when", "day"):  # dates are returned as text by the fallback
        if key in expected:
            expected[key] = text.split(key + " = ")[1].split("\n")[0]
    assert got == expected


def test_special_floats():
    got = fallback("a = inf\nb = -inf\nc = nan\n")
    assert got["a"] == math.inf and got["b"] == -math.inf and math.isnan(got["c"])


@pytest.mark.parametrize("name", ["crio-2020.conf"])
def test_fallback_reads_real_files(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        text = handle.read()
    assert fallback(text) == tomllib.loads(text)


@pytest.mark.parametrize(
    "text, where",
    [
        ("a = \n", "line 1"),
        ('[t]\nb = "open\n', "line 2"),
        ("a = 1\na = 2\n", "defined twice"),
        ("a = 1 b\n", "end of the line"),
        ("[t\n", "close the table"),
        ("a = [1 2]\n", "in the array"),
        ('a = "\\q"\n', "unknown escape"),
    ],
)
def test_fallback_errors_say_where(text, where):
    with pytest.raises(TomlReadError, match=where):
        fallback(text)


def test_loads_wraps_tomllib_errors():
    with pytest.raises(TomlReadError):
        _toml_read.loads("a = \n")
