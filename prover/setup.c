/* setup.c: `zbprover setup --insecure-dev`: a Groth16 key in snarkjs's .zkey format for any circom
 * .r1cs from random toxic waste (tau, alpha, beta, delta) drawn here and then forgotten. */
#include <errno.h>
#include <omp.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ntt/ntt.h"
#include "prover/prover.h"
#include "prover/readers_int.h"
#include "prover/util.h"

/* Whoever holds the toxic waste can forge proofs: the key is for benchmarks and development only.
 * That is also why scalar multiplications here are variable time and nothing is wiped with care
 * beyond the four secrets themselves. */

/* A nonzero uniform element of Fr from getrandom(), in Montgomery form. */
static int random_nonzero(fr_t *out) {
    for (;;) {
        uint8_t buf[32];
        size_t got = 0;
        while (got < sizeof buf) {
            ssize_t n = getrandom(buf + got, sizeof buf - got, 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                return ZBP_ERR_IO;
            }
            got += (size_t)n;
        }
        buf[31] &= 0x3f; /* 254 bits, then reject values >= r (and 0) */
        uint64_t v[4];
        zbp_rd_limbs(v, buf);
        zbp_wipe(buf, sizeof buf);
        if (zbp_limbs_lt(v, FR_MODULUS) && (v[0] | v[1] | v[2] | v[3])) {
            fr_to_mont(out, v);
            zbp_wipe(v, sizeof v);
            return ZBP_OK;
        }
    }
}

/* ---- fixed-base scalar multiplication ------------------------------------------------------------
 * Every point of the key is k·G for one generator G (of G1 or of G2), so a table of d·2^(wj)·G for
 * signed digits d in 1..2^(w-1) and windows j turns each multiplication into one addition per
 * window and no doubling. The additions of a batch of scalars run in batch-affine form (one shared
 * inversion per window and batch), so each costs about 6 base-field products and the results come
 * out affine, ready for the file. */
typedef struct {
    unsigned w, windows;
    size_t per; /* 2^(w-1) entries per window: entry d-1 holds d·2^(wj)·G */
    void *pts;
} fb_table_t;

/* w bits cover a scalar below r < 2^254 with signed digits (the top digit absorbs the carry). */
static unsigned fb_windows(unsigned w) { return (255 + w - 1) / w; }

/* The window minimising additions for `count` multiplications, table building included. */
static unsigned fb_choose_window(size_t count) {
    unsigned best = 4;
    double best_cost = 0;
    for (unsigned w = 4; w <= 16; w++) {
        double W = fb_windows(w);
        double cost = (double)count * W + 2.0 * W * (double)((size_t)1 << (w - 1));
        if (w == 4 || cost < best_cost) best = w, best_cost = cost;
    }
    return best;
}

/* Bits [pos, pos + w) of k (w <= 16, pos < 256). */
static unsigned bits_at(const uint64_t k[4], unsigned pos, unsigned w) {
    unsigned limb = pos / 64, off = pos % 64;
    uint64_t v = k[limb] >> off;
    if (off + w > 64 && limb < 3) v |= k[limb + 1] << (64 - off);
    return (unsigned)(v & (((uint64_t)1 << w) - 1));
}

/* Per-thread scratch for one batch of at most FB_BATCH scalars. */
#define FB_BATCH 1024
typedef struct {
    void *acc_p[FB_BATCH];
    const void *add_p[FB_BATCH];
    uint8_t neg[FB_BATCH];
    uint8_t carry[FB_BATCH];
    fq2_t scratch[FB_BATCH]; /* big enough for either field */
} fb_scratch_t;

