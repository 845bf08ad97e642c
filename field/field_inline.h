/* field_inline.h: the hot 4-limb Montgomery arithmetic, inline, for Fq and Fr. Included by
 * field.h; other rooms reach it only through field.h's names. Two scalar paths: portable C
 * (unsigned __int128) and x86-64 MULX/ADCX/ADOX inline assembly, chosen by one flag read once. */
#ifndef ZBP_FIELD_INLINE_H
#define ZBP_FIELD_INLINE_H

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned __int128 zbp_u128;

/* A 4-limb Montgomery field: everything the generic code needs, in one constant struct. */
typedef struct {
    uint64_t p[4];   /* modulus, canonical */
    uint64_t pinv;   /* -p^-1 mod 2^64 */
    uint64_t one[4]; /* 2^256 mod p */
    uint64_t r2[4];  /* 2^512 mod p */
    uint64_t p52[5]; /* modulus in 52-bit limbs (IFMA path) */
    uint64_t pinv52; /* -p^-1 mod 2^52 */
} zbp_mont_t;

ZBP_INTERNAL extern const zbp_mont_t zbp_fq_mont, zbp_fr_mont;

/* Nonzero when the scalar path uses MULX/ADX; set once by zbp_field_init/select. */
ZBP_INTERNAL extern int zbp_field_use_adx;

/* ---- generic limb helpers (constant time) ------------------------------------------------------- */

/* Carry and borrow chains. On x86-64 these are the ADC/SBB intrinsics (baseline ISA, no flags
 * needed); gcc keeps unsigned __int128 borrow chains poorly (it spills them), so it is used only
 * as the fallback for other targets. */
#if defined(__x86_64__)
#include <x86intrin.h>
#define ZBP_ADC(c, a, b, out) _addcarry_u64((c), (a), (b), (unsigned long long *)(out))
#define ZBP_SBB(c, a, b, out) _subborrow_u64((c), (a), (b), (unsigned long long *)(out))
#else
static inline unsigned char zbp_adc_fallback(unsigned char c, uint64_t a, uint64_t b, uint64_t *o) {
    zbp_u128 t = (zbp_u128)a + b + c;
    *o = (uint64_t)t;
    return (unsigned char)(t >> 64);
}
static inline unsigned char zbp_sbb_fallback(unsigned char c, uint64_t a, uint64_t b, uint64_t *o) {
    zbp_u128 t = (zbp_u128)a - b - c;
    *o = (uint64_t)t;
    return (unsigned char)((t >> 64) & 1);
}
#define ZBP_ADC(c, a, b, out) zbp_adc_fallback((c), (a), (b), (out))
#define ZBP_SBB(c, a, b, out) zbp_sbb_fallback((c), (a), (b), (out))
#endif

/* r = t - p if t >= p else t, for t = (t0..t3) < 2p. Takes the limbs by value so that callers'
 * temporaries stay in registers. */
static inline void zbp_mont_reduce4(uint64_t r[4], uint64_t t0, uint64_t t1, uint64_t t2,
                                    uint64_t t3, const uint64_t p[4]) {
    uint64_t d0, d1, d2, d3;
    unsigned char b = ZBP_SBB(0, t0, p[0], &d0);
    b = ZBP_SBB(b, t1, p[1], &d1);
    b = ZBP_SBB(b, t2, p[2], &d2);
    b = ZBP_SBB(b, t3, p[3], &d3);
    uint64_t keep = 0 - (uint64_t)b; /* all ones when t < p: keep t */
    r[0] = (t0 & keep) | (d0 & ~keep);
    r[1] = (t1 & keep) | (d1 & ~keep);
    r[2] = (t2 & keep) | (d2 & ~keep);
    r[3] = (t3 & keep) | (d3 & ~keep);
}

static inline void zbp_mont_reduce_once(uint64_t r[4], const uint64_t t[4], const uint64_t p[4]) {
    zbp_mont_reduce4(r, t[0], t[1], t[2], t[3], p);
}

static inline void zbp_mont_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t p[4]) {
    /* a, b < p < 2^254: the sum fits in 256 bits, no carry out. */
    uint64_t t0, t1, t2, t3;
    unsigned char c = ZBP_ADC(0, a[0], b[0], &t0);
    c = ZBP_ADC(c, a[1], b[1], &t1);
    c = ZBP_ADC(c, a[2], b[2], &t2);
    (void)ZBP_ADC(c, a[3], b[3], &t3);
    zbp_mont_reduce4(r, t0, t1, t2, t3, p);
}

