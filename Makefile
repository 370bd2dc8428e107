# One command per format. Every target bootstraps .venv from the lock file on first use.
SOURCE ?= seeds
OUT    ?= build
THEME  ?= default
PYTHON ?= python3

VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every package and its hashes, for Python 3.11 (what CI runs); `make lock` refreshes it from
# pyproject.toml's ranges. pip-tools lives in a venv of its own, outside the locked one.
LOCK  := requirements.lock
LOCKER = $(TOOLS)/pip-tools
# The newest releases within pyproject.toml's ranges, without the lock (`make test-newest`).
NEWEST := .venv-newest

PUBLISH := $(PY) -m publish

# Releases: the version from the newest tag (v1.2.0 -> 1.2.0), else book.toml's; dates from the
# release commit, so every artefact is reproducible.
VERSION ?= $(shell git describe --tags --abbrev=0 2>/dev/null)
RELEASE_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null))

# What a fresh Debian/Ubuntu machine needs: Pango for WeasyPrint, Java for EPUBCheck.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
EPUBCHECK_PACKAGES := default-jre-headless
# Accessibility checks: Ace by DAISY drives Debian's chromium (never a browser download of its
# own); poppler-utils' pdftoppm renders PDF pages to look at.
A11Y_PACKAGES := chromium poppler-utils
ACE_VERSION ?= 1.4.6
TOOLS := .tools
ACE := $(TOOLS)/node_modules/.bin/ace-cli
# axe-core checks the website's pages in the same chromium (the engine Ace runs on EPUBs).
AXE_VERSION ?= 4.14.1
AXE := $(TOOLS)/node_modules/axe-core/axe.min.js
# LibreOffice for the DOCX: the build lays the document out with it (soffice --headless) to put page
# numbers into the contents and index, and the tests print the DOCX to PDF as a reader would see
# it; poppler-utils (pdftoppm) renders those pages to PNG to look at. LibreOffice comes from the
# release's backports (25.2 on bookworm): 7.4, bookworm's own, cannot compute Word's STYLEREF
# fields, so every page's running head would be the saved one, the book's title.
LIBREOFFICE_PACKAGES := libreoffice-writer-nogui poppler-utils
# Only on Debian (an Ubuntu runner's own LibreOffice, 24.2 on 24.04, computes them already).
DEBIAN_BACKPORTS := $(shell . /etc/os-release 2>/dev/null && [ "$$ID" = debian ] && echo $$VERSION_CODENAME-backports)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all pdf epub docx html md serve print check test test-newest lock corpus mutate bench clean release validate-release system-packages epubcheck-packages a11y-packages ace axe libreoffice-packages

# One build for the four formats: the EPUB then carries the PDF's page numbers (page list).
all: $(STAMP)
	$(PUBLISH) build --source $(SOURCE) --out $(OUT) --theme $(THEME) --format pdf,epub,docx,html

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

lock:
	$(PYTHON) -m venv $(LOCKER)
	$(LOCKER)/bin/python -m pip install --quiet pip-tools
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCKER)/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras --extra test \
		--no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

# What an upstream release does to the tests: a red CI job of its own, not a broken main.
test-newest:
	rm -rf $(NEWEST)
	$(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST)/bin/python -m pip install --quiet --upgrade -e '.[test]'
	$(NEWEST)/bin/python -m pip list --format=freeze
	$(NEWEST)/bin/python -m pytest

# html: the website OUT/<name>-html/; md: the whole book as one Pandoc-Markdown file.
pdf epub docx html md: $(STAMP)
	$(PUBLISH) build --source $(SOURCE) --out $(OUT) --theme $(THEME) --format $@

# Live preview of the website on 127.0.0.1 (PORT=8000 to choose); Ctrl-C stops it.
PORT ?= 8000
serve: $(STAMP)
	$(PUBLISH) serve --source $(SOURCE) --theme $(THEME) --port $(PORT)

print: $(STAMP)
	$(PUBLISH) build --source $(SOURCE) --out $(OUT) --theme print --format pdf

check: $(STAMP)
	$(PUBLISH) check --source $(SOURCE)

# The live-preview test runs in a pytest process of its own, first: inside the whole suite's
# process its server has missed its 5 s reload and stop deadlines (not yet understood; see the
# closing note of the change that added this), alone it passes every time.
test: $(STAMP)
	$(PY) -m pytest tests/test_serve.py
	$(PY) -m pytest --ignore=tests/test_serve.py

# Mutation testing of the core modules ([tool.mutmut] in pyproject.toml; docs/testing.md). Slow, so
# not part of `make test` or CI. One module: make mutate MUTANTS='publish.resolve.collation.*'
MUTANTS ?=
mutate: $(STAMP)
	$(PY) -m mutmut run --max-children 2 $(MUTANTS)
	$(PY) -m mutmut results

bench: $(STAMP)
	$(PY) bench/run.py

release: $(STAMP)
	$(if $(RELEASE_EPOCH),SOURCE_DATE_EPOCH=$(RELEASE_EPOCH)) $(PUBLISH) release --source $(SOURCE) --out $(OUT)/release --version "$(VERSION)"

validate-release: $(STAMP)
	$(PY) .ci/validate_epub.py $(OUT)/release/*.epub

system-packages:
	$(SUDO) apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES)

epubcheck-packages:
	$(SUDO) apt-get install -y --no-install-recommends $(EPUBCHECK_PACKAGES)

a11y-packages:
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends $(A11Y_PACKAGES)

# Ace into .tools/ (tests look there); --ignore-scripts: puppeteer must not fetch a browser.
ace: $(ACE)

$(ACE):
	mkdir -p $(TOOLS)
	npm install --ignore-scripts --no-audit --no-fund --prefix $(TOOLS) @daisy/ace-cli@$(ACE_VERSION)

axe: $(AXE)

$(AXE):
	mkdir -p $(TOOLS)
	npm install --ignore-scripts --no-audit --no-fund --prefix $(TOOLS) axe-core@$(AXE_VERSION)

# The sample corpus from the real glossary at a pinned commit (kept apart from this repository: it
# has its own licence, CC BY-NC-SA). CI checks the glossary out at GLOSSARY_COMMIT into GLOSSARY;
# tests/corpus.sha256 names the sample's files and their content; the tests find the copy through
# PUBLISH_CORPUS (or in .corpus/ when ../shared is absent).
GLOSSARY_COMMIT := ecdbd3749a724a3e80be7826b66e2ebe5fb5b265
GLOSSARY ?= .corpus/ki-glossar
CORPUS_DIR := .corpus/ki-glossar-sample

corpus:
	rm -rf $(CORPUS_DIR) && mkdir -p $(CORPUS_DIR)
	test "$$(git -C $(GLOSSARY) rev-parse HEAD)" = $(GLOSSARY_COMMIT)
	cut -c67- tests/corpus.sha256 | while IFS= read -r name; do cp "$(GLOSSARY)/src/de/$$name" $(CORPUS_DIR)/; done
	cd $(CORPUS_DIR) && sha256sum --quiet --strict -c $(CURDIR)/tests/corpus.sha256

libreoffice-packages:
ifneq ($(DEBIAN_BACKPORTS),)
	printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
	  $(DEBIAN_BACKPORTS) /usr/share/keyrings/debian-archive-keyring.gpg \
	  | $(SUDO) tee /etc/apt/sources.list.d/backports.sources >/dev/null
endif
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends $(if $(DEBIAN_BACKPORTS),-t $(DEBIAN_BACKPORTS)) $(LIBREOFFICE_PACKAGES)

clean:
	rm -rf $(OUT)
