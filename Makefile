# Build, test and demo tasks for the azure_batch.ops collection.
# `make demo` and `make test` set everything up themselves; `make help` lists every target.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# The test steps share one collection tree and one emulator port range; run them one after another.
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

REPO := $(CURDIR)
# A lane is one ansible-core release (tests/lanes/ansible-core-<LANE>.txt) in its own venv, .lanes/<LANE>/;
# without LANE, .venv holds the default lane (ansible-core 2.19) and every development tool (requirements-dev.txt).
LANE ?=
BUILD := $(REPO)/build
# ansible-test only works from inside .../ansible_collections/<namespace>/<name>/, so tests run on a copy here.
# Lanes run side by side (tests/utils/lanes.py): each has its own copy, and its own home for ansible-test's
# venvs and cache (~/.ansible/test), whose pip configuration and download cache are the user's own.
ifeq ($(LANE),)
VENV := $(REPO)/.venv
REQUIREMENTS := requirements-dev.txt
COLLECTIONS_ROOT := $(BUILD)/collections
ANSIBLE_TEST_HOME := $(HOME)
else
VENV := $(REPO)/.lanes/$(LANE)
REQUIREMENTS := tests/lanes/ansible-core-$(LANE).txt
COLLECTIONS_ROOT := $(BUILD)/lanes/$(LANE)/collections
ANSIBLE_TEST_HOME := $(REPO)/.lanes/home-$(LANE)
endif
PY := $(VENV)/bin/python
# The controller Pythons the venv may have: the development tools' (3.11 to 3.13; tests/utils/lanes.py's
# DEFAULT_PYTHONS), or a lane's `# controller-python:` line (tests/lanes/README.md).
ifeq ($(LANE),)
VENV_PYTHONS := 3.11 3.12 3.13
else
VENV_PYTHONS := $(shell sed -n 's/^\# controller-python: *//p' $(REQUIREMENTS))
endif
comma := ,
space := $(subst ,, )
VENV_STAMP := $(VENV)/.requirements.installed
TREE := $(COLLECTIONS_ROOT)/ansible_collections/azure_batch/ops
DIST := $(BUILD)/dist
DOCS := $(BUILD)/docs
# ansible-test downloads get-pip.py from a host that may be out of reach; this stand-in bootstraps pip offline.
GET_PIP_OFFLINE := $(REPO)/tests/utils/get_pip_offline.py
DEMO_SEED := tests/emulator/demo_seed.json
# make emulator: where the emulator keeps its CA, account key and port, and the jobs it starts with.
EMULATOR_STATE_DIR ?= $(HOME)/.azure-batch-emulator
EMULATOR_SEED ?= tests/emulator/example_seed.yml
# Extra options: make sanity SANITY_ARGS='--test pep8', make integration INTEGRATION_ARGS='batch_job_terminate -v'
SANITY_ARGS ?=
UNITS_ARGS ?=
INTEGRATION_ARGS ?=
PYTEST_ARGS ?=
BENCH_ARGS ?=

export PATH := $(VENV)/bin:$(PATH)
ifdef CI
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
endif
# Ansible picks interpreters and options from these; keep a developer's own settings out of the tests.
unexport ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS

