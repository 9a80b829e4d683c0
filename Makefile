# LossLab: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/losslab
APT_PACKAGES := libopenblas-dev pkg-config espeak-ng

.PHONY: deps build test demo bench format clean

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
test: deps
	$(SWIFT) test -c release -Xswiftc -enable-testing

demo: build
	$(BIN) rl train --env cartpole --seed 0 --steps 100000 --out runs/cartpole-ppo
	$(BIN) rl eval runs/cartpole-ppo --episodes 100

bench: build
	$(BIN) bench tensor --json
	$(BIN) bench ppo --json

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