#define FB_DEFINE(G, AFF, JAC, F)                                                                   \
    static int G##_fb_build(fb_table_t *t, const AFF *base, unsigned w, int threads) {             \
        t->w = w;                                                                                  \
        t->windows = fb_windows(w);                                                                \
        t->per = (size_t)1 << (w - 1);                                                             \
        t->pts = malloc(t->windows * t->per * sizeof(AFF));                                        \
        AFF *bases = malloc(t->windows * sizeof(AFF));                                             \
        if (!t->pts || !bases) {                                                                   \
            free(t->pts);                                                                          \
            free(bases);                                                                           \
            t->pts = NULL;                                                                         \
            return ZBP_ERR_NOMEM;                                                                  \
        }                                                                                          \
        JAC b;                                                                                     \
        G##_jac_from_affine(&b, base);                                                             \
        for (unsigned j = 0; j < t->windows; j++) {                                                \
            G##_jac_to_affine(&bases[j], &b);                                                      \
            for (unsigned i = 0; i < w; i++) G##_jac_dbl(&b, &b);                                  \
        }                                                                                          \
        int failed = 0;                                                                            \
        _Pragma("omp parallel num_threads(threads) reduction(|:failed)") {                         \
            JAC *tmp = malloc(t->per * sizeof(JAC));                                               \
            F *scr = malloc(t->per * sizeof(F));                                                   \
            if (!tmp || !scr) failed = 1;                                                          \
            _Pragma("omp for schedule(dynamic, 1)") for (unsigned j = 0; j < t->windows; j++) {    \
                if (!tmp || !scr) continue;                                                        \
                G##_jac_from_affine(&tmp[0], &bases[j]);                                           \
                for (size_t d = 1; d < t->per; d++)                                                \
                    G##_jac_add_affine(&tmp[d], &tmp[d - 1], &bases[j]);                           \
                G##_jac_batch_to_affine((AFF *)t->pts + j * t->per, tmp, t->per, scr);             \
            }                                                                                      \
            free(tmp);                                                                             \
            free(scr);                                                                             \
        }                                                                                          \
        free(bases);                                                                               \
        if (failed) {                                                                              \
            free(t->pts);                                                                          \
            t->pts = NULL;                                                                         \
            return ZBP_ERR_NOMEM;                                                                  \
        }                                                                                          \
        return ZBP_OK;                                                                             \
    }                                                                                              \
    /* out[i] = k[i]·G for n <= FB_BATCH canonical scalars below r. */                            \
    static void G##_fb_mul(const fb_table_t *t, AFF *out, const uint64_t (*k)[4], size_t n,        \
                           fb_scratch_t *s) {                                                      \
        const AFF *tab = t->pts;                                                                   \
        const int half = (int)t->per;                                                              \
        for (size_t i = 0; i < n; i++) {                                                           \
            G##_affine_set_infinity(&out[i]);                                                      \
            s->acc_p[i] = &out[i];                                                                 \
            s->carry[i] = 0;                                                                       \
        }                                                                                          \
        for (unsigned j = 0; j < t->windows; j++) {                                                \
            size_t m = 0;                                                                          \
            for (size_t i = 0; i < n; i++) {                                                       \
                int d = (int)bits_at(k[i], j * t->w, t->w) + s->carry[i];                         \
                s->carry[i] = d > half;                                                            \
                if (d > half) d -= 2 * half;                                                       \
                if (d == 0) continue;                                                              \
                /* only the nonzero digits join the batch: zero scalars cost nothing */           \
                s->acc_p[m] = &out[i];                                                             \
                s->add_p[m] = &tab[j * t->per + (size_t)(d < 0 ? -d : d) - 1];                    \
                s->neg[m] = d < 0;                                                                 \
                m++;                                                                               \
            }                                                                                      \
            if (m)                                                                                 \
                G##_batch_add_affine_ptr_vartime((AFF *const *)s->acc_p,                           \
                                                 (const AFF *const *)s->add_p, s->neg, m,          \
                                                 (F *)s->scratch);                                 \
        }                                                                                          \
    }

FB_DEFINE(g1, g1_affine_t, g1_jac_t, fq_t)
FB_DEFINE(g2, g2_affine_t, g2_jac_t, fq2_t)

/* ---- the output file -------------------------------------------------------------------------------
 * Written through a temporary file beside the target and renamed into place, so a failure or an
 * interruption never leaves a partial key at the path. Sections 2..9 are also hashed (Blake2b-512)
 * into the contributions section's circuit hash. */
typedef struct {
    FILE *f;
    char *tmp;
    EVP_MD_CTX *md;
    int hashing;
    int failed;
} zout_t;

