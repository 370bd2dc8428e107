"""Shared fixtures: the project's folders and the sample corpus (skipped cleanly when absent)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpus" / "ki-glossar-sample"
LIBREOFFICE_SWITCH = "PUBLISH_SOFFICE"
"""The DOCX's page-number pass lays every DOCX out with LibreOffice (seconds a build). The tests
that check it (tests/render/docx/test_pages.py) turn it on; every other DOCX
in the suite is built without it, as on a machine without LibreOffice."""
os.environ.setdefault(LIBREOFFICE_SWITCH, "off")


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"sample corpus not found at {CORPUS} (../shared is absent)")
    return CORPUS
