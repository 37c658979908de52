# flimgru: one command per intent. `make help` lists them.
SHELL := /bin/bash
BUILD := build
JOBS  ?= $(shell nproc)
CMAKE_DIR := $(BUILD)/cmake
FLIMGRU := $(BUILD)/flimgru
TESTS := $(CMAKE_DIR)/flimgru_tests
RTL_DEFAULT_TESTS := $(CMAKE_DIR)/sim/flimgru_rtl_default_tests

.PHONY: all help deps tools test regress sim lint formal coverage bench clean weights results

all: tools ## The main job: ROMs of the default model, a 32x32 image through the RTL (bit-exact check), the default board's bitstream, a summary
	@scripts/main-job.sh $(BOARD)

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:[^#]*## /\t/' | column -t -s $$'\t'

deps: $(BUILD)/.deps-ok ## Install missing dependencies (idempotent)
$(BUILD)/.deps-ok: scripts/install-deps.sh
	@scripts/install-deps.sh --fpga

$(CMAKE_DIR)/Makefile: CMakeLists.txt | $(BUILD)/.deps-ok
	@cmake -S . -B $(CMAKE_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null

tools: $(CMAKE_DIR)/Makefile ## Build build/flimgru and the test binaries
	@cmake --build $(CMAKE_DIR) -j $(JOBS) -- --no-print-directory

test: tools ## The quick test suite (GoogleTest; Yosys check of a small core: cell counts, no latches)
	@set -o pipefail; ASSERT=1 sim/synth_check.sh 1 1 16 8 3 2>/dev/null | tail -1
	@scripts/run-tests.sh $(TESTS) $(CMAKE_DIR)/sim/flimgru_rtl_tests $(RTL_DEFAULT_TESTS) \
	  $(CMAKE_DIR)/sim/board/flimgru_board_tests $(CMAKE_DIR)/sim/board/flimgru_real_board_tests \
	  $(CMAKE_DIR)/sim/board/flimgru_irf_board_tests $(CMAKE_DIR)/sim/flimgru_frontend_tests

regress: tools ## test, post-synthesis simulation, every board's core, the default core's long regression, random initial values, the formal proofs, the default board's timing margin
	@$(MAKE) --no-print-directory test
	@set -o pipefail; sim/postsynth.sh 2 1 16 8 3 2>/dev/null | tail -1
	@set -o pipefail; sim/postsynth.sh 1 1 32 20 2>/dev/null | tail -1
	@set -eo pipefail; for c in $$(awk '!/^#/ && NF {print $$10 "_" $$11 "_" ($$19 == "" ? 0 : $$19)}' boards/boards.tsv | sort -u); do \
	  IFS=_ read -r lanes rows lut <<<"$$c"; ASSERT=1 sim/synth_check.sh $$lanes 1 32 $$rows $$lut 2>/dev/null | tail -1; done
	@echo "== long regression of the default model's core and of the front end with it on both hazelnut files (seed: REGRESS_SEED=$${REGRESS_SEED:-random, printed per case}) =="
	@start=$$(date +%s); REGRESS=1 GTEST_FLAGS="--gtest_filter=RtlRegress.*:FrontendCore.HazelnutFiles*" scripts/run-tests.sh $(RTL_DEFAULT_TESTS); \
	  rc=$$?; echo "regress: $$(( $$(date +%s) - start )) s"; exit $$rc
	@echo "== the RTL tests from random initial register and memory contents (--x-initial unique, 3 seeds) =="
	@scripts/rtl-verify.sh x-unique 1 2 3
	@echo "== the SymbiYosys proofs of the interface modules (make formal) =="
	@sim/formal/run.sh
	@echo "== $(BOARD): place and route with the default model; fails unless Fmax beats the clock by 8% =="
	@MIN_MARGIN=8 OUT_DIR=$(BUILD)/regress/$(BOARD) boards/flow.sh synth $(BOARD) && grep "Fmax" $(BUILD)/regress/$(BOARD)/summary.txt

sim: tools ## One short simulation of the default model's core (TRACE=1 writes build/sim/flimgru_default.fst)
	@mkdir -p $(BUILD)/sim
	@$(CMAKE_DIR)/sim/flimgru_rtl_bench --sim $(if $(filter 1,$(TRACE)),--trace $(abspath $(BUILD))/sim/flimgru_default.fst)

bench: tools ## Throughput tables (simulator, inference, RTL cycles per TPSF, training samples/s, the default board end to end)
	@$(FLIMGRU) bench
	@$(CMAKE_DIR)/sim/flimgru_rtl_bench
	@echo; $(CMAKE_DIR)/sim/flimgru_chip_bench
	@echo; $(CMAKE_DIR)/bench_frontend_accuracy
	@echo; echo "Training throughput (bench/bench_train.cpp, batch 256, fwd + bwd + Adam):"
	@$(CMAKE_DIR)/bench_train
	@echo; cmake --build $(CMAKE_DIR) -j $(JOBS) --target flimgru_board_bench flimgru_photon_board_bench -- --no-print-directory >/dev/null
	@$(CMAKE_DIR)/sim/board/flimgru_board_bench
	@echo; $(CMAKE_DIR)/sim/board/flimgru_photon_board_bench

weights: tools ## Retrain the shipped models (hours; resumable; never run by CI)
	@scripts/make-weights.sh

results: tools ## docs/results.md: evaluate every shipped model on the held-out test set (MODELS="a b": only those, reusing the other reports)
	@scripts/make-results.sh $(MODELS)

lint: $(CMAKE_DIR)/Makefile ## Verilator (-Wall) and Icarus lint of the core and the board shell
	@sim/lint.sh $(CMAKE_DIR)/sim/params_l2p12
	@$(MAKE) --no-print-directory board-lint

coverage: tools ## docs/coverage.md: line, branch and toggle coverage of rtl/ over the RTL and board tests (a build of its own)
	@scripts/rtl-verify.sh coverage

formal: ## SymbiYosys proofs of the interface modules (sim/formal/*.sby; work dirs in build/formal)
	@sim/formal/run.sh

clean: ## Remove build output
	rm -rf $(BUILD)
include boards/boards.mk
