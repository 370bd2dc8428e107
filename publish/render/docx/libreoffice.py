"""Page numbers of a DOCX as LibreOffice lays it out, read from the PDF it exports.

LibreOffice (``soffice --headless``) converts the DOCX to PDF with every Word bookmark as a named
destination; the page of each destination is the page of that bookmark. The DOCX itself is
never saved by LibreOffice: its XML stays ours, and only the numbers go into the TOC and INDEX
results. ``PUBLISH_SOFFICE`` names the program to use, or ``off`` to do without.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

ENVIRONMENT = "PUBLISH_SOFFICE"
# Bookmarks become named destinations; the blank pages before right-hand starts are kept, so the
# PDF's page index is the page number.
_EXPORT = ('pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"},'
           '"IsSkipEmptyPages":{"type":"boolean","value":"false"}}')
TIMEOUT = 900


def turned_off() -> bool:
    return os.environ.get(ENVIRONMENT, "").lower() in ("off", "0", "no", "false")


def soffice() -> str | None:
    """The LibreOffice program to lay out with, or None (not installed, or turned off)."""
    chosen = os.environ.get(ENVIRONMENT, "")
    if turned_off():
        return None
    return shutil.which(chosen) if chosen else (shutil.which("soffice") or shutil.which("libreoffice"))


def to_pdf(program: str, docx: Path, folder: Path) -> Path:
    """``docx`` as LibreOffice prints it, in ``folder``; a profile of its own, so it never meets
    (or waits for) a LibreOffice the user has open."""
    folder, docx = folder.resolve(), docx.resolve()
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        result = subprocess.run([program, "--headless", "--norestore",
                                 f"-env:UserInstallation={Path(profile).as_uri()}",
                                 "--convert-to", _EXPORT, "--outdir", str(folder), str(docx)],
                                capture_output=True, timeout=TIMEOUT, check=False)
    pdf = folder / (docx.stem + ".pdf")
    if result.returncode != 0 or not pdf.is_file():
        raise RuntimeError(f"LibreOffice could not convert the DOCX ({result.returncode}): "
                           f"{result.stderr.decode('utf-8', 'replace').strip()[:500]}")
    return pdf


def destination_name(bookmark: str) -> str:
    """The name LibreOffice gives a bookmark's PDF destination: URL-encoded, then every character
    but letters and digits written as its hex code (``_`` → ``5F``, ``ü`` → ``%C3%BC`` → ``25C325BC``)."""
    encoded = quote(bookmark, safe="")
    return "".join(c if c.isascii() and c.isalnum() else f"{ord(c):02X}" for c in encoded)


def bookmark_pages(pdf: Path, bookmarks: list[str]) -> dict[str, int]:
    """Bookmark → page number (1-based) of those LibreOffice exported."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = {name.lstrip("/"): reader.get_destination_page_number(dest) + 1
             for name, dest in reader.named_destinations.items()}
    found = {}
    for bookmark in bookmarks:
        page = pages.get(destination_name(bookmark))
        if page is not None:
            found[bookmark] = page
    return found


def measure_pages(program: str, docx: bytes, bookmarks: list[str]) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.docx"
        path.write_bytes(docx)
        return bookmark_pages(to_pdf(program, path, Path(tmp)), bookmarks)
