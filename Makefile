# LossLab: the two quick-start commands are `make demo` and `make test`.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BIN := .build/release/losslab
APT_PACKAGES := libopenblas-dev pkg-config espeak-ng zlib1g-dev
# Bible corpus (`losslab mrt data bible`, docs/bible.md): SWORD modules, installed only by `make bible-data`.
SWORD_PACKAGES := sword-text-sparv sword-text-kjv sword-text-web

.PHONY: deps build test demo bench bench-peers format clean protos check-ecosystem test-slurm sb3-classic tpe-reference jiwer-fixtures decoder-wer flashlight-fixtures bench-ctc-decode check-rliable rliable-fixtures fuzz fuzz-ci test-faults test-tsan bible-data ztext-fixture

# System dependencies: installed with apt-get only when missing.
deps:
	@if ! (command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openblas zlib \
	       && command -v espeak-ng >/dev/null 2>&1); then \
	  echo "make: installing $(APT_PACKAGES) (OpenBLAS, zlib or espeak-ng missing)"; \
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

# PPO peers on this machine in the same sitting (BENCHMARKS.md): SB3 with one torch thread and a
# PureJaxRL-style JAX PPO on gymnax, both on one core; prints SKIPPED when packages are missing.
bench-peers: build
	taskset -c 0 $(BIN) bench ppo --json --eval-every 0
	taskset -c 0 python3 scripts/bench_peers.py

# Python-side checks that the ecosystem's own tools read LossLab's files (scripts/*.py). Installs
# the Python packages with pip (a failed install does not fail the target: each script then prints
# SKIPPED, never PASS); stable-baselines3 pulls in torch, a large download, installed on its own so
# that its failure leaves the others. Trains tiny PPO, CTC and MLE/MRT runs (about a minute).
PYTHON ?= python3
PY_PACKAGES := tensorboard onnx onnxruntime safetensors numpy
PY_SB3_PACKAGES := stable-baselines3
ECO := .build/check-ecosystem
# Built with the test build's flags, so after `make test` nothing is compiled again.
check-ecosystem: deps
	$(SWIFT) build -c release -Xswiftc -enable-testing --product losslab
	-$(PYTHON) -m pip install -q $(PY_PACKAGES)
	-$(PYTHON) -c "import stable_baselines3" 2>/dev/null || $(PYTHON) -m pip install -q $(PY_SB3_PACKAGES)
	rm -rf $(ECO)
	$(BIN) rl train --env cartpole --seed 0 --steps 4096 --set normalize=true --out $(ECO)/ppo
	$(PYTHON) scripts/check_tensorboard.py $(ECO)/ppo
	$(BIN) rl export $(ECO)/ppo --onnx $(ECO)/policy.onnx --sb3 $(ECO)/sb3 \
	  --reference-inputs 1000 --reference-out $(ECO)/policy-reference.json
	$(PYTHON) scripts/check_onnx.py $(ECO)/policy.onnx $(ECO)/policy-reference.json
	$(PYTHON) scripts/check_sb3.py $(ECO)/sb3 $(ECO)/policy-reference.json
	$(BIN) rl train --env pendulum --seed 0 --steps 4096 --out $(ECO)/pendulum
	$(BIN) rl export $(ECO)/pendulum --onnx $(ECO)/pendulum.onnx --sb3 $(ECO)/pendulum-sb3 \
	  --reference-inputs 1000 --reference-out $(ECO)/pendulum-reference.json
	$(PYTHON) scripts/check_onnx.py $(ECO)/pendulum.onnx $(ECO)/pendulum-reference.json
	$(PYTHON) scripts/check_sb3.py $(ECO)/pendulum-sb3 $(ECO)/pendulum-reference.json
	$(BIN) ctc synth --out $(ECO)/speech --utterances 40 --seed 1 --max-words 3 --speakers 9 \
	  --held-out-speakers 2 >/dev/null
	$(BIN) ctc train --data $(ECO)/speech --out $(ECO)/ctc --epochs 1 --hidden 16 --frontend 16 \
	  --layers 2 --batch-size 4
	$(BIN) ctc export $(ECO)/ctc --onnx $(ECO)/ctc.onnx --data $(ECO)/speech --split test \
	  --reference-utterances 4 --reference-out $(ECO)/ctc-reference.json
	$(PYTHON) scripts/check_onnx_ctc.py $(ECO)/ctc.onnx $(ECO)/ctc-reference.json
	$(BIN) mrt data --out $(ECO)/toy-mt --train 200 --dev 20 --test 20 >/dev/null
	$(BIN) mrt train --data $(ECO)/toy-mt --out $(ECO)/mle --max-steps 20 --eval-every 10 \
	  --embedding 8 --hidden 16 --batch-size 16 --dev-sentences 20 --quiet
	$(BIN) mrt train --data $(ECO)/toy-mt --init $(ECO)/mle --objective risk --out $(ECO)/mrt \
	  --max-steps 4 --eval-every 2 --samples 4 --sources-per-step 2 --dev-sentences 20 --quiet
	$(PYTHON) scripts/check_safetensors.py $(ECO)/ppo $(ECO)/pendulum $(ECO)/ctc $(ECO)/mle $(ECO)/mrt
	$(MAKE) check-rliable

