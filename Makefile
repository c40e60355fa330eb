# Two entry points: `make run` (dashboard on the demo) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test install install-dev bench lint clean screenshots

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files: pip runs again only when pyproject.toml changes (the install is editable, so code changes need
# none), so `make run` starts without the network and without pip's 3 s once installed.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# The launcher is `streamlit run app.py` with mfviz and the demo preloaded while the server starts
# (run by path, so the server starts before mfviz's own imports): see mfviz/dashboard/serve.py.
run: install
	$(PY) mfviz/dashboard/serve.py --server.port $(PORT) --server.headless true

test: install-dev
	$(PY) -m pytest

# The README's pictures of every page, from the browser test on MovieLens 100K (the tests alone write them to /tmp).
screenshots: install-dev
	MFVIZ_SCREENSHOTS=docs/screenshots $(PY) -m pytest -m browser tests/dashboard/test_browser.py -s

lint: install-dev
	$(VENV)/bin/ruff check .

bench: $(PY)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
