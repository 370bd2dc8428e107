"""publish serve: edit an entry, the open page shows the new text; problems in a banner; Ctrl-C stops cleanly."""
from __future__ import annotations

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
