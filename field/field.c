/* field.c: the field room's non-inline operations: CPU capabilities and ISA choice, inversion,
 * powers, square roots, batch inversion, conversions (Montgomery, bytes, decimal), sampling, and
 * the portable and ADX batch tables. Every function serves Fq and Fr through a zbp_mont_t. */
#include "field/field.h"

#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

#include "field/constants.h"
#include "field/field_batch.h"

/* ---- constants ---------------------------------------------------------------------------------- */
const zbp_mont_t zbp_fq_mont = {FQ_P_INIT, FQ_PINV, FQ_ONE_INIT, FQ_R2_INIT, FQ_P52_INIT, FQ_PINV52};
const zbp_mont_t zbp_fr_mont = {FR_P_INIT, FR_PINV, FR_ONE_INIT, FR_R2_INIT, FR_P52_INIT, FR_PINV52};
const fq_t FQ_ZERO = {{0, 0, 0, 0}};
const fq_t FQ_ONE = {FQ_ONE_INIT};
const fr_t FR_ZERO = {{0, 0, 0, 0}};
const fr_t FR_ONE = {FR_ONE_INIT};
const uint64_t FQ_MODULUS[4] = FQ_P_INIT;
const uint64_t FR_MODULUS[4] = FR_P_INIT;

static const uint64_t fq_pm2[4] = FQ_PM2_INIT, fr_pm2[4] = FR_PM2_INIT;
static const uint64_t fq_pm1h[4] = FQ_PM1H_INIT, fr_pm1h[4] = FR_PM1H_INIT;
static const uint64_t fq_sqrt_exp[4] = FQ_SQRT_EXP_INIT;
static const uint64_t fr_tm1h[4] = FR_TM1H_INIT;
static const uint64_t fr_roots[FR_TWO_ADICITY + 1][4] = FR_ROOTS_INIT;

/* ---- CPU capabilities and the ISA choice ---------------------------------------------------------- */
int zbp_field_use_adx = 0;
static zbp_isa_t batch_isa = ZBP_ISA_PORTABLE;
static const zbp_batch_ops_t *batch_ops = &zbp_batch_portable;

uint32_t zbp_cpu_caps(void) {
    static uint32_t caps = 0;
    static int done = 0;
    if (done) return caps;
    uint32_t c = 0;
#if defined(__x86_64__)
    unsigned a, b, cx, d;
    unsigned max = __get_cpuid_max(0, NULL);
    int os_ymm = 0, os_zmm = 0;
    if (max >= 1 && __get_cpuid(1, &a, &b, &cx, &d)) {
        if ((cx >> 27) & 1) { /* OSXSAVE: the OS manages the vector state; ask it which */
            unsigned lo, hi;
            __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            os_ymm = (lo & 0x6) == 0x6;
            os_zmm = os_ymm && (lo & 0xe0) == 0xe0;
        }
        if (os_ymm && !((cx >> 28) & 1)) os_ymm = 0; /* no AVX at all */
    }
    if (max >= 7 && __get_cpuid_count(7, 0, &a, &b, &cx, &d)) {
        if ((b >> 8) & 1) c |= ZBP_CAP_BMI2;
        if ((b >> 19) & 1) c |= ZBP_CAP_ADX;
        if (os_ymm && ((b >> 5) & 1)) c |= ZBP_CAP_AVX2;
        int f = (b >> 16) & 1, dq = (b >> 17) & 1, ifma = (b >> 21) & 1, bw = (b >> 30) & 1,
            vl = (b >> 31) & 1;
        if (os_zmm && f) c |= ZBP_CAP_AVX512F;
        if (os_zmm && f && dq && ifma && bw && vl) c |= ZBP_CAP_AVX512IFMA;
    }
#endif
    /* valgrind's emulated CPUID hides BMI2/ADX although it runs MULX/ADCX/ADOX: this lets the
     * constant-time check (tests/check_ct_valgrind.sh) and callgrind measure the ADX path. Only
     * for such tools, on a CPU that has ADX: elsewhere the first product dies with SIGILL. */
    const char *assume = getenv("ZBP_ASSUME_ADX");
    if (assume && !strcmp(assume, "1")) c |= ZBP_CAP_BMI2 | ZBP_CAP_ADX;
    caps = c;
    done = 1;
    return caps;
}

