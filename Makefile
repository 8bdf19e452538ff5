# Sweep: build, test, benchmark. `make test` installs what is missing first.
SHELL := /bin/bash
SWIFT ?= swift
DEBS := libzmq3-dev libopenblas-dev zlib1g-dev libsqlite3-dev pkg-config dataset-fashion-mnist iproute2 nftables shellcheck chromium chromium-driver
MAX_FILE_LINES := 600

.PHONY: deps build release static test lint bench bench-hosts size clean demo

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# The process-level tests drive the cluster from Python with pyzmq (the product never needs Python).
	@python3 -c 'import zmq, jsonschema, yaml' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check pyzmq jsonschema pyyaml

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The binaries of deploy/container: the Swift runtime linked in, only C libraries needed to run.
static: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --product coordinator
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --product worker
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --product sweep
	@for b in coordinator worker sweep; do \
	  if ldd .build-static/release/$$b | grep -q libswift; then echo "$$b links the Swift runtime dynamically" >&2; exit 1; fi; \
	done; echo "static-stdlib binaries in .build-static/release: coordinator worker sweep"

# Unit and in-process tests, then the process-level cluster tests on the debug binaries
# (loopback, then several hosts in network namespaces when run as root), then lint.
test: deps
	$(SWIFT) build
	$(SWIFT) test
	python3 -m unittest discover -s Tests/cluster -v
	python3 -m unittest discover -s clients/python/tests -v
	@# The client installs as a user installs it (into a scratch folder, not the system).
	@scratch=$$(mktemp -d) && python3 -m pip install -q --no-deps --target $$scratch ./clients/python && \
	  PYTHONPATH=$$scratch python3 -c 'import sweep, sweep.command; print("pip install ./clients/python: ok")' && rm -rf $$scratch clients/python/build clients/python/*.egg-info
	$(MAKE) lint

# Every shell script, checked.
lint:
	shellcheck .ci/run scripts/*.sh $$(find deploy -name '*.sh' -o -name '*.sbatch')

bench: deps
	$(SWIFT) build -c release --product sweep-bench
	$(SWIFT) build -c release --product coordinator
	$(SWIFT) build -c release --product sweep
	.build/release/sweep-bench $(SUITES)

# The cluster benchmark with CURVE across network namespaces (root).
bench-hosts: deps
	$(SWIFT) build -c release --product sweep-bench
	$(SWIFT) build -c release --product coordinator
	deploy/netns/bench.sh

# The main job: a real Fashion-MNIST study on a loopback cluster (a coordinator, two workers,
# sweep submit and leaderboard --follow), then the best configuration and its test accuracy.
demo: deps
	$(SWIFT) build -c release --product sweep
	$(SWIFT) build -c release --product coordinator
	$(SWIFT) build -c release --product worker
	scripts/demo.sh examples/fashion-mnist-mlp.yaml

size:
	@fail=0; \
	for d in Sources/*/; do \
	  n=$$(find $$d -name '*.swift' -exec cat {} + 2>/dev/null | wc -l); \
	  printf '%-14s %6d lines\n' "$$(basename $$d)" "$$n"; \
	done; \
	while IFS= read -r f; do \
	  n=$$(wc -l < "$$f"); \
	  if [ "$$n" -gt $(MAX_FILE_LINES) ]; then echo "too long: $$f has $$n lines (max $(MAX_FILE_LINES))"; fail=1; fi; \
	done < <(find Sources -type f \( -name '*.swift' -o -name '*.c' -o -name '*.h' \)); \
	exit $$fail

clean:
	rm -rf .build .build-*
