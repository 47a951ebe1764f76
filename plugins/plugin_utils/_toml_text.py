# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Text operations on a TOML document: each takes the text, returns new text.

Every operation touches only the lines it has to.  Placement follows what a
person editing the file would do: a key that `crio config` printed as a
commented-out default goes right below that comment, a table right below its
commented-out block; other new keys follow the table's last key, other new
tables follow their parent's last sub-table, with one blank line around them;
a comment that introduces the next table stays with that table.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.nodeops.crio.plugins.module_utils._toml_lex import END, TomlLexError, key_at, tokens
from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_render import (
    ArrayStyle,
    is_table_array,
    render_key,
    render_keyval,
    render_table_array,
    render_tables,
    render_value,
)
from ansible_collections.nodeops.crio.plugins.plugin_utils._toml_scan import (
    ARRAY_TABLE,
    BLANK,
    COMMENT,
    KEYVAL,
    TABLE,
    Path,
    ScannedDocument,
    Statement,
)

# A comment line that is commented-out TOML (`# key = 1`, `# [table]`, `# ]`)
# rather than prose about the next statement.
_COMMENTED_CODE = re.compile(r'[ \t]*#[ \t]*([A-Za-z0-9_."\'-]+[ \t]*=|\[|\])')
_COMMENT_PREFIX = re.compile(r'[ \t]*# ?')
_COMMENTED_HEADER = re.compile(r'[ \t]*#[ \t]*(\[\[?)(.*?)(\]\]?)[ \t]*\r?\n?\Z')

Render = t.Callable[[t.Tuple[str, ...], str, str], t.List[t.List[str]]]


def set_value(text: str, path: Path, value: object) -> str:
    """Replace the value of an existing key, keeping key, spacing and comment."""
    doc = ScannedDocument(text)
    statement = doc.keyval(path)
    if statement is None:
        raise ValueError('no key %r to set' % (path,))
    old = doc.value_text(statement)
    style = ArrayStyle.of(old) if isinstance(value, list) else None
    literal = old.startswith("'") and not old.startswith("'''")
    new = render_value(value, style, literal).replace('\n', _newline(text))
    return text[: statement.value_start] + new + text[statement.value_end :]


def add_key(text: str, path: Path, value: object) -> str:
    """Add a key that does not exist yet to a table that does."""
    if is_table_array(value):
        return add_table_array(text, path, value)
    doc = ScannedDocument(text)
    table, name = path[:-1], str(path[-1])
    header = _table_header(doc, table)
    if header is not None or not table:
        return _add_to_table_body(doc, header, name, value)
    dotted = _dotted_keys(doc, table)
    if dotted:
        last = dotted[-1]
        key = tuple(str(part) for part in path[len(last.table) :])
        return _splice(doc, last.end, render_keyval(last.indent, key, value))
    descendants = _subtree_headers(doc, table)
    if not descendants:
        return add_table(text, table, {name: value})
    # The table exists only through its sub-tables: give it a header above them.
    child = doc.statements[descendants[0]]
    blocks = render_tables(_names(table), {name: value}, child.indent, _first_key_indent(doc, descendants[0]))
    return _insert_blocks(doc, _lead_start(doc, descendants[0]), blocks)


def add_table(text: str, path: Path, table: dict) -> str:
    """Add a table that does not exist yet."""
    return _add_tables(text, path, lambda names, indent, key_indent: render_tables(names, table, indent, key_indent))


def add_table_array(text: str, path: Path, elements: list) -> str:
    """Add an array of tables that does not exist yet."""
    return _add_tables(text, path, lambda names, indent, key_indent: render_table_array(names, elements, indent, key_indent))


def remove(text: str, path: Path) -> str:
    """Remove a key, or a whole table with its sub-tables and its own comments."""
    doc = ScannedDocument(text)
    statement = doc.keyval(path)
    if statement is not None:
        ranges = [_key_paragraph(doc, doc.statements.index(statement))]
    else:
        ranges = [(_lead_start(doc, i), _content_end(doc, i, within=path)) for i in _subtree_headers(doc, path)]
        ranges += [(s.first, s.end) for s in _dotted_keys(doc, path)]
    return _remove_ranges(doc, ranges)