int zbp_isa_supported(zbp_isa_t isa) {
    uint32_t c = zbp_cpu_caps();
    switch (isa) {
    case ZBP_ISA_PORTABLE: return 1;
    case ZBP_ISA_ADX: return ZBP_HAVE_ADX_ASM && (c & ZBP_CAP_BMI2) && (c & ZBP_CAP_ADX);
    case ZBP_ISA_AVX2: return (c & ZBP_CAP_AVX2) && (c & ZBP_CAP_BMI2);
    case ZBP_ISA_AVX512:
        return (c & ZBP_CAP_AVX512IFMA) && (c & ZBP_CAP_BMI2) && (c & ZBP_CAP_ADX);
    default: return 0;
    }
}

static const char *const isa_names[ZBP_ISA_COUNT] = {"portable", "adx", "avx2", "avx512ifma"};

const char *zbp_isa_name(zbp_isa_t isa) {
    return (unsigned)isa < ZBP_ISA_COUNT ? isa_names[isa] : "unknown";
}

zbp_status zbp_isa_parse(const char *name, zbp_isa_t *out) {
    if (!name) return ZBP_ERR_INPUT;
    for (int i = 0; i < ZBP_ISA_COUNT; i++)
        if (!strcmp(name, isa_names[i])) {
            *out = (zbp_isa_t)i;
            return ZBP_OK;
        }
    if (!strcmp(name, "avx512")) {
        *out = ZBP_ISA_AVX512;
        return ZBP_OK;
    }
    if (!strcmp(name, "auto")) {
        zbp_field_init();
        *out = zbp_field_batch_isa();
        return ZBP_OK;
    }
    return ZBP_ERR_INPUT;
}

const zbp_batch_ops_t *zbp_batch_ops(zbp_isa_t isa) {
    if (!zbp_isa_supported(isa)) return NULL;
    switch (isa) {
    case ZBP_ISA_PORTABLE: return &zbp_batch_portable;
    case ZBP_ISA_ADX: return &zbp_batch_adx;
    case ZBP_ISA_AVX2: return &zbp_batch_avx2;
    case ZBP_ISA_AVX512: return &zbp_batch_avx512;
    default: return NULL;
    }
}

zbp_status zbp_field_select(zbp_isa_t isa) {
    if (!zbp_batch_ops(isa)) return ZBP_ERR_UNSUPPORTED;
    zbp_field_use_adx = isa != ZBP_ISA_PORTABLE && zbp_isa_supported(ZBP_ISA_ADX);
    batch_isa = isa;
    batch_ops = zbp_batch_ops(isa);
    return ZBP_OK;
}

zbp_isa_t zbp_field_scalar_isa(void) { return zbp_field_use_adx ? ZBP_ISA_ADX : ZBP_ISA_PORTABLE; }
zbp_isa_t zbp_field_batch_isa(void) { return batch_isa; }

/* The default batch path, by measurement on Sapphire Rapids (bench/results/): AVX-512 IFMA beats
 * the scalar MULX loop for independent products; AVX2 without IFMA does not, so AVX2-only CPUs
 * keep the scalar ADX loop by default and AVX2 is used only when named. */
static zbp_isa_t default_isa(void) {
    if (zbp_batch_ops(ZBP_ISA_AVX512)) return ZBP_ISA_AVX512;
    if (zbp_isa_supported(ZBP_ISA_ADX)) return ZBP_ISA_ADX;
    return ZBP_ISA_PORTABLE;
}

void zbp_field_init(void) {
    static int done = 0;
    if (done) return;
    done = 1;
    zbp_isa_t isa = default_isa();
    const char *force = getenv("ZBP_FORCE_PORTABLE");
    const char *named = getenv("ZBP_ISA");
    zbp_isa_t want;
    if (force && *force && strcmp(force, "0"))
        isa = ZBP_ISA_PORTABLE;
    else if (named && *named && strcmp(named, "auto") && zbp_isa_parse(named, &want) == ZBP_OK &&
             zbp_isa_supported(want))
        isa = want;
    zbp_status_ignore(zbp_field_select(isa)); /* cannot fail: isa is portable or supported */
}

/* Runs before main so that every entry point, the tests included, starts on the chosen path. */
__attribute__((constructor)) static void field_ctor(void) { zbp_field_init(); }

/* ---- generic operations over a zbp_mont_t --------------------------------------------------------- */

/* r = a^e with a fixed 4-bit window; the table lookup scans every entry, so the time does not
 * depend on a (the exponent is public in every use: p-2, (p-1)/2, sqrt exponents). */
