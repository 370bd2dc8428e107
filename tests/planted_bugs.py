"""The bugs of issue 17, planted one at a time: each must make the tests of its module fail.

    .venv/bin/python tests/planted_bugs.py all        # or names; about 15 minutes for all
Each bug is edited into the code, the listed tests run (pytest -x), and the file restored with
`git checkout` (so run it on a clean work tree). docs/testing.md has the table.
"""
from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUGS = {
 "dup-last-file": ("publish/resolve/resolver.py", "return (not e.id, e.source.stem != e.id, str(e.source), e.line)",
                   "return (not e.id, e.source.stem != e.id, [-ord(c) for c in str(e.source)], e.line)",
                   ["tests/resolve"]),
 "codepoint-order": ("publish/resolve/collation.py", "return (_collator().sort_key(term), term)", "return (term,)",
                     ["tests/resolve"]),
 "eszett-sz": ("publish/resolve/collation.py", "return (_collator().sort_key(term), term)",
               "return (_collator().sort_key(term.replace('ß', 'sz')), term)", ["tests/resolve"]),
 "epub-link-entry-top": ("publish/render/epub.py", 'return lambda anchor: f"{files[book.part_of(anchor)]}#{anchor}"',
                         'return lambda anchor: f"{files[book.part_of(anchor)]}#{book.part_of(anchor)}"',
                         ["tests/render/test_epub.py"]),
 "pdf-link-entry-top": ("publish/render/pdf.py", "    return _fragment\n",
                        "    return lambda anchor: _fragment(book.part_of(anchor))\n", ["tests/render/test_pdf.py"]),
 "bookmark-case": ("publish/render/docx/backend.py", ", fold=str.lower)", ")", ["tests/render/test_docx.py", "tests/render/docx"]),
 "bookmark-no-limit": ("publish/render/docx/backend.py", "if len(name) > BOOKMARK_LIMIT:", "if False:",
                       ["tests/render/test_docx.py", "tests/render/docx"]),
 "write-direct": ("publish/output.py", "    target.parent.mkdir(parents=True, exist_ok=True)\n    fd, tmp",
                  "    target.write_bytes(data)\n    return target\n    fd, tmp", ["tests/test_output.py"]),
 "tmp-left": ("publish/output.py", "        Path(tmp).unlink(missing_ok=True)\n", "        pass\n", ["tests/test_output.py"]),
 "fetcher-host": ("publish/render/fetcher.py", 'if parts.scheme != "file" or parts.netloc not in ("", "localhost"):',
                  'if parts.scheme != "file":', ["tests/render/test_fetcher.py"]),
 "fetcher-prefix": ("publish/render/fetcher.py", "return any(path.is_relative_to(root) for root in self.roots)",
                    "return any(str(path).startswith(str(root)) for root in self.roots)", ["tests/render/test_fetcher.py"]),
 "script-selfclose": ("publish/render/html/sanitize.py", "        # ``<script/>`` has no content to drop; ``<div/>`` is an empty div.\n",
                      "        if tag in DROPPED_WITH_CONTENT:\n            self.dropping.append(tag)\n            return\n",
                      ["tests/render/html/test_sanitize.py"]),
 "nested-drop": ("publish/render/html/sanitize.py", "del self.dropping[len(self.dropping) - 1 - self.dropping[::-1].index(tag):]",
                 "self.dropping.clear()", ["tests/render/html/test_sanitize.py"]),
 "uptodate-theme": ("publish/build.py", 'return fingerprint(backend.name, *(f"{p}\\0{file_digest(p)}" for p in theme_files),',
                    'return fingerprint(backend.name,', ["tests/test_build.py", "tests/test_cache.py"]),
 "uptodate-epoch": ("publish/build.py", '                       os.environ.get("SOURCE_DATE_EPOCH", ""), tools)', '                       tools)',
                    ["tests/test_build.py", "tests/test_cache.py"]),
 "uptodate-version": ("publish/cache.py", ["digest = hashlib.sha256(__version__.encode())",
                                           ' or record.get("program") != __version__:'],
                      ["digest = hashlib.sha256()", ":"], ["tests/test_build.py", "tests/test_cache.py"]),
 "bad-toml-exit1": ("publish/diagnostics.py", "Code.BAD_CONFIG, Code.NO_SOURCES", "Code.NO_SOURCES", ["tests/test_cli.py"]),
 "date-clock": ("publish/output.py", "    return datetime.fromtimestamp(int(max(mtimes, default=0)), timezone.utc)",
                "    return datetime.now(timezone.utc)", ["tests/test_output.py", "tests/test_build.py"]),
 "no-stage-lines": ("publish/progress.py", '        print(f"{stage.name}{count}: {seconds:.1f} s", file=self.stream, flush=True)',
                    "        pass", ["tests/test_progress.py", "tests/test_cli.py"]),
 "no-diag-summary": ("publish/cli.py", '    print(f"diagnostics: {found}")\n', "", ["tests/test_progress.py", "tests/test_cli.py"]),
 "no-missing-report": ("publish/cli.py", '            say(f"{missing.target}  {len(missing.uses)} link{\'s\' * (len(missing.uses) != 1)} from "\n'
                       '                f"{\', \'.join(files[:_SHOWN_FILES])}{more}")',
                       "            pass", ["tests/test_cli.py"]),
 "json-links-0": ("publish/cli.py", '"links_resolved": book.links if book else 0,', '"links_resolved": 0,', ["tests/test_cli.py"]),
 "json-uses-empty": ("publish/cli.py", '"uses": [{"path": str(p.path), "line": p.line, "col": p.col} for p in mm.uses],',
                     '"uses": [],', ["tests/test_cli.py"]),
 "alias-conflict-silent": ("publish/resolve/resolver.py", "elif taken != entry.id and key not in self.registry.owners:",
                           "elif False:", ["tests/resolve"]),
 "bad-metadata-silent": ("publish/read/sources.py", "diagnostics.append(warning(Code.BAD_METADATA, path, line, 1,",
                         "(warning(Code.BAD_METADATA, path, line, 1,", ["tests/read/test_sources.py"]),
 "theme-fonts-unloaded": ("publish/render/pdf.py", "font_url=lambda face: face.path.as_uri(),",
                          'font_url=lambda face: "missing-font.ttf",', ["tests/render/test_pdf.py", "tests/theme"]),
 "docx-no-bad-math": ("publish/render/docx/backend.py", "return RenderResult(out, diagnostics=bad_math, notes=notes)",
                      "return RenderResult(out, notes=notes)", ["tests/render/test_docx.py"]),
}


def run(name: str) -> bool:
    path, olds, news, tests = BUGS[name]
    f = ROOT / path
    text = f.read_text(encoding="utf-8")
    for old, new in zip(*(([x] if isinstance(x, str) else x) for x in (olds, news))):
        assert text.count(old) == 1, (name, old)
        text = text.replace(old, new)
    f.write_text(text, encoding="utf-8")
    try:
        r = subprocess.run([str(ROOT/".venv/bin/python"), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                           cwd=ROOT, capture_output=True, text=True)
    finally:
        subprocess.run(["git", "checkout", "--", path], cwd=ROOT)
    lines = [l for l in r.stdout.splitlines() if l.startswith(("FAILED", "ERROR"))] or r.stdout.strip().splitlines()[-1:]
    status = "CAUGHT" if r.returncode == 1 else ("missed" if r.returncode == 0 else f"rc={r.returncode}")
    print(f"{name:24} {status:7} {' | '.join(lines)[:300]}", flush=True)
    return r.returncode == 1


if __name__ == "__main__":
    names = list(BUGS) if sys.argv[1:] == ["all"] else sys.argv[1:]
    sys.exit(0 if all([run(n) for n in names]) else 1)