header = @printf '\n==== %s ====\n' "$(1)"
python_version = $(shell "$(PY)" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

.PHONY: help venv collection-tree ansible-test-cache sanity units pytest integration module-units module-integration lint docs-lint docs changelog-lint \
        changelog-release build build-check galaxy-import demo emulator test bench clean eda eda-schema

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# --- set-up ------------------------------------------------------------------------------------

venv: $(VENV_STAMP) ## Create .venv from requirements-dev.txt (or .lanes/LANE for LANE=2.16 ...), again when it changes
	@:

$(VENV_STAMP): $(REQUIREMENTS) tests/lanes/common.txt
	$(call header,Python environment $(VENV))
	@if [ -x "$(PY)" ] && ! "$(PY)" -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] not in "$(VENV_PYTHONS)".split())' 2>/dev/null; then \
	  echo "Removing $(VENV): its Python is missing or not one of $(VENV_PYTHONS)"; rm -rf "$(VENV)"; fi
	@if [ ! -x "$(PY)" ]; then \
	  python=""; for candidate in $${PYTHON:-python3 $(addprefix python,$(VENV_PYTHONS))}; do \
	    if "$$candidate" -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] not in "$(VENV_PYTHONS)".split())' >/dev/null 2>&1; then \
	      python="$$candidate"; break; fi; done; \
	  if [ -z "$$python" ]; then \
	    echo "ERROR: $(VENV) needs Python $(subst $(space),$(comma) ,$(VENV_PYTHONS)) ($(REQUIREMENTS)); none found (tried: $${PYTHON:-python3 $(addprefix python,$(VENV_PYTHONS))})." >&2; \
	    echo "       Install one, or name it: make venv PYTHON=/path/to/python$(firstword $(VENV_PYTHONS))" >&2; exit 1; fi; \
	  echo "Creating $(VENV) with $$python ($$("$$python" --version 2>&1))"; \
	  "$$python" -m venv "$(VENV)" || { echo "ERROR: '$$python -m venv' failed; on Debian/Ubuntu install the python3-venv package." >&2; exit 1; }; fi
	@echo "Installing $(REQUIREMENTS) into $(VENV) (a minute or two the first time)"
	"$(PY)" -m pip install --quiet --disable-pip-version-check -r $(REQUIREMENTS)
	@touch "$@"
	@"$(PY)" -c 'import sys, ansible.release; print("Ready: Python %s, ansible-core %s" % (sys.version.split()[0], ansible.release.__version__))'

collection-tree: venv ## Mirror the collection into build/collections/ansible_collections/azure_batch/ops
	@python tests/utils/collection_tree.py "$(REPO)" "$(TREE)"

# Seed ansible-test's get-pip cache with the offline stand-in, under the name this ansible-test release looks for.
# A get-pip.py that is not ours (downloaded or placed by hand) is left alone.
ansible-test-cache: venv
	@if [ "$(ANSIBLE_TEST_HOME)" != "$(HOME)" ]; then \
	  for dir in .config/pip .cache/pip; do test -e "$(HOME)/$$dir" && ! test -e "$(ANSIBLE_TEST_HOME)/$$dir" || continue; \
	    mkdir -p "$(ANSIBLE_TEST_HOME)/$$(dirname $$dir)" && ln -s "$(HOME)/$$dir" "$(ANSIBLE_TEST_HOME)/$$dir"; done; fi
	@pip_version=$$($(PY) -c 'import types; from ansible_test._internal.python_requirements import get_venv_packages; \
	  print(get_venv_packages(types.SimpleNamespace(version="$(python_version)"))["pip"])'); \
	cache="$(ANSIBLE_TEST_HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py"; \
	if [ -s "$$cache" ] && ! grep -q 'get_pip_offline' "$$cache"; then :; \
	elif ! cmp -s "$(GET_PIP_OFFLINE)" "$$cache"; then \
	  mkdir -p "$$(dirname "$$cache")" && cp "$(GET_PIP_OFFLINE)" "$$cache" && echo "Seeded $$cache (pip $$pip_version, offline stand-in)"; fi

# --- tests ---------------------------------------------------------------------------------------

sanity: collection-tree ansible-test-cache ## ansible-test sanity (every file, in ansible-test's own venvs)
	$(call header,ansible-test sanity)
	@for ignore in tests/sanity/ignore-*.txt; do test ! -e "$$ignore" || { echo "ERROR: $$ignore: the collection has no sanity ignore files (Galaxy warns on each); fix the code instead." >&2; exit 1; }; done
	cd "$(TREE)" && HOME="$(ANSIBLE_TEST_HOME)" timeout 900 python "$(REPO)/tests/utils/seed_sanity_venvs.py" --python $(python_version)
	cd "$(TREE)" && HOME="$(ANSIBLE_TEST_HOME)" timeout 900 ansible-test sanity --venv --python $(python_version) $(SANITY_ARGS)

units: collection-tree ansible-test-cache ## ansible-test units (pinned tests/unit/requirements.txt)
	$(call header,ansible-test units)
	cd "$(TREE)" && HOME="$(ANSIBLE_TEST_HOME)" timeout 1200 ansible-test units --venv --requirements --python $(python_version) $(UNITS_ARGS)

