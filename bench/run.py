"""Benchmarks beside the alternative a user would pick, measured in the same run (``make bench``)."""
from __future__ import annotations

import argparse
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
from publish.pandoc import pandoc_path  # noqa: E402

READ_AND_RESOLVE = "import sys; from pathlib import Path; from publish.book import load_book; load_book(Path(sys.argv[1]))"


def scaled_corpus(entries: int, folder: Path) -> Path:
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(entries), str(folder), str(CORPUS)],
                   check=True, capture_output=True)
    return folder


# A fresh wrapper process per run: RUSAGE_CHILDREN then holds the peak of that one command.
_PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def measure(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds over ``runs`` and the largest peak resident memory in MB."""
    times, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", _PEAK, *command], check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        peaks.append(int(result.stdout.strip()) / 1024)
    return statistics.median(times), max(peaks)


def bench_read(entries: int, runs: int) -> list[tuple[str, float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = scaled_corpus(entries, Path(tmp) / "corpus")
        files = sorted(str(p) for p in folder.iterdir() if p.suffix in (".md", ".txt"))
        pandoc = measure([str(pandoc_path()), "-f", "markdown", "-t", "json", "-o", "/dev/null", *files], runs)
        ours = measure([sys.executable, "-c", READ_AND_RESOLVE, str(folder)], runs)
        return [("publish: read + resolve (incl. Python start-up)", *ours),
                ("pandoc -f markdown -t json (all files, one run)", *pandoc)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not MAKE_CORPUS.is_file() or not CORPUS.is_dir():
        print(f"bench: needs the sample corpus and make_corpus.py in {SHARED}", file=sys.stderr)
        return 2
    print(f"## Read and resolve: sample corpus scaled to {args.entries} entries (median of {args.runs})\n")
    print("| what | seconds | peak MB |\n|---|---:|---:|")
    for name, seconds, peak in bench_read(args.entries, args.runs):
        print(f"| {name} | {seconds:.2f} | {peak:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
