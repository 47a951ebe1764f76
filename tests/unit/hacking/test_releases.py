# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""hacking/releases.py (`make releases`): the release table rebuilt from upstream's published lists.

Upstream here is the recorded answers of tests/unit/fixtures/releases/, with a
test's own changes laid over them; the table is a copy in tmp_path, never the
collection's own file.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import types
import typing as t
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ansible_collections.nodeops.crio.plugins.plugin_utils import _release_table

COLLECTION_ROOT = Path(__file__).resolve().parents[3]
ANSWERS = COLLECTION_ROOT / "tests" / "unit" / "fixtures" / "releases"
TABLE = COLLECTION_ROOT / "plugins" / "plugin_utils" / "_release_table.py"


def _load(name: str, path: Path) -> types.ModuleType:
    """A module from its path: hacking/ is not a package, and a written table is not part of the collection."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


releases = _load("nodeops_crio_hacking_releases", COLLECTION_ROOT / "hacking" / "releases.py")

VERSION_GO = releases.VERSION_GO
PAGE_1 = releases.RELEASES_PAGE % 1
PAGE_2 = releases.RELEASES_PAGE % 2
DIGEST = "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a"


def checksum_url(version: str) -> str:
    return releases.CHECKSUM % version


def pause_from(minor: str) -> str:
    return "PauseVersion in cmd/kubeadm/app/constants/constants.go of kubernetes/kubernetes release-%s" % minor


class Upstream:
    """The recorded answers, with a test's own laid over them: (status, body), text (a 200) or an exception to raise."""

    def __init__(self) -> None:
        self.replay = releases.replay_fetch(ANSWERS)
        self.answers: dict[str, t.Any] = {}
        self.asked: list[str] = []

    def __call__(self, url: str) -> tuple[int, bytes]:
        self.asked.append(url)
        answer = self.answers.get(url)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, str):
            return 200, answer.encode("utf-8")
        if answer is not None:
            return answer
        return self.replay(url)

    def recorded(self, url: str) -> str:
        status, body = self.replay(url)
        assert status == 200, url
        return body.decode("utf-8")

    def supports(self, *minors: str) -> None:
        """version.go with ReleaseMinorVersions naming minors (newest first, as CRI-O lists them)."""
        listed = ", ".join('"%s"' % minor for minor in minors)
        text = self.recorded(VERSION_GO).replace('"1.37", "1.36", "1.35"', listed)
        assert listed in text
        self.answers[VERSION_GO] = text

    def publish(self, tag: str, published: str = "2026-12-05T09:20:11Z", page: int = 1, **fields: t.Any) -> None:
        """A release on top of a page of the releases API, with its bundle's checksum."""
        url = releases.RELEASES_PAGE % page
        items = json.loads(self.answers.get(url) or self.recorded(url))
        item = dict(items[0]) if items else {}
        item.update(tag_name=tag, name=tag, draft=False, prerelease=False, published_at=published,
                    html_url="https://github.com/cri-o/cri-o/releases/tag/" + tag, **fields)
        self.answers[url] = json.dumps([item, *items])
        self.checksum(tag[1:])

    def checksum(self, version: str) -> None:
        self.answers[checksum_url(version)] = "%s  cri-o.amd64.v%s.tar.gz\n" % (DIGEST, version)

    def pause(self, minor: str, tag: str) -> None:
        """constants.go of kubernetes/kubernetes release-<minor> with PauseVersion = tag."""
        text = self.recorded(releases.CONSTANTS % "1.37").replace('PauseVersion = "3.10.2"', 'PauseVersion = "%s"' % tag)
        self.answers[releases.CONSTANTS % minor] = text


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def table(tmp_path: Path) -> Path:
    """A copy of the collection's table, for the run to rewrite."""
    copy = tmp_path / "_release_table.py"
    copy.write_bytes(TABLE.read_bytes())
    return copy


Run = t.Callable[..., t.Tuple[int, t.List[str], str]]


@pytest.fixture
def run(table: Path, upstream: Upstream, capsys: pytest.CaptureFixture[str]) -> Run:
    """hacking/releases.py on the copy against upstream: (exit status, stdout lines, stderr)."""

    def go(*args: str, fetch: t.Any = upstream) -> tuple[int, list[str], str]:
        status = releases.main(["--table", str(table), "--date", "2026-12-07", *args], fetch=fetch)
        out, err = capsys.readouterr()
        return status, out.splitlines(), err

    return go


