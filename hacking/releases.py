# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""Refresh the collection's release table from upstream's published lists: `make releases`.

The streams are the minors cri-o/cri-o names in ReleaseMinorVersions (CRI-O's
own packaging reads the same list); each gets its newest published patch whose
bundle checksum reads, and the pause tag kubeadm of that Kubernetes minor uses.
The script prints what changed and rewrites plugins/plugin_utils/_release_table.py;
--check only prints and exits 1 when something would change. --answers DIR
replays recorded answers instead of the network.

    python hacking/releases.py [--check] [--table PATH] [--answers DIR] [--date YYYY-MM-DD]

Exit status: 0 done (or, with --check, nothing to change), 1 --check found
changes, 2 upstream or the table could not be read (nothing is written).
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import re
import sys
import textwrap
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

VERSION_GO = "https://raw.githubusercontent.com/cri-o/cri-o/main/internal/version/version.go"
RELEASES_PAGE = "https://api.github.com/repos/cri-o/cri-o/releases?per_page=100&page=%d"
CHECKSUM = "https://storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v%s.tar.gz.sha256sum"
CONSTANTS = "https://raw.githubusercontent.com/kubernetes/kubernetes/release-%s/cmd/kubeadm/app/constants/constants.go"
RELEASE_TAG = "https://github.com/cri-o/cri-o/releases/tag/v%s"
PAUSE_FROM = "PauseVersion in cmd/kubeadm/app/constants/constants.go of kubernetes/kubernetes release-%s"
# CRI-O has a few hundred releases; ten pages of a hundred leave room for years.
MAX_PAGES = 10
TIMEOUT = 30
TABLE = Path(__file__).resolve().parent.parent / "plugins" / "plugin_utils" / "_release_table.py"
NEUTRAL_NOTE = ("The oldest stream upstream supports (ReleaseMinorVersions in cri-o/cri-o's internal/version/version.go).",)

_SUPPORTED = re.compile(r"\bReleaseMinorVersions\s*=\s*\[\]string\s*\{([^}]*)\}")
_MINOR = re.compile(r"^1\.(\d+)$")
_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_PAUSE = re.compile(r"\bPauseVersion\s*=\s*\"(\d+\.\d+(?:\.\d+)?)\"")

# What the rendered file holds besides the facts; test_releases.py checks that a
# render of today's facts is today's file, so an edit here is an edit there.
HEAD = '''# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""The CRI-O streams the collection knows: written by `make releases` (hacking/releases.py).

Each row names where its facts came from. Correct a fact by hand only with
its source beside it; the next `make releases` rewrites the file from
upstream's published lists.
"""

from __future__ import annotations

import typing as t


class Stream(t.NamedTuple):
    """What the collection knows of one CRI-O stream (and the Kubernetes minor it is made for)."""

    release: str  # the newest patch release
    pause: str  # the pause tag kubeadm of that minor uses (PauseVersion in cmd/kubeadm/app/constants)
    release_from: str = ""  # where the release was read
    pause_from: str = ""  # where the pause tag was read


# The day the table was last checked against upstream.
'''
DEFAULT_COMMENT = "# The stream used when neither crio_version nor crio_kubernetes_version is set: the newest.\n"

Fetch = t.Callable[[str], tuple[int, bytes]]


class Fatal(Exception):
    """Upstream or the table could not be read: the run stops before writing anything."""


class Unreachable(Fatal):
    """A URL that gave no HTTP answer at all."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__("cannot reach %s: %s" % (url, reason))


class Row(t.NamedTuple):
    """One stream of the table, as _release_table.Stream holds it."""

    release: str
    pause: str
    release_from: str = ""
    pause_from: str = ""


class Table(t.NamedTuple):
    """The facts of a _release_table.py: all its render needs."""

    checked: str
    default_stream: str
    oldest_minor: int
    oldest_note: tuple[str, ...]  # the comment above OLDEST_MINOR, a line each, without the "# "
    streams: dict[str, Row]


class Release(t.NamedTuple):
    """A published CRI-O release."""

    version: str  # "1.37.5"
    patch: int
    url: str
    published: str  # "2026-12-10", or "" when GitHub gave no date


def http_fetch(url: str) -> tuple[int, bytes]:
    """The network: an HTTP error is an answer (its status), no answer at all raises Unreachable."""
    headers = {"User-Agent": "nodeops.crio hacking/releases.py"}
    if url.startswith("https://api.github.com/"):
        headers["Accept"] = "application/vnd.github+json"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read() or b""
    except urllib.error.URLError as error:
        raise Unreachable(url, str(error.reason)) from error
    except OSError as error:  # timeouts and resets after the connection was made
        raise Unreachable(url, str(error) or type(error).__name__) from error


def answer_name(url: str) -> str:
    """The file of DIR that holds url's recorded answer for --answers."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", url)


