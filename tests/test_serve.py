"""publish serve: edit an entry, the open page shows the new text; problems in a banner; Ctrl-C stops cleanly."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SEEDS
from tests.render.site.browser import browser_page


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    process = subprocess.Popen([sys.executable, "-m", "publish", "serve", "--source", str(source), "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    address = ""
    deadline = time.monotonic() + 60
    while not address and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
        address = found[1] if found else ""
    assert address, process.stderr.read() if process.poll() is not None else "no address printed"
    try:
        yield process, address, source
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_an_edit_shows_in_the_open_page_and_problems_in_a_banner(server: tuple[Any, str, Path]) -> None:
    process, address, source = server
    with browser_page() as page:
        page.goto(address + "GPU.html")
        assert page.locator(".publish-diagnostics").count() == 0
        entry = source / "GPU.md"
        saved = time.monotonic()
        entry.write_text(entry.read_text("utf-8").replace("wichtigste Hardware", "allerwichtigste Hardware"), "utf-8")
        page.locator("main", has_text="allerwichtigste Hardware").wait_for(timeout=5_000)
        reloaded = time.monotonic() - saved
        assert reloaded < 5, reloaded
        entry.write_text(entry.read_text("utf-8") + "\nSiehe [Fehlt](#Gibt-es-nicht).\n", "utf-8")
        banner = page.locator(".publish-diagnostics")
        banner.wait_for(timeout=5_000)
        assert re.search(r"GPU\.md:\d+:\d+: warning: link to #Gibt-es-nicht", banner.inner_text())
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)  # a loaded CI machine may be mid-rebuild
    assert process.returncode == 0, err
    assert "dangling-link" in err and out.rstrip().endswith("stopped")


def test_serve_listens_on_this_machine_only_by_default() -> None:
    from publish.cli import _parser

    args = _parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000


def test_a_rebuild_writes_only_the_pages_an_edit_changes_and_they_match_a_full_build(tmp_path: Path) -> None:
    from publish.serve import Preview

    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    preview = Preview(source, "default", tmp_path / "preview" / "site")
    assert preview.build().changed
    gpu = source / "GPU.md"
    gpu.write_text(gpu.read_text("utf-8").replace("wichtigste Hardware", "allerwichtigste Hardware"), "utf-8")
    assert preview.build().changed == ("GPU.html", "search/index.js")  # the page and the text search finds
    fresh = Preview(source, "default", tmp_path / "fresh" / "site")
    fresh.build()
    for page in fresh.site.glob("*.html"):
        assert (preview.site / page.name).read_text("utf-8") == page.read_text("utf-8"), page.name
    tpu = source / "TPU.md"
    tpu.write_text(tpu.read_text("utf-8") + "\nSiehe auch [Scaling Law](#Scaling-Law).\n", "utf-8")
    assert set(preview.build().changed) == {"TPU.html", "Scaling-Law.html", "search/index.js"}  # backlinks name TPU


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def _same_stamp(path: Path, old: str, new: str) -> Path:
    """An edit of the same size, with the modification time set back: only watchfiles' word tells it."""
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    _edit(path, old, new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return path


def _append(path: Path, text: str) -> Path:
    path.write_text(path.read_text("utf-8") + text, "utf-8")
    return path


_EDITS = [  # (what, edit the source folder → the file it touched, resolved alone?)
    ("text change", lambda s: _edit(s / "GPU.md", "wichtigste Hardware", "allerwichtigste Hardware") or s / "GPU.md",
     True),
    ("same size, same time", lambda s: _same_stamp(s / "GPU.md", "allerwichtigste", "allerwichtigstE"), True),
    ("new link", lambda s: _edit(s / "TPU.md", "auf Funktionen für Grafik", "auf Funktionen für [Green AI](#Green-AI)")
     or s / "TPU.md", True),
    ("removed link", lambda s: _edit(s / "TPU.md", "Anders als eine [GPU](#GPU)", "Anders als eine GPU") or s / "TPU.md",
     True),
    ("dangling link", lambda s: _edit(s / "GPU.md", "Tensor Cores.", "Tensor Cores, [Fehlt](#Fehlt).") or s / "GPU.md",
     True),
    ("renamed id", lambda s: _edit(s / "TPU.md", "{#TPU", "{#Tensor-Processing-Unit") or s / "TPU.md", False),
    ("new file", lambda s: (s / "Neu.md").write_text(
        "## Neu {#Neu .term}\n\nVerweist auf [GPU](#GPU) und [TPU](#Tensor-Processing-Unit).\n", "utf-8")
     and s / "Neu.md", False),
    ("text of the new file", lambda s: _edit(s / "Neu.md", "Verweist auf", "Zeigt auf") or s / "Neu.md", True),
    ("title of the new file (its neighbours name it, nothing links to it)",
     lambda s: _edit(s / "Neu.md", "## Neu {", "## Neuer Begriff {") or s / "Neu.md", False),
    ("deleted file", lambda s: (s / "Neu.md").unlink() or s / "Neu.md", False),
    ("duplicate id, first", lambda s: _append(s / "GPU.md", "\n### Mehr {#Mehr}\n\nText.\n"), False),
    ("duplicate id, second", lambda s: _append(s / "Compute.md", "\n### Mehr {#Mehr}\n\nText.\n"), False),
    ("text above a duplicate id", lambda s: _edit(s / "GPU.md", "Tensor Cores", "Tensor\n\nCores") or s / "GPU.md",
     False),
    ("index term", lambda s: _edit(s / "Green-AI.md", "{.index}", '{.index term="Effizienz"}') or s / "Green-AI.md",
     False),
    ("title change", lambda s: _edit(s / "GPU.md", "## GPU {", "## Grafikkarte {") or s / "GPU.md", False),
    ("heading inside an entry", lambda s: _edit(s / "GPU.md", "### Aufbau und Funktionsweise", "### Aufbau")
     or s / "GPU.md", False),
]


def test_a_preview_rebuilt_edit_by_edit_equals_a_clean_build_after_every_edit(tmp_path: Path) -> None:
    from publish.serve import Preview

    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    preview = Preview(source, "default", tmp_path / "preview" / "site")
    preview.build()
    for n, (what, edit, alone) in enumerate(_EDITS):
        edited = edit(source)
        rebuild = preview.build(edited={edited})
        assert not rebuild.failure, what
        resolution = preview.loaded.resolution if preview.loaded else None
        assert resolution is not None and (resolution.changed is not None) == alone, what
        clean = Preview(source, "default", tmp_path / f"clean-{n}" / "site")
        clean.build()
        assert clean.loaded and preview.loaded
        got, want = preview.loaded, clean.loaded
        assert got.book == want.book and got.diagnostics == want.diagnostics and got.missing == want.missing, what
        assert (got.book.anchors, got.book.backlinks, got.book.images, got.book.links) == \
            (want.book.anchors, want.book.backlinks, want.book.images, want.book.links), what
        files = sorted(p.relative_to(clean.site) for p in clean.site.rglob("*") if p.is_file())
        assert sorted(p.relative_to(preview.site) for p in preview.site.rglob("*") if p.is_file()) == files, what
        for file in files:
            assert (preview.site / file).read_bytes() == (clean.site / file).read_bytes(), (what, file)


def test_the_banner_shows_the_edited_files_problems_first_and_only_a_few(tmp_path: Path) -> None:
    from publish.serve import BANNER_LINES, Preview

    source = tmp_path / "book"
    source.mkdir()
    links = " ".join(f"[x](#Fehlt-{n})" for n in range(BANNER_LINES + 5))
    (source / "A.md").write_text(f"## A {{#A .term}}\n\n{'Wort ' * 100}{links}\n", "utf-8")
    (source / "B.md").write_text("## B {#B .term}\n\nText.\n", "utf-8")
    preview = Preview(source, "default", tmp_path / "preview" / "site")
    preview.build()
    (source / "B.md").write_text("## B {#B .term}\n\n[y](#Auch-nicht)\n", "utf-8")
    preview.build(edited={source / "B.md"})
    items = re.findall(r"<li>(.*?)</li>", preview.banner())
    assert len(preview.diagnostics) == BANNER_LINES + 6 and len(items) == BANNER_LINES + 1
    assert "B.md:3:" in items[0] and "#Auch-nicht" in items[0]
    assert items[-1] == "… 6 more: see the terminal"


def test_a_page_served_before_a_build_ended_hears_of_it_when_its_event_stream_starts(tmp_path: Path) -> None:
    # A save can finish its rebuild between serving a page and the page opening its event stream
    # (a loaded machine): the stream must still tell that page to reload, or it stays stale.
    import urllib.request

    from publish.serve import EVENTS_PATH, Events, Preview, start_server

    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    preview, events = Preview(source, "default", tmp_path / "site"), Events()
    preview.build()
    server = start_server(preview, events, "127.0.0.1", 0)
    address = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        page = urllib.request.urlopen(address + "/GPU.html", timeout=10).read().decode()
        [since] = re.findall(re.escape(EVENTS_PATH) + r"\?since=(\d+)", page)
        events.publish(["GPU.html"], everything=False)  # the build that ended meanwhile
        with urllib.request.urlopen(f"{address}{EVENTS_PATH}?since={since}", timeout=10) as stream:
            assert stream.readline() == b'data: {"changed": [], "all": true}\n'
        with urllib.request.urlopen(f"{address}{EVENTS_PATH}?since={events.version}", timeout=10) as stream:
            events.publish(["TPU.html"], everything=False)
            assert stream.readline() == b'data: {"changed": ["TPU.html"], "all": false}\n'
    finally:
        events.close()
        server.shutdown()


def test_the_preview_answers_only_to_requests_for_this_machine(tmp_path: Path) -> None:
    """A page the author visits could point a name of its own at 127.0.0.1 and read the draft
    (DNS rebinding): a request that names another host is refused; localhost, 127.0.0.1 and [::1]
    are served."""
    import http.client

    from publish.serve import Events, Preview, start_server

    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    preview, events = Preview(source, "default", tmp_path / "site"), Events()
    preview.build()
    server = start_server(preview, events, "127.0.0.1", 0)
    port = server.server_address[1]

    def status(host: str, method: str = "GET") -> int:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request(method, "/GPU.html", headers={"Host": host})
        answer = connection.getresponse()
        body = answer.read()
        connection.close()
        assert answer.status != 200 or b"GPU" in body or method == "HEAD"
        return answer.status

    try:
        assert [status(h) for h in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST")] == [200] * 4
        assert [status(h) for h in (f"evil.example:{port}", "127.0.0.1.evil.example", "", "[zz")] == [403] * 4
        assert status("evil.example", "HEAD") == 403 and status("localhost", "HEAD") == 200
    finally:
        events.close()
        server.shutdown()
