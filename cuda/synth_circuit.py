#!/usr/bin/env python3
"""synth_circuit.py: a synthetic circuit of any power-of-two size, for timing whole proofs where
circom's benchmark circuits (bench/circuits/) are too big to carry (cuda/check.sh on a lent GPU).

Writes <dir>/circuit.r1cs and <dir>/witness.wtns (snarkjs's formats, docs: snarkjs-formats.md §3,
§4) for a circuit whose proving domain is 2^log: half the constraints a squaring chain
x_{i+1} = x_i * x_i (witness values spread over the field, as hashes make them), half bit checks
b * b = b (witness values 0 and 1, as comparisons and decompositions make them), and one public
output y = x_last * 1. `zbprover setup --insecure-dev` then makes its (insecure) key.

usage: synth_circuit.py <log 5..24> <dir>
"""
import os
import random
import struct
import sys

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def main():
    if len(sys.argv) != 3 or not sys.argv[1].isdigit() or not 5 <= int(sys.argv[1]) <= 24:
        sys.exit("usage: synth_circuit.py <log 5..24> <dir>")
    log, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    # domain >= constraints + public + 1 (snarkjs's extra rows for the public inputs)
    m = (1 << log) - 16
    m_sq = (m - 1) // 2
    m_bit = m - 1 - m_sq
    one, y, x0 = 0, 1, 2
    n_wires = 3 + m_sq + m_bit
    rng = random.Random(log)

    w = [0] * n_wires
    w[one] = 1
    x = 7
    w[x0] = x
    for i in range(m_sq):
        x = x * x % R
        w[3 + i] = x
    w[y] = x
    first_bit = 3 + m_sq
    for i in range(m_bit):
        w[first_bit + i] = rng.getrandbits(1)

    coef1 = (1).to_bytes(32, "little")

    def term(wire):
        return struct.pack("<II", 1, wire) + coef1  # one term: count 1, wire, coefficient 1

    rows = bytearray()
    prev = x0
    for i in range(m_sq):
        rows += term(prev) + term(prev) + term(3 + i)
        prev = 3 + i
    for i in range(m_bit):
        b = first_bit + i
        rows += term(b) + term(b) + term(b)
    rows += term(prev) + term(one) + term(y)

    header = struct.pack("<I", 32) + R.to_bytes(32, "little")
    header += struct.pack("<IIIIQI", n_wires, 1, 0, 1, n_wires, m)
    labels = struct.pack("<%dQ" % n_wires, *range(n_wires))
    with open(os.path.join(out, "circuit.r1cs"), "wb") as f:
        f.write(b"r1cs" + struct.pack("<II", 1, 3))
        for sid, body in ((1, header), (2, rows), (3, labels)):
            f.write(struct.pack("<IQ", sid, len(body)))
            f.write(body)

    values = b"".join(v.to_bytes(32, "little") for v in w)
    head = struct.pack("<I", 32) + R.to_bytes(32, "little") + struct.pack("<I", n_wires)
    with open(os.path.join(out, "witness.wtns"), "wb") as f:
        f.write(b"wtns" + struct.pack("<II", 2, 2))
        for sid, body in ((1, head), (2, values)):
            f.write(struct.pack("<IQ", sid, len(body)))
            f.write(body)
    print("%s: 2^%d domain, %d constraints, %d wires" % (out, log, m, n_wires))


if __name__ == "__main__":
    main()
