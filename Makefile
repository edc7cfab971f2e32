# Entry points (README): `make run` builds and starts aigate with its
# embedded defaults; `make test` builds and runs every test. Both install
# the Debian packages they need first (`make deps`).

BUILD      ?= build
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 45
CACHE      := $(CURDIR)/$(BUILD)/cache

# The one list of Debian packages the project needs to build and test.
# Hyperscan: Intel's libhyperscan on amd64. Debian 12's Vectorscan 5.4.9
# misses matches on AVX-512 machines depending on where the scanned buffer
# ends (tests/unit/test_scan.c checks every alignment), so it is used only
# where libhyperscan does not exist; the two packages conflict, so
# installing one removes the other.
ARCH := $(shell dpkg --print-architecture 2>/dev/null)
HS_PACKAGE := $(if $(filter amd64,$(ARCH)),libhyperscan-dev,libvectorscan-dev)
HS_REMOVE := $(if $(filter amd64,$(ARCH)),libvectorscan-dev- libvectorscan5-,)
# DEB_BUILD is what `make run` needs; the rest are test tools (static
# analysis, the sanitizer runtime, oracles, a Prometheus server and a
# browser for the end-to-end tests) that only `make test` installs.
DEB_BUILD := gcc make cmake pkg-config $(HS_PACKAGE) libpcre2-dev \
  libutf8proc-dev libyaml-dev libjansson-dev libsodium-dev zlib1g-dev \
  ca-certificates libmicrohttpd-dev libcurl4-openssl-dev curl \
  libsqlite3-dev libseccomp-dev libzip-dev libcmocka-dev libyajl-dev
DEB_PACKAGES := $(DEB_BUILD) clang libclang-rt-14-dev cppcheck clang-format \
  python3-packaging prometheus chromium

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build run test test-release test-asan test-clang lint fuzz \
        fuzz-smoke bench bench-gateway bench-assess bench-classifier \
        bench-audit format install clean model

DEPS_LIST ?= $(DEB_PACKAGES)
DEPS_NODE ?= 1
deps:
	@missing=$$(for p in $(DEPS_LIST); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing \
	    $$(echo " $$missing " | grep -q ' $(HS_PACKAGE) ' && echo $(HS_REMOVE)); \
	fi
	@# End-to-end tests drive the gateway with the official openai npm
	@# package: node and npm from Debian unless some node is already there.
	@if [ "$(DEPS_NODE)" = 1 ] && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then \
	  echo "installing: nodejs npm"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends nodejs npm; \
	fi

$(BUILD)/release/Makefile:
	cmake -S . -B $(BUILD)/release -DCMAKE_BUILD_TYPE=Release

build: $(BUILD)/release/Makefile
	cmake --build $(BUILD)/release -j $(JOBS)

# The gateway with its embedded defaults: 127.0.0.1:4000, every model
# passed to $$OPENAI_BASE_URL (default api.openai.com) with $$OPENAI_API_KEY.
run:
	$(MAKE) deps DEPS_LIST="$(DEB_BUILD)" DEPS_NODE=0
	$(MAKE) build
	AIGATE_CACHE_DIR=$(CACHE) $(BUILD)/release/aigate serve $(SERVE_ARGS)

# Release build with gcc, then the same tests under ASan+UBSan, a clang
# build with -Werror, static analysis, and a fuzz smoke with a fixed budget.
test: deps test-release test-asan test-clang lint fuzz-smoke
	@echo "make test: all stages passed"

test-release: build
	cd $(BUILD)/release && AIGATE_CACHE_DIR=$(CACHE) ctest --output-on-failure -j $(JOBS) -L 'quick|e2e'

test-asan:
	cmake -S . -B $(BUILD)/asan -DCMAKE_BUILD_TYPE=Debug -DAIGATE_SANITIZE=ON
	cmake --build $(BUILD)/asan -j $(JOBS)
	cd $(BUILD)/asan && AIGATE_CACHE_DIR=$(CACHE) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) -L 'quick|e2e'

