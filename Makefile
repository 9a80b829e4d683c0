# LossLab: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/losslab
APT_PACKAGES := libopenblas-dev pkg-config espeak-ng

.PHONY: deps build test demo bench format clean protos check-ecosystem check-rliable rliable-fixtures

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
	$(MAKE) check-rliable

# rliable (Agarwal et al. 2021) on fixed score matrices: check-rliable recomputes the point
# estimates and compares them with the committed Tests/Fixtures/rliable/rliable.json (fast);
# rliable-fixtures records the fixture again, bootstrap CIs included (4,000 resamples, minutes).
# rliable 1.2 needs arch < 8, whose releases before 8 need pandas < 3.
RLIABLE_PACKAGES := rliable "arch<8" "pandas<3" scipy numpy
check-rliable:
	-$(PYTHON) -m pip install -q $(RLIABLE_PACKAGES)
	$(PYTHON) scripts/rliable_fixtures.py --check

rliable-fixtures:
	-$(PYTHON) -m pip install -q $(RLIABLE_PACKAGES)
	$(PYTHON) scripts/rliable_fixtures.py

# Regenerates the committed swift-protobuf code from the .proto files (needs protoc from the
# protobuf-compiler package and protoc-gen-swift built from swift-protobuf 1.39.0 on PATH).
protos:
	protoc --swift_out=Sources/TensorBoard --swift_opt=Visibility=Public \
	  --proto_path=Sources/TensorBoard Sources/TensorBoard/tensorboard.proto
	protoc --swift_out=Sources/ONNX --swift_opt=Visibility=Public \
	  --proto_path=Sources/ONNX Sources/ONNX/onnx.proto

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