static void mont_pow(uint64_t r[4], const uint64_t a[4], const uint64_t e[4], const zbp_mont_t *f) {
    uint64_t table[16][4];
    memcpy(table[0], f->one, 32);
    memcpy(table[1], a, 32);
    for (int i = 2; i < 16; i++) zbp_mont_mul(table[i], table[i - 1], a, f);
    uint64_t acc[4];
    memcpy(acc, f->one, 32);
    for (int w = 63; w >= 0; w--) {
        if (w != 63)
            for (int k = 0; k < 4; k++) zbp_mont_mul(acc, acc, acc, f);
        unsigned nib = (unsigned)(e[w / 16] >> ((w % 16) * 4)) & 0xf;
        uint64_t sel[4] = {0, 0, 0, 0};
        for (unsigned i = 0; i < 16; i++) {
            uint64_t mask = 0 - (uint64_t)(i == nib);
            for (int k = 0; k < 4; k++) sel[k] |= table[i][k] & mask;
        }
        zbp_mont_mul(acc, acc, sel, f);
    }
    memcpy(r, acc, 32);
}

static inline int limbs_geq(const uint64_t a[4], const uint64_t b[4]) {
    for (int i = 3; i >= 0; i--)
        if (a[i] != b[i]) return a[i] > b[i];
    return 1;
}

static void mont_from(uint64_t r[4], const uint64_t a[4], const zbp_mont_t *f) {
    static const uint64_t one[4] = {1, 0, 0, 0};
    zbp_mont_mul(r, a, one, f);
}

static void mont_to(uint64_t r[4], const uint64_t a[4], const zbp_mont_t *f) {
    zbp_mont_mul(r, a, f->r2, f);
}

/* ---- variable-time inversion: Bernstein-Yang divsteps, 62 at a time ----------------------------
 * For public values only (points, verification keys, the MSM's shared batch inversions). The
 * divstep of "Fast constant-time gcd computation and modular inversion" (Bernstein, Yang 2019),
 *   delta > 0 and g odd: (1 - delta, g, (g - f)/2);  g odd: (1 + delta, f, (g + f)/2);  else g/2,
 * from f = p, g = x ends with g = 0 and f = +-1. 62 steps at a time are decided from the low 64
 * bits of f and g alone and collected in an integer matrix T (entries below 2^62 in magnitude) with
 * (f, g) <- T (f, g) / 2^62; the same T carried on (d, e), kept with f = d x and g = e x mod p
 * (a multiple of p added to make the division exact), gives x^-1 = +-d. The numbers are held in
 * five signed 62-bit limbs so that the division by 2^62 is a shift of limbs. Variable time: runs
 * of even g are skipped with a count of trailing zeros, and a run of non-swapping steps is done
 * at once by adding the multiple of f that clears the run's low bits (f's inverse mod 2^10). */
#define S62_MASK ((((uint64_t)1) << 62) - 1)

typedef struct {
    int64_t l[5]; /* value = sum l[i] 2^(62 i); l[0..3] in [0, 2^62), l[4] signed */
} s62_t;

static void s62_from(s62_t *r, const uint64_t a[4]) {
    r->l[0] = (int64_t)(a[0] & S62_MASK);
    r->l[1] = (int64_t)(((a[0] >> 62) | (a[1] << 2)) & S62_MASK);
    r->l[2] = (int64_t)(((a[1] >> 60) | (a[2] << 4)) & S62_MASK);
    r->l[3] = (int64_t)(((a[2] >> 58) | (a[3] << 6)) & S62_MASK);
    r->l[4] = (int64_t)(a[3] >> 56);
}

/* |x| + |y| <= 2^62, in unsigned arithmetic (for ZBP_INVARIANT; unused without the checks). */
__attribute__((unused)) static int zbp_abs_sum_le62(int64_t x, int64_t y) {
    uint64_t ax = x < 0 ? 0 - (uint64_t)x : (uint64_t)x, ay = y < 0 ? 0 - (uint64_t)y : (uint64_t)y;
    return ax <= ((uint64_t)1 << 62) && ay <= ((uint64_t)1 << 62) - ax;
}

/* 62 divsteps on the low words of f (odd) and g; t = the scaled matrix (u, v, q, r). Entries are
 * computed modulo 2^64 (unsigned: no overflow to worry about) and are exact as they fit in int64. */
