# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Read-only TOML for managed nodes.

Managed nodes have only their distribution's Python (DESIGN principle 1).
Python 3.11+ ships tomllib; older ones (RHEL 9, Ubuntu 22.04) get the small
reader below, which covers the TOML that crio.conf, its drop-ins and
registries.conf use: tables, arrays of tables, dotted and quoted keys,
strings of all four kinds, integers, floats, booleans, arrays and inline
tables. Dates are returned as their text. Nothing here writes TOML: editing
happens on the controller with tomlkit.
"""

import re

try:
    import tomllib as _tomllib
except ImportError:  # Python < 3.11
    _tomllib = None


class TomlReadError(ValueError):
    """The text is not TOML; the message says where."""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_NUMBER = re.compile(
    r"[+-]?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|inf|nan|"
    r"[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9_]+)?)"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|z|[+-]\d{2}:\d{2})?|\d{2}:\d{2}:\d{2}(\.\d+)?")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}


def loads(text):
    """Parse TOML text into plain dicts and lists."""
    if _tomllib is not None:
        try:
            return _tomllib.loads(text)
        except _tomllib.TOMLDecodeError as exc:
            raise TomlReadError(str(exc)) from exc
    return _Reader(text).document()


class _Reader:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    # -- position helpers -------------------------------------------------
    def error(self, what):
        line = self.text.count("\n", 0, self.pos) + 1
        column = self.pos - (self.text.rfind("\n", 0, self.pos) + 1) + 1
        raise TomlReadError("%s (at line %d, column %d)" % (what, line, column))

    def peek(self, n=1):
        return self.text[self.pos:self.pos + n]

    def skip_blank(self, newlines=False):
        """Skip spaces, tabs and comments; also newlines when asked."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                break

    def end_of_line(self):
        self.skip_blank()
        if self.pos < len(self.text) and self.text[self.pos] not in "\r\n":
            self.error("expected the end of the line")

    # -- structure --------------------------------------------------------
    def document(self):
        root = {}
        table = root
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return root
            if self.peek(2) == "[[":
                self.pos += 2
                path = self.key_path()
                if self.peek(2) != "]]":
                    self.error("expected ]] to close the array of tables")
                self.pos += 2
                table = self.append_table(root, path)
            elif self.peek() == "[":
                self.pos += 1
                path = self.key_path()
                if self.peek() != "]":
                    self.error("expected ] to close the table header")
                self.pos += 1
                table = self.descend(root, path)
            else:
                self.key_value(table)
            self.end_of_line()

    def descend(self, table, path):
        for part in path:
            value = table.setdefault(part, {})
            if isinstance(value, list) and value and isinstance(value[-1], dict):
                value = value[-1]
            if not isinstance(value, dict):
                self.error("key %r is not a table" % part)
            table = value
        return table

    def append_table(self, root, path):
        parent = self.descend(root, path[:-1])
        array = parent.setdefault(path[-1], [])
        if not isinstance(array, list):
            self.error("key %r is not an array of tables" % path[-1])
        array.append({})
        return array[-1]

    def key_path(self):
        parts = []
        while True:
            self.skip_blank()
            char = self.peek()
            if char == '"':
                parts.append(self.basic_string())
            elif char == "'":
                parts.append(self.literal_string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    self.error("expected a key")
                parts.append(match.group())
                self.pos = match.end()
            self.skip_blank()
            if self.peek() != ".":
                return parts
            self.pos += 1

    def key_value(self, table):
        path = self.key_path()
        if self.peek() != "=":
            self.error("expected = after the key")
        self.pos += 1
        self.skip_blank()
        target = self.descend(table, path[:-1])
        if path[-1] in target:
            self.error("key %r is defined twice" % path[-1])
        target[path[-1]] = self.value()

    # -- values -----------------------------------------------------------
    def value(self):
        char = self.peek()
        if self.peek(3) == '"""':
            return self.multiline_string('"""')
        if self.peek(3) == "'''":
            return self.multiline_string("'''")
        if char == '"':
            return self.basic_string()
        if char == "'":
            return self.literal_string()
        if char == "[":
            return self.array()
        if char == "{":
            return self.inline_table()
        for word, result in (("true", True), ("false", False)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return result
        match = _DATE.match(self.text, self.pos)
        if match and (len(match.group()) > 4 and not _NUMBER.fullmatch(match.group())):
            self.pos = match.end()
            return match.group()
        match = _NUMBER.match(self.text, self.pos)
        if not match:
            self.error("expected a value")
        self.pos = match.end()
        return self.number(match.group())

    @staticmethod
    def number(text):
        clean = text.replace("_", "")
        sign = -1 if clean.startswith("-") else 1
        body = clean.lstrip("+-")
        if body in ("inf", "nan"):
            return sign * float(body)
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if body.startswith(prefix):
                return sign * int(body[2:], base)
        if any(c in body for c in ".eE"):
            return sign * float(body)
        return sign * int(body)

    def basic_string(self):
        self.pos += 1
        out = []
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                self.error("unterminated string")
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                return "".join(out)
            if char == "\\":
                out.append(self.escape())
            else:
                out.append(char)

    def escape(self):
        char = self.peek()
        self.pos += 1
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char in "uU":
            size = 4 if char == "u" else 8
            digits = self.text[self.pos:self.pos + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                self.error("bad unicode escape")
            self.pos += size
            return chr(int(digits, 16))
        self.error("unknown escape \\%s" % char)

    def literal_string(self):
        end = self.text.find("'", self.pos + 1)
        newline = self.text.find("\n", self.pos + 1)
        if end < 0 or 0 <= newline < end:
            self.error("unterminated string")
        value = self.text[self.pos + 1:end]
        self.pos = end + 1
        return value

    def multiline_string(self, quote):
        self.pos += 3
        if self.peek() == "\n":
            self.pos += 1
        elif self.peek(2) == "\r\n":
            self.pos += 2
        out = []
        while True:
            if self.pos >= len(self.text):
                self.error("unterminated multi-line string")
            if self.text.startswith(quote, self.pos):
                # Up to two quotes may end the content right before the closer.
                extra = 0
                while extra < 2 and self.text.startswith(quote[0], self.pos + 3 + extra):
                    extra += 1
                out.append(quote[0] * extra)
                self.pos += 3 + extra
                return "".join(out)
            char = self.text[self.pos]
            self.pos += 1
            if quote == '"""' and char == "\\":
                if self.peek() in " \t\r\n":
                    # A line-ending backslash trims the whitespace after it.
                    while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                        self.pos += 1
                else:
                    out.append(self.escape())
            else:
                out.append(char)

    def array(self):
        self.pos += 1
        items = []
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return items
            items.append(self.value())
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                self.error("expected , or ] in the array")

    def inline_table(self):
        self.pos += 1
        table = {}
        self.skip_blank()
        if self.peek() == "}":
            self.pos += 1
            return table
        while True:
            self.key_value(table)
            self.skip_blank()
            if self.peek() == "}":
                self.pos += 1
                return table
            if self.peek() != ",":
                self.error("expected , or } in the inline table")
            self.pos += 1
