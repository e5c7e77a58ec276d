# Every target installs what it needs into .venv first (once; again when pyproject.toml changes).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
VENV ?= .venv
PY := $(VENV)/bin/python
DEBIAS := $(VENV)/bin/debias
# torch builds that lie on this machine's disk (see DEVELOPERS.md); aarch64 has a CPU build.
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
	$(PY) -m pip install -q $(TORCH) 2>&1 | $(QUIET_PIP)
	$(PY) -m pip install -q -e '.[test]' 2>&1 | $(QUIET_PIP)
	$(PY) -c "import torch, torchvision, debias, generative, reports"
	touch $@

demo: install
	$(DEBIAS) synth out/demo-data --overwrite
	$(DEBIAS) inspect out/demo-data
	$(DEBIAS) train out/demo-data --model dbvae --epochs 5 --out out/demo-dbvae --overwrite
	$(DEBIAS) predict out/demo-dbvae/model.pt out/demo-data/images/test --out out/demo-dbvae/test-predictions.csv
	@echo "demo dataset: $(CURDIR)/out/demo-data (labels.csv + images/)"
	@echo "demo DB-VAE:  $(CURDIR)/out/demo-dbvae (model.pt, training_log.csv, resampling.csv, test-predictions.csv)"

# pytest exits 5 when it collects no test; that fails this target like any non-zero exit.
test: install
	$(PY) -m pytest -q tests

bench: install
	$(PY) benchmarks/load_time.py
	$(PY) benchmarks/synth_gap.py
	$(PY) benchmarks/generative_models.py
	$(PY) benchmarks/debiasing.py

clean:
	rm -rf out .pytest_cache
