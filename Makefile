# One command per format. Every target bootstraps .venv from pyproject.toml on first use.
SOURCE ?= seeds
OUT    ?= build
THEME  ?= default
PYTHON ?= python3

VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

PUBLISH := $(PY) -m publish

.PHONY: all pdf epub docx print check test bench clean

all: pdf epub docx

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

pdf epub docx: $(STAMP)
	$(PUBLISH) build --source $(SOURCE) --out $(OUT) --theme $(THEME) --format $@

print: $(STAMP)
	$(PUBLISH) build --source $(SOURCE) --out $(OUT) --theme print --format pdf

check: $(STAMP)
	$(PUBLISH) check --source $(SOURCE)

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(OUT)