def replay_fetch(directory: Path) -> Fetch:
    """Recorded answers: a URL without its file is one upstream does not have (404)."""

    def fetch(url: str) -> tuple[int, bytes]:
        path = directory / answer_name(url)
        if not path.is_file():
            return 404, b""
        return 200, path.read_bytes()

    return fetch


def minor_number(minor: str) -> int:
    """37 of "1.37"."""
    return int(minor.split(".")[1])


def read_table(path: Path) -> Table:
    """The facts of a _release_table.py, read with ast so that the script needs neither Ansible nor the collection."""
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        raise Fatal("cannot read the table %s: %s" % (path, error)) from error
    values: dict[str, t.Any] = {}
    lines: dict[str, int] = {}
    try:
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                lines[name] = node.lineno
                values[name] = _streams(node.value) if name == "STREAMS" else ast.literal_eval(node.value)
        table = Table(
            values["CHECKED"],
            values["DEFAULT_STREAM"],
            values["OLDEST_MINOR"],
            _note_above(source.splitlines(), lines["OLDEST_MINOR"]),
            values["STREAMS"],
        )
    except (KeyError, ValueError, TypeError) as error:
        raise Fatal("%s is not a release table as make releases writes it: %s" % (path, error)) from error
    if not (isinstance(table.checked, str) and isinstance(table.default_stream, str) and isinstance(table.oldest_minor, int)):
        raise Fatal("%s is not a release table: CHECKED, DEFAULT_STREAM or OLDEST_MINOR has the wrong type" % path)
    return table


def _streams(node: ast.expr) -> dict[str, Row]:
    """STREAMS = {"1.37": Stream("1.37.4", "3.10.2", ...), ...} without running it."""
    if not isinstance(node, ast.Dict):
        raise ValueError("STREAMS is not a dict display")
    streams = {}
    for key, value in zip(node.keys, node.values, strict=True):
        minor = ast.literal_eval(key) if key is not None else None
        if not (isinstance(minor, str) and _MINOR.match(minor)):
            raise ValueError("STREAMS key %r is not a minor such as \"1.37\"" % (minor,))
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "Stream"):
            raise ValueError("STREAMS[%r] is not a Stream(...)" % minor)
        args = [ast.literal_eval(arg) for arg in value.args]
        kwargs = {str(keyword.arg): ast.literal_eval(keyword.value) for keyword in value.keywords}
        row = Row(*args, **kwargs)
        if not all(isinstance(field, str) for field in row):
            raise ValueError("STREAMS[%r] holds a field that is not a string" % minor)
        streams[minor] = row
    return streams


def _note_above(lines: list[str], lineno: int) -> tuple[str, ...]:
    """The comment lines right above line lineno (1-based)."""
    note: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].startswith("#"):
        note.insert(0, lines[index][1:].removeprefix(" "))
        index -= 1
    return tuple(note)


def render(table: Table) -> str:
    """The text of _release_table.py holding table: the same facts always give the same bytes."""
    out = [
        HEAD,
        "CHECKED = %s\n" % _quote(table.checked),
        DEFAULT_COMMENT,
        "DEFAULT_STREAM = %s\n" % _quote(table.default_stream),
    ]
    out += ["#%s\n" % (" " + line if line else "") for line in table.oldest_note]
    out += ["OLDEST_MINOR = %d\n" % table.oldest_minor, "STREAMS = {\n"]
    for minor in sorted(table.streams, key=minor_number):
        fields = list(table.streams[minor])
        # Sources left empty are the Stream defaults: a row written by hand may have none.
        while len(fields) > 2 and not fields[-1]:
            fields.pop()
        out.append("    %s: Stream(\n" % _quote(minor))
        out += ["        %s,\n" % _quote(field) for field in fields]
        out.append("    ),\n")
    out.append("}\n")
    return "".join(out)


def _quote(text: str) -> str:
    """A double-quoted Python literal (a JSON string is one, and is the same for every run)."""
    return json.dumps(text)


def required(fetch: Fetch, url: str) -> str:
    """A text the run cannot do without: anything but a 200 stops it."""
    status, body = fetch(url)
    if status != 200:
        raise Fatal("%s answered HTTP %d" % (url, status))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Fatal("%s is not UTF-8 text: %s" % (url, error)) from error


