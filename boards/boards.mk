# boards.mk: bitstreams and programming, included by the top Makefile (`include boards/boards.mk`).
# The board table is boards/boards.tsv; the flow is boards/flow.sh.
BOARD ?= ulx3s-85f

.PHONY: synth prog synth-all boards board-lint board-test virtual-board virtual-board-real report postsynth

synth: ## Bitstream build/$(BOARD)/flimgru.bit (BOARD=..., see `make boards`)
	@boards/flow.sh synth $(BOARD)

prog: ## Program the board: openFPGALoader (BOARD=...)
	@boards/flow.sh prog $(BOARD)

synth-all: ## Bitstreams for every board of boards/boards.tsv
	@set -e; for b in $$(boards/flow.sh list); do boards/flow.sh synth $$b; done

boards: ## List the board names
	@boards/flow.sh list

# The board shell with the stand-in core: boards/ tops, the link (rtl/link/), the building blocks
# (rtl/lib/).
BOARD_RTL := boards/board_top.v boards/standin_core.v $(wildcard rtl/link/*.v rtl/lib/*.v)

board-lint: ## Lint the board shell (Verilator -Wall, Icarus) and run the Icarus UART test
	@verilator --lint-only -Wall -DFLIMGRU_ASSERT -Irtl/link --top-module board_top $(BOARD_RTL)
	@mkdir -p $(BUILD)
	@iverilog -g2005 -Wall -Irtl/link -s board_top -o $(BUILD)/board_top.vvp $(BOARD_RTL)
	@iverilog -g2005 -Wall -Irtl/link -o $(BUILD)/tb_uart.vvp sim/board/tb_uart.v rtl/link/uart_tx.v rtl/link/uart_rx.v
	@vvp -n $(BUILD)/tb_uart.vvp | grep -E "PASS|FAIL"

board-test: tools ## The virtual-board tests (verilated board_top through its UART)
	@$(CMAKE_DIR)/sim/board/flimgru_board_tests --gtest_brief=1

virtual-board: tools ## Run the virtual board on a pty (prints the path; Ctrl-C stops it)
	@$(CMAKE_DIR)/sim/board/flimgru_virtual_board --link $(BUILD)/ttyFLIM

virtual-board-real: tools ## The virtual board with the real core and the default model, on a pty
	@$(CMAKE_DIR)/sim/board/flimgru_virtual_board_real --link $(BUILD)/ttyFLIM

report: tools ## docs/fpga.md: per-board resources, Fmax, TPSF/s, fps from the build reports (make synth first)
	@$(FLIMGRU) fpga-report --root . -o docs/fpga.md

postsynth: tools ## Post-synthesis simulation: synth_ecp5 netlist of a small core in Icarus, bit-exact check
	@sim/postsynth.sh 2 1 16 8
