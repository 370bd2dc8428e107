"""Shared fixtures: the project's folders and the sample corpus (skipped, saying so, when absent)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS_MANIFEST = ROOT / "tests" / "corpus.sha256"
"""The sample's 31 file names with their SHA-256: what `make corpus` copies from the real glossary."""


def _corpus() -> Path:
    """``PUBLISH_CORPUS`` if set (CI), else ``../shared`` beside the checkout, else what `make corpus` made."""
    if os.environ.get("PUBLISH_CORPUS"):
        return Path(os.environ["PUBLISH_CORPUS"]).resolve()
    shared = ROOT.parent / "shared" / "corpus" / "ki-glossar-sample"
    fetched = ROOT / ".corpus" / "ki-glossar-sample"
    return fetched if not shared.is_dir() and fetched.is_dir() else shared


CORPUS = _corpus()
CORPUS_ABSENT = f"corpus absent: no sample corpus at {CORPUS} (`make corpus`, docs/testing.md)"


def skip_without_corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(CORPUS_ABSENT)
    return CORPUS


LIBREOFFICE_SWITCH = "PUBLISH_SOFFICE"
"""The DOCX's page-number pass lays every DOCX out with LibreOffice (seconds a build). The tests
that check it (tests/render/docx/test_pages.py) turn it on; every other DOCX
in the suite is built without it, as on a machine without LibreOffice."""
os.environ.setdefault(LIBREOFFICE_SWITCH, "off")


@pytest.fixture
def corpus() -> Path:
    return skip_without_corpus()