def optional(fetch: Fetch, url: str) -> tuple[str | None, str]:
    """A text the run can go on without: (text, "") or (None, why it could not be read)."""
    try:
        status, body = fetch(url)
    except Unreachable as error:
        return None, str(error)
    if status != 200:
        return None, "%s: HTTP %d" % (url, status)
    try:
        return body.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "%s: not UTF-8 text" % url


def supported_streams(version_go: str) -> list[str]:
    """The minors of `var ReleaseMinorVersions = []string{"1.37", "1.36"}`, oldest first."""
    match = _SUPPORTED.search(version_go)
    minors = re.findall(r'"(1\.\d+)"', match.group(1)) if match else []
    if not minors:
        raise Fatal("%s has no ReleaseMinorVersions = []string{...} with minors in it" % VERSION_GO)
    return sorted(set(minors), key=minor_number)


def parse_releases(items: t.Any, url: str) -> list[Release]:
    """The published vX.Y.Z releases of one page of the GitHub releases API."""
    if not isinstance(items, list):
        raise Fatal("%s is not a JSON array of releases" % url)
    found = []
    for item in items:
        if not isinstance(item, dict) or item.get("draft") or item.get("prerelease"):
            continue
        match = _TAG.match(str(item.get("tag_name", "")))
        if not match:
            continue
        version = "%s.%s.%s" % match.groups()
        html_url = item.get("html_url")
        published = _DAY.match(str(item.get("published_at") or ""))
        found.append(
            Release(
                version,
                int(match.group(3)),
                html_url if isinstance(html_url, str) and html_url.startswith("https://") else RELEASE_TAG % version,
                published.group(0) if published else "",
            )
        )
    return found


def published_releases(fetch: Fetch) -> dict[str, list[Release]]:
    """Every published release by minor, newest patch first."""
    by_minor: dict[str, dict[int, Release]] = {}
    for page in range(1, MAX_PAGES + 1):
        url = RELEASES_PAGE % page
        try:
            items = json.loads(required(fetch, url))
        except ValueError as error:
            raise Fatal("%s is not JSON: %s" % (url, error)) from error
        if not items:
            break
        for release in parse_releases(items, url):
            minor = release.version.rsplit(".", 1)[0]
            by_minor.setdefault(minor, {}).setdefault(release.patch, release)
    return {minor: [found[patch] for patch in sorted(found, reverse=True)] for minor, found in by_minor.items()}


def checksum_problem(version: str, text: str) -> str:
    """Why text is not the sha256sum line of the amd64 bundle of version; "" when it is."""
    bundle = "cri-o.amd64.v%s.tar.gz" % version
    # sha256sum's own line: the digest, then the name (binary mode marks it with *, a path may lead it).
    if re.fullmatch(r"[0-9a-fA-F]{64}[ \t]+\*?(?:\S*/)?%s" % re.escape(bundle), text.strip()):
        return ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return "not a sha256sum line of %s: %r" % (bundle, first[:100])


def take_release(fetch: Fetch, minor: str, candidates: list[Release], notes: list[str]) -> Release | None:
    """The newest of candidates whose bundle checksum reads; each one refused on the way is noted."""
    for release in candidates:
        url = CHECKSUM % release.version
        text, problem = optional(fetch, url)
        if text is not None:
            problem = checksum_problem(release.version, text)
            problem = "%s: %s" % (url, problem) if problem else ""
        if not problem:
            return release
        notes.append("%s: refused %s (%s)" % (minor, release.version, problem))
    return None


def read_pause(fetch: Fetch, minor: str) -> tuple[str | None, str]:
    """(kubeadm's pause tag of Kubernetes minor, "") or (None, why it could not be read)."""
    url = CONSTANTS % minor
    text, problem = optional(fetch, url)
    if text is None:
        return None, problem
    match = _PAUSE.search(text)
    if not match:
        return None, '%s has no PauseVersion = "X.Y.Z"' % url
    return match.group(1), ""


