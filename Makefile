# Skillswap — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test install install-test lint bench reindex clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

## make run: install, migrate, seed demo data on the first run, build the search index,
## serve on http://127.0.0.1:5000
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed demo --if-empty
	$(BIN)/flask search reindex
	@echo "Skillswap is at http://127.0.0.1:5000 — create an administrator with: $(BIN)/flask users create-admin"
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

## make test: install with test extras and run the whole suite (SQLite, plus PostgreSQL
## when TEST_DATABASE_URL is set, plus Chromium browser tests when a browser is found)
test: install-test
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## make reindex: rebuild the search index from the database
reindex: install
	$(BIN)/flask search reindex

lint: install-test
	$(BIN)/ruff check app tests bench

## make bench: generate a 100,000-post forum, time /search and a long question page, score
## search relevance on ../shared/corpus; prints a summary and writes bench/results/. Then
## time match suggestions for 5,000 people and 20,000 offers (bench/matching.py; options in
## MATCHING_BENCH_ARGS) and compare /offers/ throughput with a bare Flask page on the same
## database (bench/offers_throughput.py; OFFERS_BENCH_ARGS), and time the event list and
## event pages at 16 connections (bench/events.py; EVENTS_BENCH_ARGS). All always run; it
## fails when any misses a target.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS); forum=$$?; \
	$(BIN)/python -m bench.matching $(MATCHING_BENCH_ARGS); matching=$$?; \
	$(BIN)/python -m bench.offers_throughput $(OFFERS_BENCH_ARGS); offers=$$?; \
	$(BIN)/python -m bench.events $(EVENTS_BENCH_ARGS); events=$$?; \
	test $$forum -eq 0 && test $$matching -eq 0 && test $$offers -eq 0 && test $$events -eq 0

clean-venv:
	rm -rf $(VENV)