static int64_t divsteps62_var(int64_t delta, uint64_t f, uint64_t g, int64_t t[4]) {
    uint64_t u = 1, v = 0, q = 0, r = 1;
    uint64_t finv = (3 * f) ^ 2;  /* f^-1 mod 2^5 */
    finv *= 2 - f * finv;         /* mod 2^10 */
    int left = 62;
    for (;;) {
        /* g even: g/2 steps; the f row doubles (the scale of the invariant 2^k (f, g) = T (f0, g0)) */
        int z = __builtin_ctzll(g | ((uint64_t)1 << left));
        g >>= z;
        u <<= z;
        v <<= z;
        delta += z;
        left -= z;
        if (!left) break;
        if (delta > 0) { /* the swap: (f, g) <- (g, -f), then an ordinary step on those */
            delta = -delta;
            uint64_t x = f, y = u, w = v;
            f = g;
            g = 0 - x;
            u = q;
            v = r;
            q = 0 - y;
            r = 0 - w;
            finv = (3 * f) ^ 2;
            finv *= 2 - f * finv;
        }
        /* The next m steps (delta <= 0 throughout) add f whenever g is odd and halve: together
         * g <- (g + w f) / 2^m with w = -g/f mod 2^m. The halvings happen at the top of the loop. */
        int m = 1 - delta < left ? (int)(1 - delta) : left;
        if (m > 10) m = 10;
        uint64_t w = (0 - g * finv) & ((((uint64_t)1) << m) - 1);
        g += w * f;
        q += w * u;
        r += w * v;
    }
    t[0] = (int64_t)u;
    t[1] = (int64_t)v;
    t[2] = (int64_t)q;
    t[3] = (int64_t)r;
    /* 62 divsteps: each row of T has |x| + |y| <= 2^62 (the bound s62_update_de's growth and the
     * exact int64 entries rest on), and f stays odd. */
    ZBP_INVARIANT((f & 1) == 1);
    ZBP_INVARIANT(zbp_abs_sum_le62(t[0], t[1]) && zbp_abs_sum_le62(t[2], t[3]));
    return delta;
}

typedef __int128 zbp_i128;

/* (f, g) <- T (f, g) / 2^62, exactly. */
static void s62_update_fg(s62_t *f, s62_t *g, const int64_t t[4]) {
    zbp_i128 cf = (zbp_i128)t[0] * f->l[0] + (zbp_i128)t[1] * g->l[0];
    zbp_i128 cg = (zbp_i128)t[2] * f->l[0] + (zbp_i128)t[3] * g->l[0];
    ZBP_INVARIANT(((uint64_t)cf & S62_MASK) == 0 && ((uint64_t)cg & S62_MASK) == 0);
    cf >>= 62; /* the low 62 bits are zero by construction */
    cg >>= 62;
    for (int i = 1; i < 5; i++) {
        cf += (zbp_i128)t[0] * f->l[i] + (zbp_i128)t[1] * g->l[i];
        cg += (zbp_i128)t[2] * f->l[i] + (zbp_i128)t[3] * g->l[i];
        f->l[i - 1] = (int64_t)((uint64_t)cf & S62_MASK);
        g->l[i - 1] = (int64_t)((uint64_t)cg & S62_MASK);
        cf >>= 62;
        cg >>= 62;
    }
    f->l[4] = (int64_t)cf;
    g->l[4] = (int64_t)cg;
}

/* (d, e) <- (T (d, e) + (md, me) p) / 2^62 with md, me in [0, 2^62) making the division exact.
 * |d|, |e| grow by at most p per call (|u| + |v| <= 2^62), from below p: a handful of p at the end. */
static void s62_update_de(s62_t *d, s62_t *e, const int64_t t[4], const s62_t *p, uint64_t pinv62) {
    uint64_t d0 = (uint64_t)d->l[0], e0 = (uint64_t)e->l[0];
    uint64_t md = (0 - ((uint64_t)t[0] * d0 + (uint64_t)t[1] * e0) * pinv62) & S62_MASK;
    uint64_t me = (0 - ((uint64_t)t[2] * d0 + (uint64_t)t[3] * e0) * pinv62) & S62_MASK;
    zbp_i128 cd = (zbp_i128)t[0] * d->l[0] + (zbp_i128)t[1] * e->l[0] + (zbp_i128)md * p->l[0];
    zbp_i128 ce = (zbp_i128)t[2] * d->l[0] + (zbp_i128)t[3] * e->l[0] + (zbp_i128)me * p->l[0];
    ZBP_INVARIANT(((uint64_t)cd & S62_MASK) == 0 && ((uint64_t)ce & S62_MASK) == 0);
    cd >>= 62;
    ce >>= 62;
    for (int i = 1; i < 5; i++) {
        cd += (zbp_i128)t[0] * d->l[i] + (zbp_i128)t[1] * e->l[i] + (zbp_i128)md * p->l[i];
        ce += (zbp_i128)t[2] * d->l[i] + (zbp_i128)t[3] * e->l[i] + (zbp_i128)me * p->l[i];
        d->l[i - 1] = (int64_t)((uint64_t)cd & S62_MASK);
        e->l[i - 1] = (int64_t)((uint64_t)ce & S62_MASK);
        cd >>= 62;
        ce >>= 62;
    }
    d->l[4] = (int64_t)cd;
    e->l[4] = (int64_t)ce;
}