pytest: collection-tree ## Unit tests with plain pytest in .venv (quick loop; not part of make test)
	$(call header,pytest tests/unit)
	cd "$(TREE)" && PYTHONPATH="$(COLLECTIONS_ROOT)" timeout 600 python -m pytest -p no:cacheprovider tests/unit $(PYTEST_ARGS)

integration: collection-tree ansible-test-cache ## ansible-test integration targets against the emulator
	$(call header,ansible-test integration against the emulator)
	@ls -d "$(TREE)"/tests/integration/targets/*/ >/dev/null 2>&1 || { echo "ERROR: no integration targets in tests/integration/targets/" >&2; exit 1; }
	cd "$(TREE)" && HOME="$(ANSIBLE_TEST_HOME)" timeout 1500 python -m tests.emulator run -- \
	  python tests/integration/run_against_emulator.py --local --python $(python_version) $(INTEGRATION_ARGS)

# --- modules on a Python the controller does not run on (lanes 2.19-py3.9, 2.19-py3.10) ----------------------
# MODULE_PYTHON is an interpreter's path or an X.Y version (found like the lanes' interpreters, tests/utils/lanes.py).
# ansible-test looks for pythonX.Y on PATH, so a folder with that one name comes first on PATH for these steps.
MODULE_PYTHON ?=
MODULE_PYTHON_BIN := $(BUILD)/module-python/$(or $(LANE),default)
# One integration target per terminate module.
MODULE_TARGETS := batch_job_terminate batch_task_terminate batch_job_schedule_terminate
module_python_link = @test -n "$(MODULE_PYTHON)" || { echo "ERROR: name the modules' Python: make $@ MODULE_PYTHON=3.9 (or a path)." >&2; exit 1; }; \
	case "$(MODULE_PYTHON)" in */*) python="$(MODULE_PYTHON)";; *) python=$$(python "$(REPO)/tests/utils/lanes.py" --find-python "$(MODULE_PYTHON)");; esac; \
	version=$$("$$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	rm -rf "$(MODULE_PYTHON_BIN)" && mkdir -p "$(MODULE_PYTHON_BIN)" && ln -s "$$python" "$(MODULE_PYTHON_BIN)/python$$version"; \
	echo "Modules run on $$python (Python $$("$$python" --version 2>&1 | cut -d' ' -f2))"

module-units: collection-tree ansible-test-cache ## Unit tests of the modules and module_utils on MODULE_PYTHON (3.9, 3.10)
	$(call header,ansible-test units on the modules' Python $(MODULE_PYTHON))
	$(module_python_link)
	version=$$(ls "$(MODULE_PYTHON_BIN)" | sed 's/^python//'); cd "$(TREE)" && PATH="$(MODULE_PYTHON_BIN):$$PATH" HOME="$(ANSIBLE_TEST_HOME)" \
	  timeout 1200 ansible-test units --venv --requirements --python $$version $(or $(UNITS_ARGS),tests/unit/plugins/module_utils/ tests/unit/plugins/modules/)

module-integration: collection-tree ansible-test-cache ## One integration target per terminate module, modules on MODULE_PYTHON
	$(call header,ansible-test integration against the emulator: modules on Python $(MODULE_PYTHON))
	$(module_python_link)
	version=$$(ls "$(MODULE_PYTHON_BIN)" | sed 's/^python//'); venv="$(MODULE_PYTHON_BIN)-venv"; \
	if [ ! -x "$$venv/bin/python" ] || ! cmp -s tests/lanes/module-python.txt "$$venv/module-python.txt"; then \
	  rm -rf "$$venv" && "$(MODULE_PYTHON_BIN)/python$$version" -m venv "$$venv" && \
	  "$$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/lanes/module-python.txt && cp tests/lanes/module-python.txt "$$venv/"; fi; \
	cd "$(TREE)" && HOME="$(ANSIBLE_TEST_HOME)" timeout 1500 python -m tests.emulator run -- \
	  python tests/integration/run_against_emulator.py --controller origin:python=$(python_version) \
	  --target "controller:python=$$version@$$venv/bin/python" $(or $(INTEGRATION_ARGS),$(MODULE_TARGETS))

lint: collection-tree ## ansible-lint --profile production, and a plain ansible-lint at the top as pre-commit runs it
	$(call header,ansible-lint --profile production)
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_ROOT)" timeout 600 ansible-lint --offline --profile production
	$(call header,ansible-lint (no options))
	timeout 600 ansible-lint

docs-lint: collection-tree ## antsibull-docs lint-collection-docs --plugin-docs
	$(call header,antsibull-docs lint-collection-docs --plugin-docs)
	cd "$(TREE)" && timeout 300 antsibull-docs lint-collection-docs --plugin-docs .

docs: collection-tree ## Build the HTML documentation site into build/docs/html (README, guides, every module and role)
	$(call header,Documentation site: build/docs/html)
	timeout 600 python tests/utils/docsite.py "$(REPO)" "$(COLLECTIONS_ROOT)" "$(DOCS)"

changelog-lint: venv ## antsibull-changelog lint (fragments and changelogs/changelog.yaml)
	$(call header,antsibull-changelog lint)
	antsibull-changelog lint
	antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

changelog-release: venv ## Turn the fragments into a release in changelog.yaml and CHANGELOG.md
	$(call header,antsibull-changelog release)
	antsibull-changelog release

# --- Event-Driven Ansible: a real ansible-rulebook, in a venv of its own (its dependencies stay out of .venv) -----

EDA_VENV := $(BUILD)/eda-venv
EDA_STAMP := $(EDA_VENV)/.requirements.installed

# $(call tool_venv,VENV,REQUIREMENTS,TOOL): the recipe of a tool's venv of its own, from its pinned requirements.
define tool_venv
	$(call header,Python environment $(patsubst $(REPO)/%,%,$(1)) for $(3))
	@rm -rf "$(1)" && "$(PY)" -m venv "$(1)"
	"$(1)/bin/python" -m pip install --quiet --disable-pip-version-check -r $(2)
	@touch "$(1)/.requirements.installed"
endef

$(EDA_STAMP): tests/eda/requirements.txt | venv
	$(call tool_venv,$(EDA_VENV),tests/eda/requirements.txt,ansible-rulebook)

eda: collection-tree $(EDA_STAMP) ## ansible-rulebook runs the rulebooks of extensions/eda against the emulator (Java 17+)
	$(call header,Event-Driven Ansible: ansible-rulebook with azure_batch.ops.batch_events against the emulator)
	@java_home="$${JAVA_HOME:-}"; \
	if [ -z "$$java_home" ] && command -v java >/dev/null; then java_home=$$(readlink -f "$$(command -v java)"); java_home=$${java_home%/bin/java}; fi; \
	major=$$("$$java_home/bin/java" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p' || true); \
	if [ -z "$$major" ] || [ "$$major" -lt 17 ]; then found=$${major:+Java $$major in $$java_home}; \
	  echo "ERROR: ansible-rulebook needs Java 17 or newer from JAVA_HOME or java on PATH, and found $${found:-none} (install one, e.g. apt-get install openjdk-17-jre-headless, or set JAVA_HOME)." >&2; exit 1; fi; \
	cd "$(TREE)" && JAVA_HOME="$$java_home" PYTHONPATH="$(COLLECTIONS_ROOT)" timeout 900 python -m tests.emulator run -- \
	  "$(EDA_VENV)/bin/python" -m pytest -p no:cacheprovider -v tests/eda $(PYTEST_ARGS)

eda-schema: collection-tree ## Write extensions/eda/schemas/batch_events.json from the event source's options and docs
	PYTHONPATH="$(COLLECTIONS_ROOT)" python tests/utils/eda_schema.py

# --- build ---------------------------------------------------------------------------------------

build: collection-tree ## ansible-galaxy collection build into build/dist/
	$(call header,ansible-galaxy collection build)
	@rm -rf "$(DIST)" && mkdir -p "$(DIST)"
	ansible-galaxy collection build --output-path "$(DIST)" "$(TREE)"

build-check: build ## Install the built tarball into a fresh path and run the demo from it
	$(call header,Install check: the built collection runs the demo on its own)
	@tarball=$$(ls "$(DIST)"/azure_batch-ops-*.tar.gz); \
	unwanted=$$(tar -tzf "$$tarball" | grep -E '(^|/)(\.venv|\.git|build|tests/output|__pycache__|\.pytest_cache|\.hypothesis|\.ansible)(/|$$)|integration_config\.yml$$' || true); \
	if [ -n "$$unwanted" ]; then echo "ERROR: the tarball holds files that must not ship:" >&2; echo "$$unwanted" | head -20 >&2; exit 1; fi; \
	scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	export ANSIBLE_COLLECTIONS_PATH="$$scratch/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false; \
	ansible-galaxy collection install --offline "$$tarball"; \
	ansible-galaxy collection list azure_batch.ops; \
	installed="$$scratch/collections/ansible_collections/azure_batch/ops"; \
	test -f "$$installed/playbooks/demo.yml" || { echo "ERROR: playbooks/demo.yml is not in the tarball" >&2; exit 1; }; \
	cd "$$scratch" && PYTHONPATH="$(REPO)" timeout 300 python -m tests.emulator run --seed-file "$(REPO)/$(DEMO_SEED)" -- \
	  python "$(REPO)/tests/utils/run_demo.py" --inventory "$$installed/playbooks/inventory/demo.yml" --playbook "$$installed/playbooks/demo.yml"

# --- galaxy-importer: what Galaxy and Automation Hub run on an upload, in a venv of its own -----------------------

GALAXY_VENV := $(BUILD)/galaxy-venv
GALAXY_STAMP := $(GALAXY_VENV)/.requirements.installed

$(GALAXY_STAMP): tests/galaxy/requirements.txt | venv
	$(call tool_venv,$(GALAXY_VENV),tests/galaxy/requirements.txt,galaxy-importer)

galaxy-import: build $(GALAXY_STAMP) ## galaxy-importer on the built tarball (docs, ansible-lint, flake8, tags, changelog); fails on any warning
	$(call header,galaxy-importer on the built tarball)
	@tarball=$$(ls "$(DIST)"/azure_batch-ops-*.tar.gz); \
	PATH="$(GALAXY_VENV)/bin:$$PATH" GALAXY_IMPORTER_CONFIG="$(REPO)/tests/galaxy/galaxy-importer.cfg" \
	  GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP="$(BUILD)/galaxy-import/tmp" timeout 900 \
	  "$(GALAXY_VENV)/bin/python" tests/galaxy/check_import.py "$$tarball" "$(BUILD)/galaxy-import"

# --- demo and everything ------------------------------------------------------------------------

demo: collection-tree ## Run playbooks/demo.yml twice against the bundled emulator
	$(call header,Demo: terminate a Batch job and a task on the bundled emulator)
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_ROOT)" timeout 300 python -m tests.emulator run --seed-file $(DEMO_SEED) -- \
	  python tests/utils/run_demo.py --inventory playbooks/inventory/demo.yml --playbook playbooks/demo.yml

emulator: collection-tree ## Serve the emulator for your own playbooks; prints what to export (EMULATOR_SEED, EMULATOR_STATE_DIR)
	$(call header,Azure Batch emulator: stop it with Ctrl-C)
	python -m tests.emulator serve --state-dir "$(EMULATOR_STATE_DIR)" --seed-file "$(EMULATOR_SEED)" \
	  --export ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_ROOT)" --path-prepend "$(VENV)/bin"

test: venv ## Everything CI runs, on every ansible-core lane (tests/utils/lanes.py); ends with the lanes table
	@python tests/utils/lanes.py

bench: collection-tree ## Benchmarks: tests/perf/run.py (not part of make test)
	$(call header,Benchmarks)
	@if [ -f tests/perf/run.py ]; then \
	  PYTHONPATH="$(REPO):$(COLLECTIONS_ROOT)" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_ROOT)" python tests/perf/run.py $(BENCH_ARGS); \
	else echo "No tests/perf/run.py yet: nothing to run."; fi

clean: ## Remove build/ and test output (keeps .venv)
	rm -rf "$(BUILD)" tests/output
