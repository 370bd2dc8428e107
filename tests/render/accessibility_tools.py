"""Where the accessibility checkers live: Ace by DAISY in .tools/ (``make ace``) driving Debian's chromium."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

ACE = ROOT / ".tools" / "node_modules" / ".bin" / "ace-cli"


def ace_violations(epub: Path, report_dir: Path) -> list[tuple[str, str, str, str]]:
    """Ace's failed checks as (rule, impact, document, element); skips when Ace cannot run here."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not ACE.exists():
        pytest.skip(f"Ace by DAISY is not installed at {ACE.relative_to(ROOT)}: run `make ace`")
    if not chromium:
        pytest.skip("chromium is not installed (Ace needs a browser): run `make a11y-packages`")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    run = subprocess.run([str(ACE), "--silent", "--force", "--outdir", str(report_dir), str(epub)],
                         env=env, capture_output=True, text=True, timeout=600)
    report = report_dir / "report.json"
    assert report.exists(), f"Ace wrote no report (exit {run.returncode}):\n{run.stdout}\n{run.stderr}"
    found = []
    for subject in json.loads(report.read_text(encoding="utf-8"))["assertions"]:
        for check in subject.get("assertions", []):
            if check["earl:result"]["earl:outcome"] == "fail":
                found.append((check["earl:test"]["dct:title"], check["earl:test"]["earl:impact"],
                              subject["earl:testSubject"]["url"], check["earl:result"].get("html", "")[:120]))
    return found
