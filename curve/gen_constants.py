#!/usr/bin/env python3
"""Prints curve/constants.h: every BN254 curve and pairing constant the C code uses, derived here
from the curve parameter x alone (q, r, the twist, the tower, the Frobenius and psi coefficients,
the GLV endomorphism and its lattice), with asserts that check each derivation."""

X = 4965661367192848881  # the BN parameter (often called u or x); q and r are polynomials in it
Q = 36 * X**4 + 36 * X**3 + 24 * X**2 + 6 * X + 1
R = 36 * X**4 + 36 * X**3 + 18 * X**2 + 6 * X + 1
assert Q == 21888242871839275222246405745257275088696311157297823662689037894645226208583
assert R == 21888242871839275222246405745257275088548364400416034343698204186575808495617
RM = 1 << 256


def limbs(x, n=4):
    return [(x >> (64 * i)) & (2**64 - 1) for i in range(n)]


def c_limbs(x, n=4):
    assert 0 <= x < 1 << (64 * n)
    return "{" + ", ".join("0x%016xull" % v for v in limbs(x, n)) + "}"


def mont(x):
    return x * RM % Q


def c_fq(x):
    return "{" + c_limbs(mont(x % Q)) + "}"


# ---- Fq2 = Fq[u]/(u^2 + 1), as pairs ----------------------------------------------------------
def f2mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def f2pow(a, e):
    r = (1, 0)
    while e:
        if e & 1:
            r = f2mul(r, a)
        a = f2mul(a, a)
        e >>= 1
    return r


def f2inv(a):
    n = pow(a[0] * a[0] + a[1] * a[1], Q - 2, Q)
    return (a[0] * n % Q, -a[1] * n % Q)


def c_fq2(a):
    return "{{" + c_limbs(mont(a[0] % Q)) + "}, {" + c_limbs(mont(a[1] % Q)) + "}}"


XI = (9, 1)  # the non-residue of the sextic twist: Fq6 = Fq2[v]/(v^3 - xi), Fq12 = Fq6[w]/(w^2 - v)
B2 = f2mul((3, 0), f2inv(XI))  # D-type twist y^2 = x^3 + 3/xi
assert B2 == (19485874751759354771024239261021720505790618469301721065564631296452457478373,
              266929791119991161246907387137283842545076965332900288569378510910307636690)

G2X = (10857046999023057135944570762232829481370756359578518086990519993285655852781,
       11559732032986387107991004021392285783925812861821192530917403151452391805634)
G2Y = (8495653923123431417604973247489272438418190587263600148770280649306958101930,
       4082367875863433681332203403145435568316851327593401208105741076214120093531)
lhs = f2mul(G2Y, G2Y)
rhs = f2mul(f2mul(G2X, G2X), G2X)
assert lhs == ((rhs[0] + B2[0]) % Q, (rhs[1] + B2[1]) % Q)


# ---- affine arithmetic over Fq for the G1 checks --------------------------------------------------
def g1_add(P, Qp):
    if P is None:
        return Qp
    if Qp is None:
        return P
    if P[0] == Qp[0]:
        if (P[1] + Qp[1]) % Q == 0:
            return None
        lam = 3 * P[0] * P[0] * pow(2 * P[1], Q - 2, Q) % Q
    else:
        lam = (Qp[1] - P[1]) * pow(Qp[0] - P[0], Q - 2, Q) % Q
    x3 = (lam * lam - P[0] - Qp[0]) % Q
    return (x3, (lam * (P[0] - x3) - P[1]) % Q)


def g1_mul(P, k):
    acc = None
    while k:
        if k & 1:
            acc = g1_add(acc, P)
        P = g1_add(P, P)
        k >>= 1
    return acc


G1 = (1, 2)
assert g1_mul(G1, R) is None