static void zput(zout_t *o, const void *p, size_t n) {
    if (o->failed || n == 0) return;
    if (fwrite(p, 1, n, o->f) != n) o->failed = errno ? errno : EIO;
    if (o->hashing && EVP_DigestUpdate(o->md, p, n) != 1) o->failed = EIO;
}
static void zput32(zout_t *o, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    zput(o, b, 4);
}
static void zsection(zout_t *o, uint32_t id, uint64_t size) {
    uint8_t b[12];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(id >> (8 * i));
    for (int i = 0; i < 8; i++) b[4 + i] = (uint8_t)(size >> (8 * i));
    int h = o->hashing;
    o->hashing = 0; /* the hash covers bodies only */
    zput(o, b, sizeof b);
    o->hashing = h;
}
static void zput_limbs(zout_t *o, const uint64_t l[4]) {
    uint8_t b[32];
    for (int i = 0; i < 32; i++) b[i] = (uint8_t)(l[i / 8] >> (8 * (i % 8)));
    zput(o, b, 32);
}

/* ---- the circuit's QAP at tau ------------------------------------------------------------------- */
typedef struct {
    const zbp_r1cs_t *r;
    uint32_t n_vars, n_public, n_cons, rows;
    unsigned log_n;
    uint32_t n;
    uint64_t n_coefs; /* A and B terms plus the n_public + 1 public rows */
    fr_t tau, alpha, beta, delta, delta_inv;
    fr_t *u, *v, *w; /* u_i(tau), v_i(tau), w_i(tau) for every wire */
    fr_t h_k, h_g, h_step; /* H_j = h_k · g_j / (tau - g_j), g_j = h_g · h_step^j */
    int threads;
    fb_table_t t1, t2;
} setup_t;

static void fr_from_u64(fr_t *r, uint64_t x) {
    uint64_t l[4] = {x, 0, 0, 0};
    fr_to_mont(r, l);
}

/* L_c(tau) for the rows c < rows of the size-n domain: (tau^n - 1)/n · omega^c / (tau - omega^c),
 * all denominators inverted with one batch inversion. */
static int lagrange_at_tau(fr_t *L, const setup_t *s) {
    fr_t omega, zn, t, ninv, pw;
    ntt_domain_root(&omega, s->log_n);
    uint64_t e[4] = {s->n, 0, 0, 0};
    fr_pow(&zn, &s->tau, e);
    fr_sub(&zn, &zn, &FR_ONE);
    fr_from_u64(&t, s->n);
    fr_inv(&ninv, &t);
    fr_mul(&zn, &zn, &ninv);
    pw = FR_ONE;
    fr_t *num = malloc((size_t)s->rows * sizeof(fr_t));
    if (!num) return ZBP_ERR_NOMEM;
    for (uint32_t c = 0; c < s->rows; c++) {
        num[c] = pw;
        fr_sub(&L[c], &s->tau, &pw);
        fr_mul(&pw, &pw, &omega);
    }
    int st = fr_batch_inv(L, L, s->rows, NULL);
    if (st == ZBP_OK)
        for (uint32_t c = 0; c < s->rows; c++) {
            fr_mul(&L[c], &L[c], &num[c]);
            fr_mul(&L[c], &L[c], &zn);
        }
    free(num);
    return st;
}

/* One walk of the constraints: u, v, w accumulate coefficient·L_c(tau) per wire, then the public
 * rows add L_(n_cons + i)(tau) to u_i for i = 0..n_public (zkey new's extra A entries). */
static void accumulate_qap(setup_t *s, const fr_t *L) {
    const uint8_t *p = s->r->constraints;
    fr_t *dst[3] = {s->u, s->v, s->w};
    uint64_t nab = 0;
    for (uint32_t c = 0; c < s->n_cons; c++)
        for (int m = 0; m < 3; m++) {
            uint32_t nt = zbp_rd32(p);
            p += 4;
            if (m < 2) nab += nt;
            for (uint32_t t = 0; t < nt; t++, p += 36) {
                uint64_t l[4];
                zbp_rd_limbs(l, p + 4);
                fr_t coef;
                fr_to_mont(&coef, l);
                fr_mul(&coef, &coef, &L[c]);
                fr_t *d = &dst[m][zbp_rd32(p)];
                fr_add(d, d, &coef);
            }
        }
    for (uint32_t i = 0; i <= s->n_public; i++) fr_add(&s->u[i], &s->u[i], &L[s->n_cons + i]);
    s->n_coefs = nab + s->n_public + 1;
}