static inline void zbp_mont_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t p[4]) {
    uint64_t t0, t1, t2, t3;
    unsigned char c = ZBP_SBB(0, a[0], b[0], &t0);
    c = ZBP_SBB(c, a[1], b[1], &t1);
    c = ZBP_SBB(c, a[2], b[2], &t2);
    c = ZBP_SBB(c, a[3], b[3], &t3);
    uint64_t mask = 0 - (uint64_t)c; /* all ones when a < b: add p back */
    c = ZBP_ADC(0, t0, p[0] & mask, &r[0]);
    c = ZBP_ADC(c, t1, p[1] & mask, &r[1]);
    c = ZBP_ADC(c, t2, p[2] & mask, &r[2]);
    (void)ZBP_ADC(c, t3, p[3] & mask, &r[3]);
}

static inline void zbp_mont_neg(uint64_t r[4], const uint64_t a[4], const uint64_t p[4]) {
    /* p - a, but 0 stays 0. */
    uint64_t nz = a[0] | a[1] | a[2] | a[3];
    uint64_t mask = 0 - (uint64_t)((nz | (0 - nz)) >> 63);
    uint64_t t0, t1, t2, t3;
    unsigned char c = ZBP_SBB(0, p[0], a[0], &t0);
    c = ZBP_SBB(c, p[1], a[1], &t1);
    c = ZBP_SBB(c, p[2], a[2], &t2);
    (void)ZBP_SBB(c, p[3], a[3], &t3);
    r[0] = t0 & mask;
    r[1] = t1 & mask;
    r[2] = t2 & mask;
    r[3] = t3 & mask;
}

/* Montgomery product a·b·2^-256 mod p, CIOS. Both BN254 moduli have a top limb below 2^62, so the
 * running value never needs a fifth limb between rounds (the "no-carry" variant): each round
 * keeps t < 2p. */
static inline void zbp_mont_mul_portable(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                         const uint64_t p[4], uint64_t pinv) {
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        zbp_u128 x = (zbp_u128)a[0] * b[i] + t[0];
        uint64_t A = (uint64_t)(x >> 64);
        t[0] = (uint64_t)x;
        uint64_t m = t[0] * pinv;
        x = (zbp_u128)m * p[0] + t[0];
        uint64_t C = (uint64_t)(x >> 64);
        for (int j = 1; j < 4; j++) {
            x = (zbp_u128)a[j] * b[i] + t[j] + A;
            A = (uint64_t)(x >> 64);
            t[j] = (uint64_t)x;
            x = (zbp_u128)m * p[j] + t[j] + C;
            C = (uint64_t)(x >> 64);
            t[j - 1] = (uint64_t)x;
        }
        t[3] = C + A;
    }
    zbp_mont_reduce_once(r, t, p);
}

/* The portable path squares through the product (a symmetric form was not written or measured
 * there; the ADX square below is the one the hot paths run). */
static inline void zbp_mont_sqr_portable(uint64_t r[4], const uint64_t a[4], const uint64_t p[4],
                                         uint64_t pinv) {
    zbp_mont_mul_portable(r, a, a, p, pinv);
}

#if defined(__x86_64__) && defined(__OPTIMIZE__)
/* (Unoptimized builds cannot allocate the asm's registers; they get the portable path and
 * report the ADX path as unavailable.)
 * The same CIOS with two carry chains: ADOX and ADCX keep separate flags (OF, CF), so the low and
 * high halves of a row's products retire without waiting on one flag. t lives in five registers
 * that rotate one place per round (the limb shifted out becomes the next round's top limb).
 *
 * What the dependent-chain latency (x = x·y) is made of, and what this code does about it
 * (core cycles on Sapphire Rapids: mulx 3 to the low half and 4 to the high, imul 3, adc 1):
 * - each round is serial: t0 -> m = t0·pinv (imul) -> m·p0 (mulx) -> t1 + hi(m·p0) + lo(m·p1) ->
 *   the next round's t0. The low half of m·p0 is never added: t0 + lo(m·p0) = 0 mod 2^64 by the
 *   choice of m, so its carry is just (t0 != 0), which one ADCX of all-ones into t0 produces while
 *   imul still runs;
 * - round 0 starts from t = 0, so its products are moved, not added;
 * - few registers: the result ends in t's registers (the final subtraction uses the ones the
 *   rounds free), b and the modulus are read through one base register each and pinv from
 *   memory, so the asm needs ten general registers plus a's four limbs, which it takes from
 *   registers ("rm") where the caller has them: a chain x = x·y then keeps x in registers instead
 *   of storing and reloading it around every product (store forwarding, ~5 cycles), and a caller
 *   short of registers (a frame pointer, sanitizers) gets them from memory.
 * The final conditional subtraction (SUB/SBB, then CMOVC) stays inside the asm, so the compiler has
 * no carry chain to spill; it is what makes every limb of the result wait for the top one.
 * Runs only where zbp_cpu_caps() reports BMI2 and ADX. */
