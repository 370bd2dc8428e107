"""The website: pages, links that all lead somewhere, backlinks, search documents, sitemap."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from lxml import etree

from publish import model as m
from publish.build import load_book
from publish.render import site
from publish.render.search import search_documents
from publish.theme.theme import load_theme
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
    for name in ("index.html", "a-z.html", "book-index.html", "404.html", "css/site.css"):
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


def test_every_entry_and_front_matter_page_is_searchable(seeds_site: tuple[m.Book, Path]) -> None:
    book, out = seeds_site
    script = (out / "search" / "index.js").read_text("utf-8")
    assert script.startswith("window.publishSearch = ") and script.endswith(";\n")
    documents = json.loads(script.removeprefix("window.publishSearch = ").removesuffix(";\n"))
    assert [d["id"] for d in documents] == list(range(len(documents)))
    by_url = {d["url"]: d for d in documents}
    assert set(by_url) == {f"{part.id}.html" for part in (*book.entries, *book.front_matter)}
    gpu = by_url["GPU.html"]
    assert gpu["title"] == "GPU" and "Grafikprozessor" in gpu["text"] and "<" not in gpu["text"]
    assert by_url["Compute.html"]["text"].count("Rechenleistung") == 3
    for file in ("minisearch.js", "search.js", "minisearch-LICENSE.txt"):
        assert (out / "search" / file).stat().st_size > 0
    assert "Luca Ongaro" in (out / "search" / "minisearch-LICENSE.txt").read_text("utf-8")


def test_without_a_base_url_there_is_no_sitemap_and_the_build_says_so_once(tmp_path: Path) -> None:
    book = load_book(SEEDS).book
    assert book.metadata.base_url == ""
    result = site.render(book, load_theme("default"), tmp_path)
    assert not (tmp_path / "sitemap.xml").exists()
    assert [n for n in result.notes if "sitemap" in n] == [result.notes[0]] and "base_url" in result.notes[0]
    assert 'rel="canonical"' not in (tmp_path / "GPU.html").read_text("utf-8")


def test_with_a_base_url_the_sitemap_lists_every_page_at_its_absolute_address(tmp_path: Path) -> None:
    source = tmp_path / "book"
    shutil.copytree(SEEDS, source)
    toml = source / "book.toml"
    toml.write_text(toml.read_text("utf-8").replace("[book]\n", '[book]\nbase_url = "https://example.org/bücher/ki"\n'),
                    "utf-8")
    book, out = rendered(site, source, tmp_path / "site")
    base = "https://example.org/b%C3%BCcher/ki/"
    assert book.metadata.base_url == base
    root = etree.parse(str(out / "sitemap.xml")).getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert all(urlsplit(loc).scheme == "https" and loc.startswith(base) for loc in locs)
    pages = {p.name for p in out.glob("*.html")} - {"404.html"}
    assert sorted(locs) == sorted(base + quote(name) for name in pages)
    for name in pages:
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', (out / name).read_text("utf-8"))
        assert canonical == [base + quote(name)], name
    assert 'rel="canonical"' not in (out / "404.html").read_text("utf-8")


def test_page_names_are_unique_ignoring_case_and_never_the_sites_own() -> None:
    entries = tuple(m.Entry(i, (m.Str(i),), i, m.Attr(i), (), (), Path("x.md"), 1, 1)
                    for i in ("gpu", "GPU", "index", "Search"))
    book = m.Book(m.Metadata(), (), entries, (), ())
    names = site.page_names(book)
    assert len({n.casefold() for n in names.values()}) == len(names)
    assert names["index"] != "index.html" and names["Search"] != "search.html"


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


def test_search_documents_link_pages_whose_names_need_quoting() -> None:
    entries = tuple(m.Entry(i, (m.Str(i),), i, m.Attr(i), ("Alias",), (m.Para((m.Str(f"Text {i}"),)),),
                            Path("x.md"), 1, 1) for i in ("C#", "Größe"))
    book = m.Book(m.Metadata(), (), entries, (), ())
    script = search_documents(book, site.page_names(book), {}).decode("utf-8")
    documents = json.loads(script.removeprefix("window.publishSearch = ").removesuffix(";\n"))
    assert [(d["url"], d["aliases"], d["text"]) for d in documents] == [
        ("C%23.html", "Alias", "Text C#"), ("Gr%C3%B6%C3%9Fe.html", "Alias", "Text Größe")]
