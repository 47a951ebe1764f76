# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.nodeops.crio.plugins.plugin_utils._crictl_yaml import (
    KEYS,
    CrictlEditError,
    crictl_value,
    edit_crictl,
    normalize_endpoint,
    read_entries,
    render,
)

CRIO = 'unix:///var/run/crio/crio.sock'
SHIPPED = 'crictl-crio-v1.36.3.yaml'


@pytest.mark.parametrize('text, settings, expected, changed', [
    pytest.param(None, {'runtime-endpoint': 'unix:///run/crio/crio.sock'},
                 'runtime-endpoint: "unix:///run/crio/crio.sock"\ntimeout: 0\ndebug: false\n',
                 ['runtime-endpoint'], id='crio-file-keeps-its-quotes'),
    pytest.param(None, {'image-endpoint': CRIO, 'timeout': 10, 'pull-image-on-create': True},
                 'runtime-endpoint: "unix:///var/run/crio/crio.sock"\nimage-endpoint: unix:///var/run/crio/crio.sock\n'
                 'timeout: 10\ndebug: false\npull-image-on-create: true\n',
                 ['timeout', 'image-endpoint', 'pull-image-on-create'], id='crio-file-new-keys-in-crictl-order'),
    pytest.param(None, {'runtime-endpoint': CRIO, 'timeout': 0, 'debug': False}, None, [], id='crio-file-unchanged'),
    pytest.param('', {'runtime-endpoint': CRIO, 'debug': True},
                 'runtime-endpoint: unix:///var/run/crio/crio.sock\ndebug: true\n', ['runtime-endpoint', 'debug'], id='empty-file'),
    pytest.param('# managed by hand\n\ntimeout: 2 # seconds\n', {'timeout': 5, 'runtime-endpoint': CRIO},
                 '# managed by hand\n\nruntime-endpoint: unix:///var/run/crio/crio.sock\ntimeout: 5 # seconds\n',
                 ['timeout', 'runtime-endpoint'], id='comments-kept'),
    pytest.param('debug: "false"\ntimeout: +3\n', {'debug': False, 'timeout': 3}, None, [], id='same-value-as-crictl-reads-it'),
    pytest.param("runtime-endpoint: 'unix:///x'\n", {'runtime-endpoint': CRIO}, "runtime-endpoint: '%s'\n" % CRIO,
                 ['runtime-endpoint'], id='single-quotes-kept'),
    pytest.param("debug: 'no'\n", {'debug': True}, "debug: true\n", ['debug'], id='flags-written-plain'),
    pytest.param('image-endpoint:\n', {'image-endpoint': CRIO}, 'image-endpoint: unix:///var/run/crio/crio.sock\n',
                 ['image-endpoint'], id='empty-value-filled'),
    pytest.param('image-endpoint:   # later\n', {'image-endpoint': CRIO},
                 'image-endpoint:   unix:///var/run/crio/crio.sock # later\n', ['image-endpoint'], id='empty-value-before-comment'),
    pytest.param('---\ndebug: true\r\n', {'timeout': 4}, '---\ntimeout: 4\r\ndebug: true\r\n', ['timeout'], id='crlf-and-document-start'),
    pytest.param('timeout: 1\ntimeout: 2\n', {'timeout': 3}, 'timeout: 3\ntimeout: 3\n', ['timeout'], id='repeated-key-set-everywhere'),
])
def test_edit(text: str | None, settings: dict, expected: str | None, changed: list, fixture_text) -> None:
    text = fixture_text(SHIPPED) if text is None else text
    result = edit_crictl(text, settings)
    assert result.text == (text if expected is None else expected)
    assert result.changed_keys == changed
    assert edit_crictl(result.text, settings).changed_keys == []
    loaded = yaml.safe_load(result.text) or {}
    assert {key: str(loaded[key]).lower() for key in settings if settings[key] is not None} == \
        {key: str(value).lower() for key, value in settings.items() if value is not None}


def test_unknown_keys_fail_naming_them() -> None:
    with pytest.raises(CrictlEditError) as error:
        edit_crictl('runtime-endpoint: x\nrunteim-endpoint: y\n# c\ncolor: true\n', {})
    assert str(error.value) == ('the file holds keys crictl does not know: runteim-endpoint (line 2), color (line 4); '
                                'crictl refuses to start with them. Remove them, or set prune: true to have them removed')


def test_prune_removes_unknown_keys_only() -> None:
    result = edit_crictl('# keep\nrunteim-endpoint: y\nruntime-endpoint: x\ncolor: true\n', {'runtime-endpoint': 'x'}, prune=True)
    assert result.text == '# keep\nruntime-endpoint: x\n'
    assert result.changed_keys == ['runteim-endpoint', 'color']