#define ZBP_ADX_MUL0                                                                                 \
    "movq 0(%[b]), %%rdx\n\t"                                                                      \
    "mulxq %[a0], %[t0], %[t1]\n\t"                                                                \
    "mulxq %[a1], %[lo], %[t2]\n\t"                                                                \
    "addq %[lo], %[t1]\n\t"                                                                        \
    "mulxq %[a2], %[lo], %[t3]\n\t"                                                                \
    "adcq %[lo], %[t2]\n\t"                                                                        \
    "mulxq %[a3], %[lo], %[t4]\n\t"                                                                \
    "adcq %[lo], %[t3]\n\t"                                                                        \
    "adcq $0, %[t4]\n\t"
/* t += m·p with m = X0·pinv: X0 becomes 0 (dead), the sum lands in X1..X4, the carries out of X3
 * and X4 are left in CF and OF. */
#define ZBP_ADX_RED_M(X0, X1, X2, X3, X4)                                                            \
    "movq %[" #X0 "], %%rdx\n\t"                                                                   \
    "imulq %[pinv], %%rdx\n\t"                                                                     \
    "xorl %k[lo], %k[lo]\n\t"                                                                      \
    "movq $-1, %[hi]\n\t"                                                                          \
    "adcxq %[hi], %[" #X0 "]\n\t"                                                                  \
    "mulxq 0(%[p]), %[hi], %[hi]\n\t"                                                              \
    "adoxq %[hi], %[" #X1 "]\n\t"                                                                  \
    "mulxq 8(%[p]), %[lo], %[hi]\n\t"                                                              \
    "adcxq %[lo], %[" #X1 "]\n\t"                                                                  \
    "adoxq %[hi], %[" #X2 "]\n\t"                                                                  \
    "mulxq 16(%[p]), %[lo], %[hi]\n\t"                                                             \
    "adcxq %[lo], %[" #X2 "]\n\t"                                                                  \
    "adoxq %[hi], %[" #X3 "]\n\t"                                                                  \
    "mulxq 24(%[p]), %[lo], %[hi]\n\t"                                                             \
    "adcxq %[lo], %[" #X3 "]\n\t"                                                                  \
    "adoxq %[hi], %[" #X4 "]\n\t"
#define ZBP_ADX_RED(X0, X1, X2, X3, X4)                                                              \
    ZBP_ADX_RED_M(X0, X1, X2, X3, X4)                                                              \
    "movl $0, %k[lo]\n\t"                                                                          \
    "adcxq %[lo], %[" #X4 "]\n\t"                                                                  \
    "adoxq %[lo], %[" #X4 "]\n\t"
/* t += a·b[OFF/8]·2^64 into X1..X4 and a fresh top limb X0. */
#define ZBP_ADX_MUL(OFF, X1, X2, X3, X4, X0)                                                         \
    "movq " #OFF "(%[b]), %%rdx\n\t"                                                               \
    "xorl %k[lo], %k[lo]\n\t"                                                                      \
    "mulxq %[a0], %[lo], %[hi]\n\t"                                                                \
    "adoxq %[lo], %[" #X1 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #X2 "]\n\t"                                                                  \
    "mulxq %[a1], %[lo], %[hi]\n\t"                                                                \
    "adoxq %[lo], %[" #X2 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #X3 "]\n\t"                                                                  \
    "mulxq %[a2], %[lo], %[hi]\n\t"                                                                \
    "adoxq %[lo], %[" #X3 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #X4 "]\n\t"                                                                  \
    "mulxq %[a3], %[lo], %[" #X0 "]\n\t"                                                           \
    "adoxq %[lo], %[" #X4 "]\n\t"                                                                  \
    "movl $0, %k[lo]\n\t"                                                                          \
    "adcxq %[lo], %[" #X0 "]\n\t"                                                                  \
    "adoxq %[lo], %[" #X0 "]\n\t"

