# Build, test and run helpers for the minerops.whatsminer collection (GNU make).
#
#   make venv        .venv (Python 3.11: runtime + test requirements) and, when a Python 3.12
#                    exists, .venv312 (ansible-core 2.21 + runtime requirements)
#   make collection  build/collections/ansible_collections/minerops/whatsminer -> repo root
#   make pytest      all pytest tests under tests/ (alias: make unit)
#   make chromium    headless Chromium for the report test (apt-get, when /usr/bin/chromium is missing)
#   make molecule    molecule test of the baseline role against simulated miners (no containers)
#   make sanity      ansible-test sanity: ansible-core 2.19 / Python 3.11, and 2.21 / 3.12
#   make lint        ansible-lint --profile production
#   make test        all of the above plus changelog lint, artifact and EE checks
#   make audit       the whole integration suite at -vvv with ANSIBLE_DEBUG, then every output,
#                    log and simulator record searched for secrets (tests/tools/audit_suite.py)
#   make sim         the WhatsMiner simulator in the foreground (HOSTS PORT PASSWORD FLAVOR STATE)
#   make demo        the demo
#   make clean       remove build products (make distclean also removes the venvs)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
VENV312 := $(ROOT)/.venv312
COLLECTIONS := $(ROOT)/build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/minerops/whatsminer

# Real interpreters (pyenv shims of unselected versions exist but do not run).
ifndef PYTHON311
PYTHON311 := $(shell $(ROOT)/tests/tools/find_python.sh 3.11)
endif
ifndef PYTHON312
PYTHON312 := $(shell $(ROOT)/tests/tools/find_python.sh 3.12)
endif

PIP_QUIET := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

# make sim
HOSTS ?= 127.0.0.2-127.0.0.11
PORT ?= 4028
PASSWORD ?= secret
FLAVOR ?= 2022
STATE ?=

TEST_STEPS := venv collection chromium pytest molecule sanity lint changelog-lint build ee

.PHONY: help venv venv311 venv312 collection unit pytest audit sanity sanity-2.19 sanity-2.21 \
        lint changelog-lint build ee test sim demo clean distclean chromium molecule

help:
	@sed -n '2,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

# ---------------------------------------------------------------- virtual environments
venv: venv311 $(if $(PYTHON312),venv312)

venv311: $(VENV)/.installed

venv312: $(VENV312)/.installed

