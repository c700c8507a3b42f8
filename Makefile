# Dialograum: `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup run test lint typecheck e2e-deps i18n bench fuzz clean

$(STAMP): pyproject.toml
	@echo "==> setting up $(VENV) (first run takes a minute)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --editable '.[dev,e5]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)
	@bash tools/ensure_weasyprint.sh

run: setup
	@$(BIN)/dialograum serve

lint: setup
	@echo "==> ruff"
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

typecheck: setup
	@echo "==> mypy --strict rooms server tests loadtests"
	@$(BIN)/mypy

e2e-deps:
	@bash tools/ensure_chromium.sh
	@bash tools/ensure_axe.sh

# Tests run in 4 workers, also on 2 cores: the suite waits on servers, browsers and
# Redis more than it computes (on 2 cores, 2 workers kept them 44% busy; 4 workers
# took the suite from 5.6 to 4.2 minutes, docs/benchmarks.md "The test suite's own
# time"). Each worker's Redis tests use a database of their own
# (tests/redis_support.py). A test that hangs is stopped after its timeout and
# reported; xdist replaces the worker and goes on.
TEST_WORKERS ?= 4
test: setup lint typecheck e2e-deps
	@echo "==> pytest in $(TEST_WORKERS) workers (with coverage of rooms/, at least 90%)"
	@$(BIN)/pytest -n $(TEST_WORKERS) --dist load --cov --cov-report=term --durations=15

i18n: setup
	@$(BIN)/python tools/i18n.py

# The stateful fuzzer of tests/server/test_fuzz_live.py, longer than in `make test`
# (4 runs of 12 steps there): random roles send every command, valid or not, to a live server.
fuzz: setup
	@DIALOGRAUM_FUZZ_EXAMPLES=$${DIALOGRAUM_FUZZ_EXAMPLES:-300} DIALOGRAUM_FUZZ_STEPS=$${DIALOGRAUM_FUZZ_STEPS:-40} \
		$(BIN)/pytest tests/server/test_fuzz_live.py tests/server/test_fuzz_http.py tests/server/test_schemathesis.py -q -p no:cacheprovider

# Every scenario with its defaults, one after the other: about an hour of runs on
# the 2-core benchmark machine (stamina alone is a 15-minute event, manyevents three
# runs of 50 events), more when it is busy (each run first waits for quiet).
BENCH_SCENARIOS := join plenum ceiling socketio brainstorm reconnect slow upvote stamina manyevents bigevent

bench: setup
	@failed=""; for s in $(BENCH_SCENARIOS); do \
		$(BIN)/python -m loadtests.run --scenario $$s || failed="$$failed $$s"; \
	done; test -z "$$failed" || { echo "==> runs not ok in:$$failed"; exit 1; }

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