static inline void zbp_limbs_set(uint64_t r[4], uint64_t r0, uint64_t r1, uint64_t r2, uint64_t r3) {
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
}

/* (R0..R3) -= p unless that borrows (the value is < 2p); S is a free register, and rdx, lo, hi. */
#define ZBP_ADX_FINAL(R0, R1, R2, R3, S)                                                             \
    "movq %[" #R0 "], %%rdx\n\t"                                                                   \
    "subq 0(%[p]), %%rdx\n\t"                                                                      \
    "movq %[" #R1 "], %[lo]\n\t"                                                                   \
    "sbbq 8(%[p]), %[lo]\n\t"                                                                      \
    "movq %[" #R2 "], %[hi]\n\t"                                                                   \
    "sbbq 16(%[p]), %[hi]\n\t"                                                                     \
    "movq %[" #R3 "], %[" #S "]\n\t"                                                               \
    "sbbq 24(%[p]), %[" #S "]\n\t"                                                                 \
    "cmovncq %%rdx, %[" #R0 "]\n\t"                                                                \
    "cmovncq %[lo], %[" #R1 "]\n\t"                                                                \
    "cmovncq %[hi], %[" #R2 "]\n\t"                                                                \
    "cmovncq %[" #S "], %[" #R3 "]\n\t"

static inline void zbp_mont_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                    const uint64_t p[4], uint64_t pinv) {
    uint64_t t0, t1, t2, t3, t4, lo, hi;
    /* After the four rounds t = (t4, t0, t1, t2) < 2p; t3, lo, hi and rdx are free for t - p. */
    __asm__(ZBP_ADX_MUL0
            ZBP_ADX_RED(t0, t1, t2, t3, t4)
            ZBP_ADX_MUL(8, t1, t2, t3, t4, t0)
            ZBP_ADX_RED(t1, t2, t3, t4, t0)
            ZBP_ADX_MUL(16, t2, t3, t4, t0, t1)
            ZBP_ADX_RED(t2, t3, t4, t0, t1)
            ZBP_ADX_MUL(24, t3, t4, t0, t1, t2)
            ZBP_ADX_RED(t3, t4, t0, t1, t2)
            ZBP_ADX_FINAL(t4, t0, t1, t2, t3)
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a0] "rm"(a[0]), [a1] "rm"(a[1]), [a2] "rm"(a[2]), [a3] "rm"(a[3]), [b] "r"(b),
              [p] "r"(p), [pinv] "m"(pinv), "m"(*(const uint64_t(*)[4])b),
              "m"(*(const uint64_t(*)[4])p)
            : "rdx", "cc");
    zbp_limbs_set(r, t4, t0, t1, t2);
}
/* The same product without the final subtraction (lazy reduction): for a, b < 2p the result is
 * congruent to a·b·2^-256 and below 2p, because it is < (a·b + m·p)/2^256 < 4p²/2^256 + p and
 * 4p < 2^256 for both moduli (the rounds' running value stays below 3p + 2^192 < 2^256, so the
 * "no-carry" CIOS still needs no fifth limb). For products that only feed other products (prefix
 * chains, a slope); the ADX product and square accept such inputs and return canonical values.
 * Saves the SUB/SBB/CMOV tail (12 instructions) and the wait of every limb on the top one. */
