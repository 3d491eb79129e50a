# restauth: `make` builds, `make run` starts a demo server, `make test` runs every test.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps deps-test run cluster test test-sanitize test-package mutate fuzz bench install deb clean

all: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Install the Debian packages that building and testing need (only the missing ones).
deps:
	@scripts/deps.sh

# What the browser tests need besides: Debian's chromium, Node.js and tests/console's npm
# packages (npm ci, only when tests/console/node_modules is missing).
deps-test:
	@scripts/deps.sh test

# Build, create ./var with a demo account, credential and certificate, and serve HTTPS.
run: all
	@scripts/run-demo.sh $(BUILD)/bin/restauthd

# A local cluster: PostgreSQL 15 under ./var/cluster, three nodes and nginx on
# https://localhost:8443 (round-robin, TLS at nginx). Ctrl-C stops everything it started.
cluster: all
	@scripts/deps.sh cluster
	@scripts/cluster.sh $(BUILD)/bin/restauthd

# Every test: unit tests, fuzz-corpus replays, end-to-end tests over HTTPS, the console's API
# and browser tests (screenshots in $(BUILD)/console-screenshots/) and, as root, the Debian
# packages built, installed with dpkg, used and purged (`make test-package` runs only that).
test: all deps-test deb
	@cd $(BUILD) && ctest --output-on-failure -j2

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps deps-test
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Debug -DRA_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD)-asan -j$(JOBS)
	@cd $(BUILD)-asan && LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 ctest --output-on-failure -j2 -LE package

# Debian packages (restauthd, librestauth0, librestauth-dev, restauth) built with debhelper into
# $(BUILD)/deb and checked by lintian. A full build of its own, so it takes a few minutes.
deb: deps
	@scripts/make-deb.sh $(BUILD)/deb

# As root: install the packages of `make deb` with dpkg, run init, serve and the CLI as the
# packaged user with the packaged configuration, then purge them (tests/package/test_deb.sh).
test-package: all deb
	@cd $(BUILD) && ctest --output-on-failure -L package

# The mutation check (slow, so not part of `make test`): each rule listed in scripts/mutate.sh
# is broken in turn in a scratch copy of the tree, and the tests must notice. MUTATE_JOBS sets
# its build parallelism (default 2).
mutate: deps
	@scripts/mutate.sh

# Build the libFuzzer targets with clang and fuzz each for FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz: deps
	@cmake -S . -B $(BUILD)-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DRA_FUZZ=ON -DRA_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)-fuzz -j$(JOBS)
	@scripts/fuzz.sh $(BUILD)-fuzz/fuzz $(FUZZ_SECONDS)

# Install under PREFIX (and DESTDIR when set): restauthd in sbin with restauthd(8), its systemd
# unit, the example configuration (etc/restauth/restauthd.conf) and logrotate snippet;
# librestauth (shared, static, headers, pkg-config file), the restauth CLI and their man pages.
PREFIX ?= /usr/local
install: all
	@cmake --install $(BUILD) --prefix $(PREFIX)

bench: all
	@RESTAUTHD=$(BUILD)/bin/restauthd bash bench/run.sh

clean:
	rm -rf $(BUILD) $(BUILD)-asan