def replace_table_array(text: str, path: Path, elements: list, keep: int) -> str:
    """Rewrite an array of tables from element `keep` on; earlier elements stay as written."""
    doc = ScannedDocument(text)
    starts = [i for i, s in enumerate(doc.statements) if s.kind == ARRAY_TABLE and s.path[:-1] == path]
    ranges = [(_lead_start(doc, i), _content_end(doc, _subtree_headers(doc, doc.statements[i].path)[-1])) for i in starts]
    at = ranges[keep - 1][1] if keep else ranges[0][0]
    first = doc.statements[starts[0]]
    blocks = render_table_array(_names(path), elements[keep:], first.indent, _first_key_indent(doc, starts[0]))
    if blocks:
        # Insert first: the old elements all come after `at`, so they only shift.
        inserted = ScannedDocument(_insert_blocks(doc, at, blocks))
        shift = inserted.line_count - doc.line_count
        return _remove_ranges(inserted, [(start + shift, end + shift) for start, end in ranges[keep:]])
    return _remove_ranges(doc, ranges[keep:])


# keys ---------------------------------------------------------------------


def _add_to_table_body(doc: ScannedDocument, header: int | None, name: str, value: object) -> str:
    """A new key goes below its commented-out default, else after the table's
    last key (after a blank line where the keys stand in paragraphs), else
    right below the header."""
    begin = 0 if header is None else header + 1
    end = _next_header(doc, begin)
    commented = _commented_default(doc, doc.statements[begin:end], name)
    if commented is not None:
        at, indent, default_text = commented
        style = ArrayStyle.of(default_text) if isinstance(value, list) else None
        line = '%s%s = %s\n' % (indent, render_key(name), render_value(value, style))
        return _splice(doc, at, line)
    keyvals = [i for i in range(begin, end) if doc.statements[i].kind == KEYVAL]
    if keyvals:
        last = doc.statements[keyvals[-1]]
        spaced = keyvals[-1] > 0 and doc.statements[keyvals[-1] - 1].kind in (BLANK, COMMENT)
        return _splice(doc, last.end, ('\n' if spaced else '') + render_keyval(last.indent, (name,), value))
    if header is not None:
        statement = doc.statements[header]
        return _splice(doc, statement.end, render_keyval(statement.indent, (name,), value))
    return _insert_blocks(doc, _content_end(doc, -1), [[render_keyval('', (name,), value)]])


def _commented_default(doc: ScannedDocument, body: list[Statement], name: str) -> tuple[int, str, str] | None:
    """Where `# name = value` ends (with the lines of a commented-out array), its
    indent, and the commented value with the comment marks taken off."""
    pattern = re.compile(r'([ \t]*)#[ \t]*%s[ \t]*=[ \t]*(.*)' % re.escape(render_key(name)), re.DOTALL)
    for index, statement in enumerate(body):
        match = pattern.match(doc.line(statement.first)) if statement.kind == COMMENT else None
        if not match:
            continue
        value_lines = [match.group(2)]
        depth = _bracket_depth(match.group(2))
        last = statement
        for following in body[index + 1 :]:
            if depth <= 0 or following.kind != COMMENT:
                break
            line = _COMMENT_PREFIX.sub('', doc.line(following.first), count=1)
            value_lines.append(line)
            depth += _bracket_depth(line)
            last = following
        return last.end, match.group(1), ''.join(value_lines).rstrip('\r\n')
    return None


def _bracket_depth(fragment: str) -> int:
    """How many more [ than ] a commented-out line of a value opens."""
    depth = 0
    try:
        for token in tokens(fragment):
            if token.is_punct('['):
                depth += 1
            elif token.is_punct(']'):
                depth -= 1
    except TomlLexError:
        pass  # an unterminated quote: as in TOML, the rest of the line is inside the string
    return depth