static inline void zbp_mont_mul_adx_lazy(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                         const uint64_t p[4], uint64_t pinv) {
    uint64_t t0, t1, t2, t3, t4, lo, hi;
    __asm__(ZBP_ADX_MUL0
            ZBP_ADX_RED(t0, t1, t2, t3, t4)
            ZBP_ADX_MUL(8, t1, t2, t3, t4, t0)
            ZBP_ADX_RED(t1, t2, t3, t4, t0)
            ZBP_ADX_MUL(16, t2, t3, t4, t0, t1)
            ZBP_ADX_RED(t2, t3, t4, t0, t1)
            ZBP_ADX_MUL(24, t3, t4, t0, t1, t2)
            ZBP_ADX_RED(t3, t4, t0, t1, t2)
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [a0] "rm"(a[0]), [a1] "rm"(a[1]), [a2] "rm"(a[2]), [a3] "rm"(a[3]), [b] "r"(b),
              [p] "r"(p), [pinv] "m"(pinv), "m"(*(const uint64_t(*)[4])b),
              "m"(*(const uint64_t(*)[4])p)
            : "rdx", "cc");
    zbp_limbs_set(r, t4, t0, t1, t2);
}
/* a²·2^-256 mod p with 26 MULX and 4 IMUL instead of the product's 32 + 4 (separated operand
 * scanning): the six off-diagonal products once, doubled on the OF chain while the four squares
 * are added on the CF chain (each limb doubled before its square is added), then the low half
 * reduced in four rounds into the high half. Unlike CIOS, a round's top limb is an existing limb of
 * the high half, so the carries out of it are kept pending in c and added in by the next round
 * (the last one is 0: the result is < 2p). c starts as a's pointer, free once the squares are
 * taken, so the asm needs thirteen general registers. c is "+r", not early-clobber: it is written
 * only after its last read, and the one operand that may share its register is the memory operand
 * that tells the compiler a[] is read, which the text never uses (early-clobber would cost a
 * fourteenth register, one too many beside a frame pointer). */
#define ZBP_ADX_SQR_RED(X0, X1, X2, X3, X4)                                                          \
    ZBP_ADX_RED_M(X0, X1, X2, X3, X4)                                                              \
    "adcxq %[c], %[" #X4 "]\n\t"                                                                   \
    "movl $0, %k[c]\n\t"                                                                           \
    "adcxq %[c], %[c]\n\t"                                                                         \
    "movl $0, %k[lo]\n\t"                                                                          \
    "adoxq %[lo], %[c]\n\t"

static inline void zbp_mont_sqr_adx(uint64_t r[4], const uint64_t a[4], const uint64_t p[4],
                                    uint64_t pinv) {
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;
    uint64_t c = (uint64_t)(uintptr_t)a;
    __asm__(/* off-diagonal: S = sum a_i a_j 2^(64(i+j)), i < j, in t1..t6 */
            "movq 0(%[c]), %%rdx\n\t"
            "xorl %k[lo], %k[lo]\n\t"
            "mulxq 8(%[c]), %[t1], %[t2]\n\t"
            "mulxq 16(%[c]), %[lo], %[t3]\n\t"
            "adcxq %[lo], %[t2]\n\t"
            "mulxq 24(%[c]), %[lo], %[t4]\n\t"
            "adcxq %[lo], %[t3]\n\t"
            "movq 8(%[c]), %%rdx\n\t"
            "mulxq 16(%[c]), %[lo], %[hi]\n\t"
            "adoxq %[lo], %[t3]\n\t"
            "adcxq %[hi], %[t4]\n\t"
            "mulxq 24(%[c]), %[lo], %[t5]\n\t"
            "adoxq %[lo], %[t4]\n\t"
            "movq 16(%[c]), %%rdx\n\t"
            "mulxq 24(%[c]), %[lo], %[t6]\n\t"
            "adcxq %[lo], %[t5]\n\t"
            "movl $0, %k[hi]\n\t"
            "adoxq %[hi], %[t5]\n\t"
            "adcxq %[hi], %[t6]\n\t"
            "adoxq %[hi], %[t6]\n\t"
            /* 2S + the diagonal: doubling on OF, diagonal on CF, each limb doubled first */
            "movq 0(%[c]), %%rdx\n\t"
            "mulxq %%rdx, %[t0], %[hi]\n\t"
            "xorl %k[lo], %k[lo]\n\t"
            "adoxq %[t1], %[t1]\n\t"
            "adcxq %[hi], %[t1]\n\t"
            "movq 8(%[c]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adoxq %[t2], %[t2]\n\t"
            "adcxq %[lo], %[t2]\n\t"
            "adoxq %[t3], %[t3]\n\t"
            "adcxq %[hi], %[t3]\n\t"
            "movq 16(%[c]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[hi]\n\t"
            "adoxq %[t4], %[t4]\n\t"
            "adcxq %[lo], %[t4]\n\t"
            "adoxq %[t5], %[t5]\n\t"
            "adcxq %[hi], %[t5]\n\t"
            "movq 24(%[c]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[t7]\n\t"
            "adoxq %[t6], %[t6]\n\t"
            "adcxq %[lo], %[t6]\n\t"
            "movl $0, %k[hi]\n\t"
            "adoxq %[hi], %[t7]\n\t"
            "adcxq %[hi], %[t7]\n\t"
            /* reduce t0..t3 into t1..t7; c = pending carry into the next top */
            "xorl %k[c], %k[c]\n\t"
            ZBP_ADX_SQR_RED(t0, t1, t2, t3, t4)
            ZBP_ADX_SQR_RED(t1, t2, t3, t4, t5)
            ZBP_ADX_SQR_RED(t2, t3, t4, t5, t6)
            ZBP_ADX_SQR_RED(t3, t4, t5, t6, t7)
            /* (t4..t7) < 2p, c = 0: subtract p if t >= p */
            ZBP_ADX_FINAL(t4, t5, t6, t7, t3)
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi),
              [c] "+r"(c)
            : [p] "r"(p), [pinv] "m"(pinv), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[4])p)
            : "rdx", "cc");
    zbp_limbs_set(r, t4, t5, t6, t7);
}
#undef ZBP_ADX_SQR_RED
#undef ZBP_ADX_MUL0
#undef ZBP_ADX_RED
#undef ZBP_ADX_RED_M
#undef ZBP_ADX_MUL
#undef ZBP_ADX_FINAL
#define ZBP_HAVE_ADX_ASM 1
#else
#define zbp_mont_mul_adx zbp_mont_mul_portable
#define zbp_mont_mul_adx_lazy zbp_mont_mul_portable
#define zbp_mont_sqr_adx zbp_mont_sqr_portable
#define ZBP_HAVE_ADX_ASM 0
#endif

