# The two commands of the README are `make run` and `make test`; each does its own set-up.
VENV := .venv/bin
SAMPLES := $(wildcard samples/*.txt samples/*.pdf samples/*.png samples/*.json)

.PHONY: setup run analyze-samples test lint typecheck unit bench eval clean

setup:
	@./scripts/setup.sh

run: setup
	./scripts/run.sh

analyze-samples: setup
	$(VENV)/navis analyze $(SAMPLES) --out out

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

typecheck: setup
	$(VENV)/mypy navis ingest extract personalize api worker store

unit: setup
	./scripts/services.sh
	$(VENV)/pytest -q

test: lint typecheck unit

bench: setup
	$(VENV)/python -m tests.bench.run $(BENCH)

eval: setup
	$(VENV)/navis eval ../shared/corpus/tcga/dev.jsonl

clean:
	rm -rf out .mypy_cache .ruff_cache