# Records Optuna's TPE Parzen estimator on fixed inputs (Tests/Fixtures/sweep/tpe_reference.json,
# read by TPEReferenceTests); prints SKIPPED when optuna is missing.
tpe-reference:
	-$(PYTHON) -m pip install -q optuna
	$(PYTHON) scripts/tpe_reference.py

# `rl compare --executor slurm` against a real one-node Slurm (installs slurm-wlm and munge with
# apt-get, starts the daemons, stops them by PID); prints SKIPPED without root or apt.
test-slurm: deps
	$(SWIFT) build -c release -Xswiftc -enable-testing --product losslab
	scripts/test_slurm.sh

# SB3 PPO with the RL Zoo presets on the classic-control envs (docs/continuous.md's comparison;
# needs stable-baselines3, gymnasium, torch: prints SKIPPED without them). SB3_ENV=Pendulum-v1 etc.
SB3_ENV ?= MountainCarContinuous-v0
sb3-classic:
	OMP_NUM_THREADS=1 $(PYTHON) scripts/sb3_classic_control.py $(SB3_ENV) --seeds 0 1 2 3 4 --episodes 100

# Re-records Tests/Fixtures/error_rates/jiwer.json with jiwer (prints SKIPPED without it).
jiwer-fixtures:
	-$(PYTHON) -m pip install -q jiwer
	$(PYTHON) scripts/jiwer_fixtures.py Tests/Fixtures/error_rates/jiwer.json

# WER/CER of the lexicon / n-gram decoders on the decoder fixture's emissions (docs/ctc.md).
decoder-wer: deps
	$(SWIFT) build -c release -Xswiftc -enable-testing --product losslab
	-$(PYTHON) -m pip install -q jiwer
	$(PYTHON) scripts/decoder_fixture_wer.py $(BIN)

# LossLab's CTC beam decoders beside flashlight-text's (torchaudio's backend) on the decoder
# fixture: utterances/s and real-time factor at beam sizes 1-100, identical outputs checked.
bench-ctc-decode: deps
	$(SWIFT) build -c release -Xswiftc -enable-testing --product losslab
	-$(PYTHON) -m pip install -q flashlight-text numpy
	$(PYTHON) scripts/bench_ctc_decode.py $(BIN)

# Re-records Tests/Fixtures/ctc_decoder_modes/cases.json with flashlight-text (SKIPPED without it).
flashlight-fixtures:
	-$(PYTHON) -m pip install -q flashlight-text numpy
	$(PYTHON) scripts/flashlight_decoder_fixtures.py Tests/Fixtures/ctc_decoder_modes/cases.json

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

# Spanish-English Bible corpus in data/bible (docs/bible.md); installs the SWORD modules first.
bible-data: build
	@if [ ! -f /usr/share/sword/mods.d/spaRV1909eb.conf ] || [ ! -f /usr/share/sword/mods.d/engKJV2006eb.conf ] \
	    || [ ! -f /usr/share/sword/mods.d/engWEB2015eb.conf ]; then \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SWORD_PACKAGES); fi
	$(BIN) mrt data bible --out data/bible

# Rewrites the tiny hand-made zText library Tests/Fixtures/sword (standard-library Python only).
ztext-fixture:
	$(PYTHON) scripts/make_ztext_fixture.py

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
TSAN_FILTER := VectorEnvironmentTests|ContinuousVectorTests|CompareTests|CTCLossTests|ProgressBarTests|InterruptTests|BLEUStatisticsTests|FeaturesTests|SpeechTests|HostilePresetTests|SweepStudyTests
test-tsan: deps
	OPENBLAS_NUM_THREADS=1 $(SWIFT) test --sanitize=thread --scratch-path .build/tsan --filter '$(TSAN_FILTER)'

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