/* r = (neg ? -d : d) mod p, for |d| < 2^300 (a few p in practice). */
static void s62_to_mod(uint64_t r[4], const s62_t *d, int neg, const uint64_t p[4]) {
    uint64_t w[5];
    w[0] = (uint64_t)d->l[0] | ((uint64_t)d->l[1] << 62);
    w[1] = ((uint64_t)d->l[1] >> 2) | ((uint64_t)d->l[2] << 60);
    w[2] = ((uint64_t)d->l[2] >> 4) | ((uint64_t)d->l[3] << 58);
    w[3] = ((uint64_t)d->l[3] >> 6) | ((uint64_t)d->l[4] << 56);
    w[4] = (uint64_t)(d->l[4] >> 8); /* the sign, extended (gcc shifts signed values arithmetically) */
    if (neg) {
        unsigned char c = 1;
        for (int i = 0; i < 5; i++) c = ZBP_ADC(c, ~w[i], 0, &w[i]);
    }
    while ((int64_t)w[4] < 0) { /* + p */
        unsigned char c = 0;
        for (int i = 0; i < 4; i++) c = ZBP_ADC(c, w[i], p[i], &w[i]);
        w[4] += c;
    }
    while (w[4] || limbs_geq(w, p)) { /* - p */
        unsigned char b = 0;
        for (int i = 0; i < 4; i++) b = ZBP_SBB(b, w[i], p[i], &w[i]);
        w[4] -= b;
    }
    memcpy(r, w, 32);
}

/* The inverse of the Montgomery representative y = aR is y^-1 = a^-1 R^-1; two Montgomery products
 * by R^2 make it a^-1 R. */
static void mont_inv_vartime(uint64_t r[4], const uint64_t a[4], const zbp_mont_t *f) {
    if (zbp_limbs_is_zero(a)) {
        memset(r, 0, 32);
        return;
    }
    s62_t F, G, P, D = {{0, 0, 0, 0, 0}}, E = {{1, 0, 0, 0, 0}};
    s62_from(&P, f->p);
    F = P;
    s62_from(&G, a);
    const uint64_t pinv62 = (0 - f->pinv) & S62_MASK; /* p^-1 mod 2^62 (f->pinv is -p^-1) */
    int64_t delta = 1, t[4];
    int rounds = 0;
    for (;;) {
        /* Bernstein-Yang: at most (49·256 + 57)/17 = 741 divsteps for 256-bit inputs: 12 rounds */
        ZBP_INVARIANT(++rounds <= 12);
        uint64_t flo = (uint64_t)F.l[0] | ((uint64_t)F.l[1] << 62);
        uint64_t glo = (uint64_t)G.l[0] | ((uint64_t)G.l[1] << 62);
        delta = divsteps62_var(delta, flo, glo, t);
        s62_update_de(&D, &E, t, &P, pinv62);
        s62_update_fg(&F, &G, t);
        if ((G.l[0] | G.l[1] | G.l[2] | G.l[3] | G.l[4]) == 0) break;
    }
    /* F = +-1 (p is prime and a is nonzero mod p): a^-1 R^-1 = +-D */
    ZBP_INVARIANT((F.l[0] == 1 && (F.l[1] | F.l[2] | F.l[3] | F.l[4]) == 0) ||
                  (F.l[0] == (int64_t)S62_MASK && F.l[1] == (int64_t)S62_MASK &&
                   F.l[2] == (int64_t)S62_MASK && F.l[3] == (int64_t)S62_MASK && F.l[4] == -1));
    uint64_t x[4];
    s62_to_mod(x, &D, F.l[4] < 0, f->p);
    zbp_mont_mul(r, x, f->r2, f);
    zbp_mont_mul(r, r, f->r2, f);
}

static int mont_legendre(const uint64_t a[4], const uint64_t pm1h[4], const zbp_mont_t *f) {
    if (zbp_limbs_is_zero(a)) return 0;
    uint64_t t[4];
    mont_pow(t, a, pm1h, f);
    return zbp_limbs_equal(t, f->one) ? 1 : -1;
}

