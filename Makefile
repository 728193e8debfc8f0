# The two commands: `make run` and `make test`. Both install what they need first.
# SwiftPM keys its build cache on the environment (even `$_`): a `swift build` typed in a
# shell and one run by make rebuild each other's work. Use one or the other.
SWIFT ?= swift
BIN := .build/debug/shoal
DEV_SOCKET ?= /tmp/shoal-dev/admin.sock

.PHONY: setup build release deb run dev test fuzz bench bench-membership bench-transport link-order clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

# The release binary that deploy/install.sh installs: .build-release/release/shoal
# (static runtime, agent code laid out by deploy/shoal-hot.ld and deploy/shoal.order;
# scripts/build-release.sh says how).
release: setup
	@scripts/build-release.sh

# A Debian package of the release binary, the unit and its files (scripts/build-deb.sh says
# what it holds): .build-release/shoal_VERSION_amd64.deb; `apt install ./that.deb` installs it.
deb: setup
	@scripts/build-deb.sh

# Regenerates deploy/shoal-hot.ld and deploy/shoal.order from a profiled three-agent cluster
# (callgrind, then perf page faults; installs valgrind and linux-perf). About 10 minutes.
link-order: setup
	@scripts/link-order.sh

# A local cluster of three agents on 127.0.0.11-13; prints `shoal members`, Ctrl-C stops it.
run: build
	@scripts/local-cluster.sh $(BIN)

# A single dev agent in the foreground; query it from another terminal.
dev: build
	@echo "dev agent starting; in another terminal: $(BIN) info --socket $(DEV_SOCKET)"
	$(BIN) agent --dev --name dev --admin-socket $(DEV_SOCKET) --log-format text

# The whole suite: unit, simulation, real-process tests and the unit-file check, then each
# fuzz target for a few seconds over its corpus (so they keep building and the crash inputs
# kept in Fuzz/Corpus keep passing).
# (--build-tests also builds the shoal binary; a separate plain build would compile everything twice.)
test: setup
	$(SWIFT) build --build-tests
	SHOAL_BINARY=$(CURDIR)/$(BIN) $(SWIFT) test --skip-build
	@scripts/verify-unit.sh $(BIN)
	@Tests/netns/netns-smoke.sh $(CURDIR)/$(BIN)
	@Tests/container/systemd-container.sh $(CURDIR)/$(BIN)
	@FUZZ_SECONDS=5 FUZZ_TARGETS= SWIFT=$(SWIFT) scripts/fuzz.sh

# The libFuzzer targets (Fuzz/, README "Fuzzing"): builds them with -sanitize=fuzzer,address
# and runs each for FUZZ_SECONDS over a scratch copy of its corpus, one after another
# (FUZZ_TARGETS="fuzz-wal fuzz-raft" picks some); fails on any crash.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: setup
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" SWIFT=$(SWIFT) scripts/fuzz.sh

# Shoal and Serf side by side (bench/membership.sh); release build.
# bench/membership.sh installs Debian's serf and python3-msgpack itself.
bench-membership: setup
	@scripts/build-release.sh
	bench/membership.sh --binary .build-release/release/shoal
	bench/netns-faults.sh --binary .build-release/release/shoal
	$(SWIFT) run -c release shoal-sim-bench 10 50 100 1000 10000

# Transport throughput next to raw loopback TCP and the AEAD alone, in one run (README
# "Transport throughput"); release build. BENCH_SECONDS per transfer.
BENCH_SECONDS ?= 3
bench-transport: setup
	$(SWIFT) build -c release --product shoal-transport-bench
	.build/release/shoal-transport-bench $(BENCH_SECONDS)

# Micro-benchmarks (ordo-one/benchmark), built only when asked.
bench: setup
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build .build-release Fuzz/.build-fuzz