def refresh(fetch: Fetch, current: Table, today: str) -> tuple[Table, list[str]]:
    """The table upstream's lists give today, and what the run had to refuse or keep on the way."""
    notes: list[str] = []
    supported = supported_streams(required(fetch, VERSION_GO))
    published = published_releases(fetch)
    streams: dict[str, Row] = {}
    for minor in supported:
        row = current.streams.get(minor)
        candidates = published.get(minor, [])
        release = take_release(fetch, minor, candidates, notes)
        why = "every release was refused" if candidates else "no release published yet"
        if release is not None:
            version = release.version
            source = release.url + (" (published %s)" % release.published if release.published else "")
        elif row is not None:
            notes.append("%s: %s; kept %s from the current table" % (minor, why, row.release))
            version, source = row.release, row.release_from
        else:
            notes.append("%s: in ReleaseMinorVersions but %s; left out" % (minor, why))
            continue
        pause, problem = read_pause(fetch, minor)
        if pause is not None:
            pause_from = PAUSE_FROM % minor
        elif row is not None:
            notes.append("%s: pause not read (%s); kept %s from the current table" % (minor, problem, row.pause))
            pause, pause_from = row.pause, row.pause_from
        else:
            notes.append("%s: new stream, but its pause was not read (%s); left out" % (minor, problem))
            continue
        streams[minor] = Row(version, pause, source, pause_from)
    if not streams:
        raise Fatal("no supported stream could be read")
    ordered = sorted(streams, key=minor_number)
    oldest = minor_number(ordered[0])
    note = current.oldest_note if oldest == current.oldest_minor else _oldest_note(current, oldest, today)
    return Table(today, ordered[-1], oldest, note, streams), notes


def _oldest_note(current: Table, oldest: int, today: str) -> tuple[str, ...]:
    """The comment above a new OLDEST_MINOR: which streams left support, when some did."""
    left = sorted((minor for minor in current.streams if minor_number(minor) < oldest), key=minor_number)
    if not left:
        return NEUTRAL_NOTE
    text = "CRI-O %s left support: upstream removed %s from that list (found on %s)." % (
        " and ".join(left),
        "it" if len(left) == 1 else "them",
        today,
    )
    return NEUTRAL_NOTE + tuple(textwrap.wrap(text, width=77, break_long_words=False, break_on_hyphens=False))


def changes(old: Table, new: Table) -> list[str]:
    """How new differs from old, a line each; CHECKED is not a change."""
    lines = []
    for minor in sorted(set(old.streams) | set(new.streams), key=minor_number):
        was, now = old.streams.get(minor), new.streams.get(minor)
        if now is None:
            lines.append("%s: out of support, removed" % minor)
        elif was is None:
            lines.append("%s: new stream, %s, pause %s" % (minor, now.release, now.pause))
        else:
            if was.release != now.release:
                lines.append("%s: %s -> %s (%s)" % (minor, was.release, now.release, now.release_from.split(" ")[0]))
            elif was.release_from != now.release_from:
                lines.append("%s: %s now read from %s" % (minor, now.release, now.release_from))
            if was.pause != now.pause:
                lines.append("%s: pause %s -> %s" % (minor, was.pause, now.pause))
            elif was.pause_from != now.pause_from:
                lines.append("%s: pause %s now read from %s" % (minor, now.pause, now.pause_from))
    if old.default_stream != new.default_stream:
        lines.append("default stream: %s -> %s" % (old.default_stream, new.default_stream))
    if old.oldest_minor != new.oldest_minor:
        lines.append("oldest stream: 1.%d -> 1.%d" % (old.oldest_minor, new.oldest_minor))
    return lines


def _is_day(text: str) -> bool:
    """--date: a YYYY-MM-DD that is a real day (fromisoformat alone also takes 20261207)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_args(argv: t.Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Refresh the CRI-O release table from upstream's published lists.")
    parser.add_argument("--check", action="store_true", help="print the changes and exit 1 if there are any; write nothing")
    parser.add_argument("--table", type=Path, default=TABLE, help="the table to rewrite (default: %(default)s)")
    parser.add_argument("--answers", type=Path, help="replay the recorded answers of this directory instead of the network")
    parser.add_argument("--date", help="the CHECKED date, YYYY-MM-DD (default: today, UTC)")
    args = parser.parse_args(argv)
    if args.date is not None and not _is_day(args.date):
        parser.error("--date must be a day as YYYY-MM-DD; got %r" % args.date)
    if args.answers is not None and not args.answers.is_dir():
        parser.error("--answers must be a directory; got %s" % args.answers)
    return args


def main(argv: t.Sequence[str] | None = None, fetch: Fetch | None = None) -> int:
    args = parse_args(argv)
    if fetch is None:
        fetch = replay_fetch(args.answers) if args.answers else http_fetch
    today = args.date or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    try:
        current = read_table(args.table)
        new, notes = refresh(fetch, current, today)
    except Fatal as error:
        print("releases.py: %s; %s is unchanged" % (error, args.table), file=sys.stderr)
        return 2
    changed = changes(current, new)
    for line in notes + (changed or ["no change"]):
        print(line)
    if args.check:
        return 1 if changed else 0
    args.table.write_text(render(new), encoding="utf-8")
    print("wrote %s (CHECKED %s)" % (args.table, today))
    return 0


if __name__ == "__main__":
    sys.exit(main())