static int mont_batch_inv(uint64_t *r, const uint64_t *a, size_t n, uint64_t *scratch,
                          void (*inv)(uint64_t *, const uint64_t *), const zbp_mont_t *f) {
    if (n == 0) return ZBP_OK;
    uint64_t *pre = scratch;
    if (!pre) {
        pre = malloc(n * 32);
        if (!pre) return ZBP_ERR_NOMEM;
    }
    /* pre[i] = product of the nonzero a[0..i]; zeros are skipped and stay zero in the output. */
    uint64_t acc[4];
    memcpy(acc, f->one, 32);
    for (size_t i = 0; i < n; i++) {
        if (!zbp_limbs_is_zero(a + 4 * i)) zbp_mont_mul(acc, acc, a + 4 * i, f);
        memcpy(pre + 4 * i, acc, 32);
    }
    uint64_t inv_acc[4];
    inv(inv_acc, acc);
    for (size_t i = n; i-- > 0;) {
        const uint64_t *ai = a + 4 * i;
        if (zbp_limbs_is_zero(ai)) {
            memset(r + 4 * i, 0, 32);
            continue;
        }
        uint64_t ai_copy[4], out[4];
        memcpy(ai_copy, ai, 32); /* r may alias a */
        if (i > 0)
            zbp_mont_mul(out, inv_acc, pre + 4 * (i - 1), f);
        else
            memcpy(out, inv_acc, 32);
        zbp_mont_mul(inv_acc, inv_acc, ai_copy, f);
        memcpy(r + 4 * i, out, 32);
    }
    if (!scratch) free(pre);
    return ZBP_OK;
}

/* ---- bytes and decimal ---------------------------------------------------------------------------- */
static int limbs_from_le(uint64_t r[4], const uint8_t in[32], const uint64_t p[4]) {
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--) w = (w << 8) | in[8 * i + k];
        r[i] = w;
    }
    return limbs_geq(r, p) ? ZBP_ERR_RANGE : ZBP_OK;
}

static int limbs_from_be(uint64_t r[4], const uint8_t in[32], const uint64_t p[4]) {
    uint8_t le[32];
    for (int i = 0; i < 32; i++) le[i] = in[31 - i];
    return limbs_from_le(r, le, p);
}

static void limbs_to_le(uint8_t out[32], const uint64_t a[4]) {
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 8; k++) out[8 * i + k] = (uint8_t)(a[i] >> (8 * k));
}

static void limbs_to_be(uint8_t out[32], const uint64_t a[4]) {
    uint8_t le[32];
    limbs_to_le(le, a);
    for (int i = 0; i < 32; i++) out[i] = le[31 - i];
}

/* Strict decimal: 1..78 digits, no sign, no spaces, no leading zero unless the value is 0. */
static int limbs_from_dec(uint64_t r[4], const char *s, size_t len, const uint64_t p[4]) {
    if (!s || len == 0 || len > 78) return ZBP_ERR_INPUT;
    if (len > 1 && s[0] == '0') return ZBP_ERR_INPUT;
    uint64_t x[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return ZBP_ERR_INPUT;
        zbp_u128 carry = (unsigned)(s[i] - '0');
        for (int k = 0; k < 4; k++) {
            carry += (zbp_u128)x[k] * 10;
            x[k] = (uint64_t)carry;
            carry >>= 64;
        }
        if (carry) return ZBP_ERR_RANGE; /* beyond 2^256 */
    }
    if (limbs_geq(x, p)) return ZBP_ERR_RANGE;
    memcpy(r, x, 32);
    return ZBP_OK;
}

static void limbs_to_dec(char out[80], const uint64_t a[4]) {
    uint64_t x[4];
    memcpy(x, a, 32);
    char buf[80];
    int n = 0;
    /* Divide by 10^19 repeatedly: each quotient step yields 19 decimal digits. */
    const uint64_t chunk = 10000000000000000000ull;
    do {
        zbp_u128 rem = 0;
        for (int k = 3; k >= 0; k--) {
            zbp_u128 cur = (rem << 64) | x[k];
            x[k] = (uint64_t)(cur / chunk);
            rem = cur % chunk;
        }
        uint64_t part = (uint64_t)rem;
        int last = zbp_limbs_is_zero(x);
        for (int d = 0; d < 19 && (!last || part); d++) {
            buf[n++] = (char)('0' + part % 10);
            part /= 10;
        }
    } while (!zbp_limbs_is_zero(x));
    if (n == 0) buf[n++] = '0';
    for (int i = 0; i < n; i++) out[i] = buf[n - 1 - i];
    out[n] = '\0';
}