# ---- GLV on G1: phi(x, y) = (beta x, y) = [lambda](x, y) --------------------------------------------
g = 2
while pow(g, (Q - 1) // 3, Q) == 1:
    g += 1
beta = pow(g, (Q - 1) // 3, Q)
assert beta != 1 and pow(beta, 3, Q) == 1
g = 2
while pow(g, (R - 1) // 3, R) == 1:
    g += 1
lam = pow(g, (R - 1) // 3, R)
assert lam != 1 and pow(lam, 3, R) == 1
P7 = g1_mul(G1, 7)
if g1_mul(P7, lam) != (beta * P7[0] % Q, P7[1]):
    lam = lam * lam % R  # the other primitive cube root pairs with this beta
assert g1_mul(P7, lam) == (beta * P7[0] % Q, P7[1])

# A short basis of the lattice {(a, b) : a + b*lambda = 0 mod r}, by the extended Euclid algorithm
# stopped at sqrt(r) (Gallant-Lambert-Vanstone, section 4).
import math
s0, t0, r0 = 1, 0, R
s1, t1, r1 = 0, 1, lam
while r1 >= math.isqrt(R):
    qq = r0 // r1
    r0, r1 = r1, r0 - qq * r1
    s0, s1 = s1, s0 - qq * s1
    t0, t1 = t1, t0 - qq * t1
# (r_i, -t_i) satisfy r_i - t_i*lambda*... : s_i R + t_i lam = r_i, so r_i - t_i lam = 0 mod R
qq = r0 // r1
r2, t2 = r0 - qq * r1, t0 - qq * t1
va = (r1, -t1)
vb = min((r0, -t0), (r2, -t2), key=lambda v: v[0] ** 2 + v[1] ** 2)
for v in (va, vb):
    assert (v[0] + v[1] * lam) % R == 0
det = va[0] * vb[1] - vb[0] * va[1]
if det < 0:
    va, vb = vb, va
    det = -det
assert det == R
A1, B1 = va
A2, B2v = vb
# k = k1 + k2 lambda: c1 = round(k B2 / r), c2 = round(-k B1 / r), (k1, k2) = (k, 0) - c1 va - c2 vb.
# The C code takes c_i = (k * G_i) >> 256 with G_i = floor(2^256 |num_i| / r), then the sign.
G1C = (RM * abs(B2v)) // R
G2C = (RM * abs(B1)) // R
SG1 = 1 if B2v > 0 else -1
SG2 = 1 if -B1 > 0 else -1
assert max(abs(A1), abs(B1), abs(A2), abs(B2v)) < 2**128
assert G1C < 2**192 and G2C < 2**192


def glv_split(k):
    c1 = SG1 * ((k * G1C) >> 256)
    c2 = SG2 * ((k * G2C) >> 256)
    k1 = k - c1 * A1 - c2 * A2
    k2 = -c1 * B1 - c2 * B2v
    return k1, k2


import random
rnd = random.Random(1)
worst = 0
for k in [0, 1, R - 1, R - 2, lam, (R - 1) // 2] + [rnd.randrange(R) for _ in range(20000)]:
    k1, k2 = glv_split(k)
    assert (k1 + k2 * lam - k) % R == 0
    worst = max(worst, abs(k1), abs(k2))
assert worst < 2**128

# ---- Frobenius coefficients: (g w^i)^(q^k) = conj^k(g) * xi^(i (q^k - 1) / 6) w^i --------------------
assert (Q - 1) % 6 == 0
frob = {}
for k in (1, 2, 3):
    for i in range(1, 6):
        frob[(k, i)] = f2pow(XI, i * (Q**k - 1) // 6)

# psi = twist^-1 o Frobenius o twist on E'(Fq2): (conj(x) xi^((q-1)/3), conj(y) xi^((q-1)/2))
PSI_X = frob[(1, 2)]
PSI_Y = frob[(1, 3)]
PSI2_X = frob[(2, 2)]
PSI2_Y = frob[(2, 3)]
assert PSI2_Y == (Q - 1, 0)


# ---- the optimal ate loop: 6x + 2 in non-adjacent form, most significant digit first -------------------
def naf(n):
    d = []
    while n:
        if n & 1:
            z = 2 - (n % 4)
            n -= z
        else:
            z = 0
        d.append(z)
        n //= 2
    return d[::-1]


ATE = 6 * X + 2
ate_naf = naf(ATE)
assert sum(z * 2**i for i, z in enumerate(ate_naf[::-1])) == ATE

out = []
w = out.append
w("/* constants.h: BN254 curve and pairing constants. GENERATED by curve/gen_constants.py; do not")
w(" * edit. Limbs are little-endian 64-bit words; Fq values are in Montgomery form (x*2^256 mod q);")
w(" * an Fq2 value is {c0, c1} = c0 + c1*u with u^2 = -1. */")
w("#ifndef ZBP_CURVE_CONSTANTS_H")
w("#define ZBP_CURVE_CONSTANTS_H")
w("#include <stdint.h>")
w("")
w("/* the BN parameter x; q = 36x^4+36x^3+24x^2+6x+1, r = 36x^4+36x^3+18x^2+6x+1 */")
w("#define BN_X 0x%016xull" % X)
x_naf = naf(X)
w("/* x in non-adjacent form, most significant digit first: the final exponentiation's f^x */")
w("#define BN_X_NAF_LEN %d" % len(x_naf))
w("#define BN_X_NAF_INIT {%s}" % ", ".join(str(d) for d in x_naf))
w("/* 1/2 in Fq */")
w("#define FQ_HALF_INIT %s" % c_fq((Q + 1) // 2))
w("")
w("/* G1: y^2 = x^3 + 3 over Fq. b = 3, 3b = 9 (the complete formulas use 3b), generator (1, 2) */")
w("#define G1_B_INIT %s" % c_fq(3))
w("#define G1_B3_INIT %s" % c_fq(9))
w("#define G1_GEN_X_INIT %s" % c_fq(1))
w("#define G1_GEN_Y_INIT %s" % c_fq(2))
w("")
w("/* G2: the D-type sextic twist y^2 = x^3 + 3/xi over Fq2, xi = 9 + u */")
w("#define G2_B_INIT %s" % c_fq2(B2))
w("#define G2_B3_INIT %s" % c_fq2(((3 * B2[0]) % Q, (3 * B2[1]) % Q)))
w("#define G2_GEN_X_INIT %s" % c_fq2(G2X))
w("#define G2_GEN_Y_INIT %s" % c_fq2(G2Y))
w("")
w("/* psi(x, y) = (conj(x) * PSI_X, conj(y) * PSI_Y): xi^((q-1)/3) and xi^((q-1)/2). psi^2 scales")
w(" * x by PSI2_X = xi^((q^2-1)/3) (in Fq) and y by xi^((q^2-1)/2) = -1. */")
w("#define PSI_X_INIT %s" % c_fq2(PSI_X))
w("#define PSI_Y_INIT %s" % c_fq2(PSI_Y))
w("#define PSI2_X_INIT %s" % c_fq2(PSI2_X))
w("")
w("/* G2 membership: psi(Q) == [6x^2]Q holds exactly on G2 (El Housni, Guillevic, Piellard,")
w(" * \"Co-factor clearing and subgroup membership testing on pairing-friendly curves\", 2022). */")
w("#define G2_SUBGROUP_K_INIT %s" % c_limbs(6 * X * X))
w("")
w("/* FROB_k_i = xi^(i (q^k - 1) / 6): the Frobenius q^k multiplies the w^i coefficient of an Fq12")
w(" * element (after conjugating it k times) by this. Index [k-1][i-1], i = 1..5. */")
w("#define FQ12_FROB_INIT { \\")
for k in (1, 2, 3):
    w("    { \\")
    for i in range(1, 6):
        w("        %s, \\" % c_fq2(frob[(k, i)]))
    w("    }, \\")
w("}")
w("")
w("/* 6x + 2 in non-adjacent form, most significant digit first: the optimal ate Miller loop */")
w("#define ATE_NAF_LEN %d" % len(ate_naf))
w("#define ATE_NAF_INIT {%s}" % ", ".join(str(d) for d in ate_naf))
w("")
w("/* GLV: phi(x, y) = (beta x, y) equals [lambda] on G1 (beta in Fq, lambda in Fr, both cube roots")
w(" * of unity). k = k1 + k2 lambda mod r with |k1|, |k2| < 2^128 from the lattice basis")
w(" * (A1, B1), (A2, B2): c1 = s1 ((k G1) >> 256), c2 = s2 ((k G2) >> 256),")
w(" * k1 = k - c1 A1 - c2 A2, k2 = -c1 B1 - c2 B2. Magnitudes and signs are given separately. */")
w("#define GLV_BETA_INIT %s" % c_fq(beta))
w("#define GLV_LAMBDA_INIT %s" % c_limbs(lam))
for name, v in (("A1", A1), ("B1", B1), ("A2", A2), ("B2", B2v)):
    w("#define GLV_%s_ABS_INIT %s  /* %d */" % (name, c_limbs(abs(v), 2), v))
    w("#define GLV_%s_NEG %d" % (name, 1 if v < 0 else 0))
w("#define GLV_G1_INIT %s" % c_limbs(G1C, 3))
w("#define GLV_G1_NEG %d" % (1 if SG1 < 0 else 0))
w("#define GLV_G2_INIT %s" % c_limbs(G2C, 3))
w("#define GLV_G2_NEG %d" % (1 if SG2 < 0 else 0))
w("")
w("#endif")
print("\n".join(out))