@pytest.mark.parametrize('text, message', [
    ('runtime-endpoint: x\n  nested: 1\n', "line 2: 'nested: 1' is not a `key: value` line"),
    ('- a\n', "line 1: '- a' is not a `key: value` line"),
    ('debug: [true]\n', "line 1: the value of debug ('[true]') is not a plain scalar"),
    ('timeout: &t 2\n', "line 1: the value of timeout ('&t 2') is not a plain scalar"),
    ('runtime-endpoint: "unix:///x\n', 'line 1: a quoted value does not end on its line'),
    ('runtime-endpoint: "x" y\n', 'line 1: unexpected text after the quoted value of runtime-endpoint'),
])
def test_structures_are_refused(text: str, message: str) -> None:
    with pytest.raises(CrictlEditError) as error:
        edit_crictl(text, {'debug': True})
    assert str(error.value).startswith(message)


@pytest.mark.parametrize('text, warning', [
    ('debug: yes\n', "debug: crictl cannot read the value 'yes' in the file"),
    ('timeout: 2s\n', "timeout: crictl cannot read the value '2s' in the file"),
])
def test_values_crictl_cannot_read_are_reported(text: str, warning: str) -> None:
    assert edit_crictl(text, {}).warnings == [warning]
    assert edit_crictl(text, {'debug': False, 'timeout': 2}).warnings == []


@pytest.mark.parametrize('key, text, value', [
    ('timeout', '10', 10), ('timeout', '-1', -1), ('timeout', '1.5', None), ('debug', 'T', True), ('debug', 'False', False),
    ('debug', 'yes', None), ('runtime-endpoint', 'unix:///x', 'unix:///x'),
])
def test_crictl_value_reads_like_crictl(key: str, text: str, value: object) -> None:
    assert crictl_value(key, text) == value


@pytest.mark.parametrize('value, quote, text', [
    (True, '', 'true'), (7, '', '7'), (CRIO, '', CRIO), (CRIO, '"', '"%s"' % CRIO), ("it's", "'", "'it''s'"),
    ('yes', '', '"yes"'), ('tcp://[::1]:1234', '', '"tcp://[::1]:1234"'), ('a #b', '', '"a #b"'),
])
def test_render(value: object, quote: str, text: str) -> None:
    assert render(value, quote) == text
    assert yaml.safe_load('k: ' + text)['k'] == value


@pytest.mark.parametrize('value, fixed, warns', [
    ('unix:///var/run/crio/crio.sock', 'unix:///var/run/crio/crio.sock', False),
    ('tcp://127.0.0.1:10000', 'tcp://127.0.0.1:10000', False),
    ('/var/run/crio/crio.sock', 'unix:///var/run/crio/crio.sock', True),
])
def test_normalize_endpoint(value: str, fixed: str, warns: bool) -> None:
    result, warning = normalize_endpoint('runtime_endpoint', value)
    assert result == fixed
    assert (warning is not None) is warns
    if warns:
        assert warning.startswith("runtime_endpoint '/var/run/crio/crio.sock' has no scheme; writing "
                                  "'unix:///var/run/crio/crio.sock'.")
        assert 'kubelet 1.13 bug' in warning


@pytest.mark.parametrize('value, message', [
    ('http://x', "runtime_endpoint: expected a unix://, tcp:// or npipe:// endpoint, got 'http://x'"),
    ('crio.sock', "runtime_endpoint: expected an endpoint such as unix:///var/run/crio/crio.sock, got 'crio.sock'"),
])
def test_bad_endpoints(value: str, message: str) -> None:
    with pytest.raises(CrictlEditError) as error:
        normalize_endpoint('runtime_endpoint', value)
    assert str(error.value) == message


def test_read_entries_spans() -> None:
    entries = read_entries('runtime-endpoint: "unix:///x"  # c\n\'debug\': true\n')
    assert [(e.line, e.key, e.value, e.quote) for e in entries] == [(0, 'runtime-endpoint', 'unix:///x', '"'), (1, 'debug', 'true', '')]


VALUES = st.fixed_dictionaries({}, optional={
    'runtime-endpoint': st.sampled_from([CRIO, 'unix:///run/containerd/containerd.sock', 'tcp://127.0.0.1:1234']),
    'image-endpoint': st.sampled_from([CRIO, 'npipe:////./pipe/x']),
    'timeout': st.integers(0, 600),
    'debug': st.booleans(),
    'pull-image-on-create': st.booleans(),
    'disable-pull-on-run': st.booleans(),
})


@settings(deadline=None)
@given(st.sampled_from(['', '# top\n', None]), VALUES, VALUES)
def test_two_edits_compose_and_repeat(fixture_text, start: str | None, first: dict, second: dict) -> None:
    text = edit_crictl(fixture_text(SHIPPED) if start is None else start, first).text
    result = edit_crictl(text, second)
    assert edit_crictl(result.text, second).text == result.text
    loaded = yaml.safe_load(result.text) or {}
    wanted = dict(yaml.safe_load(text) or {}, **second)
    assert loaded == wanted
    assert list(loaded) == [key for key in KEYS if key in loaded]
