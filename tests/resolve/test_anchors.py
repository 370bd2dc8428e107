"""The book's one id registry: ids from text, valid ids, repairs, and unique claims."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from publish.diagnostics import Code
from publish.model import SourcePos
from publish.build import load_book
from publish.render.docx.pandoc_runner import run_pandoc
from publish.resolve.anchors import AnchorRegistry, is_valid_id, sanitize_id, slugify

# --- slugify ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "slug"), [
    # The examples of pandoc's manual (Extension: auto_identifiers) …
    ("Heading identifiers in HTML", "heading-identifiers-in-html"),
    ("Maître d'hôtel", "maître-dhôtel"),
    ("[HTML], [S5], or [RTF]?", "html-s5-or-rtf"),
    ("3. Applications", "applications"),
    ("33", "section"),
    # … and German terms: letters outside ASCII stay, leading digits go, runs of space become one dash.
    ("Über uns", "über-uns"),
    ("Straße & Maß", "straße-maß"),
    ("Grafikprozessor (GPU)", "grafikprozessor-gpu"),
    ("3D-Druck", "d-druck"),
    ("  viel   Raum  ", "viel-raum"),
    ("A.B.C", "a.b.c"),
    ("snake_case", "snake_case"),
    ("λ-Kalkül", "λ-kalkül"),
    ("", "section"),
    ("!!!", "section"),
    # Unlike pandoc ("ende.", "foo--"), an id never ends in a dot or a dash.
    ("Ende.", "ende"),
    ("Foo -", "foo"),
    ("v2.0.", "v2.0"),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_composes_decomposed_umlauts() -> None:
    # "Ü" typed as U + combining diaeresis must give the same id as the precomposed letter.
    assert slugify("U\u0308bung") == slugify("\u00dcbung") == "\u00fcbung"


@pytest.mark.parametrize("text", ["Heading identifiers in HTML", "Über uns", "Straße & Maß", "3. Applications",
                                  "[HTML], [S5], or [RTF]?", "Grafikprozessor (GPU)", "e = mc²", "日本語", "33"])
def test_slugify_agrees_with_pandoc(text: str) -> None:
    doc = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], f"# {text}\n"))
    assert slugify(text) == doc["blocks"][0]["c"][1][0]


# --- is_valid_id / sanitize_id ------------------------------------------------------------


@pytest.mark.parametrize("value", ["GPU", "Compute-Budget", "a.b", "_intern", "Ökosystem", "x1", "A--geschichte-2"])
def test_valid_ids(value: str) -> None:
    assert is_valid_id(value)


@pytest.mark.parametrize("value", [
    "3D",          # starts with a digit
    "-x", ".x",    # starts with punctuation
    "a b",         # space
    "a:b",         # colon: an NCName has none
    "x#y", "ä/ö",
    "",
    "GPU\n",       # a trailing newline is still not part of a name
])
def test_invalid_ids(value: str) -> None:
    assert not is_valid_id(value)


@pytest.mark.parametrize(("value", "repaired"), [
    ("3D", "id-3D"),                  # README: `3D` → `id-3D`
    ("3D-Druck", "id-3D-Druck"),
    ("a b", "a-b"),                   # characters that cannot be in an id become dashes …
    ("a:b", "a-b"),
    ("Frage?", "Frage-"),
    ("3 D", "id-3-D"),                # … and then a bad start is prefixed
    ("-x", "id--x"),
    ("GPU", "GPU"),                   # a valid id is left exactly as it is
    ("Ökosystem", "Ökosystem"),
])
def test_sanitize_id(value: str, repaired: str) -> None:
    assert sanitize_id(value) == repaired
    assert is_valid_id(repaired)


# --- the registry --------------------------------------------------------------------------


def test_first_claim_keeps_the_id_later_ones_are_numbered_from_2() -> None:
    registry = AnchorRegistry()
    pos = SourcePos(Path("A.md"), 3, 1)
    assert registry.claim("GPU", None, pos) == "GPU"
    assert registry.claim("GPU", None, None) == "GPU-2"
    assert registry.claim("GPU", "TPU", None) == "GPU-3"
    assert registry.owners == {"GPU": "GPU", "GPU-2": "GPU-2", "GPU-3": "TPU"}
    assert registry.places == {"GPU": pos, "GPU-2": None, "GPU-3": None}


def test_a_numbered_variant_already_taken_is_skipped() -> None:
    registry = AnchorRegistry()
    assert [registry.claim(w, None, None) for w in ("a-2", "a", "a", "a", "a-2")] == ["a-2", "a", "a-3", "a-4", "a-2-2"]


def test_reserved_ids_are_never_handed_out() -> None:
    registry = AnchorRegistry()
    registry.reserve("Index", "Index")
    registry.reserve("letter-A", "letter-A")
    assert registry.claim("Index", None, None) == "Index-2"
    assert registry.claim("letter-A", "Apfel", None) == "letter-A-2"
    assert registry.owners["Index"] == "Index" and registry.places["Index"] is None


def test_ids_stay_unique_whatever_is_claimed() -> None:
    registry = AnchorRegistry()
    wanted = ["x", "x-2", "x", "x-3", "x", "x-2", "y", "x-2-2", "x-2", "x"] * 3
    claimed = [registry.claim(w, None, None) for w in wanted]
    assert len(set(claimed)) == len(claimed)
    assert set(claimed) == set(registry.owners)


def test_registries_share_nothing() -> None:
    first, second = AnchorRegistry(), AnchorRegistry()
    first.claim("a", None, None)
    assert second.claim("a", None, None) == "a"


# --- in a book: which of two entries keeps an id ------------------------------------------------


def test_of_two_files_declaring_one_id_the_first_file_keeps_it(tmp_path: Path) -> None:
    # Neither file is named after the id. The book sorts "Alpha" (b.md) first, but the file that
    # comes first is a.md: README's duplicate-id rule gives the id to the first file.
    (tmp_path / "a.md").write_text("## Zulu {#X .term}\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("## Alpha {#X .term}\n", encoding="utf-8")
    loaded = load_book(tmp_path)
    assert [(e.title_text, e.id) for e in loaded.book.entries] == [("Alpha", "X-2"), ("Zulu", "X")]
    [duplicate] = [d for d in loaded.diagnostics if d.code is Code.DUPLICATE_ID]
    assert duplicate.path.name == "b.md" and f"{tmp_path / 'a.md'}:1" in duplicate.message
