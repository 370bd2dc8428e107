"""The website: pages, links that all lead somewhere, backlinks, search index, sitemap."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from publish import model as m
from publish.render import site
from tests.conftest import SEEDS
from tests.render.conftest import corpus_source, rendered
from tests.render.site.links import broken_links


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[m.Book, Path]:
    return rendered(site, SEEDS, tmp_path_factory.mktemp("site"))


def test_every_entry_has_its_page_named_by_its_id(seeds_site: tuple[m.Book, Path]) -> None:
    book, out = seeds_site
    for entry in book.entries:
        page = (out / f"{entry.id}.html").read_text("utf-8")
        assert f'id="{entry.id}"' in page and '<html lang="de-DE">' in page
    for name in ("index.html", "a-z.html", "book-index.html", "404.html", "sitemap.xml", "css/site.css"):
        assert (out / name).is_file()


def test_no_link_inside_the_site_leads_nowhere(seeds_site: tuple[m.Book, Path]) -> None:
    assert broken_links(seeds_site[1]) == []


def test_no_link_inside_the_sample_site_leads_nowhere(tmp_path: Path) -> None:
    book, out = rendered(site, corpus_source(), tmp_path)
    assert broken_links(out) == []
    assert len(list(out.glob("*.html"))) >= len(book.entries) + 4


def test_entries_list_who_links_to_them(seeds_site: tuple[m.Book, Path]) -> None:
    book, out = seeds_site
    assert book.backlinks["GPU"] and "GPU" not in book.backlinks["GPU"]
    page = (out / "GPU.html").read_text("utf-8")
    backlinks = page[page.index('class="backlinks"'):]
    for source in book.backlinks["GPU"]:
        assert f'href="{source}.html"' in backlinks
    assert "Erwähnt in" in backlinks


def test_the_a_to_z_page_has_every_letter_and_entry(seeds_site: tuple[m.Book, Path]) -> None:
    book, out = seeds_site
    page = (out / "a-z.html").read_text("utf-8")
    for group in book.letters:
        assert f'id="{group.anchor}"' in page and f'href="a-z.html#{group.anchor}"' in page
    groups = page[page.index('class="letter-group"'):]
    assert re.findall(r'<li><a href="([^"#]+)\.html">', groups) == [e.id for e in book.entries]


def test_search_index_and_sitemap(seeds_site: tuple[m.Book, Path]) -> None:
    book, out = seeds_site
    assert (out / "pagefind" / "pagefind-ui.js").is_file() and (out / "pagefind" / "pagefind-entry.json").is_file()
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert all(f"<loc>{e.id}.html</loc>" in sitemap for e in book.entries)


def test_page_names_are_unique_ignoring_case_and_never_the_sites_own() -> None:
    entries = tuple(m.Entry(i, (m.Str(i),), i, m.Attr(i), (), (), Path("x.md"), 1, 1)
                    for i in ("gpu", "GPU", "index", "Pagefind"))
    book = m.Book(m.Metadata(), (), entries, (), ())
    names = site.page_names(book)
    assert len({n.casefold() for n in names.values()}) == len(names)
    assert names["index"] != "index.html" and names["Pagefind"] != "pagefind.html"


@pytest.mark.parametrize("which", ["seeds", "corpus"])
def test_every_page_has_a_language_landmarks_one_h1_and_no_skipped_heading_level(which: str, tmp_path: Path) -> None:
    _, out = rendered(site, SEEDS if which == "seeds" else corpus_source(), tmp_path)
    for page in out.glob("*.html"):
        text = page.read_text("utf-8")
        assert re.search(r'<html lang="[a-z]{2}', text) and text.count("<main") == 1, page.name
        assert all(tag in text for tag in ("<header", "<nav", "<footer", 'class="skip-link" href="#main"')), page.name
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", text)]
        assert levels.count(1) == 1, page.name
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (page.name, levels)
