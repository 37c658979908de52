#!/usr/bin/env python3
"""Lifetime errors per photon band of `flimgru infer` output against a simulated set's labels.

Bias, MAE and RMS error of tau_mean and tau_int (and of tau1, tau2, a where the component has
amplitude >= 0.01, as `flimgru eval` counts them) per band of the histogram's actual photons
(eval's bands, plus the issue's 200-1k / 1k-5k / >=5k). Plain Python (no NumPy); the RMS columns
are what `flimgru eval` did not report when this was written.
  usage: scripts/lifetime-bands.py DATASET_DIR INFER_OUT.npy [NAME]   (prints a Markdown table)
"""
import ast
import math
import struct
import sys


def read_npy(path):
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            sys.exit(f"{path}: not a .npy file")
        major = f.read(2)[0]
        hlen = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        header = ast.literal_eval(f.read(hlen).decode("latin1"))
        if header["descr"] != "<f4" or header["fortran_order"]:
            sys.exit(f"{path}: expected little-endian float32 in C order, got {header}")
        shape = header["shape"]
        n = math.prod(shape)
        data = struct.unpack(f"<{n}f", f.read(4 * n))
    return shape, data


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ds, out = sys.argv[1], sys.argv[2]
    name = sys.argv[3] if len(sys.argv) > 3 else out
    lshape, lab = read_npy(ds + "/labels.npy")
    oshape, est = read_npy(out)
    n, lc = lshape
    if oshape[0] != n or oshape[-1] != 6:
        sys.exit(f"{out}: shape {oshape}, expected [{n}, 6] for {ds}")
    bands = [(0, 500), (500, 1000), (1000, 2000), (2000, 5000), (5000, 10000), (10000, math.inf),
             (200, 1000), (1000, 5000), (5000, math.inf), (1000, math.inf)]
    keys = ["tau_mean", "tau_int", "tau1", "tau2", "a"]
    acc = {b: {k: [0, 0.0, 0.0, 0.0] for k in keys} for b in bands}  # count, sum, |sum|, sq
    nonfinite = 0
    for i in range(n):
        t1, t2, a, ph = lab[i * lc], lab[i * lc + 1], lab[i * lc + 2], lab[i * lc + 3]
        tm = a * t1 + (1 - a) * t2
        ti = (a * t1 * t1 + (1 - a) * t2 * t2) / tm if tm else 0.0
        e = est[i * 6: i * 6 + 6]
        truth = {"tau_mean": (e[3], tm), "tau_int": (e[4], ti), "a": (e[2], a)}
        if a >= 0.01:
            truth["tau1"] = (e[0], t1)
        if 1 - a >= 0.01:
            truth["tau2"] = (e[1], t2)
        for b in bands:
            if not (b[0] <= ph < b[1]):
                continue
            for k, (p, t) in truth.items():
                if not math.isfinite(p):
                    nonfinite += 1
                    continue
                d = p - t
                s = acc[b][k]
                s[0] += 1; s[1] += d; s[2] += abs(d); s[3] += d * d
    print(f"{name} on {ds} ({n} TPSFs; {nonfinite} non-finite estimates skipped): bias / MAE / RMS (ns; a unitless)")
    print("| photons | n | " + " | ".join(keys) + " |")
    print("|---|---|" + "---|" * len(keys))
    for b in bands:
        cnt = acc[b]["tau_mean"][0]
        if cnt == 0:
            continue
        label = f"{b[0]:g}–{b[1]:g}" if math.isfinite(b[1]) else f"≥ {b[0]:g}"
        cells = []
        for k in keys:
            c, s, ab, sq = acc[b][k]
            cells.append(f"{s / c:+.3f} / {ab / c:.3f} / {math.sqrt(sq / c):.3f}" if c else "–")
        print(f"| {label} | {cnt} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
