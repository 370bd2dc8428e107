"""The pinned pandoc: always the binary inside pypandoc-binary, never one found on PATH."""
from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path

import pypandoc


@lru_cache(maxsize=1)
def pandoc_path() -> Path:
    # pypandoc itself prefers a pandoc on PATH; a different version there would change our output.
    path = Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    if not path.is_file():
        raise FileNotFoundError(f"pypandoc-binary's pandoc is missing at {path}; reinstall pypandoc-binary")
    return path


def run_pandoc(args: list[str], stdin: str | bytes = "", env: dict[str, str] | None = None) -> bytes:
    """Run the pinned pandoc; ``env`` adds to the environment (e.g. SOURCE_DATE_EPOCH)."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    result = subprocess.run([str(pandoc_path()), *args], input=data, capture_output=True, check=False,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise RuntimeError(f"pandoc failed ({result.returncode}): {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout
