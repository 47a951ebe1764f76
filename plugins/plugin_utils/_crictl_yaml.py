# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Edit crictl's configuration file (/etc/crictl.yaml) line by line.

crictl's file is a flat YAML mapping of six scalar keys; crictl reads each
value as a string and converts it itself (strconv.Atoi for timeout,
strconv.ParseBool for the flags), and refuses any other key.  This editor
reads the file the same way, changes only the lines of keys whose value
differs, and keeps comments, quoting and order.  A file holding anything but
`key: scalar` lines, comments and blank lines is refused rather than guessed at.
"""

from __future__ import annotations

import json
import re
import typing as t

# In the order crictl writes them.
KEYS = ('runtime-endpoint', 'image-endpoint', 'timeout', 'debug', 'pull-image-on-create', 'disable-pull-on-run')
BOOLEAN_KEYS = ('debug', 'pull-image-on-create', 'disable-pull-on-run')
ENDPOINT_SCHEMES = ('unix', 'tcp', 'npipe')

_LINE = re.compile(r'''(?P<key>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^:#]*?)[ \t]*:(?:[ \t]+(?P<rest>.*?))?[ \t]*$''')
_GO_BOOLEANS = {
    '1': True,
    't': True,
    'T': True,
    'TRUE': True,
    'true': True,
    'True': True,
    '0': False,
    'f': False,
    'F': False,
    'FALSE': False,
    'false': False,
    'False': False,
}
_GO_INTEGER = re.compile(r'[+-]?[0-9]+\Z')
_PLAIN_SAFE = re.compile(r'[A-Za-z/][A-Za-z0-9+._:/@%=,~-]*\Z')
_YAML_WORDS = re.compile(r'(?i)(y|yes|n|no|true|false|on|off|null)\Z')


class CrictlEditError(Exception):
    """The file or the requested change cannot be handled; the message says why."""


class Entry:
    """One `key: value` line."""

    def __init__(self, line: int, key: str, value: str, value_start: int, value_end: int, quote: str) -> None:
        self.line = line
        self.key = key
        self.value = value  # the scalar's string value, as crictl sees it
        self.value_start = value_start  # offsets of the value's text within the line
        self.value_end = value_end
        self.quote = quote  # '"', "'" or '' (plain)


class EditResult:
    def __init__(self, text: str, changed_keys: list[str], warnings: list[str]) -> None:
        self.text = text
        self.changed_keys = changed_keys
        self.warnings = warnings


def read_entries(text: str) -> list[Entry]:
    """The key lines of the file; a CrictlEditError for anything else but comments and blank lines."""
    entries = []
    for number, line in enumerate(text.split('\n')):
        body = line.rstrip('\r')
        stripped = body.strip()
        if not stripped or stripped.startswith('#') or stripped in ('---', '...'):
            continue
        match = _LINE.match(body)
        if not match or body[0] in ' \t':
            raise CrictlEditError(
                'line %d: %r is not a `key: value` line; crictl reads a flat mapping of scalars, '
                'and this module does not edit anything else' % (number + 1, stripped)
            )
        entries.append(_entry(number, match))
    return entries


def _entry(number: int, match: t.Match) -> Entry:
    key = _unquote(match.group('key'), number)
    rest = match.group('rest') or ''
    start = match.start('rest') if rest else match.string.index(':', match.end('key')) + 1
    if rest[:1] in ('"', "'"):
        closing = _closing_quote(rest, number)
        raw, trailer = rest[: closing + 1], rest[closing + 1 :]
        if (trailer.strip() and not trailer.strip().startswith('#')) or trailer[:1] not in ('', ' ', '\t'):
            raise CrictlEditError('line %d: unexpected text after the quoted value of %s' % (number + 1, key))
        return Entry(number, key, _unquote(raw, number), start, start + len(raw), raw[0])
    comment = re.search(r'(^|[ \t])#', rest)
    raw = (rest[: comment.start()] if comment else rest).rstrip()
    if raw[:1] in ('[', '{', '|', '>', '&', '*', '!', '%', '@', '`'):
        raise CrictlEditError(
            'line %d: the value of %s (%r) is not a plain scalar; crictl reads each key as one '
            'string, and this module does not edit YAML structures' % (number + 1, key, raw)
        )
    return Entry(number, key, raw, start, start + len(raw), '')


def _closing_quote(text: str, number: int) -> int:
    quote = text[0]
    index = 1
    while index < len(text):
        if quote == '"' and text[index] == '\\':
            index += 2
            continue
        if text[index] == quote:
            if quote == "'" and text[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    raise CrictlEditError('line %d: a quoted value does not end on its line' % (number + 1))


def _unquote(raw: str, number: int) -> str:
    if raw[:1] == "'":
        return raw[1:-1].replace("''", "'")
    if raw[:1] == '"':
        try:
            return json.loads(raw)
        except ValueError:
            raise CrictlEditError('line %d: cannot read the escapes in %s' % (number + 1, raw)) from None
    return raw.strip()


def normalize_endpoint(option: str, value: str) -> tuple[str, str | None]:
    """An endpoint with its scheme, and a warning when the scheme had to be added."""
    if '://' in value:
        scheme = value.split('://', 1)[0]
        if scheme not in ENDPOINT_SCHEMES:
            raise CrictlEditError('%s: expected a unix://, tcp:// or npipe:// endpoint, got %r' % (option, value))
        return value, None
    if not value.startswith('/'):
        raise CrictlEditError('%s: expected an endpoint such as unix:///var/run/crio/crio.sock, got %r' % (option, value))
    fixed = 'unix://' + value
    return fixed, (
        '%s %r has no scheme; writing %r. crictl adds unix:// to a bare socket path itself and warns that '
        'this is deprecated. The old advice to drop the scheme came from a kubelet 1.13 bug (cAdvisor '
        'compared the endpoint with the bare socket path to find the image file system), fixed in '
        'December 2018; the scheme is the right form today.' % (option, value, fixed)
    )


def crictl_value(key: str, text: str) -> object:
    """A value as crictl reads it: a string, int or bool, or None if crictl would refuse it."""
    if key == 'timeout':
        return int(text) if _GO_INTEGER.match(text) else None
    if key in BOOLEAN_KEYS:
        return _GO_BOOLEANS.get(text)
    return text


def render(value: object, quote: str = '') -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if quote == "'":
        return "'%s'" % text.replace("'", "''")
    if quote == '' and _PLAIN_SAFE.match(text) and not _YAML_WORDS.match(text):
        return text
    return json.dumps(text)


def edit_crictl(text: str, settings: t.Mapping[str, object], prune: bool = False) -> EditResult:
    """Set the given keys (None: leave alone); unknown keys fail, or go with prune."""
    entries = read_entries(text)
    unknown = [entry for entry in entries if entry.key not in KEYS]
    if unknown and not prune:
        raise CrictlEditError(
            'the file holds keys crictl does not know: %s; crictl refuses to start with them. '
            'Remove them, or set prune: true to have them removed'
            % ', '.join('%s (line %d)' % (entry.key, entry.line + 1) for entry in unknown)
        )
    lines = text.split('\n')
    changed: list[str] = []
    for entry in entries:
        value = settings.get(entry.key)
        if value is not None and crictl_value(entry.key, entry.value) != value:
            line = lines[entry.line]
            before, after = line[: entry.value_start], line[entry.value_end :]
            new = (' ' if before.endswith(':') else '') + render(value, entry.quote) + (' ' if after[:1] == '#' else '')
            lines[entry.line] = before + new + after
            if entry.key not in changed:
                changed.append(entry.key)
    for entry in reversed(unknown):
        del lines[entry.line]
    changed.extend(entry.key for entry in unknown)
    new_text = '\n'.join(lines)
    present = {entry.key for entry in entries}
    for key in KEYS:
        if settings.get(key) is not None and key not in present:
            new_text = _insert(new_text, key, settings[key])
            changed.append(key)
    warnings = [
        '%s: crictl cannot read the value %r in the file' % (entry.key, entry.value)
        for entry in read_entries(new_text)
        if crictl_value(entry.key, entry.value) is None
    ]
    return EditResult(new_text, changed, warnings)


def _insert(text: str, key: str, value: object) -> str:
    """A new key goes after the keys crictl writes before it, else before the first key, else at the end."""
    entries = read_entries(text)
    order = KEYS.index(key)
    before = [entry for entry in entries if entry.key in KEYS and KEYS.index(entry.key) < order]
    newline = '\r\n' if '\r\n' in text else '\n'
    line = '%s: %s%s' % (key, render(value), '\r' if newline == '\r\n' else '')
    lines = text.split('\n')
    if before:
        at = before[-1].line + 1
    elif entries:
        at = entries[0].line
    else:
        if lines[-1] == '':
            lines.pop()
        at = len(lines)
        lines.append('')
    lines.insert(at, line)
    return '\n'.join(lines)
