# Every target installs what it needs into .venv first (once; again when pyproject.toml changes).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
VENV ?= .venv
PY := $(VENV)/bin/python
DEBIAS := $(VENV)/bin/debias
# The torch builds that pip finds on this machine's disk; for aarch64 that is a CPU build.
ifeq ($(shell uname -m),aarch64)
TORCH := torch==2.9.1 torchvision==0.24.1
else
TORCH := torch==2.14.1 torchvision==0.29.1
endif
# pip's notes about absent local index folders are noise, not errors.
QUIET_PIP := sed "/is ignored: it is neither a file nor a directory/d"

.PHONY: install demo test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 2>&1 | $(QUIET_PIP)
	@echo "installing PyTorch ($(TORCH)) into $(VENV): a few minutes on first use, pip prints nothing meanwhile"
	$(PY) -m pip install -q $(TORCH) 2>&1 | $(QUIET_PIP)
	@echo "installing debias and its dependencies into $(VENV)"
	$(PY) -m pip install -q -e '.[test]' 2>&1 | $(QUIET_PIP)
	$(PY) -c "import torch, torchvision, debias, generative, reports"
# Browser tests of the HTML report need Debian's chromium + chromedriver; without them they
# skip locally and fail under CI=true, so a missing apt is a note here, never an error.
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    { apt-get install -y -qq chromium chromium-driver || { apt-get update -qq && \
	      apt-get install -y -qq chromium chromium-driver; }; } >/dev/null 2>&1 || \
	      echo "note: apt-get could not install chromium chromium-driver; browser tests skip (fail with CI=true)" >&2; \
	  else \
	    echo "note: chromium/chromedriver missing and not installable here (need root + apt-get); browser tests skip (fail with CI=true)" >&2; \
	  fi; \
	fi
	touch $@

demo: install
	$(DEBIAS) synth out/demo-data --overwrite
	$(DEBIAS) inspect out/demo-data
	$(DEBIAS) audit out/demo-data --out out/demo-audit --overwrite
	@echo "demo dataset: $(CURDIR)/out/demo-data (labels.csv + images/)"
	@echo "demo report:  $(CURDIR)/out/demo-audit/report.html"

# pytest exits 5 when it collects no test; that fails this target like any non-zero exit.
test: install
	$(PY) -m pytest -q tests

bench: install
	$(PY) benchmarks/cli_startup.py
	$(PY) benchmarks/load_time.py
	$(PY) benchmarks/synth_gap.py
	$(PY) benchmarks/generative_models.py
	$(PY) benchmarks/dbvae_vs_baseline.py
	$(PY) benchmarks/debiasing.py --throughput
	$(PY) benchmarks/discovered_slices.py --population faces
	$(PY) benchmarks/gender_shades.py
	$(PY) benchmarks/memory.py
	$(PY) benchmarks/scale.py

clean:
	rm -rf out .pytest_cache