/* Uniform in [0, p): 254 random bits, rejected when >= p (p > 2^253, so at most ~4 tries on
 * average), then mapped into Montgomery form. */
static void mont_random(uint64_t r[4], void (*rng)(void *, uint8_t *, size_t), void *ctx,
                        const zbp_mont_t *f) {
    uint8_t buf[32];
    uint64_t x[4];
    do {
        rng(ctx, buf, 32);
        buf[31] &= 0x3f;
    } while (limbs_from_le(x, buf, f->p) != ZBP_OK);
    mont_to(r, x, f);
    memset(buf, 0, sizeof buf);
}

/* ---- Fr square root: Tonelli-Shanks with 2-adicity 28 and the non-residue 5 ------------------------ */
static int fr_sqrt_ts(uint64_t r[4], const uint64_t a[4]) {
    const zbp_mont_t *f = &zbp_fr_mont;
    if (zbp_limbs_is_zero(a)) {
        memset(r, 0, 32);
        return 1;
    }
    if (mont_legendre(a, fr_pm1h, f) != 1) return 0;
    /* x = a^((t+1)/2) = a * a^((t-1)/2), b = a^t, z = c = nqr^t (the 2^28-th root). */
    uint64_t w[4], x[4], b[4], c[4];
    mont_pow(w, a, fr_tm1h, f);
    zbp_mont_mul(x, w, a, f);
    zbp_mont_mul(b, x, w, f);
    memcpy(c, fr_roots[FR_TWO_ADICITY], 32);
    unsigned m = FR_TWO_ADICITY;
    while (!zbp_limbs_equal(b, f->one)) {
        unsigned i = 0;
        uint64_t t[4];
        memcpy(t, b, 32);
        while (!zbp_limbs_equal(t, f->one)) {
            zbp_mont_mul(t, t, t, f);
            i++;
        }
        for (unsigned k = 0; k + i + 1 < m; k++) zbp_mont_mul(c, c, c, f);
        m = i;
        zbp_mont_mul(x, x, c, f);
        zbp_mont_mul(c, c, c, f);
        zbp_mont_mul(b, b, c, f);
    }
    memcpy(r, x, 32);
    return 1;
}

/* ---- the typed API ------------------------------------------------------------------------------- */
#define FIELD_API(T, pre, F, PM2, PM1H)                                                              \
    void pre##_inv(T *r, const T *a) { mont_pow(r->l, a->l, PM2, &F); }                              \
    void pre##_inv_vartime(T *r, const T *a) { mont_inv_vartime(r->l, a->l, &F); }                   \
    void pre##_pow(T *r, const T *a, const uint64_t e[4]) { mont_pow(r->l, a->l, e, &F); }          \
    int pre##_legendre_vartime(const T *a) { return mont_legendre(a->l, PM1H, &F); }                         \
    static void pre##_inv_raw(uint64_t *r, const uint64_t *a) { mont_pow(r, a, PM2, &F); }          \
    zbp_status pre##_batch_inv_vartime(T *r, const T *a, size_t n, T *scratch) {                             \
        return mont_batch_inv(r->l, a->l, n, scratch ? scratch->l : NULL, pre##_inv_raw, &F);        \
    }                                                                                                \
    void pre##_to_mont(T *r, const uint64_t a[4]) { mont_to(r->l, a, &F); }                          \
    void pre##_from_mont(uint64_t r[4], const T *a) { mont_from(r, a->l, &F); }                      \
    zbp_status pre##_from_bytes_le(T *r, const uint8_t in[32]) {                                     \
        uint64_t x[4];                                                                               \
        int st = limbs_from_le(x, in, F.p);                                                          \
        if (st == ZBP_OK) mont_to(r->l, x, &F);                                                      \
        return st;                                                                                   \
    }                                                                                                \
    zbp_status pre##_from_bytes_be(T *r, const uint8_t in[32]) {                                     \
        uint64_t x[4];                                                                               \
        int st = limbs_from_be(x, in, F.p);                                                          \
        if (st == ZBP_OK) mont_to(r->l, x, &F);                                                      \
        return st;                                                                                   \
    }                                                                                                \
    void pre##_to_bytes_le(uint8_t out[32], const T *a) {                                            \
        uint64_t x[4];                                                                               \
        mont_from(x, a->l, &F);                                                                      \
        limbs_to_le(out, x);                                                                         \
    }                                                                                                \
    void pre##_to_bytes_be(uint8_t out[32], const T *a) {                                            \
        uint64_t x[4];                                                                               \
        mont_from(x, a->l, &F);                                                                      \
        limbs_to_be(out, x);                                                                         \
    }                                                                                                \
    zbp_status pre##_from_dec(T *r, const char *s, size_t len) {                                     \
        uint64_t x[4];                                                                               \
        int st = limbs_from_dec(x, s, len, F.p);                                                     \
        if (st == ZBP_OK) mont_to(r->l, x, &F);                                                      \
        return st;                                                                                   \
    }                                                                                                \
    void pre##_to_dec(char out[80], const T *a) {                                                    \
        uint64_t x[4];                                                                               \
        mont_from(x, a->l, &F);                                                                      \
        limbs_to_dec(out, x);                                                                        \
    }                                                                                                \
    void pre##_random(T *r, void (*rng)(void *, uint8_t *, size_t), void *ctx) {                     \
        mont_random(r->l, rng, ctx, &F);                                                             \
    }                                                                                                \
    void pre##_mul_batch(T *r, const T *a, const T *b, size_t n) {                                   \
        batch_ops->mul(r->l, a->l, b->l, n, &F);                                                     \
    }                                                                                                \
    void pre##_sqr_batch(T *r, const T *a, size_t n) { batch_ops->sqr(r->l, a->l, n, &F); }         \
    void pre##_add_batch(T *r, const T *a, const T *b, size_t n) {                                   \
        batch_ops->add(r->l, a->l, b->l, n, &F);                                                     \
    }                                                                                                \
    void pre##_sub_batch(T *r, const T *a, const T *b, size_t n) {                                   \
        batch_ops->sub(r->l, a->l, b->l, n, &F);                                                     \
    }

