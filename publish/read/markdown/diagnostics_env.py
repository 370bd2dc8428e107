"""How markdown-it rules hand findings to the reader: records in the parse ``env``."""
from __future__ import annotations

from typing import Any

ENV_KEY = "publish_diagnostics"


def report(env: dict[str, Any], code: str, line: int, col: int, message: str) -> None:
    """Record a finding at a 0-based source ``line`` and 1-based ``col``."""
    env.setdefault(ENV_KEY, []).append((code, line, col, message))