test-clang:
	CC=clang cmake -S . -B $(BUILD)/clang -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD)/clang -j $(JOBS)
	cd $(BUILD)/clang && AIGATE_CACHE_DIR=$(CACHE) ctest --output-on-failure -j $(JOBS) -L quick

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --std=c11 --inline-suppr --suppress=missingIncludeSystem \
	  -I include -I src/lib -I src/cli -I src/gateway -I src/store -I src/assess \
	  -I src/supply src/lib src/cli src/gateway src/store src/assess src/supply
	clang-format --dry-run --Werror include/aigate/*.h src/lib/*.[ch] src/cli/*.[ch] \
	  src/gateway/*.[ch] src/store/*.[ch] src/assess/*.[ch] src/supply/*.[ch] \
	  tests/unit/*.c tests/fuzz/*.c bench/*.c

$(BUILD)/fuzz/Makefile:
	CC=clang cmake -S . -B $(BUILD)/fuzz -DCMAKE_BUILD_TYPE=Debug -DAIGATE_FUZZ=ON

fuzz: deps $(BUILD)/fuzz/Makefile
	cmake --build $(BUILD)/fuzz -j $(JOBS)
	@for t in $(BUILD)/fuzz/tests/fuzz/fuzz_*; do \
	  name=$$(basename $$t); mkdir -p $(BUILD)/fuzz/corpus/$$name; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
	  AIGATE_CACHE_DIR=$(CACHE) $$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=10 \
	    $(BUILD)/fuzz/corpus/$$name tests/fuzz/corpus/$$name || exit 1; \
	done

# CI's smoke: every target, sharing a fixed total budget of FUZZ_TOTAL
# seconds (at least 10 s each), so that new targets do not grow CI.
FUZZ_TOTAL ?= 300
FUZZ_COUNT := $(words $(wildcard tests/fuzz/fuzz_*.c))
fuzz-smoke: FUZZ_SECONDS = $(shell s=$$(( $(FUZZ_TOTAL) / $(FUZZ_COUNT) )); [ $$s -ge 10 ] || s=10; echo $$s)
fuzz-smoke: fuzz

# Figures, never pass/fail: bench_pipeline, then the npm peers on the same
# prompts (bench/run.sh; docs/benchmarks.md). Not part of `make test`.
bench: build
	cmake --build $(BUILD)/release --target bench_pipeline -j $(JOBS)
	AIGATE_CACHE_DIR=$(CACHE) bench/run.sh $(BUILD)/release/bench/bench_pipeline $(BENCH_PROMPTS)

# The gateway on the wire, figures only: wrk against bench_upstream direct,
# through nginx and through aigate, then thousands of open streams
# (bench/gateway/run.sh; docs/benchmarks.md, "Gateway"). Installs wrk and
# nginx-light when missing. Not part of `make test`.
bench-gateway: build
	cmake --build $(BUILD)/release --target bench_upstream -j $(JOBS)
	AIGATE_CACHE_DIR=$(CACHE) bench/gateway/run.sh $(BUILD)/release/aigate \
	  $(BUILD)/release/bench/bench_upstream

# A default `aigate assess` run against the deterministic local test model,
# timed (bench/assess/run.sh; docs/benchmarks.md, "Assessment"). Figures
# only; not part of `make test`.
bench-assess: build
	AIGATE_CACHE_DIR=$(CACHE) bench/assess/run.sh $(BUILD)/release/aigate

# The shipped classifier (models/injection.bin, embedded into the
# library at the next build), rebuilt from the shared data and the
# project's corpus of real code (models/corpus) with the trainer's
# defaults and seed 1: the same data give the same bytes.
DATASETS ?= ../shared/datasets
model: build
	$(BUILD)/release/aigate train $(DATASETS)/train.jsonl \
	  models/corpus/code.jsonl --seed 1 -o models/injection.bin
	cmake --build $(BUILD)/release -j $(JOBS)

# Classifier figures (cost per 2 KB prompt, model load, memory).
bench-classifier: build
	cmake --build $(BUILD)/release --target bench_classifier -j $(JOBS)
	$(BUILD)/release/bench/bench_classifier $(BENCH_PROMPTS)

# The supply-chain audit on a generated corpus of realistic size: import
# of 60,000 OSV records, audit of 2,000 installed packages and a
# 10,000-entry lockfile (bench/audit/run.sh; docs/benchmarks.md). Figures
# only; not part of `make test`.
bench-audit: build
	bench/audit/run.sh $(BUILD)/release/aigate

format:
	clang-format -i include/aigate/*.h src/lib/*.[ch] src/cli/*.[ch] src/gateway/*.[ch] \
	  src/store/*.[ch] src/assess/*.[ch] src/supply/*.[ch] \
	  tests/unit/*.c tests/fuzz/*.c bench/*.c

install: build
	cmake --install $(BUILD)/release

clean:
	rm -rf $(BUILD)
