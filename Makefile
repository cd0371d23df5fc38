# Every target works from a fresh clone with only python3: `install` builds .venv first when needed.
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install generate check-generated lint-spec lint typecheck test docs check-docs bench demo api-diff check-api

install: $(STAMP)

# Re-installs only when the project metadata changed (or .venv is new), so it is instant otherwise.
$(STAMP): $(ROOT)/pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '$(ROOT)[dev]'
	touch $(STAMP)

# Regenerates the client, then the reference page that documents it, then adds what changed for users
# (the api-diff report) to CHANGELOG.md's Unreleased section.
generate: $(STAMP)
	$(PY) $(ROOT)/tools/generate.py
	$(PY) $(ROOT)/tools/docs.py
	$(PY) $(ROOT)/tools/api_diff.py --changelog $(if $(BASE),--base '$(BASE)')

check-generated: $(STAMP)
	$(PY) $(ROOT)/tools/generate.py --check

docs: $(STAMP)
	$(PY) $(ROOT)/tools/docs.py

check-docs: $(STAMP)
	$(PY) $(ROOT)/tools/docs.py --check

# What changed for users since BASE (default: the merge base with main, or HEAD~1 on main), each change
# classed breaking or compatible. check-api fails when a breaking change since the last release (default:
# the tag v<version>, else the last commit at an earlier version) lacks the version bump it needs.
api-diff: $(STAMP)
	$(PY) $(ROOT)/tools/api_diff.py $(if $(BASE),--base '$(BASE)')

check-api: $(STAMP)
	$(PY) $(ROOT)/tools/api_diff.py --check $(if $(BASE),--base '$(BASE)')

lint-spec: $(STAMP)
	$(PY) $(ROOT)/tools/lint_spec.py

lint: $(STAMP)
	cd $(ROOT) && $(VENV)/bin/ruff check customizations tests tools && $(VENV)/bin/ruff format --check customizations tests tools

typecheck: $(STAMP)
	cd $(ROOT) && $(VENV)/bin/mypy generated/tatum_client customizations/tatum tools tests

test: $(STAMP)
	cd $(ROOT) && $(PY) -m pytest

# Every example of examples/customer/ against a local sandbox (tatum-sandbox on a free port): no account needed.
demo: $(STAMP)
	$(PY) $(ROOT)/tools/demo.py

# SDK against raw httpx, sandbox against Prism, same machine, same run: the table of docs/BENCHMARKS.md (~10 min).
bench: $(STAMP)
	$(PY) $(ROOT)/tools/bench.py
