"""publish fix: suggested edits change only their own bytes, and leave fewer dangling links."""
from __future__ import annotations

import shutil
from pathlib import Path

from publish.author.fix import chosen_edits, plan, write
from publish.build import load_book, suggestions_for
from publish.diagnostics import Code
from publish.resolve.suggest import Edit


def _fix(folder: Path) -> None:
    loaded = load_book(folder)
    changes, problems = plan(chosen_edits(suggestions_for(loaded)), loaded.missing)
    assert problems == []
    for change in changes:
        write(change)


def test_edits_are_byte_identical_outside_the_edit(tmp_path: Path) -> None:
    # CRLF, a BOM, a lone CR and trailing spaces must all survive the edit untouched.
    claude = b"\xef\xbb\xbf## CNN {#CNN .term}  \r\n\r\nText\rmehr \xc3\xa4  \r\n"
    linking = b"## A {#A .term}\r\n\r\n[g](#Gpu) und [g]( #Gpu \"t\") [ok](#A)\r\n"
    (tmp_path / "CNN.md").write_bytes(b"## CNN {#CNN .term}\n")
    (tmp_path / "Claude.md").write_bytes(claude)
    (tmp_path / "GPU.md").write_bytes(b"## GPU {#GPU .term}\n")
    (tmp_path / "A.md").write_bytes(linking)
    (tmp_path / "V.md").write_bytes(b"## Vektor {#Vector .term}\n\n[v](#Vektor)\n")
    _fix(tmp_path)
    assert (tmp_path / "Claude.md").read_bytes() == claude.replace(b"{#CNN", b"{#Claude")
    assert (tmp_path / "A.md").read_bytes() == linking.replace(b"#Gpu", b"#GPU")
    assert (tmp_path / "V.md").read_bytes() == b'## Vektor {#Vector .term aliases="Vektor"}\n\n[v](#Vektor)\n'
    assert (tmp_path / "CNN.md").read_bytes() == b"## CNN {#CNN .term}\n"


def test_alias_joins_an_existing_list_or_a_heading_without_attributes(tmp_path: Path) -> None:
    (tmp_path / "V.md").write_bytes(b'## Vektor {#Vector aliases="Vec"}\n')
    (tmp_path / "W.md").write_bytes(b"## Wort (Begriff)  \n")
    (tmp_path / "A.md").write_bytes(b"## A\n\n[v](#Vektor) [w](#Wort-x) [b](#Begriff)\n")
    (tmp_path / "Wort-x.md").write_bytes(b"## Wort (Wort x) {#Wx}\n\n[w](#Wx)\n")
    _fix(tmp_path)
    assert (tmp_path / "V.md").read_bytes() == b'## Vektor {#Vector aliases="Vec,Vektor"}\n'
    assert (tmp_path / "W.md").read_bytes() == b'## Wort (Begriff) {aliases="Begriff"}  \n'
    assert (tmp_path / "Wort-x.md").read_bytes() == b'## Wort (Wort x) {#Wx aliases="Wort x"}\n\n[w](#Wx)\n'


def test_fix_then_check_on_the_sample_corpus(corpus: Path, tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(corpus, book)
    for path in book.iterdir():
        path.chmod(0o644)
    before = load_book(book)
    _fix(book)
    after = load_book(book)
    dangling = [sum(d.code is Code.DANGLING_LINK for d in x.diagnostics) for x in (before, after)]
    assert dangling[1] < dangling[0] and len(after.missing) < len(before.missing)
    assert "Claude" not in {mm.target for mm in after.missing}
    assert not [d for d in after.diagnostics if d.code is Code.DUPLICATE_ID]
    assert {(d.code, d.path, d.message) for d in after.diagnostics if d.code is not Code.DANGLING_LINK} <= \
        {(d.code, d.path, d.message) for d in before.diagnostics}


def test_two_edits_of_one_place_make_only_the_first(tmp_path: Path) -> None:
    (tmp_path / "A.md").write_bytes(b"## A {#A .term}\n\n[x](#a) [y](#Cl)\n")
    (tmp_path / "Cl.md").write_bytes(b"## Cl {#X .term}\n")
    (tmp_path / "X.md").write_bytes(b"## X {#X .term}\n")
    loaded = load_book(tmp_path)
    edits = chosen_edits(suggestions_for(loaded))
    clash = Edit("set-id", "X", "Other", tmp_path / "Cl.md", 1)
    changes, problems = plan([*edits, clash], loaded.missing)
    assert len(problems) == 1 and "meets another edit" in problems[0]
    assert {c.path.name: c.after for c in changes}["Cl.md"] == b"## Cl {#Cl .term}\n"