static inline void zbp_mont_sqr(uint64_t r[4], const uint64_t a[4], const zbp_mont_t *f) {
    if (zbp_field_use_adx)
        zbp_mont_sqr_adx(r, a, f->p, f->pinv);
    else
        zbp_mont_sqr_portable(r, a, f->p, f->pinv);
}

static inline void zbp_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const zbp_mont_t *f) {
    if (zbp_field_use_adx)
        zbp_mont_mul_adx(r, a, b, f->p, f->pinv);
    else
        zbp_mont_mul_portable(r, a, b, f->p, f->pinv);
}

/* The lazy product (zbp_mont_mul_adx_lazy): congruent to a·b·2^-256 and < 2p for a, b < 2p. Only
 * the ADX path is lazy; the portable product needs canonical inputs and returns canonical values,
 * which meet the same contract, so callers never mix a lazy value into the portable product. */
static inline void zbp_mont_mul_lazy(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                     const zbp_mont_t *f) {
    if (zbp_field_use_adx)
        zbp_mont_mul_adx_lazy(r, a, b, f->p, f->pinv);
    else
        zbp_mont_mul_portable(r, a, b, f->p, f->pinv);
}

static inline int zbp_limbs_is_zero(const uint64_t a[4]) {
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}
static inline int zbp_limbs_equal(const uint64_t a[4], const uint64_t b[4]) {
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

/* ---- the typed face ----------------------------------------------------------------------------- */
#define ZBP_FIELD_INLINES(T, pre, F)                                                                \
    static inline void pre##_add(T *r, const T *a, const T *b) { zbp_mont_add(r->l, a->l, b->l, (F).p); } \
    static inline void pre##_sub(T *r, const T *a, const T *b) { zbp_mont_sub(r->l, a->l, b->l, (F).p); } \
    static inline void pre##_neg(T *r, const T *a) { zbp_mont_neg(r->l, a->l, (F).p); }             \
    static inline void pre##_dbl(T *r, const T *a) { zbp_mont_add(r->l, a->l, a->l, (F).p); }       \
    static inline void pre##_mul(T *r, const T *a, const T *b) { zbp_mont_mul(r->l, a->l, b->l, &(F)); } \
    static inline void pre##_sqr(T *r, const T *a) { zbp_mont_sqr(r->l, a->l, &(F)); }              \
    static inline void pre##_mul_lazy(T *r, const T *a, const T *b) {                               \
        zbp_mont_mul_lazy(r->l, a->l, b->l, &(F));                                                 \
    }                                                                                              \
    static inline int pre##_is_zero(const T *a) { return zbp_limbs_is_zero(a->l); }                 \
    static inline int pre##_equal(const T *a, const T *b) { return zbp_limbs_equal(a->l, b->l); }

ZBP_FIELD_INLINES(fq_t, fq, zbp_fq_mont)
ZBP_FIELD_INLINES(fr_t, fr, zbp_fr_mont)
#undef ZBP_FIELD_INLINES

#ifdef __cplusplus
}
#endif

#endif
