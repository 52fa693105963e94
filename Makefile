# needlewise — `make help` lists every target.
# A fresh machine needs only Python 3.11 and make: the first target that needs them installs uv
# (pinned) with pip and the locked dependencies into .venv.

UV_VERSION := 0.13.9
UV := UV_PYTHON_DOWNLOADS=never python3 -m uv
RUN := $(UV) run --frozen

.DEFAULT_GOAL := help
.PHONY: help install run assess test lint typecheck contracts kb-check kb-diff kb-snapshot kb-hazards unit unit-postgres query-counts bench bench-api bench-clinic bench-journal bench-recall bench-audit screenshots messages fmt clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## Install uv (if missing) and the locked dependencies into .venv
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@$(UV) sync --frozen --quiet

run: install ## Start the web app on SQLite at http://127.0.0.1:8000 (Ctrl+C stops it)
	@$(RUN) needlewise serve

assess: install ## Take the questionnaire in the terminal instead
	@$(RUN) needlewise assess

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch node_modules

test: install node_modules lint typecheck contracts kb-check unit unit-postgres ## Everything CI checks: lint, types, layers, knowledge base, tests (browser tests need Debian's chromium)

lint: install ## ruff (lint + format check)
	$(RUN) ruff check src tests bench tools
	$(RUN) ruff format --check src tests bench tools

typecheck: install ## mypy --strict on src/
	$(RUN) mypy

contracts: install ## import-linter: layers point inward, engine and domain stay pure
	$(RUN) lint-imports

kb-check: install ## Load and validate the knowledge base; its version is recorded (kb.lock) and the vignette verdicts are the reviewed ones
	$(RUN) needlewise kb check
	$(RUN) needlewise kb snapshot --check

kb-diff: install ## What a knowledge-base change does: rules and vignette verdicts against FROM (a git revision or a folder; default HEAD)
	$(RUN) needlewise kb diff --from "$(or $(FROM),HEAD)"

kb-snapshot: install ## After review: bump the version if the content changed (BUMP=patch|minor|major), record it in kb.lock, re-record the vignette verdicts
	$(RUN) needlewise kb snapshot $(if $(BUMP),--bump $(BUMP))

kb-hazards: install ## Check the hazard log (docs/hazards.yaml): its rules, code and tests exist, and every serious rule is in it
	$(RUN) pytest -q -p no:randomly --no-cov tests/kb/test_hazard_log.py

unit: install ## pytest with branch coverage (fails under 100 %)
	$(RUN) pytest --cov --cov-report=term-missing:skip-covered

query-counts: install ## Re-record the SQL statements per page and API route (tests/snapshots/query_counts.json) after checking a change is intended
	NEEDLEWISE_RECORD_QUERY_COUNTS=1 $(RUN) pytest -q -p no:randomly --no-cov tests/web/test_query_counts.py
	@git --no-pager diff --stat -- tests/snapshots/query_counts.json

POSTGRES_URL ?= $(or $(NEEDLEWISE_POSTGRES_URL),postgresql://postgres@127.0.0.1:5432/test)

unit-postgres: install ## The web, clinic and storage tests again on PostgreSQL (skipped when none is reachable, unless NEEDLEWISE_REQUIRE_POSTGRES=1)
	@if $(RUN) python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$(POSTGRES_URL)" 2>/dev/null; then 	  DATABASE_URL="$(POSTGRES_URL)" $(RUN) pytest -q -p no:randomly tests/web tests/clinic tests/storage; 	elif [ "$$NEEDLEWISE_REQUIRE_POSTGRES" = "1" ]; then 	  echo "error: PostgreSQL is required (NEEDLEWISE_REQUIRE_POSTGRES=1) but not reachable at $(POSTGRES_URL)"; exit 1; 	else 	  echo "skipped: no PostgreSQL reachable at $(POSTGRES_URL) (set NEEDLEWISE_POSTGRES_URL, or start one)"; 	fi

bench: install ## Rule-engine benchmark against the hand-written function, zen-engine and rule-engine
	$(UV) sync --frozen --quiet --group bench
	$(UV) run --frozen --group bench python bench/engine.py

bench-api: install ## JSON API throughput and latency with wrk (Debian package wrk)
	$(RUN) python bench/api.py

bench-clinic: install ## Client search and client page on PostgreSQL, 100,000 clients (wrk; keeps its scratch database)
	$(RUN) python bench/clinic.py

bench-journal: install ## Home journal page and logging a session on PostgreSQL, 100,000 journals (wrk; keeps its scratch database)
	$(RUN) python bench/journal.py

bench-recall: install ## Cartridge lot recall on PostgreSQL, 10,000,000 sessions (keeps its scratch database, about 12 GB)
	$(RUN) python bench/recall.py

bench-audit: install ## Audit appends from 8 writers, 1 clinic vs 4 clinics, on SQLite and PostgreSQL (a few minutes)
	$(RUN) python bench/audit_append.py

screenshots: install ## Refresh the pictures in docs/screenshots/ (Debian's chromium; tools/screenshots.py)
	$(RUN) python tools/screenshots.py

messages: install ## Extract the web app's texts and update the Spanish catalogue (then translate, then: make messages again)
	$(RUN) pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k gettext_noop -o src/needlewise/locale/django.pot --no-location --sort-output --project needlewise .
	$(RUN) pybabel update -i src/needlewise/locale/django.pot -d src/needlewise/locale -D django --no-fuzzy-matching
	$(RUN) pybabel compile -d src/needlewise/locale -D django

fmt: install ## Format and auto-fix
	$(RUN) ruff format src tests bench tools
	$(RUN) ruff check --fix src tests bench tools

clean: ## Remove caches and the virtual environment
	rm -rf .venv node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage
