# restauth: `make` builds, `make run` starts a demo server, `make test` runs every test.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps run test test-sanitize fuzz bench clean

all: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Install the Debian packages that building and testing need (only the missing ones).
deps:
	@scripts/deps.sh

# Build, create ./var with a demo account, credential and certificate, and serve HTTPS.
run: all
	@scripts/run-demo.sh $(BUILD)/bin/restauthd

# Every test: unit tests, fuzz-corpus replays and end-to-end tests over HTTPS.
test: all
	@cd $(BUILD) && ctest --output-on-failure -j2

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DRA_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD)-asan -j$(JOBS)
	@cd $(BUILD)-asan && ctest --output-on-failure -j2

# Build the libFuzzer targets with clang and fuzz each for FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake -S . -B $(BUILD)-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DRA_FUZZ=ON -DRA_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)-fuzz -j$(JOBS)
	@scripts/fuzz.sh $(BUILD)-fuzz/fuzz $(FUZZ_SECONDS)

bench: all
	@RESTAUTHD=$(BUILD)/bin/restauthd bash bench/run.sh

clean:
	rm -rf $(BUILD) $(BUILD)-asan
