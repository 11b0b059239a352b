# Dixian: `make demo` and `make test` each set themselves up from the lock file.
SHELL := /bin/bash
VENV := .venv

.PHONY: demo test test-sqlite mutation lint messages bench-regions bench-import bench-queue bench-daily clean fuzz load faults

$(VENV)/.synced: pyproject.toml uv.lock scripts/bootstrap
	scripts/bootstrap
	touch $@

demo: $(VENV)/.synced  ## build the demo county and serve it on http://127.0.0.1:8000
	DIXIAN_MODE=dev $(VENV)/bin/dixian demo

test: $(VENV)/.synced  ## the whole suite on SQLite and on PostgreSQL
	scripts/ensure-browser
	scripts/run-tests

test-sqlite: $(VENV)/.synced  ## the suite on SQLite only (quick)
	scripts/ensure-browser
	DIXIAN_MODE=test DATABASE_URL="sqlite:///:memory:" $(VENV)/bin/python -m pytest

mutation: $(VENV)/.synced  ## mutation testing of the deciding modules; records docs/mutation-score.json
	$(VENV)/bin/python scripts/mutation.py --write

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check dixian tests bench

messages: $(VENV)/.synced  ## refresh and compile the translation catalogues
	cd dixian && DIXIAN_MODE=dev ../$(VENV)/bin/dixian makemessages -l zh_Hans --no-obsolete --add-location file
	cd dixian && DIXIAN_MODE=dev ../$(VENV)/bin/dixian compilemessages

clean:
	rm -rf $(VENV) .tools var test-artifacts

bench-regions: $(VENV)/.synced  ## division loading and prefix queries, SQLite and PostgreSQL
	DIXIAN_MODE=test DATABASE_URL="sqlite:///$(CURDIR)/var/bench-regions.sqlite3" $(VENV)/bin/python bench/regions.py
	scripts/with-postgres $(VENV)/bin/python bench/regions.py

bench-import: $(VENV)/.synced  ## one million members from CSV into PostgreSQL, against row-by-row ORM
	scripts/with-postgres $(VENV)/bin/python bench/registry_import.py

bench-queue: $(VENV)/.synced  ## a county's case queue with 5,000 open cases, SQLite and PostgreSQL
	DIXIAN_MODE=test DATABASE_URL="sqlite:///$(CURDIR)/var/bench-queue.sqlite3" $(VENV)/bin/python bench/procedures/case_queue.py
	scripts/with-postgres $(VENV)/bin/python bench/procedures/case_queue.py

bench-daily: $(VENV)/.synced  ## the pages each role opens daily on the demo county (build it first: make demo), warm and first after a write, with their queries
	DIXIAN_MODE=dev DIXIAN_DEBUG=0 nice -n 10 $(VENV)/bin/python bench/daily/pages.py --runs 7 --writes 3 --write-doc

bench-screening: $(VENV)/.synced  ## screening a 10-million-person province (DuckDB vs pandas, PostgreSQL), 10 million claim rows ingested
	scripts/with-postgres $(VENV)/bin/python bench/screening/run.py --write-doc

bench-indicators: $(VENV)/.synced  ## every R9 indicator for a 10-million-person province, against pandas; dashboard timings
	$(VENV)/bin/python bench/indicators/run.py --repeat 3 --write-doc

bench-preview: $(VENV)/.synced  ## a policy change's preview over a 10-million-person province, against re-running every rule under both policies
	nice -n 10 $(VENV)/bin/python bench/policy/preview.py --repeat 3 --write-doc

fuzz: $(VENV)/.synced  ## a longer fuzz run: file readers (Hypothesis) and the API (schemathesis), figures in docs/reliability.md
	DIXIAN_MODE=test DATABASE_URL="sqlite:///:memory:" DIXIAN_FUZZ_EXAMPLES=$${DIXIAN_FUZZ_EXAMPLES:-300} \
	  DIXIAN_API_FUZZ_EXAMPLES=$${DIXIAN_API_FUZZ_EXAMPLES:-50} \
	  $(VENV)/bin/python -m pytest tests/fuzz tests/web/test_api_fuzz.py -q \
	  --hypothesis-show-statistics --durations=0

load: $(VENV)/.synced  ## Locust, 100 users of mixed roles for 5 minutes against gunicorn + PostgreSQL (docs/reliability.md)
	scripts/bootstrap --group bench
	$(VENV)/bin/python bench/load/run.py --users 100 --minutes 5 --write-doc

faults: $(VENV)/.synced  ## kill -9 x20 during each write, a database restart, a full disk (docs/reliability.md)
	$(VENV)/bin/python bench/faults/run.py --kills 20 --json var/faults.json
