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


def test_search_finds_an_entry_and_lands_on_it(built: tuple[m.Book, Path], page: Any, tmp_path: Path) -> None:
    _, out = built
    with served(out) as root:
        page.goto(root + "index.html")
        page.locator(".pagefind-ui__search-input").fill("Tensor Processing Unit")
        result = page.locator(".pagefind-ui__result-link").first
        result.wait_for(timeout=10_000)
        page.screenshot(path=str(tmp_path / "search.png"))
        result.click()
        page.wait_for_url("**/TPU.html*")
        assert page.locator("h1.term").inner_text() == "TPU"


def test_pages_read_without_javascript(built: tuple[m.Book, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.render.site.browser import CHROMIUM_ARGS, chromium_path
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto((built[1] / "GPU.html").as_uri())
        assert "Grafikprozessor" in page.locator("main").inner_text()
        browser.close()