def _key_paragraph(doc: ScannedDocument, index: int) -> tuple[int, int]:
    """Lines to delete with a key: its own comment too when key and comment stand
    alone as a paragraph and the comment holds no commented-out TOML (a
    commented default stays, so removing a key added below it restores the file)."""
    statement = doc.statements[index]
    start = index
    while start > 0 and doc.statements[start - 1].kind == COMMENT:
        start -= 1
    comments = [doc.line(doc.statements[i].first) for i in range(start, index)]
    before = doc.statements[start - 1] if start > 0 else None
    after = doc.statements[index + 1] if index + 1 < len(doc.statements) else None
    alone = all(s is None or s.kind == BLANK or s.is_header for s in (before, after))
    if comments and alone and not any(_COMMENTED_CODE.match(line) for line in comments):
        return doc.statements[start].first, statement.end
    return statement.first, statement.end


# tables -------------------------------------------------------------------


def _add_tables(text: str, path: Path, render: Render) -> str:
    """New tables go below their commented-out block if the file has one (as
    `crio config` prints `# [crio.runtime.runtimes.crun]`), else after the
    last sub-table of their nearest existing ancestor."""
    doc = ScannedDocument(text)
    headers = _ancestor_subtree(doc, path[:-1])
    indent, key_indent = _sibling_indent(doc, headers, len(path))
    blocks = render(_names(path), indent, key_indent)
    at = _commented_table_end(doc, blocks[0][0].strip())
    if at is None:
        at = _content_end(doc, headers[-1] if headers else -1)
    return _insert_blocks(doc, at, blocks)


def _ancestor_subtree(doc: ScannedDocument, table: Path) -> list[int]:
    """Headers of the nearest ancestor of a new table that has any in the file."""
    for depth in range(len(table), 0, -1):
        headers = _subtree_headers(doc, table[:depth])
        if headers:
            return headers
        dotted = _dotted_keys(doc, table[:depth])
        if dotted:
            return _subtree_headers(doc, dotted[-1].table)
    return _subtree_headers(doc, ())


def _commented_table_end(doc: ScannedDocument, header: str) -> int | None:
    """Line after a commented-out `# [header]` block, if no live key follows it in its table."""
    for index, statement in enumerate(doc.statements):
        if statement.kind != COMMENT or _COMMENT_PREFIX.sub('', doc.line(statement.first), count=1).strip() != header:
            continue
        last = index
        while last + 1 < len(doc.statements) and doc.statements[last + 1].kind == COMMENT:
            last += 1
        following = doc.statements[last + 1 : _next_header(doc, last + 1)]
        if any(s.kind == KEYVAL for s in following):
            return None
        return doc.statements[last].end
    return None


def _sibling_indent(doc: ScannedDocument, headers: list[int], depth: int) -> tuple[str, str]:
    for index in reversed(headers):
        statement = doc.statements[index]
        if len(statement.path) == depth and statement.kind == TABLE:
            return statement.indent, _first_key_indent(doc, index)
    return '', ''


def _first_key_indent(doc: ScannedDocument, header: int) -> str:
    for statement in doc.statements[header + 1 : _next_header(doc, header + 1)]:
        if statement.kind == KEYVAL:
            return statement.indent
    return doc.statements[header].indent


def _table_header(doc: ScannedDocument, path: Path) -> int | None:
    for index, statement in enumerate(doc.statements):
        if path and statement.kind == TABLE and statement.path == path:
            return index
    return None


def _dotted_keys(doc: ScannedDocument, table: Path) -> list[Statement]:
    """Keys that define a table through dotted names (`runtime.x = 1` under [crio])."""
    return [
        s
        for s in doc.statements
        if s.kind == KEYVAL and s.path[: len(table)] == table and len(s.table) < len(table) < len(s.path)
    ]


def _subtree_headers(doc: ScannedDocument, path: Path) -> list[int]:
    return [i for i, s in enumerate(doc.statements) if s.is_header and s.path[: len(path)] == path]


def _next_header(doc: ScannedDocument, begin: int) -> int:
    for index in range(begin, len(doc.statements)):
        if doc.statements[index].is_header:
            return index
    return len(doc.statements)


