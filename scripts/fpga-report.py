#!/usr/bin/env python3
"""fpga-report: docs/fpga.md from the board builds (make report).

Per board of boards/boards.tsv with a build/<board>/report.json (make synth BOARD=...): resources
used/available and Fmax achieved vs constraint (nextpnr's report), the core configuration, the
cycles per TPSF of docs/architecture.md ("Exact cycle count") for the board's LANES/MAC_ROWS and
the model in build/<board>/rom/model_params.vh, TPSF/s at the constraint clock, frames per second
for three image sizes, and the UART limit (1440 bit times per TPSF frame, docs/protocol.md §5).
Nothing here is typed in: every figure comes from the files named above.
"""
import datetime
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = 135
UART_BITS_PER_TPSF = 144 * 10  # 0x00 + COBS(4 + 135 + 2) + 0x00 = 144 bytes, 8N1
IMAGES = [(32, 32), (128, 128), (484, 250)]


def boards():
    rows = []
    for line in open(os.path.join(ROOT, "boards/boards.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        f = line.split()
        rows.append(dict(board=f[0], device=f[1], pkg=f[2], speed=f[3], clk_mhz=float(f[5]),
                         pll_mhz=float(f[6]), baud=int(f[7]), lanes=int(f[9]), mac_rows=int(f[10])))
    return rows


def model_params(path):
    p = {}
    for m in re.finditer(r"localparam integer (\w+) = (-?\d+);", open(path).read()):
        p[m.group(1)] = int(m.group(2))
    return p


def drain(K, H, P, G):
    worst = max((((3 * j + 2) // P) + 1) * K + 13 + ((3 * j + 2) % P) - j for j in range(H))
    return max(0, worst - G * K)


def batch_cycles(H, L, P):
    G = -(-3 * H // P)
    c = G * (1 + H) + drain(1 + H, H, P, G) + G * H + drain(H, H, P, G)
    c += (L - 1) * 2 * (G * 2 * H + drain(2 * H, H, P, G))
    return STEPS * c


def self_check():
    # The rows of docs/architecture.md's table (checked there against the RTL simulation).
    for H, L, P, lanes, want in [(32, 1, 12, 2, 70200), (16, 2, 8, 3, 81270), (32, 1, 20, 1, 43875),
                                 (32, 1, 16, 6, 52650), (32, 1, 32, 4, 29835)]:
        got = batch_cycles(H, L, P)
        assert got == want, f"cycle formula: H{H} L{L} P{P}: {got} != {want}"


def fmt_int(v):
    return f"{v:,}".replace(",", " ")


def main():
    self_check()
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs/fpga.md")
    res_rows, perf_rows, missing = [], [], []
    for b in boards():
        d = os.path.join(ROOT, "build", b["board"])
        rep_path = os.path.join(d, "report.json")
        vh = os.path.join(d, "rom", "model_params.vh")
        if not os.path.exists(rep_path) or not os.path.exists(vh):
            missing.append(b["board"])
            continue
        rep = json.load(open(rep_path))
        util = rep.get("utilization", {})
        if b["device"] == "--12k":  # nextpnr places the 12F on the 25K die; flow.sh enforces these
            for k, v in {"TRELLIS_COMB": 12288, "DP16KD": 32, "MULT18X18D": 28}.items():
                if k in util:
                    util[k]["available"] = v
        fmax = rep.get("fmax", {})
        # The system clock: the constrained clock domain (the only one with the PLL).
        clk = max(fmax.values(), key=lambda f: f["constraint"]) if fmax else None
        mp = model_params(vh)
        H, L, P = mp["H"], mp["L"], mp["MAC_ROWS"]
        lanes = b["lanes"]
        bc = batch_cycles(H, L, P)
        cyc = bc / lanes
        u = lambda k: f"{util[k]['used']} / {util[k]['available']}" if k in util else "-"
        ok = clk and clk["achieved"] >= clk["constraint"]
        res_rows.append(
            f"| {b['board']} | {b['device'].lstrip('-')} -{b['speed']} | {lanes} x {P} | {u('TRELLIS_COMB')} | "
            f"{u('TRELLIS_FF')} | {u('MULT18X18D')} | {u('DP16KD')} | "
            + (f"{clk['achieved']:.1f} / {clk['constraint']:.1f} {'ok' if ok else '**FAIL**'}" if clk else "-")
            + " |")
        f_hz = clk["constraint"] * 1e6 if clk else b["pll_mhz"] * 1e6
        tpsf_s = f_hz / cyc
        uart = b["baud"] / UART_BITS_PER_TPSF
        eff = min(tpsf_s, uart)
        fps = " | ".join(f"{tpsf_s / (w * h):.3g} ({eff / (w * h):.3g})" for w, h in IMAGES)
        perf_rows.append(
            f"| {b['board']} | H{H} L{L} | {fmt_int(bc)} | {fmt_int(round(cyc))} | {f_hz / 1e6:.1f} | "
            f"{fmt_int(round(tpsf_s))} | {b['baud'] / 1e6:g} M | {fmt_int(round(uart))} | {fps} |")
    # Other attempts at a board: build/<board>-*/ (flow.sh OUT_DIR=..., e.g. another PLL_MHZ).
    attempts = []
    import glob
    for b in boards():
        for d in sorted(glob.glob(os.path.join(ROOT, "build", b["board"] + "-*"))):
            rp, lp = os.path.join(d, "report.json"), os.path.join(d, "nextpnr.log")
            name = os.path.relpath(d, ROOT)
            if os.path.exists(rp):
                for clk, f in json.load(open(rp)).get("fmax", {}).items():
                    ok = "met" if f["achieved"] >= f["constraint"] else "not met"
                    attempts.append(f"| {name} | {f['constraint']:.1f} | {f['achieved']:.1f} | routed, timing {ok} |")
            elif os.path.exists(lp):
                est = re.findall(r"Max frequency for clock '[^']*': ([0-9.]+) MHz \((?:FAIL|PASS) at ([0-9.]+) MHz\)",
                                 open(lp).read())
                if est:
                    attempts.append(f"| {name} | {float(est[-1][1]):.1f} | {float(est[-1][0]):.1f} | "
                                    "stopped before routing finished: nextpnr's post-placement estimate |")
    when = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    img_hdr = " | ".join(f"fps {w}x{h}" for w, h in IMAGES)
    lines = [
        "# flimgru on FPGA boards",
        "",
        f"Generated by `make report` (scripts/fpga-report.py) on {when} from `build/<board>/report.json`",
        "(nextpnr-ecp5), `build/<board>/rom/model_params.vh` (the model built into the bitstream) and",
        "`boards/boards.tsv`. Rebuild a row with `make synth BOARD=<board>`, then `make report`.",
        "",
        "## Resources and timing (nextpnr-ecp5, placed and routed with the board's pins)",
        "",
        "| board | device | lanes x MAC rows | LUT4 | FF | MULT18X18D | DP16KD | Fmax achieved / constraint (MHz) |",
        "|---|---|---|---|---|---|---|---|",
        *res_rows,
        "",
        "## Throughput",
        "",
        "Cycles per TPSF = batch_cycles / lanes, batch_cycles = 135 · Σ over the layer-steps of one encoder",
        "and one decoder step of (G·K + Drain(K)) (docs/architecture.md, \"Exact cycle count\"; the",
        "formula is checked against the architecture table before use). TPSF/s = constraint clock /",
        "cycles per TPSF (the clock the bitstream is built for). The UART limit: one TPSF frame is",
        f"{UART_BITS_PER_TPSF} bit times on the wire (docs/protocol.md §5). fps: frames per second of the core",
        "alone, in parentheses end to end, min(core, UART).",
        "",
        f"| board | model | batch cycles | cycles / TPSF | clock (MHz) | TPSF/s (core) | baud | pixels/s (UART) | {img_hdr} |",
        "|---|---|---|---|---|---|---|---|" + "---|" * len(IMAGES),
        *perf_rows,
        "",
    ]
    if attempts:
        lines += ["## Other attempts (build/<board>-*/)", "",
                  "| build directory | constraint (MHz) | Fmax (MHz) | note |", "|---|---|---|---|", *attempts, ""]
    if missing:
        lines += [f"Not built (no build/<board>/report.json): {', '.join(missing)}.", ""]
    open(out, "w").write("\n".join(lines))
    print(f"wrote {out}: {len(res_rows)} boards" + (f", not built: {', '.join(missing)}" if missing else ""))


if __name__ == "__main__":
    main()