FIELD_API(fq_t, fq, zbp_fq_mont, fq_pm2, fq_pm1h)
FIELD_API(fr_t, fr, zbp_fr_mont, fr_pm2, fr_pm1h)
#undef FIELD_API

int fq_sqrt_vartime(fq_t *r, const fq_t *a) {
    /* q = 3 mod 4: a^((q+1)/4) is a root exactly when a is a square. */
    fq_t x, chk;
    mont_pow(x.l, a->l, fq_sqrt_exp, &zbp_fq_mont);
    fq_sqr(&chk, &x);
    if (!fq_equal(&chk, a)) return 0;
    *r = x;
    return 1;
}

int fr_sqrt_vartime(fr_t *r, const fr_t *a) { return fr_sqrt_ts(r->l, a->l); }

void fr_root_of_unity(fr_t *r, unsigned log_n) {
    if (log_n > FR_TWO_ADICITY) log_n = FR_TWO_ADICITY;
    memcpy(r->l, fr_roots[log_n], 32);
}

/* ---- portable and ADX batch tables ---------------------------------------------------------------- */
#define SCALAR_BATCH(suffix, MUL, SQR)                                                               \
    static void mul_##suffix(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n,           \
                             const zbp_mont_t *f) {                                                  \
        for (size_t i = 0; i < n; i++) MUL(r + 4 * i, a + 4 * i, b + 4 * i, f->p, f->pinv);         \
    }                                                                                                \
    static void sqr_##suffix(uint64_t *r, const uint64_t *a, size_t n, const zbp_mont_t *f) {       \
        for (size_t i = 0; i < n; i++) SQR(r + 4 * i, a + 4 * i, f->p, f->pinv);                    \
    }
SCALAR_BATCH(portable, zbp_mont_mul_portable, zbp_mont_sqr_portable)
SCALAR_BATCH(adx, zbp_mont_mul_adx, zbp_mont_sqr_adx)
#undef SCALAR_BATCH

static void add_scalar(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n,
                       const zbp_mont_t *f) {
    for (size_t i = 0; i < n; i++) zbp_mont_add(r + 4 * i, a + 4 * i, b + 4 * i, f->p);
}
static void sub_scalar(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n,
                       const zbp_mont_t *f) {
    for (size_t i = 0; i < n; i++) zbp_mont_sub(r + 4 * i, a + 4 * i, b + 4 * i, f->p);
}

const zbp_batch_ops_t zbp_batch_portable = {"portable", mul_portable, sqr_portable, add_scalar,
                                            sub_scalar};
const zbp_batch_ops_t zbp_batch_adx = {"adx", mul_adx, sqr_adx, add_scalar, sub_scalar};
