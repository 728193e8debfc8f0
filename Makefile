# The two commands: `make run` and `make test`. Both install what they need first.
SWIFT ?= swift
BIN := .build/debug/shoal
DEV_SOCKET ?= /tmp/shoal-dev/admin.sock

.PHONY: setup build run test unit verify-unit bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

# A single dev agent in the foreground; query it from another terminal.
run: build
	@echo "dev agent starting; in another terminal: $(BIN) info --socket $(DEV_SOCKET)"
	$(BIN) agent --dev --name dev --admin-socket $(DEV_SOCKET) --log-format text

# The whole suite: unit, simulation, real-process tests and the unit-file check.
test: build
	$(SWIFT) build --build-tests
	SHOAL_BINARY=$(CURDIR)/$(BIN) $(SWIFT) test --skip-build
	@scripts/verify-unit.sh $(BIN)

# Micro-benchmarks (ordo-one/benchmark), built only when asked.
bench: setup
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build