def written(path: Path) -> types.ModuleType:
    """The table the run wrote, imported as Python."""
    return _load("written_release_table", path)


def rows(module: types.ModuleType) -> dict[str, tuple[str, ...]]:
    return {minor: tuple(stream) for minor, stream in module.STREAMS.items()}


def test_recorded_answers_through_the_command_line(table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole command offline: 1.37.5 is taken, 1.36.7 (no checksum) and 1.35.10 (half a digest) are refused."""
    status = releases.main(["--answers", str(ANSWERS), "--table", str(table), "--date", "2026-12-07"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "1.35: refused 1.35.10 (https://storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v1.35.10.tar.gz.sha256sum: "
        "not a sha256sum line of cri-o.amd64.v1.35.10.tar.gz: 'd88ccebf47180acc3fa319ab4c10d340')",
        "1.36: refused 1.36.7 (https://storage.googleapis.com/cri-o/artifacts/cri-o.amd64.v1.36.7.tar.gz.sha256sum: HTTP 404)",
        "1.35: 1.35.9 now read from https://github.com/cri-o/cri-o/releases/tag/v1.35.9 (published 2026-09-22)",
        "1.35: pause 3.10.1 now read from " + pause_from("1.35"),
        "1.36: 1.36.6 now read from https://github.com/cri-o/cri-o/releases/tag/v1.36.6 (published 2026-09-22)",
        "1.36: pause 3.10.2 now read from " + pause_from("1.36"),
        "1.37: 1.37.4 -> 1.37.5 (https://github.com/cri-o/cri-o/releases/tag/v1.37.5)",
        "1.37: pause 3.10.2 now read from " + pause_from("1.37"),
        "wrote %s (CHECKED 2026-12-07)" % table,
    ]
    module = written(table)
    tag = "https://github.com/cri-o/cri-o/releases/tag/"
    assert rows(module) == {
        "1.35": ("1.35.9", "3.10.1", tag + "v1.35.9 (published 2026-09-22)", pause_from("1.35")),
        "1.36": ("1.36.6", "3.10.2", tag + "v1.36.6 (published 2026-09-22)", pause_from("1.36")),
        "1.37": ("1.37.5", "3.10.2", tag + "v1.37.5 (published 2026-12-04)", pause_from("1.37")),
    }
    assert (module.CHECKED, module.DEFAULT_STREAM, module.OLDEST_MINOR) == ("2026-12-07", "1.37", 35)
    # The oldest did not move, so its comment (and the source it names) stays.
    assert releases.read_table(table).oldest_note == releases.read_table(TABLE).oldest_note


def test_a_patch_release_is_taken(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.publish("v1.36.8")
    status, out = run()[:2]
    assert status == 0
    assert "1.36: 1.36.6 -> 1.36.8 (https://github.com/cri-o/cri-o/releases/tag/v1.36.8)" in out
    assert tuple(written(table).STREAMS["1.36"][:3]) == (
        "1.36.8", "3.10.2", "https://github.com/cri-o/cri-o/releases/tag/v1.36.8 (published 2026-12-05)")


def test_a_new_stream_appears_and_becomes_the_default(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.supports("1.38", "1.37", "1.36", "1.35")
    upstream.publish("v1.38.0", target_commitish="release-1.38")
    upstream.pause("1.38", "3.10.2")
    status, out = run()[:2]
    assert status == 0
    assert "1.38: new stream, 1.38.0, pause 3.10.2" in out
    assert out[-2:] == ["default stream: 1.37 -> 1.38", "wrote %s (CHECKED 2026-12-07)" % table]
    module = written(table)
    assert module.DEFAULT_STREAM == "1.38"
    assert module.OLDEST_MINOR == 35
    assert rows(module)["1.38"] == (
        "1.38.0", "3.10.2", "https://github.com/cri-o/cri-o/releases/tag/v1.38.0 (published 2026-12-05)", pause_from("1.38"))
    assert list(module.STREAMS) == ["1.35", "1.36", "1.37", "1.38"]


def test_a_stream_leaves_support_and_the_oldest_moves(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.supports("1.37", "1.36")
    status, out = run()[:2]
    assert status == 0
    assert out[out.index("1.35: out of support, removed") - 1].startswith("1.36: refused 1.36.7")
    assert "oldest stream: 1.35 -> 1.36" in out
    assert not [line for line in out if line.startswith("1.35: refused")]  # a stream out of support is not read
    module = written(table)
    assert (list(module.STREAMS), module.OLDEST_MINOR, module.DEFAULT_STREAM) == (["1.36", "1.37"], 36, "1.37")
    text = table.read_text(encoding="utf-8")
    assert ("# The oldest stream upstream supports (ReleaseMinorVersions in cri-o/cri-o's internal/version/version.go).\n"
            "# CRI-O 1.35 left support: upstream removed it from that list (found on\n"
            "# 2026-12-07).\n"
            "OLDEST_MINOR = 36\n") in text


def test_streams_come_and_go_together(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.supports("1.38", "1.37")
    upstream.publish("v1.38.0")
    upstream.pause("1.38", "3.10.3")
    status, out = run("--check")[:2]
    assert status == 1
    assert [line for line in out if "refused" not in line and "now read from" not in line] == [
        "1.35: out of support, removed",
        "1.36: out of support, removed",
        "1.37: 1.37.4 -> 1.37.5 (https://github.com/cri-o/cri-o/releases/tag/v1.37.5)",
        "1.38: new stream, 1.38.0, pause 3.10.3",
        "default stream: 1.37 -> 1.38",
        "oldest stream: 1.35 -> 1.37",
    ]
    note = releases.refresh(upstream, releases.read_table(table), "2026-12-07")[0].oldest_note
    assert " ".join(note).endswith(
        "CRI-O 1.35 and 1.36 left support: upstream removed them from that list (found on 2026-12-07).")


BUNDLE = "cri-o.amd64.v1.37.5.tar.gz"


@pytest.mark.parametrize("answer, reason", [
    ((404, b""), "sha256sum: HTTP 404"),
    ((403, b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code></Error>"), "sha256sum: HTTP 403"),
    ((200, b""), "sha256sum: not a sha256sum line of %s: ''" % BUNDLE),
    ((200, DIGEST[:40].encode() + b"\n"), "not a sha256sum line of %s: '%s'" % (BUNDLE, DIGEST[:40])),
    ((200, b"%s  cri-o.arm64.v1.37.5.tar.gz\n" % DIGEST.encode()), "not a sha256sum line of %s" % BUNDLE),
    ((200, b"%s  cri-o.amd64.v1.37.4.tar.gz\n" % DIGEST.encode()), "not a sha256sum line of %s" % BUNDLE),
    ((200, b"%s\n  %s\n" % (DIGEST.encode(), BUNDLE.encode())), "not a sha256sum line of %s" % BUNDLE),
    ((200, b"<!DOCTYPE html><html><title>Not Found</title></html>"), "not a sha256sum line of %s: '<!DOCTYPE html>" % BUNDLE),
    ((200, b"\xff\xfe" + DIGEST.encode()), "sha256sum: not UTF-8 text"),
    (releases.Unreachable(checksum_url("1.37.5"), "timed out"), "cannot reach %s: timed out" % checksum_url("1.37.5")),
], ids=["404", "403", "empty", "half-a-digest", "other-arch", "other-release", "two-lines", "html", "not-utf-8", "unreachable"])
def test_a_release_without_its_checksum_is_refused(run: Run, upstream: Upstream, table: Path, answer: t.Any, reason: str) -> None:
    upstream.answers[checksum_url("1.37.5")] = answer
    status, out = run()[:2]
    assert status == 0
    refusal = [line for line in out if line.startswith("1.37: refused")]
    assert len(refusal) == 1 and refusal[0].startswith("1.37: refused 1.37.5 (")
    assert checksum_url("1.37.5") in refusal[0] and reason in refusal[0]
    # The stream falls back to the patch before, as published, and the change says so.
    assert "1.37: 1.37.4 now read from https://github.com/cri-o/cri-o/releases/tag/v1.37.4 (published 2026-11-25)" in out
    assert written(table).STREAMS["1.37"].release == "1.37.4"


@pytest.mark.parametrize("line", [
    "%s  cri-o.amd64.v1.37.5.tar.gz\n" % DIGEST,
    "%s *cri-o.amd64.v1.37.5.tar.gz" % DIGEST,
    "%s  build/bundle/cri-o.amd64.v1.37.5.tar.gz\n" % DIGEST,
    "%s  cri-o.amd64.v1.37.5.tar.gz\n" % DIGEST.upper(),
], ids=["sha256sum", "binary-mode", "with-a-path", "upper-case"])
def test_a_checksum_line_reads(line: str) -> None:
    assert releases.checksum_problem("1.37.5", line) == ""


def test_a_stream_whose_releases_are_all_refused_keeps_its_row(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.answers[checksum_url("1.37.5")] = (404, b"")
    upstream.answers[checksum_url("1.37.4")] = (200, b"")
    status, out = run()[:2]
    assert status == 0
    assert [line for line in out if line.startswith("1.37:")] == [
        "1.37: refused 1.37.5 (%s: HTTP 404)" % checksum_url("1.37.5"),
        "1.37: refused 1.37.4 (%s: not a sha256sum line of cri-o.amd64.v1.37.4.tar.gz: '')" % checksum_url("1.37.4"),
        "1.37: refused 1.37.3 (%s: HTTP 404)" % checksum_url("1.37.3"),
        "1.37: every release was refused; kept 1.37.4 from the current table",
        "1.37: pause 3.10.2 now read from " + pause_from("1.37"),
    ]
    assert written(table).STREAMS["1.37"][:3] == _release_table.STREAMS["1.37"][:3]


def test_a_pause_that_does_not_read_is_kept(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.answers[releases.CONSTANTS % "1.36"] = (404, b"404: Not Found")
    upstream.answers[releases.CONSTANTS % "1.35"] = "package constants\n\nconst PauseImage = \"registry.k8s.io/pause\"\n"
    status, out = run()[:2]
    assert status == 0
    assert "1.36: pause not read (%s: HTTP 404); kept 3.10.2 from the current table" % (releases.CONSTANTS % "1.36") in out
    assert '1.35: pause not read (%s has no PauseVersion = "X.Y.Z"); kept 3.10.1 from the current table' % (
        releases.CONSTANTS % "1.35") in out
    module = written(table)
    assert module.STREAMS["1.36"][1::2] == _release_table.STREAMS["1.36"][1::2]
    assert module.STREAMS["1.35"][1::2] == _release_table.STREAMS["1.35"][1::2]


def test_a_new_stream_that_does_not_read_is_left_out(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.supports("1.39", "1.38", "1.37", "1.36", "1.35")
    upstream.publish("v1.38.0")
    upstream.publish("v1.39.0")
    upstream.answers[checksum_url("1.39.0")] = (404, b"")
    status, out = run()[:2]
    assert status == 0
    assert "1.39: refused 1.39.0 (%s: HTTP 404)" % checksum_url("1.39.0") in out
    assert "1.39: in ReleaseMinorVersions but every release was refused; left out" in out
    assert "1.38: new stream, but its pause was not read (%s: HTTP 404); left out" % (releases.CONSTANTS % "1.38") in out
    module = written(table)
    assert (list(module.STREAMS), module.DEFAULT_STREAM) == (["1.35", "1.36", "1.37"], "1.37")


def test_drafts_and_pre_releases_are_skipped(run: Run, upstream: Upstream, table: Path) -> None:
    """The recorded page has a draft v1.37.6 and a pre-release v1.38.0-rc.1; both bundles read here, neither is taken."""
    upstream.supports("1.38", "1.37", "1.36", "1.35")
    upstream.checksum("1.37.6")
    upstream.checksum("1.38.0-rc.1")
    upstream.pause("1.38", "3.10.2")
    status, out = run()[:2]
    assert status == 0
    assert "1.38: in ReleaseMinorVersions but no release published yet; left out" in out
    assert not [line for line in out if "1.37.6" in line or "rc.1" in line]
    module = written(table)
    assert (module.STREAMS["1.37"].release, module.DEFAULT_STREAM) == ("1.37.5", "1.37")
    assert "1.38" not in module.STREAMS


def test_only_published_vx_y_z_tags_are_releases() -> None:
    items = [
        {"tag_name": "v1.37.5", "draft": False, "prerelease": False, "published_at": "2026-12-04T09:31:07Z",
         "html_url": "https://github.com/cri-o/cri-o/releases/tag/v1.37.5"},
        {"tag_name": "v1.37.6", "draft": True, "prerelease": False, "published_at": None},
        {"tag_name": "v1.38.0-rc.1", "draft": False, "prerelease": True, "published_at": "2026-12-03T16:02:44Z"},
        {"tag_name": "v1.38.0-rc.2", "draft": False, "prerelease": False, "published_at": "2026-12-05T16:02:44Z"},
        {"tag_name": "1.37.7", "draft": False, "prerelease": False},
        {"tag_name": "v1.37", "draft": False, "prerelease": False},
        {"tag_name": "v1.37.8-fips", "draft": False, "prerelease": False},
        {"tag_name": "v1.36.9", "draft": False, "prerelease": False},
        "not a release",
    ]
    assert releases.parse_releases(items, PAGE_1) == [
        releases.Release("1.37.5", 5, "https://github.com/cri-o/cri-o/releases/tag/v1.37.5", "2026-12-04"),
        releases.Release("1.36.9", 9, "https://github.com/cri-o/cri-o/releases/tag/v1.36.9", ""),
    ]


def test_every_page_is_read_until_an_empty_one(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.publish("v1.36.8", page=2)
    upstream.answers[releases.RELEASES_PAGE % 3] = "[]"
    status, out = run()[:2]
    assert status == 0
    assert "1.36: 1.36.6 -> 1.36.8 (https://github.com/cri-o/cri-o/releases/tag/v1.36.8)" in out
    assert [url for url in upstream.asked if url.startswith("https://api.github.com/")] == [
        PAGE_1, PAGE_2, releases.RELEASES_PAGE % 3]


def test_paging_stops_after_ten_pages(run: Run, upstream: Upstream) -> None:
    for page in range(1, 12):
        upstream.answers[releases.RELEASES_PAGE % page] = upstream.recorded(PAGE_1)
    assert run("--check")[0] == 1
    assert [url for url in upstream.asked if url.startswith("https://api.github.com/")] == [
        releases.RELEASES_PAGE % page for page in range(1, 11)]


def test_check_writes_nothing_and_exits_1_on_change(run: Run, table: Path) -> None:
    before = table.read_bytes()
    status, out = run("--check")[:2]
    assert status == 1
    assert "1.37: 1.37.4 -> 1.37.5 (https://github.com/cri-o/cri-o/releases/tag/v1.37.5)" in out
    assert not [line for line in out if line.startswith("wrote")]
    assert table.read_bytes() == before


def test_check_exits_0_when_the_table_is_current(run: Run, table: Path) -> None:
    assert run()[0] == 0
    current = table.read_bytes()
    # A later day is no change: CHECKED is rewritten only by a run that writes.
    status, out = run("--check", "--date", "2026-12-09")[:2]
    assert (status, [line for line in out if "refused" not in line]) == (0, ["no change"])
    assert table.read_bytes() == current


def test_a_second_run_changes_nothing_but_checked(run: Run, table: Path) -> None:
    run()
    first = table.read_text(encoding="utf-8")
    status, out = run("--date", "2026-12-08")[:2]
    assert status == 0
    assert out[-2:] == ["no change", "wrote %s (CHECKED 2026-12-08)" % table]
    assert table.read_text(encoding="utf-8") == first.replace('CHECKED = "2026-12-07"', 'CHECKED = "2026-12-08"')


def offline(url: str) -> tuple[int, bytes]:
    raise releases.Unreachable(url, "[Errno -3] Temporary failure in name resolution")


def test_without_network_nothing_changes(run: Run, table: Path) -> None:
    before = table.read_bytes()
    status, out, err = run(fetch=offline)
    assert (status, out) == (2, [])
    assert err == ("releases.py: cannot reach %s: [Errno -3] Temporary failure in name resolution; %s is unchanged\n"
                   % (VERSION_GO, table))
    assert table.read_bytes() == before


def test_the_real_fetcher_names_the_url_it_could_not_reach(
        table: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    asked = []

    def urlopen(request: urllib.request.Request, timeout: float) -> t.NoReturn:
        asked.append(request.full_url)
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    before = table.read_bytes()
    assert releases.main(["--table", str(table)]) == 2
    assert asked == [VERSION_GO]
    assert VERSION_GO in capsys.readouterr().err
    assert table.read_bytes() == before


@pytest.mark.parametrize("url, answer, message", [
    (VERSION_GO, (404, b""), "%s answered HTTP 404" % VERSION_GO),
    (VERSION_GO, "package version\n\nconst Version = \"1.38.0\"\n", "%s has no ReleaseMinorVersions" % VERSION_GO),
    (PAGE_1, (403, b'{"message": "API rate limit exceeded"}'), "%s answered HTTP 403" % PAGE_1),
    (PAGE_1, '{"message": "Not Found"}', "%s is not a JSON array of releases" % PAGE_1),
    (PAGE_1, "<html>", "%s is not JSON" % PAGE_1),
    (PAGE_2, releases.Unreachable(PAGE_2, "timed out"), "cannot reach %s: timed out" % PAGE_2),
], ids=["version-go-404", "no-release-minor-versions", "rate-limited", "not-an-array", "not-json", "page-2-unreachable"])
def test_what_upstream_must_answer_stops_the_run(run: Run, upstream: Upstream, table: Path, url: str, answer: t.Any,
                                                 message: str) -> None:
    upstream.answers[url] = answer
    before = table.read_bytes()
    status, out, err = run()
    assert (status, out) == (2, [])
    assert err.startswith("releases.py: " + message) and err.endswith("; %s is unchanged\n" % table)
    assert table.read_bytes() == before


def test_a_missing_table_stops_the_run(run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert releases.main(["--table", str(tmp_path / "none.py")], fetch=offline) == 2
    assert "cannot read the table %s" % (tmp_path / "none.py") in capsys.readouterr().err


def test_rendering_todays_facts_gives_todays_file() -> None:
    text = TABLE.read_text(encoding="utf-8")
    facts = releases.read_table(TABLE)
    assert releases.render(facts) == text
    other_day = releases.render(facts._replace(checked="2027-01-04"))
    assert other_day == text.replace('CHECKED = "%s"' % facts.checked, 'CHECKED = "2027-01-04"')
    assert other_day != text


def test_the_table_is_read_as_the_collection_imports_it() -> None:
    facts = releases.read_table(TABLE)
    assert (facts.checked, facts.default_stream, facts.oldest_minor) == (
        _release_table.CHECKED, _release_table.DEFAULT_STREAM, _release_table.OLDEST_MINOR)
    assert {minor: tuple(row) for minor, row in facts.streams.items()} == rows(_release_table)


def test_the_written_table_is_python_that_imports_only_typing(run: Run, upstream: Upstream, table: Path) -> None:
    upstream.supports("1.38", "1.37", "1.36")
    upstream.publish("v1.38.0")
    upstream.pause("1.38", "3.10.3")
    assert run()[0] == 0
    decided = releases.refresh(upstream, releases.read_table(TABLE), "2026-12-07")[0]
    module = written(table)
    assert rows(module) == {minor: tuple(row) for minor, row in decided.streams.items()}
    assert (module.DEFAULT_STREAM, module.OLDEST_MINOR, module.CHECKED) == ("1.38", 36, "2026-12-07")
    assert all(type(stream).__name__ == "Stream" and stream._fields == ("release", "pause", "release_from", "pause_from")
               for stream in module.STREAMS.values())
    tree = ast.parse(table.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names]
    modules = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert (imported, modules) == (["annotations", "typing"], ["__future__"])


def test_a_row_without_sources_renders_as_stream_defaults(tmp_path: Path) -> None:
    facts = releases.read_table(TABLE)
    facts.streams["1.38"] = releases.Row("1.38.0", "3.10.3")
    path = tmp_path / "table.py"
    path.write_text(releases.render(facts), encoding="utf-8")
    assert '    "1.38": Stream(\n        "1.38.0",\n        "3.10.3",\n    ),\n}\n' in path.read_text(encoding="utf-8")
    assert releases.read_table(path) == facts
    assert tuple(written(path).STREAMS["1.38"]) == ("1.38.0", "3.10.3", "", "")


def test_answers_are_files_named_after_their_url(tmp_path: Path) -> None:
    assert releases.answer_name(PAGE_1) == "https___api.github.com_repos_cri-o_cri-o_releases_per_page_100_page_1"
    (tmp_path / releases.answer_name(VERSION_GO)).write_bytes(b"package version\n")
    fetch = releases.replay_fetch(tmp_path)
    assert fetch(VERSION_GO) == (200, b"package version\n")
    assert fetch(PAGE_1) == (404, b"")


@pytest.mark.parametrize("day", ["2026-13-01", "20261207", "2026-12-7", "today"])
def test_date_must_be_a_day(day: str, table: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        releases.main(["--table", str(table), "--date", day], fetch=offline)
    assert exited.value.code == 2
    assert "--date must be a day as YYYY-MM-DD" in capsys.readouterr().err
