# LossLab: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/losslab
APT_PACKAGES := libopenblas-dev pkg-config espeak-ng

.PHONY: deps build test demo bench format clean protos check-ecosystem fuzz fuzz-ci test-faults test-tsan

# System dependencies: installed with apt-get only when missing.
deps:
	@if ! (command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas \
	       && command -v espeak-ng >/dev/null 2>&1); then \
	  echo "make: installing $(APT_PACKAGES) (OpenBLAS or espeak-ng missing)"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build -c release --product losslab

# Release build with testability: numeric tests are 10-50x slower in debug.
# One OpenBLAS thread by default in the test process (as in every losslab command): BLAS's
# thread count is process-wide, and results that compare two runs bit for bit must not see it
# change under them while tests run in parallel.
test: deps
	OPENBLAS_NUM_THREADS=1 $(SWIFT) test -c release -Xswiftc -enable-testing

demo: build
	$(BIN) rl train --env cartpole --seed 0 --steps 100000 --out runs/cartpole-ppo --overwrite
	$(BIN) rl eval runs/cartpole-ppo --episodes 100

bench: build
	$(BIN) bench tensor --json
	$(BIN) bench ppo --json

# Python-side checks that the ecosystem's own tools read LossLab's files (scripts/*.py). Installs
# the Python packages with pip; each script prints SKIPPED (never PASS) when its packages are
# missing.
PYTHON ?= python3
PY_PACKAGES := tensorboard onnx onnxruntime
# Built with the test build's flags, so after `make test` nothing is compiled again.
check-ecosystem: deps
	$(SWIFT) build -c release -Xswiftc -enable-testing --product losslab
	-$(PYTHON) -m pip install -q $(PY_PACKAGES)
	rm -rf .build/check-ecosystem
	$(BIN) rl train --env cartpole --seed 0 --steps 4096 --out .build/check-ecosystem/ppo
	$(PYTHON) scripts/check_tensorboard.py .build/check-ecosystem/ppo
	$(BIN) rl export .build/check-ecosystem/ppo --onnx .build/check-ecosystem/policy.onnx \
	  --reference-inputs 1000 --reference-out .build/check-ecosystem/policy-reference.json
	$(PYTHON) scripts/check_onnx.py .build/check-ecosystem/policy.onnx \
	  .build/check-ecosystem/policy-reference.json

# Regenerates the committed swift-protobuf code from the .proto files (needs protoc from the
# protobuf-compiler package and protoc-gen-swift built from swift-protobuf 1.39.0 on PATH).
protos:
	protoc --swift_out=Sources/TensorBoard --swift_opt=Visibility=Public \
	  --proto_path=Sources/TensorBoard Sources/TensorBoard/tensorboard.proto
	protoc --swift_out=Sources/ONNX --swift_opt=Visibility=Public \
	  --proto_path=Sources/ONNX Sources/ONNX/onnx.proto

# Reliability (docs/reliability.md). libFuzzer harnesses for every parser (scripts/fuzz), each run
# for FUZZ_SECONDS; fuzz-ci runs each for 30 s. Findings land in .build/fuzz/crashes/.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz/run.sh
fuzz-ci: deps
	FUZZ_SECONDS=30 scripts/fuzz/run.sh

# SIGKILL at random moments (20 per trainer) and a full disk (tmpfs; SKIPPED when not root):
# every run resumes to the uninterrupted run's metrics and weights.
test-faults: deps
	$(SWIFT) build -c release -Xswiftc -enable-testing --product losslab
	$(PYTHON) scripts/test_faults.py --bin $(BIN)

# The parallel parts under the thread sanitizer (debug build in its own scratch folder).
TSAN_FILTER := VectorEnvironmentTests|CompareTests|CTCLossTests|ProgressBarTests|InterruptTests|BLEUStatisticsTests|FeaturesTests
test-tsan: deps
	OPENBLAS_NUM_THREADS=1 $(SWIFT) test --sanitize=thread --scratch-path .build/tsan --filter '$(TSAN_FILTER)'

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
