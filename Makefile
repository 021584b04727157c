# Two commands do everything: `make run` and `make test` (see README.md).
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= 2
SANITIZE_DIR ?= build-sanitize

.PHONY: all deps build run test test-unit test-node bench bench-smoke sanitize clean

all: build

deps:
	@scripts/install-deps.sh

# The codec micro-benchmarks are built too, so the harness's smoke run keeps them compiling.
build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSWITCHYARD_BUILD_BENCH=ON
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Serves the embedded default: the built-in mock provider plus every real
# provider whose API key is in the environment.
run: build
	./$(BUILD_DIR)/switchyard $(ARGS)

# Everything CI runs: the Release build's suites and a smoke run of the benchmark harness,
# then the same suites under ASan+UBSan.
test: build
	$(MAKE) --no-print-directory test-unit test-node bench-smoke
	$(MAKE) --no-print-directory sanitize

# Both runners fail when a suite runs nothing: ctest on no tests, run-node.mjs on a file that
# registers no test or skips one.
test-unit:
	ctest --test-dir $(BUILD_DIR) --output-on-failure --no-tests=error

# The structure checks (vendors stay in their folders), the mocks' own checks (they must
# reject what the real APIs reject), then the gateway's
# integration tests, the SDK end-to-end tests and the dialect conformance battery.
test-node:
	SWITCHYARD_BIN=$(abspath $(BUILD_DIR))/switchyard \
	  node tests/run-node.mjs tests/structure/*.test.mjs tests/mocks/*.test.mjs tests/integration/*.test.mjs \
	    tests/e2e/*.test.mjs tests/conformance/*.test.mjs tests/clients/*.test.mjs
	SWITCHYARD_BIN=$(abspath $(BUILD_DIR))/switchyard \
	  node bench/hedging/run.mjs --requests 20 --tail-ms 300 --out $(abspath $(BUILD_DIR))/hedging-smoke.md

# The performance harness (issue 5): every target against nginx and Portkey, the
# 10,000-stream test and the codec micro-benchmarks; report in bench/results/DATE.md.
bench:
	bench/run.sh

# A second or two per target: fails if any request, stream or codec benchmark fails.
bench-smoke:
	bench/run.sh --smoke

# ASan + UBSan build of everything, running the same unit and node suites. A small
# quarantine keeps ASan's own memory from swamping the tests' RSS bounds; recent frees
# are still caught.
sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Debug -DSWITCHYARD_SANITIZE=ON
	cmake --build $(SANITIZE_DIR) -j$(JOBS)
	ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=1 SWITCHYARD_LOAD_REQUESTS=2000 \
	  $(MAKE) --no-print-directory test-unit test-node BUILD_DIR=$(SANITIZE_DIR)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
