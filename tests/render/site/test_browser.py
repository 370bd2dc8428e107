"""The website in a real browser: cross-links, see-also, index, A–Z and search, from the built folder."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from publish import model as m
from publish.render import site
from tests.conftest import SEEDS
from tests.render.conftest import rendered
from tests.render.site.browser import browser_page, served


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, Path]:
    return rendered(site, SEEDS, tmp_path_factory.mktemp("site"))


@pytest.fixture
def page() -> Any:
    with browser_page() as page:
        page.set_default_timeout(10_000)
        yield page


def test_links_work_from_the_folder_without_a_server(built: tuple[m.Book, Path], page: Any) -> None:
    _, out = built
    page.goto((out / "GPU.html").as_uri())
    page.locator("main p a", has_text="TPU").first.click()
    assert page.url.endswith("/TPU.html") and page.locator("h1.term").inner_text() == "TPU"
    page.locator("div.seealso a", has_text="GPU").click()
    assert page.url.endswith("/GPU.html")
    page.locator("div.seealso a", has_text="Index").click()
    assert page.url.endswith("/book-index.html#Index")
    page.locator("section.index a.index-term", has_text="Scaling Law").first.click()
    assert page.url.endswith("/Scaling-Law.html")
    page.go_back()
    page.locator("section.index li", has_text="Grafikprozessor").locator("a.see-target").click()
    assert page.url.endswith("/GPU.html")


def test_the_a_to_z_page_jumps_to_a_letter(built: tuple[m.Book, Path], page: Any) -> None:
    book, out = built
    page.goto((out / "index.html").as_uri())
    page.locator("nav.site-nav a", has_text="A–Z").click()
    last = book.letters[-1]
    page.locator("main nav.letters a", has_text=last.letter).click()
    assert page.url.endswith(f"#{last.anchor}")
    page.locator(f"#{last.anchor} li a").first.click()
    assert page.url.endswith(f"/{last.items[0].id}.html")


@pytest.fixture(params=["file", "http"])
def site_root(request: pytest.FixtureRequest, built: tuple[m.Book, Path]) -> Any:
    """The built site opened from its folder (file://) and served over http."""
    out = built[1]
    if request.param == "file":
        yield out.as_uri() + "/"
    else:
        with served(out) as root:
            yield root


@pytest.mark.parametrize("query, entry", [
    ("Tensor Processing Unit", "TPU"),
    ("Rechenleistung", "Compute"),
    ("Modellgröße", "Scaling-Law"),   # umlaut and ß as written
    ("modellgrosse", "Scaling-Law"),  # … and as typed without them
    ("Grundsätze", "Claude"),
])
def test_search_finds_an_entry_and_lands_on_it(site_root: str, page: Any, query: str, entry: str) -> None:
    page.goto(site_root + "index.html")
    page.locator("#search-input").fill(query)
    result = page.locator(".search-results a").first
    result.wait_for()
    result.click()
    page.wait_for_url(f"**/{entry}.html")
    assert page.locator("h1.term").inner_text() == page.evaluate("document.title").split(" – ")[0]


def test_search_finds_words_by_their_beginning_and_enter_opens_the_first(site_root: str, page: Any,
                                                                        tmp_path: Path) -> None:
    page.goto(site_root + "GPU.html")
    page.locator("#search-input").fill("Rechen")
    page.locator(".search-results a").first.wait_for()
    found = page.locator(".search-results a").all_inner_texts()
    assert "Compute" in found and "Compute-Budget" in found, found  # Rechenleistung, Rechenmenge …
    page.screenshot(path=str(tmp_path / "search.png"))
    page.locator("#search-input").press("Enter")
    page.wait_for_url(f"**/{found[0]}.html")


def test_search_says_when_nothing_is_found(site_root: str, page: Any) -> None:
    page.goto(site_root + "a-z.html")
    page.locator("#search-input").fill("Quetzalcoatl")
    status = page.locator("#search-status")
    status.wait_for()
    assert status.inner_text() == "Nichts gefunden" and page.locator(".search-results li").count() == 0


def test_pages_read_without_javascript(built: tuple[m.Book, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.render.site.browser import CHROMIUM_ARGS, chromium_path
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto((built[1] / "GPU.html").as_uri())
        assert "Grafikprozessor" in page.locator("main").inner_text()
        assert not page.locator("#search").is_visible()  # no search box that cannot work
        browser.close()