/* Section 4: the A and B terms in r1cs order (matrix, row, wire, v·R^2 mod r), then the public
 * rows with value 1. v·R^2 is Montgomery conversion applied twice to the canonical v. */
static void write_coefs(zout_t *o, const setup_t *s) {
    zsection(o, 4, 4 + s->n_coefs * 44);
    zput32(o, (uint32_t)s->n_coefs);
    const uint8_t *p = s->r->constraints;
    uint8_t rec[44];
    for (uint32_t c = 0; c < s->n_cons; c++)
        for (uint32_t m = 0; m < 3; m++) {
            uint32_t nt = zbp_rd32(p);
            p += 4;
            if (m == 2) {
                p += (size_t)nt * 36;
                continue;
            }
            for (uint32_t t = 0; t < nt; t++, p += 36) {
                uint64_t l[4];
                fr_t once, twice;
                zbp_rd_limbs(l, p + 4);
                fr_to_mont(&once, l);
                fr_to_mont(&twice, once.l);
                memcpy(rec, &m, 4);
                memcpy(rec + 4, &c, 4);
                memcpy(rec + 8, p, 4);
                for (int i = 0; i < 32; i++) rec[12 + i] = (uint8_t)(twice.l[i / 8] >> (8 * (i % 8)));
                zput(o, rec, sizeof rec);
            }
        }
    fr_t one_r;
    fr_to_mont(&one_r, FR_ONE.l); /* 1·R^2: FR_ONE's limbs are R mod r */
    for (uint32_t i = 0; i <= s->n_public; i++) {
        uint32_t m = 0, row = s->n_cons + i;
        memcpy(rec, &m, 4);
        memcpy(rec + 4, &row, 4);
        memcpy(rec + 8, &i, 4);
        for (int b = 0; b < 32; b++) rec[12 + b] = (uint8_t)(one_r.l[b / 8] >> (8 * (b % 8)));
        zput(o, rec, sizeof rec);
    }
}

/* The point sections' scalars, by kind. */
enum { K_A, K_B, K_IC, K_C, K_H };

/* k[0..cnt) = the scalars of entries first..first+cnt of a section, canonical limbs. */
static int section_scalars(uint64_t (*k)[4], int kind, size_t first, size_t cnt, const setup_t *s,
                           fr_t *tmp) {
    for (size_t i = 0; kind != K_H && i < cnt; i++) {
        fr_t x, y;
        size_t wire = first + i;
        switch (kind) {
        case K_A: x = s->u[wire]; break;
        case K_B: x = s->v[wire]; break;
        case K_IC:
        case K_C:
            if (kind == K_C) wire += s->n_public + 1;
            fr_mul(&x, &s->beta, &s->u[wire]);
            fr_mul(&y, &s->alpha, &s->v[wire]);
            fr_add(&x, &x, &y);
            fr_add(&x, &x, &s->w[wire]);
            if (kind == K_C) fr_mul(&x, &x, &s->delta_inv);
            break;
        default: /* K_H is computed below */
            x = FR_ZERO;
            break;
        }
        fr_from_mont(k[i], &x);
    }
    if (kind != K_H) return ZBP_OK;
    fr_t g, e;
    uint64_t ex[4] = {first, 0, 0, 0};
    fr_pow(&g, &s->h_step, ex);
    fr_mul(&g, &g, &s->h_g);
    e = g;
    for (size_t i = 0; i < cnt; i++) {
        fr_sub(&tmp[i], &s->tau, &e);
        fr_mul(&e, &e, &s->h_step);
    }
    int st = fr_batch_inv(tmp, tmp, cnt, NULL);
    if (st != ZBP_OK) return st;
    e = g;
    for (size_t i = 0; i < cnt; i++) {
        fr_t x;
        fr_mul(&x, &tmp[i], &e);
        fr_mul(&x, &x, &s->h_k);
        fr_from_mont(k[i], &x);
        fr_mul(&e, &e, &s->h_step);
    }
    return ZBP_OK;
}

/* Computes and writes one point section of `count` entries, in blocks: scalars, then the batched
 * fixed-base multiplications split across threads, then the zkey encoding. */