def _lead_index(doc: ScannedDocument, index: int, floor: int = 0) -> int:
    """First statement of the prose comment right above statement `index`."""
    while (
        index > floor
        and doc.statements[index - 1].kind == COMMENT
        and not _COMMENTED_CODE.match(doc.line(doc.statements[index - 1].first))
    ):
        index -= 1
    return index


def _commented_header(line: str) -> tuple[str, ...] | None:
    """The name parts of a commented-out `# [table]` or `# [[array]]` line, None for any other line."""
    match = _COMMENTED_HEADER.match(line)
    if match is None or len(match.group(1)) != len(match.group(3)):
        return None
    try:
        parts, after = key_at(match.group(2), 0)
    except TomlLexError:
        return None
    return parts if after.kind == END else None


def _lead_start(doc: ScannedDocument, index: int) -> int:
    return doc.statements[_lead_index(doc, index)].first


def _content_end(doc: ScannedDocument, header: int, within: Path | None = None) -> int:
    """Line after a table's own content (header -1: the keys before any table):
    before trailing blank lines and before the comment that introduces the
    next header; at the end of the file, trailing comments count as content.

    A commented-out header after the table's last key that names a table
    outside `within` (default: the table itself) ends the content too, with
    the prose above it: kubespray's `#[crio.runtime.runtimes.kata-fc]` after
    its last runtime is that table's, not the runtime's.
    """
    index = _next_header(doc, header + 1)
    if index < len(doc.statements):
        index = _lead_index(doc, index, header + 1)
    table = doc.statements[header].path if within is None and header >= 0 else within or ()
    outer = tuple(part for part in table if isinstance(part, str))  # an array element is inside its array
    keys = [i for i in range(header + 1, index) if doc.statements[i].kind == KEYVAL]
    for i in range(keys[-1] + 1 if keys else header + 1, index):
        commented = _commented_header(doc.line(doc.statements[i].first)) if doc.statements[i].kind == COMMENT else None
        if commented is not None and commented[: len(outer)] != outer:
            index = _lead_index(doc, i, header + 1)
            break
    while index - 1 > header and doc.statements[index - 1].kind == BLANK:
        index -= 1
    return doc.statements[index - 1].end if index > 0 else 0


# lines --------------------------------------------------------------------


def _remove_ranges(doc: ScannedDocument, ranges: list[tuple[int, int]]) -> str:
    """Delete line ranges; where that leaves two blank lines in a row (or a blank
    line at either end of the file), drop one."""
    lines = doc.lines()
    for start, end in sorted(ranges, reverse=True):
        del lines[start:end]
        before_blank = start == 0 or _is_blank(lines[start - 1])
        if start < len(lines) and before_blank and _is_blank(lines[start]):
            del lines[start]
        elif start == len(lines) and start > 0 and _is_blank(lines[start - 1]):
            del lines[start - 1]
    return ''.join(lines)


def _insert_blocks(doc: ScannedDocument, at: int, blocks: list[list[str]]) -> str:
    """Insert blocks of lines at a line index, one blank line between and around them."""
    lines = doc.lines()
    new = '\n'.join(''.join(block) for block in blocks)
    if at > 0 and not _is_blank(lines[at - 1]):
        new = '\n' + new
    if at < len(lines) and not _is_blank(lines[at]):
        new += '\n'
    return _splice(doc, at, new)


def _splice(doc: ScannedDocument, at: int, new: str) -> str:
    """Insert text (whole lines) before line `at`."""
    lines = doc.lines()
    if at == len(lines) and lines and not lines[-1].endswith('\n'):
        lines[-1] += _newline(doc.text)
    lines.insert(at, new.replace('\n', _newline(doc.text)))
    return ''.join(lines)


def _newline(text: str) -> str:
    return '\r\n' if '\r\n' in text else '\n'


def _is_blank(line: str) -> bool:
    return not line.strip()


def _names(path: Path) -> tuple[str, ...]:
    return tuple(str(part) for part in path)
