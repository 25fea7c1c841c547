# Two commands do all set-up on a fresh machine:  `make chat` (the console chat)  and  `make test`.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# The CPU wheel of torch must go in before sentence-transformers, or pip pulls gigabytes of CUDA.
TORCH   ?= torch==2.13.0

.PHONY: install index chat test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	$(BIN)/assistant index build

chat: $(STAMP)
	$(BIN)/assistant index build --quiet
	$(BIN)/assistant chat

# Incident tests run on SQLite and on a real PostgreSQL server, which scripts/ensure-postgres.sh installs
# (Debian's postgresql) and starts when ASSISTANT_TEST_POSTGRES_URL is not already set.
test: $(STAMP)
	ASSISTANT_TEST_POSTGRES_URL="$${ASSISTANT_TEST_POSTGRES_URL:-$$(bash scripts/ensure-postgres.sh)}" \
	  $(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/assistant index build --quiet
	$(BIN)/python scripts/bench_ask.py
	-test -f scripts/bench_checkpost.py && $(BIN)/python scripts/bench_checkpost.py
	-test -f scripts/bench_slack.py && $(BIN)/python scripts/bench_slack.py

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*-*
