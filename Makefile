# Lotse: two commands on a fresh machine — `make run` and `make test`. Everything else is a
# step they depend on. Rasa 3.6 runs only on Python 3.10 (see .python-version).

PYTHON_VERSION := $(shell cat .python-version)
VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed
MODEL     := models/.trained
BROWSER   := /usr/bin/chromedriver /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
AXE       := var/npm/node_modules/axe-core/axe.min.js
MODEL_INPUTS := config.yml domain.yml $(wildcard nlu/*.yml) $(wildcard stories/*.yml) \
                nlu/components.py nlu/language.py nlu/text.py texts/languages.py
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: run test test-fast test-compose lint install train validate nlu-report bench bench-load audit lock clean

run: $(MODEL)  ## start Lotse: action server, Rasa's REST channel on :5005, a chat in this terminal
	$(PY) -m db migrate
	$(PY) -m knowledge sync
	$(PY) -m devtools.local

test-fast: $(INSTALLED)  ## the tests that need no model, server, database server or browser (under a minute)
	$(PY) -m pytest -q -m "not (model or stack or postgres or redis or browser or rasa)"

test: $(MODEL) $(BROWSER) $(AXE)  ## install, train if needed, lint and type-check, run every test
	$(VENV)/bin/pip check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest

# Not part of `make test`: it needs root and a Docker engine (CI runs it first, .ci/run; about
# 7 minutes with a cold image build). Sets up what is missing (docker.io, Compose v2, a running
# dockerd; the base images), then the test builds the image and runs the stack.
test-compose: $(MODEL)  ## the production stack on Docker: build, up, a newcomer answered, down; again with 2 Rasa replicas
	deploy/base-images/setup-host.sh
	deploy/base-images/build.sh
	LOTSE_TEST_COMPOSE=1 nice -n 19 ionice -c3 $(PY) -m pytest -p no:cacheprovider -v -s tests/deployment/test_compose_stack.py

lint: $(INSTALLED)  ## ruff and mypy, configured in pyproject.toml (make test runs them first)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

install: $(INSTALLED)

train: $(MODEL)

validate: $(INSTALLED)
	$(RASA) data validate --data nlu stories --fail-on-warnings

nlu-report: $(MODEL)  ## per-language accuracy, macro-F1 per intent, confusion matrix
	$(PY) -m devtools.nlu_report --model models --data tests/data/nlu --out reports/nlu

bench: $(MODEL)  ## NLU, knowledge-base, workspace and whole-conversation figures (not a test)
	$(PY) -m devtools.bench.nlu --out reports/bench
	$(PY) -m devtools.bench.knowledge --out reports/bench
	$(PY) -m devtools.bench.workspace --out reports/bench
	$(PY) -m db migrate
	$(PY) -m knowledge sync
	$(PY) -m devtools.bench.conversation --out reports/bench

bench-load: $(MODEL)  ## load benchmark (not a test): 240+ newcomers at 30 messages/s for 5 minutes, then rising rates
	$(PY) -m devtools.load --out reports/bench

audit:  ## pip-audit of constraints.txt against OSV in its own venv; exit 2 = advisory data unreachable (see README)
	bash devtools/audit.sh

lock: $(INSTALLED)  ## re-pin constraints.txt after changing requirements.txt or requirements-dev.txt
	$(VENV)/bin/pip install -r requirements-dev.txt
	{ echo "# Exact versions of every package in .venv: \`make lock\` regenerates this file from requirements-dev.txt."; \
	  $(VENV)/bin/pip freeze --exclude-editable; } > constraints.txt
	$(VENV)/bin/pip check

$(BROWSER):  ## Debian's Chromium, ChromeDriver and an emoji font (the buttons), for the browser tests
	apt-get install -y -q chromium chromium-driver fonts-noto-color-emoji || { apt-get update -q && apt-get install -y -q chromium chromium-driver fonts-noto-color-emoji; }

$(AXE):  ## axe-core from npm, injected into pages by the browser tests' accessibility checks
	npm install --prefix var/npm --no-audit --no-fund --silent axe-core@4.14.1

$(INSTALLED): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@python$(basename $(PYTHON_VERSION)) --version >/dev/null 2>&1 || { \
	  echo "Lotse needs CPython $(basename $(PYTHON_VERSION)) (Rasa 3.6 does not install on 3.11 or newer)."; \
	  echo "Install it, then run make again:"; \
	  echo "  with pyenv:  pyenv install $(PYTHON_VERSION)   (this folder's .python-version selects it)"; \
	  echo "  on Debian/Ubuntu:  apt install python$(basename $(PYTHON_VERSION)) python$(basename $(PYTHON_VERSION))-venv"; \
	  exit 1; }
	test -x $(PY) || python$(basename $(PYTHON_VERSION)) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(VENV)/bin/pip install --disable-pip-version-check --no-deps -e .
	$(VENV)/bin/pip check
	touch $@

# Rasa also fingerprints its inputs and skips unchanged parts; the stamp spares even that.
$(MODEL): $(INSTALLED) $(MODEL_INPUTS)
	$(RASA) train --data nlu stories --domain domain.yml --config config.yml --out models
	ls -t models/*.tar.gz | tail -n +2 | xargs -r rm --  # keep only the newest model
	touch $@

clean:
	rm -rf models .rasa
