# Tau: the two commands of the README, plus the developer's helpers.
#   make demo   set up, build in release, run the main job
#   make test   set up, run the test suite
SYSTEM_PACKAGES := libreadline-dev libopenblas-dev liblapacke-dev pkg-config
SWIFT ?= swift
TAU := .build/release/tau
# Release builds use the vector units of the machine they run on when it has AVX2 and FMA
# (x86-64 since 2013): 8-wide instead of SSE2's 4-wide loops, about 13 % off a training step.
CPU_FLAGS := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo && echo "-Xswiftc -target-cpu -Xswiftc haswell")

.PHONY: demo test setup build bench sweep-check format lint clean

demo: setup build
	$(TAU) run examples/quickstart.tau

test: setup
	$(SWIFT) test

build: setup
	$(SWIFT) build -c release $(CPU_FLAGS)

# The benchmark figures of docs/PERFORMANCE.md: Tau, then the C/OpenBLAS references.
bench: build
	$(TAU) bench
	bash Benchmarks/reference/run.sh

# Two shards of a small sweep under GNU parallel, merged, against the unsharded run (CI runs it).
sweep-check: setup
	@$(MAKE) --no-print-directory setup SYSTEM_PACKAGES=parallel
	$(SWIFT) build --product tau
	bash Tests/Sweeps/check.sh .build/debug/tau

# Installs the Debian packages that are missing (apt-get as root; otherwise says what to install).
setup:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Tau needs these Debian packages:$$missing"; \
	    echo "install them with: sudo apt-get install$$missing"; \
	    exit 1; \
	  fi; \
	fi

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

clean:
	rm -rf .build Benchmarks/reference/bin

# Fuzzing (docs/RELIABILITY.md): libFuzzer over the lexer, parser, checker and the two tensor file
# readers, SECONDS split evenly between FUZZ_TARGETS. A package of its own (Fuzz/) with its own
# build folder, so `swift build` and `swift test` never compile it. Inputs that find new code are
# kept in .build-fuzz/corpus/<target>; a crash leaves its input in .build-fuzz/crashes/<target>/.
SECONDS ?= 300
FUZZ_TARGETS ?= lexer parser checker npy safetensors
FUZZ_BIN := .build-fuzz/release/TauFuzz

.PHONY: fuzz fuzz-build

fuzz-build:
	$(SWIFT) build --package-path Fuzz --scratch-path .build-fuzz -c release \
	  -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld

fuzz: fuzz-build
	@per=$$(( $(SECONDS) / $(words $(FUZZ_TARGETS)) )); status=0; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$t .build-fuzz/crashes/$$t; \
	  case $$t in lexer|parser|checker) dict=-dict=Fuzz/tau.dict;; *) dict=;; esac; \
	  echo "== fuzz $$t for $$per s"; \
	  SWIFT_BACKTRACE=enable=no TAU_FUZZ_TARGET=$$t $(FUZZ_BIN) .build-fuzz/corpus/$$t Fuzz/corpus/$$t $$dict \
	    -max_total_time=$$per -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	    -artifact_prefix=.build-fuzz/crashes/$$t/ -print_final_stats=1 \
	    > .build-fuzz/$$t.log 2>&1 || status=1; \
	  grep -E "^#[0-9]+[[:space:]]+DONE|^Done|stat::new_units|stat::slowest|ERROR|Test unit written" \
	    .build-fuzz/$$t.log || true; \
	done; exit $$status