#define SETUP_BLOCK ((size_t)1 << 16)
static int write_points(zout_t *o, uint32_t id, int kind, size_t count, int g2, setup_t *s) {
    size_t psz = g2 ? 128 : 64;
    zsection(o, id, (uint64_t)count * psz);
    if (count == 0) return ZBP_OK;
    size_t blk = count < SETUP_BLOCK ? count : SETUP_BLOCK;
    uint64_t(*k)[4] = malloc(blk * sizeof *k);
    fr_t *tmp = malloc(blk * sizeof(fr_t));
    void *pts = malloc(blk * (g2 ? sizeof(g2_affine_t) : sizeof(g1_affine_t)));
    uint8_t *bytes = malloc(blk * psz);
    int threads = s->threads;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    fb_scratch_t *scr = malloc((size_t)nt * sizeof *scr);
    int st = (k && tmp && pts && bytes && scr) ? ZBP_OK : ZBP_ERR_NOMEM;
    for (size_t first = 0; st == ZBP_OK && first < count && !o->failed; first += blk) {
        size_t cnt = count - first < blk ? count - first : blk;
        st = section_scalars(k, kind, first, cnt, s, tmp);
        if (st != ZBP_OK) break;
        size_t nb = (cnt + FB_BATCH - 1) / FB_BATCH;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (size_t b = 0; b < nb; b++) {
            size_t i0 = b * FB_BATCH, m = cnt - i0 < FB_BATCH ? cnt - i0 : FB_BATCH;
            fb_scratch_t *my = &scr[omp_get_thread_num()];
            if (g2) {
                g2_affine_t *out = (g2_affine_t *)pts + i0;
                g2_fb_mul(&s->t2, out, k + i0, m, my);
                for (size_t i = 0; i < m; i++) g2_affine_to_zkey(bytes + (i0 + i) * 128, &out[i]);
            } else {
                g1_affine_t *out = (g1_affine_t *)pts + i0;
                g1_fb_mul(&s->t1, out, k + i0, m, my);
                for (size_t i = 0; i < m; i++) g1_affine_to_zkey(bytes + (i0 + i) * 64, &out[i]);
            }
        }
        zput(o, bytes, cnt * psz);
    }
    free(k);
    free(tmp);
    free(pts);
    free(bytes);
    free(scr);
    return st;
}

static void zput_g1(zout_t *o, const g1_affine_t *a) {
    uint8_t b[64];
    g1_affine_to_zkey(b, a);
    zput(o, b, 64);
}
static void zput_g2(zout_t *o, const g2_affine_t *a) {
    uint8_t b[128];
    g2_affine_to_zkey(b, a);
    zput(o, b, 128);
}
static void mul_gen_g1(g1_affine_t *r, const fr_t *k) {
    uint64_t l[4];
    g1_jac_t j;
    fr_from_mont(l, k);
    g1_jac_from_affine(&j, &G1_GENERATOR);
    g1_mul_ct(&j, &j, l);
    g1_jac_to_affine(r, &j);
    zbp_wipe(l, sizeof l);
}
static void mul_gen_g2(g2_affine_t *r, const fr_t *k) {
    uint64_t l[4];
    g2_jac_t j;
    fr_from_mont(l, k);
    g2_jac_from_affine(&j, &G2_GENERATOR);
    g2_mul_ct(&j, &j, l);
    g2_jac_to_affine(r, &j);
    zbp_wipe(l, sizeof l);
}

void zbp_setup_opts_init(zbp_setup_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->name = ZBP_SETUP_DEV_NAME;
}