$(VENV)/.installed: requirements.txt tests/requirements.txt
	@test -n "$(PYTHON311)" || { echo "Python 3.11 not found (set PYTHON311=/path/to/python3.11)" >&2; exit 1; }
	@if ! $(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	  echo "creating $(VENV) with $(PYTHON311)"; rm -rf $(VENV); $(PYTHON311) -m venv $(VENV); fi
	$(VENV)/bin/python -m pip install --quiet --upgrade pip $(PIP_QUIET)
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt -r tests/requirements.txt $(PIP_QUIET)
	@# whatsminer pulls in passlib 1.7, which ships the same `passlib` package as libpass:
	@# reinstall libpass last so its files win.
	$(VENV)/bin/python -m pip install --quiet --no-deps --force-reinstall "$$(grep -E '^libpass' requirements.txt)" $(PIP_QUIET)
	$(VENV)/bin/python -c 'import ansible.release, passlib, Crypto; print("venv: ansible-core", ansible.release.__version__, "passlib", passlib.__version__)'
	@touch $@

$(VENV312)/.installed: requirements.txt
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (set PYTHON312=/path/to/python3.12)" >&2; exit 1; }
	@if ! $(VENV312)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then \
	  echo "creating $(VENV312) with $(PYTHON312)"; rm -rf $(VENV312); $(PYTHON312) -m venv $(VENV312); fi
	$(VENV312)/bin/python -m pip install --quiet --upgrade pip $(PIP_QUIET)
	$(VENV312)/bin/python -m pip install --quiet -r requirements.txt 'ansible-core>=2.21,<2.22' $(PIP_QUIET)
	@touch $@

# ---------------------------------------------------------------- collection path
# A symlink, so edits show at once; tests/conftest.py creates the same link when missing.
collection:
	@mkdir -p $(dir $(COLLECTION_LINK))
	@ln -sfn ../../../.. $(COLLECTION_LINK)
	@test -f $(COLLECTION_LINK)/galaxy.yml
	@echo "collection: $(COLLECTION_LINK) -> $$(readlink $(COLLECTION_LINK))"

# ---------------------------------------------------------------- tests
# The fleet report test renders the HTML report in headless Chromium (Debian's package).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
chromium:
	@if [ -x /usr/bin/chromium ]; then /usr/bin/chromium --version 2>/dev/null || true; else \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; fi

unit: pytest

audit: venv311 collection
	$(VENV)/bin/python tests/tools/audit_suite.py

pytest: venv311 collection
	@rc=0; $(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; exit $$rc

# Both ansible-core versions run even when one fails. Once ansible-test has cached its
# sanity-test virtual environments (~/.ansible/test/venv), running the two at once halves the
# time on 2 cores (measured: 62 s -> 32 s); while it still has to create them, one after the
# other is faster (267 s against 347 s). SANITY_JOBS=1|2 overrides the choice.
SANITY_VENVS := $(HOME)/.ansible/test/venv/sanity.pylint
SANITY_JOBS ?= $(if $(and $(wildcard $(SANITY_VENVS)/3.11),$(wildcard $(SANITY_VENVS)/3.12)),2,1)
sanity: venv
	@$(MAKE) --no-print-directory --keep-going -j$(SANITY_JOBS) --output-sync=target \
	  sanity-2.19 $(if $(PYTHON312),sanity-2.21)

sanity-2.19: venv311
	$(VENV)/bin/python tests/tools/run_ansible_test.py sanity --python 3.11 --color no $(SANITY_ARGS)

# .venv/bin stays on PATH after .venv312/bin for tools only the main venv has (shellcheck).
sanity-2.21: venv312 venv311
	PATH="$(VENV)/bin:$$PATH" $(VENV312)/bin/python tests/tools/run_ansible_test.py sanity --python 3.12 --color no $(SANITY_ARGS)

# The baseline role against simulated miners (default driver: no containers), with idempotence.
molecule: venv311 collection
	PATH="$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(VENV)/bin/molecule test

# ANSIBLE_HOME: ansible-lint puts $$ANSIBLE_HOME/collections (default ~/.ansible/collections)
# first on the collections path, where an older installed copy of this collection would
# shadow the checkout's new modules and roles.
lint: venv311 collection
	PATH="$(VENV)/bin:$$PATH" ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_HOME=$(ROOT)/build/ansible-lint-home \
	  $(VENV)/bin/ansible-lint --offline --profile production $(if $(CI),--nocolor)

changelog-lint: venv311
	$(VENV)/bin/antsibull-changelog lint

# The Galaxy artifact, and a check of what it holds.
build: venv311
	@rm -rf build/dist && mkdir -p build/dist
	$(VENV)/bin/ansible-galaxy collection build --force --output-path build/dist
	tests/tools/check_artifact.sh build/dist/minerops-whatsminer-*.tar.gz

# ansible-builder accepts the EE definition (build context only; building needs podman/docker).
ee: venv311
	@rm -rf build/ee && mkdir -p build/ee
	cp meta/execution-environment.yml requirements.txt build/ee/
	$(VENV)/bin/ansible-builder create --file build/ee/execution-environment.yml --context build/ee/context -v 1
	grep -q pycryptodome build/ee/context/_build/requirements.txt

test:
	@tests/tools/run_steps.sh $(MAKE) $(TEST_STEPS)

# ---------------------------------------------------------------- run
sim: venv311
	$(VENV)/bin/python tests/simulator/run_simulator.py --hosts $(HOSTS) --port $(PORT) \
	  --password $(PASSWORD) --flavor $(FLAVOR) $(if $(STATE),--state $(STATE))

demo: venv311 collection
	ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) $(VENV)/bin/python tests/tools/demo.py

# ---------------------------------------------------------------- cleanup
clean:
	rm -rf build tests/output .pytest_cache .ansible changelogs/.plugin-cache.yaml
	find . -path ./.git -prune -o -path './.venv*' -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) $(VENV312)
