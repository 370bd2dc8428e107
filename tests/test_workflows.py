"""The CI workflows are valid and run nothing but Makefile targets that the tests exercise."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CORPUS_MANIFEST, ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_there_is_a_ci_and_a_release_workflow() -> None:
    assert [w.name for w in WORKFLOWS] == ["ci.yml", "release.yml"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_the_github_workflow_schema(workflow: Path) -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _run_lines() -> list[str]:
    steps = [step for w in WORKFLOWS for job in yaml.safe_load(w.read_text())["jobs"].values() for step in job["steps"]]
    return [step["run"].strip() for step in steps if "run" in step]


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.M))


def test_every_workflow_command_is_a_makefile_target() -> None:
    lines = _run_lines()
    assert lines
    for line in lines:
        words = line.split()
        assert words[0] == "make" and set(words[1:]) <= _make_targets(), line


def test_release_workflow_runs_the_targets_the_tests_run() -> None:
    release = [line for line in _run_lines() if "release" in line]
    assert release == ["make release", "make validate-release"]  # both run in tests/test_release.py


def _packages(target: str) -> list[str]:
    dry = subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, check=True).stdout
    return [w for line in dry.splitlines() if "apt-get install" in line for w in line.split()
            if not w.startswith("-") and w not in ("sudo", "apt-get", "install")]


def test_system_package_targets_name_what_this_machine_runs_on() -> None:
    if not shutil.which("dpkg-query"):
        pytest.skip("not a Debian/Ubuntu machine: cannot check package names here")
    packages = _packages("system-packages")
    assert "libpango-1.0-0" in packages
    for package in packages:
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
        assert status.stdout.endswith(" installed"), (package, status.stdout)
    # The Java package differs between releases (default-jre-headless pulls in the current JDK);
    # what the tests need from it is a java on PATH.
    assert _packages("epubcheck-packages") == ["default-jre-headless"] and shutil.which("java")


def test_ci_installs_the_accessibility_checkers_before_the_tests() -> None:
    """Ace's and axe's tests skip where they or chromium are missing; CI must therefore install them first."""
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line.strip().startswith("make")]
    assert lines.index("make a11y-packages libreoffice-packages ace axe") < lines.index("make test")
    assert "chromium" in _packages("a11y-packages")


def _ci_jobs() -> dict[str, Any]:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())["jobs"]


def _makefile_value(name: str) -> str:
    return re.search(rf"^{name}\s*\??:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)[1]


@pytest.mark.parametrize("job", ["test", "newest"])
def test_ci_runs_the_corpus_tests_with_the_pinned_glossary(job: str) -> None:
    """The sample is fetched at the Makefile's commit, put in place by `make corpus` before the
    tests, and the tests are told where it is."""
    steps = _ci_jobs()[job]["steps"]
    glossary = [s for s in steps if s.get("with", {}).get("repository") == "KurtPfeifle/ki-glossar"]
    assert len(glossary) == 1
    assert glossary[0]["with"]["ref"] == _makefile_value("GLOSSARY_COMMIT")
    assert glossary[0]["with"]["path"] == _makefile_value("GLOSSARY")
    runs = [s["run"] for s in steps if "run" in s]
    assert runs.index("make corpus") < next(i for i, r in enumerate(runs) if r.startswith("make test"))
    assert _ci_jobs()[job]["env"]["PUBLISH_CORPUS"].endswith("/" + _makefile_value("CORPUS_DIR"))


def test_ci_tests_the_lock_and_the_newest_releases() -> None:
    runs = {job: [s["run"] for s in spec["steps"] if "run" in s] for job, spec in _ci_jobs().items()}
    assert runs["test"][-1] == "make test" and runs["newest"][-1] == "make test-newest"


def test_the_venv_installs_from_the_lock_with_hashes() -> None:
    dry = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), ".venv/.installed"],
                         capture_output=True, text=True, check=True).stdout
    installs = [line for line in dry.splitlines() if "pip install" in line]
    assert installs and all("--require-hashes -r requirements.lock" in line or "--no-deps" in line for line in installs)
    lock = (ROOT / "requirements.lock").read_text()
    pins = re.findall(r"^([a-z0-9][\w.-]*)==\S+ \\\n\s+--hash=sha256:", lock, re.M | re.I)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.match(r"[A-Za-z0-9][\w.-]*", d)[0].lower()
                for d in project["dependencies"] + project["optional-dependencies"]["test"]}
    assert "mutmut" in declared and declared <= {p.lower() for p in pins}


def test_corpus_manifest_names_the_sample(corpus: Path) -> None:
    """tests/corpus.sha256 is what `make corpus` checks the fetched sample against."""
    manifest = dict(line.split("  ", 1)[::-1] for line in CORPUS_MANIFEST.read_text().splitlines())
    assert sorted(manifest) == sorted(p.name for p in corpus.iterdir())
    assert all(hashlib.sha256((corpus / n).read_bytes()).hexdigest() == h for n, h in manifest.items())


def test_libreoffice_target_installs_what_the_docx_build_uses() -> None:
    packages = _packages("libreoffice-packages")
    assert {"libreoffice-writer-nogui", "poppler-utils"} <= set(packages)
    dry = subprocess.run(["make", "-n", "-C", str(ROOT), "libreoffice-packages"], capture_output=True, text=True,
                         check=True).stdout
    assert dry.index("apt-get update") < dry.index("apt-get install"), "a fresh machine has no package lists"


@pytest.mark.parametrize(("backports", "suite_added"), [("bookworm-backports", True), ("", False)])
def test_libreoffice_comes_from_backports_only_where_there_are_debian_backports(backports: str,
                                                                               suite_added: bool) -> None:
    # An Ubuntu runner has no Debian backports to add: its apt-get update would fail.
    dry = subprocess.run(["make", "-n", "-C", str(ROOT), "libreoffice-packages", f"DEBIAN_BACKPORTS={backports}"],
                         capture_output=True, text=True, check=True).stdout
    assert ("backports.sources" in dry) is suite_added and ("-t bookworm-backports" in dry) is suite_added
    assert "apt-get install -y --no-install-recommends" in dry