int zbp_setup_insecure_dev(const zbp_r1cs_t *r, const char *zkey_path, const zbp_setup_opts_t *opts,
                           zbp_setup_stats_t *stats, char *err, size_t errlen) {
    double t0 = zbp_mono_ms();
    zbp_setup_opts_t defaults;
    if (!opts) {
        zbp_setup_opts_init(&defaults);
        opts = &defaults;
    }
    const char *rname = r->file.name;
    if (r->custom_gates)
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: custom gates (PLONK only) cannot be used with Groth16", rname);
    const char *cname = opts->name ? opts->name : ZBP_SETUP_DEV_NAME;
    size_t name_len = strlen(cname);
    if (name_len > 64) name_len = 64; /* snarkjs keeps at most 64 characters of a name */

    setup_t s;
    memset(&s, 0, sizeof s);
    s.r = r;
    s.threads = opts->threads > 0 ? opts->threads : omp_get_max_threads();
    s.n_vars = r->n_wires;
    s.n_public = r->n_outputs + r->n_pub_inputs;
    s.n_cons = r->n_constraints;
    /* zkey new: domainSize = 2^(floor(log2(nConstraints + nPublic)) + 1), the smallest power of
     * two above nConstraints + nPublic, so the n_public + 1 public rows always fit. */
    uint64_t need = (uint64_t)s.n_cons + s.n_public;
    s.log_n = 0;
    while (((uint64_t)1 << s.log_n) <= need) s.log_n++;
    if (s.log_n == 0) s.log_n = 1;
    if (s.log_n > NTT_MAX_LOG)
        return zbp_fail(err, errlen, ZBP_ERR_RANGE,
                        "%s: %u constraints + %u public signals need a domain of 2^%u; BN254 allows "
                        "2^%u", rname, s.n_cons, s.n_public, s.log_n, NTT_MAX_LOG);
    s.n = (uint32_t)1 << s.log_n;
    s.rows = s.n_cons + s.n_public + 1;

    /* Toxic waste. tau must avoid the domain and the prover's coset (tau^n != 1 and != g^n) so
     * that every Lagrange denominator is invertible. */
    int st;
    fr_t tn, cn;
    uint64_t en[4] = {s.n, 0, 0, 0};
    ntt_snarkjs_shift(&s.h_g, s.log_n);
    fr_pow(&cn, &s.h_g, en);
    do {
        st = random_nonzero(&s.tau);
        if (st != ZBP_OK) return zbp_fail(err, errlen, st, "setup: getrandom failed");
        fr_pow(&tn, &s.tau, en);
    } while (fr_equal(&tn, &FR_ONE) || fr_equal(&tn, &cn));
    if ((st = random_nonzero(&s.alpha)) != ZBP_OK || (st = random_nonzero(&s.beta)) != ZBP_OK ||
        (st = random_nonzero(&s.delta)) != ZBP_OK)
        return zbp_fail(err, errlen, st, "setup: getrandom failed");
    fr_inv(&s.delta_inv, &s.delta);

    /* H_j = h(tau)Z(tau)/delta split over the coset g·omega^j, g^n = c (c = -1 except at 2^28):
     * the prover's hs_j = P(g_j) = h(g_j)(c - 1), and h(tau) = sum_j h(g_j) L^coset_j(tau) with
     * L^coset_j(tau) = (tau^n - c) g_j / (c n (tau - g_j)). So H_j = K g_j / (tau - g_j) with
     * K = (tau^n - 1)(tau^n - c) / ((c - 1) c n delta); for c = -1 this is snarkjs's
     * L^(2n)_(2j+1)(tau)/delta. */
    {
        fr_t a, b, d;
        fr_sub(&a, &tn, &FR_ONE);
        fr_sub(&b, &tn, &cn);
        fr_mul(&s.h_k, &a, &b);
        fr_sub(&d, &cn, &FR_ONE);
        fr_mul(&d, &d, &cn);
        fr_from_u64(&a, s.n);
        fr_mul(&d, &d, &a);
        fr_mul(&d, &d, &s.delta);
        fr_inv(&d, &d);
        fr_mul(&s.h_k, &s.h_k, &d);
        ntt_domain_root(&s.h_step, s.log_n);
    }

    zout_t o;
    memset(&o, 0, sizeof o);
    fr_t *L = NULL;
    double t_qap = 0, t_points = 0;
    s.u = calloc(s.n_vars, sizeof(fr_t));
    s.v = calloc(s.n_vars, sizeof(fr_t));
    s.w = calloc(s.n_vars, sizeof(fr_t));
    L = malloc((size_t)s.rows * sizeof(fr_t));
    if (!s.u || !s.v || !s.w || !L) {
        st = zbp_fail(err, errlen, ZBP_ERR_NOMEM, "setup: out of memory for %u wires", s.n_vars);
        goto done;
    }
    double tq = zbp_mono_ms();
    if ((st = lagrange_at_tau(L, &s)) != ZBP_OK) {
        st = zbp_fail(err, errlen, st, "setup: out of memory for %u Lagrange values", s.rows);
        goto done;
    }
    accumulate_qap(&s, L);
    free(L);
    L = NULL;
    if (s.n_coefs > UINT32_MAX) {
        st = zbp_fail(err, errlen, ZBP_ERR_RANGE, "%s: %llu A and B terms do not fit a .zkey",
                      rname, (unsigned long long)s.n_coefs);
        goto done;
    }
    t_qap = zbp_mono_ms() - tq;

    /* Tables: one for G1 (A, B1, IC, C, H) and one for G2 (B2). */
    size_t g1_count = 3 * (size_t)s.n_vars + s.n;
    if ((st = g1_fb_build(&s.t1, &G1_GENERATOR, fb_choose_window(g1_count), s.threads)) != ZBP_OK ||
        (st = g2_fb_build(&s.t2, &G2_GENERATOR, fb_choose_window(s.n_vars), s.threads)) != ZBP_OK) {
        st = zbp_fail(err, errlen, st, "setup: out of memory for the fixed-base tables");
        goto done;
    }

    size_t pl = strlen(zkey_path);
    o.tmp = malloc(pl + 16);
    if (!o.tmp) {
        st = zbp_fail(err, errlen, ZBP_ERR_NOMEM, "setup: out of memory");
        goto done;
    }
    memcpy(o.tmp, zkey_path, pl);
    memcpy(o.tmp + pl, ".tmp-XXXXXX", 12);
    int fd = mkstemp(o.tmp);
    if (fd < 0) {
        st = zbp_fail(err, errlen, ZBP_ERR_IO, "%s: cannot create: %s", zkey_path, strerror(errno));
        free(o.tmp);
        o.tmp = NULL;
        goto done;
    }
    o.f = fdopen(fd, "wb");
    o.md = EVP_MD_CTX_new();
    if (!o.f || !o.md || EVP_DigestInit_ex(o.md, EVP_blake2b512(), NULL) != 1) {
        if (!o.f) close(fd);
        st = zbp_fail(err, errlen, ZBP_ERR_NOMEM, "setup: cannot start writing %s", zkey_path);
        goto done;
    }
    setvbuf(o.f, NULL, _IOFBF, (size_t)1 << 20);

    double tp = zbp_mono_ms();
    g1_affine_t alpha1, beta1, delta1;
    g2_affine_t beta2, delta2;
    mul_gen_g1(&alpha1, &s.alpha);
    mul_gen_g1(&beta1, &s.beta);
    mul_gen_g1(&delta1, &s.delta);
    mul_gen_g2(&beta2, &s.beta);
    mul_gen_g2(&delta2, &s.delta);

    zput(&o, "zkey", 4);
    zput32(&o, 1);  /* version */
    zput32(&o, 10); /* sections */
    zsection(&o, 1, 4);
    zput32(&o, 1); /* Groth16 */
    o.hashing = 1;
    zsection(&o, 2, 660);
    zput32(&o, 32);
    zput_limbs(&o, FQ_MODULUS);
    zput32(&o, 32);
    zput_limbs(&o, FR_MODULUS);
    zput32(&o, s.n_vars);
    zput32(&o, s.n_public);
    zput32(&o, s.n);
    zput_g1(&o, &alpha1);
    zput_g1(&o, &beta1);
    zput_g2(&o, &beta2);
    zput_g2(&o, &G2_GENERATOR); /* gamma = 1 */
    zput_g1(&o, &delta1);
    zput_g2(&o, &delta2);
    if (st == ZBP_OK) st = write_points(&o, 3, K_IC, (size_t)s.n_public + 1, 0, &s);
    if (st == ZBP_OK) write_coefs(&o, &s);
    if (st == ZBP_OK) st = write_points(&o, 5, K_A, s.n_vars, 0, &s);
    if (st == ZBP_OK) st = write_points(&o, 6, K_B, s.n_vars, 0, &s);
    if (st == ZBP_OK) st = write_points(&o, 7, K_B, s.n_vars, 1, &s);
    if (st == ZBP_OK)
        st = write_points(&o, 8, K_C, (size_t)s.n_vars - s.n_public - 1, 0, &s);
    if (st == ZBP_OK) st = write_points(&o, 9, K_H, s.n, 0, &s);
    o.hashing = 0;
    t_points = zbp_mono_ms() - tp;
    if (st != ZBP_OK) {
        st = zbp_fail(err, errlen, st, "setup: out of memory while computing the points");
        goto done;
    }

    /* Section 10: this tool's circuit hash (Blake2b-512 of sections 2..9 as written: snarkjs's
     * csHash is taken over the key before any contribution, which a dev setup never has), and one
     * contribution that names the setup as insecure. Its proof of knowledge of delta is made with
     * the generators (g1_s = G1, g2_sp = G2), not with snarkjs's transcript-derived points, so
     * `snarkjs zkey verify` (which also needs a ptau) does not apply to these keys. */
    {
        uint8_t cs_hash[64], transcript[64];
        unsigned hl = 0;
        if (EVP_DigestFinal_ex(o.md, cs_hash, &hl) != 1 || hl != 64 ||
            EVP_DigestInit_ex(o.md, EVP_blake2b512(), NULL) != 1 ||
            EVP_DigestUpdate(o.md, cs_hash, 64) != 1 ||
            EVP_DigestUpdate(o.md, cname, name_len) != 1 ||
            EVP_DigestFinal_ex(o.md, transcript, &hl) != 1) {
            st = zbp_fail(err, errlen, ZBP_ERR_INPUT, "setup: Blake2b-512 is not available");
            goto done;
        }
        uint32_t param_len = 2 + (uint32_t)name_len;
        zsection(&o, 10, 64 + 4 + 64 * 3 + 128 + 64 + 4 + 4 + param_len);
        zput(&o, cs_hash, 64);
        zput32(&o, 1);
        zput_g1(&o, &delta1);       /* deltaAfter */
        zput_g1(&o, &G1_GENERATOR); /* g1_s */
        zput_g1(&o, &delta1);       /* g1_sx = delta · g1_s */
        zput_g2(&o, &delta2);       /* g2_spx = delta · G2 */
        zput(&o, transcript, 64);
        zput32(&o, 0); /* a normal contribution, not a beacon */
        zput32(&o, param_len);
        uint8_t tag[2] = {1, (uint8_t)name_len};
        zput(&o, tag, 2);
        zput(&o, cname, name_len);
    }
    if (!o.failed && fflush(o.f) != 0) o.failed = errno ? errno : EIO;
    if (!o.failed && (fchmod(fileno(o.f), 0644) != 0 || fsync(fileno(o.f)) != 0))
        o.failed = errno ? errno : EIO;
    if (o.failed) {
        st = zbp_fail(err, errlen, ZBP_ERR_IO, "%s: cannot write: %s", zkey_path,
                      strerror(o.failed));
        goto done;
    }
    if (fclose(o.f) != 0) {
        o.f = NULL;
        st = zbp_fail(err, errlen, ZBP_ERR_IO, "%s: cannot write: %s", zkey_path, strerror(errno));
        goto done;
    }
    o.f = NULL;
    if (rename(o.tmp, zkey_path) != 0) {
        st = zbp_fail(err, errlen, ZBP_ERR_IO, "%s: cannot rename into place: %s", zkey_path,
                      strerror(errno));
        goto done;
    }
    free(o.tmp);
    o.tmp = NULL;
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->qap_ms = t_qap;
        stats->points_ms = t_points;
        stats->total_ms = zbp_mono_ms() - t0;
        stats->n_vars = s.n_vars;
        stats->n_public = s.n_public;
        stats->n_constraints = s.n_cons;
        stats->domain_size = s.n;
        stats->n_coefs = s.n_coefs;
        stats->window_g1 = s.t1.w;
        stats->window_g2 = s.t2.w;
        stats->threads = s.threads;
    }
    st = ZBP_OK;
done:
    if (o.f) fclose(o.f);
    if (o.tmp) {
        unlink(o.tmp);
        free(o.tmp);
    }
    EVP_MD_CTX_free(o.md);
    free(L);
    if (s.u) zbp_wipe(s.u, (size_t)s.n_vars * sizeof(fr_t));
    free(s.u);
    free(s.v);
    free(s.w);
    free(s.t1.pts);
    free(s.t2.pts);
    zbp_wipe(&s.tau, sizeof s.tau);
    zbp_wipe(&s.alpha, sizeof s.alpha);
    zbp_wipe(&s.beta, sizeof s.beta);
    zbp_wipe(&s.delta, sizeof s.delta);
    zbp_wipe(&s.delta_inv, sizeof s.delta_inv);
    zbp_wipe(&s.h_k, sizeof s.h_k);
    return st;
}
