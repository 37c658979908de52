# boards.mk: bitstreams and programming, included by the top Makefile (`include boards/boards.mk`).
# The board table is boards/boards.tsv; the flow is boards/flow.sh.
BOARD ?= ulx3s-25f

.PHONY: synth prog synth-all boards

synth: ## Bitstream build/$(BOARD)/flimgru.bit (BOARD=..., see `make boards`)
	@boards/flow.sh synth $(BOARD)

prog: ## Program the board: openFPGALoader (BOARD=...)
	@boards/flow.sh prog $(BOARD)

synth-all: ## Bitstreams for every board of boards/boards.tsv
	@set -e; for b in $$(boards/flow.sh list); do boards/flow.sh synth $$b; done

boards: ## List the board names
	@boards/flow.sh list
