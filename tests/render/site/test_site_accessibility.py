"""The website checked by axe-core in chromium: every kind of page of the default book and the sample."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from publish import model as m
from publish.render import site
from tests.conftest import ROOT, SEEDS
from tests.render.conftest import corpus_source, rendered
from tests.render.site.browser import browser_page

AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
"""Impacts that fail the test; moderate and minor findings are reported as warnings."""


def kinds_of_page(book: m.Book) -> dict[str, str]:
    """One page of each kind the site has: kind → file."""
    pages = site.page_names(book)
    kinds = {"home": site.HOME, "entry": pages[book.entries[0].id], "A–Z": site.A_Z, "index": site.INDEX_PAGE,
             "404": site.NOT_FOUND}
    if book.front_matter:
        kinds["front matter"] = pages[book.front_matter[0].id]
    # the entry with the most blocks: tables, formulas, footnotes, images where the book has them
    kinds["longest entry"] = pages[max(book.entries, key=lambda e: len(str(e.blocks))).id]
    return kinds


def axe_findings(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every rule axe runs by default)."""
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed at {AXE.relative_to(ROOT)}: run `make axe`")
    page.add_script_tag(path=str(AXE))
    return page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
                         "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html)})))")


def _check(page: Any, where: str) -> list[str]:
    failing = []
    for finding in axe_findings(page):
        line = f"{where}: {finding['id']} ({finding['impact']}) {finding['help']}: {finding['nodes'][:3]}"
        if finding["impact"] in FAILING:
            failing.append(line)
        else:
            warnings.warn(line, stacklevel=2)
    return failing


@pytest.mark.parametrize("which", ["seeds", "corpus"])
def test_axe_finds_nothing_serious_on_any_kind_of_page(which: str, tmp_path: Path) -> None:
    book, out = rendered(site, SEEDS if which == "seeds" else corpus_source(), tmp_path)
    failing = []
    with browser_page() as page:
        for kind, file in kinds_of_page(book).items():
            page.goto((out / file).as_uri())
            failing += _check(page, f"{kind} ({file})")
        page.goto((out / site.HOME).as_uri())  # the search box with its hits shown
        page.locator("#search-input").fill(book.entries[0].title_text)
        page.locator(".search-results a").first.wait_for()
        failing += _check(page, "home with search hits")
    assert failing == []


def test_axe_would_find_a_page_without_language_and_a_link_without_a_name(tmp_path: Path) -> None:
    _, out = rendered(site, SEEDS, tmp_path)
    page_file = out / "GPU.html"
    html = page_file.read_text("utf-8").replace('<html lang="de-DE">', "<html>", 1)
    page_file.write_text(html.replace("</main>", '<a href="TPU.html"></a></main>', 1), "utf-8")
    with browser_page() as page:
        page.goto(page_file.as_uri())
        failing = _check(page, "GPU.html")
    assert {line.split(": ")[1].split(" (")[0] for line in failing} == {"html-has-lang", "link-name"}
