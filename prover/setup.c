/* setup.c: `zbprover setup --insecure-dev`: a Groth16 key in snarkjs's .zkey format for any circom
 * .r1cs from random toxic waste (tau, alpha, beta, delta) drawn here and then forgotten: the plan
 * (domain size), the waste, the QAP at tau, then the points (fixed-base multiplication,
 * setup_fixed_base.c) streamed to the .zkey writer (zkey_write.c). */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ntt/ntt.h"
#include "prover/prover.h"
#include "prover/readers_int.h"
#include "prover/util.h"
#include "prover/setup_int.h"

/* Whoever holds the toxic waste can forge proofs: the key is for benchmarks and development only.
 * That is also why scalar multiplications here are variable time and nothing is wiped with care
 * beyond the four secrets themselves. */

/* A nonzero uniform element of Fr from getrandom(), in Montgomery form. */
static zbp_status random_nonzero(fr_t *out) {
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
static zbp_status lagrange_at_tau(fr_t *L, const setup_t *s) {
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
    zbp_status st = fr_batch_inv_vartime(L, L, s->rows, NULL);
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

/* The point sections' scalars, by kind. */
enum { K_A, K_B, K_IC, K_C, K_H };

/* k[0..cnt) = the scalars of entries first..first+cnt of a section, canonical limbs. */
static zbp_status section_scalars(uint64_t (*k)[4], int kind, size_t first, size_t cnt, const setup_t *s,
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
    zbp_status st = fr_batch_inv_vartime(tmp, tmp, cnt, NULL);
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
static zbp_status write_points(zout_t *o, uint32_t id, int kind, size_t count, int g2, setup_t *s) {
    size_t psz = g2 ? 128 : 64;
    zkw_section(o, id, (uint64_t)count * psz);
    if (count == 0) return ZBP_OK;
    size_t blk = count < SETUP_BLOCK ? count : SETUP_BLOCK;
    uint64_t(*k)[4] = malloc(blk * sizeof *k);
    fr_t *tmp = malloc(blk * sizeof(fr_t));
    void *pts = malloc(blk * (g2 ? sizeof(g2_affine_t) : sizeof(g1_affine_t)));
    uint8_t *bytes = malloc(blk * psz);
    int threads = s->threads;
    int nt = threads > 0 ? threads : omp_get_max_threads();
    fb_scratch_t *scr = malloc((size_t)nt * sizeof *scr);
    zbp_status st = (k && tmp && pts && bytes && scr) ? ZBP_OK : ZBP_ERR_NOMEM;
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
        zkw_put(o, bytes, cnt * psz);
    }
    free(k);
    free(tmp);
    free(pts);
    free(bytes);
    free(scr);
    return st;
}

static void mul_gen_g1(g1_affine_t *r, const fr_t *k) {
    uint64_t l[4];
    g1_jac_t j;
    fr_from_mont(l, k);
    g1_jac_from_affine(&j, &G1_GENERATOR);
    g1_mul(&j, &j, l);
    g1_jac_to_affine_vartime(r, &j);
    zbp_wipe(l, sizeof l);
}
static void mul_gen_g2(g2_affine_t *r, const fr_t *k) {
    uint64_t l[4];
    g2_jac_t j;
    fr_from_mont(l, k);
    g2_jac_from_affine(&j, &G2_GENERATOR);
    g2_mul(&j, &j, l);
    g2_jac_to_affine_vartime(r, &j);
    zbp_wipe(l, sizeof l);
}

void zbp_setup_opts_init(zbp_setup_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->name = ZBP_SETUP_DEV_NAME;
}

/* The sizes: snarkjs's domain for the constraints and public rows, or ZBP_ERR_RANGE. */
static zbp_status plan(setup_t *s, const zbp_r1cs_t *r, int threads, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->r = r;
    s->threads = threads > 0 ? threads : omp_get_max_threads();
    s->n_vars = r->n_wires;
    s->n_public = r->n_outputs + r->n_pub_inputs;
    s->n_cons = r->n_constraints;
    /* zkey new: domainSize = 2^(floor(log2(nConstraints + nPublic)) + 1), the smallest power of
     * two above nConstraints + nPublic, so the n_public + 1 public rows always fit. */
    uint64_t need = (uint64_t)s->n_cons + s->n_public;
    s->log_n = 0;
    while (((uint64_t)1 << s->log_n) <= need) s->log_n++;
    if (s->log_n == 0) s->log_n = 1;
    if (s->log_n > NTT_MAX_LOG)
        return zbp_fail(err, errlen, ZBP_ERR_RANGE,
                        "%s: %u constraints + %u public signals need a domain of 2^%u; BN254 allows "
                        "2^%u", r->file.name, s->n_cons, s->n_public, s->log_n, NTT_MAX_LOG);
    s->n = (uint32_t)1 << s->log_n;
    s->rows = s->n_cons + s->n_public + 1;
    return ZBP_OK;
}

/* Toxic waste. tau must avoid the domain and the prover's coset (tau^n != 1 and != g^n) so that
 * every Lagrange denominator is invertible. Then H_j = h(tau)Z(tau)/delta split over the coset
 * g·omega^j, g^n = c (c = -1 except at 2^28): the prover's hs_j = P(g_j) = h(g_j)(c - 1), and
 * h(tau) = sum_j h(g_j) L^coset_j(tau) with L^coset_j(tau) = (tau^n - c) g_j / (c n (tau - g_j)).
 * So H_j = K g_j / (tau - g_j) with K = (tau^n - 1)(tau^n - c) / ((c - 1) c n delta); for c = -1
 * this is snarkjs's L^(2n)_(2j+1)(tau)/delta. */
static zbp_status draw_waste(setup_t *s, char *err, size_t errlen) {
    zbp_status st;
    fr_t tn, cn, a, b, d;
    uint64_t en[4] = {s->n, 0, 0, 0};
    ntt_snarkjs_shift(&s->h_g, s->log_n);
    fr_pow(&cn, &s->h_g, en);
    do {
        st = random_nonzero(&s->tau);
        if (st != ZBP_OK) return zbp_fail(err, errlen, st, "setup: getrandom failed");
        fr_pow(&tn, &s->tau, en);
    } while (fr_equal(&tn, &FR_ONE) || fr_equal(&tn, &cn));
    if ((st = random_nonzero(&s->alpha)) != ZBP_OK || (st = random_nonzero(&s->beta)) != ZBP_OK ||
        (st = random_nonzero(&s->delta)) != ZBP_OK)
        return zbp_fail(err, errlen, st, "setup: getrandom failed");
    fr_inv(&s->delta_inv, &s->delta);
    fr_sub(&a, &tn, &FR_ONE);
    fr_sub(&b, &tn, &cn);
    fr_mul(&s->h_k, &a, &b);
    fr_sub(&d, &cn, &FR_ONE);
    fr_mul(&d, &d, &cn);
    fr_from_u64(&a, s->n);
    fr_mul(&d, &d, &a);
    fr_mul(&d, &d, &s->delta);
    fr_inv(&d, &d);
    fr_mul(&s->h_k, &s->h_k, &d);
    ntt_domain_root(&s->h_step, s->log_n);
    zbp_wipe(&tn, sizeof tn);
    return ZBP_OK;
}

/* u, v, w at tau for every wire, and the count of A and B terms. */
static zbp_status compute_qap(setup_t *s, char *err, size_t errlen) {
    s->u = calloc(s->n_vars, sizeof(fr_t));
    s->v = calloc(s->n_vars, sizeof(fr_t));
    s->w = calloc(s->n_vars, sizeof(fr_t));
    fr_t *L = malloc((size_t)s->rows * sizeof(fr_t));
    if (!s->u || !s->v || !s->w || !L) {
        free(L);
        return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "setup: out of memory for %u wires", s->n_vars);
    }
    zbp_status st = lagrange_at_tau(L, s);
    if (st != ZBP_OK) {
        free(L);
        return zbp_fail(err, errlen, st, "setup: out of memory for %u Lagrange values", s->rows);
    }
    accumulate_qap(s, L);
    free(L);
    if (s->n_coefs > UINT32_MAX)
        return zbp_fail(err, errlen, ZBP_ERR_RANGE, "%s: %llu A and B terms do not fit a .zkey",
                        s->r->file.name, (unsigned long long)s->n_coefs);
    return ZBP_OK;
}

/* The tables, then every section in the order of snarkjs's files. */
static zbp_status write_key(setup_t *s, zout_t *o, const char *name, size_t name_len, char *err,
                            size_t errlen) {
    size_t g1_count = 3 * (size_t)s->n_vars + s->n; /* A, B1, IC, C, H; B2 is the G2 table's */
    zbp_status st = g1_fb_build(&s->t1, &G1_GENERATOR, fb_choose_window(g1_count), s->threads);
    if (st == ZBP_OK)
        st = g2_fb_build(&s->t2, &G2_GENERATOR, fb_choose_window(s->n_vars), s->threads);
    if (st != ZBP_OK) return zbp_fail(err, errlen, st, "setup: out of memory for the fixed-base tables");
    g1_affine_t alpha1, beta1, delta1;
    g2_affine_t beta2, delta2;
    mul_gen_g1(&alpha1, &s->alpha);
    mul_gen_g1(&beta1, &s->beta);
    mul_gen_g1(&delta1, &s->delta);
    mul_gen_g2(&beta2, &s->beta);
    mul_gen_g2(&delta2, &s->delta);
    zkw_header(o, s->n_vars, s->n_public, s->n, &alpha1, &beta1, &beta2, &delta1, &delta2);
    st = write_points(o, 3, K_IC, (size_t)s->n_public + 1, 0, s);
    if (st == ZBP_OK) zkw_coefs(o, s->r, s->n_public, s->n_coefs);
    if (st == ZBP_OK) st = write_points(o, 5, K_A, s->n_vars, 0, s);
    if (st == ZBP_OK) st = write_points(o, 6, K_B, s->n_vars, 0, s);
    if (st == ZBP_OK) st = write_points(o, 7, K_B, s->n_vars, 1, s);
    if (st == ZBP_OK) st = write_points(o, 8, K_C, (size_t)s->n_vars - s->n_public - 1, 0, s);
    if (st == ZBP_OK) st = write_points(o, 9, K_H, s->n, 0, s);
    if (st != ZBP_OK)
        return zbp_fail(err, errlen, st, "setup: out of memory while computing the points");
    return zkw_contribution(o, &delta1, &delta2, name, name_len, err, errlen);
}

/* Frees s, wiping the waste and what is derived from it. */
static void setup_free(setup_t *s) {
    if (s->u) zbp_wipe(s->u, (size_t)s->n_vars * sizeof(fr_t));
    free(s->u);
    free(s->v);
    free(s->w);
    free(s->t1.pts);
    free(s->t2.pts);
    zbp_wipe(&s->tau, sizeof s->tau);
    zbp_wipe(&s->alpha, sizeof s->alpha);
    zbp_wipe(&s->beta, sizeof s->beta);
    zbp_wipe(&s->delta, sizeof s->delta);
    zbp_wipe(&s->delta_inv, sizeof s->delta_inv);
    zbp_wipe(&s->h_k, sizeof s->h_k);
}

zbp_status zbp_setup_insecure_dev(const zbp_r1cs_t *r, const char *zkey_path,
                                  const zbp_setup_opts_t *opts, zbp_setup_stats_t *stats, char *err,
                                  size_t errlen) {
    double t0 = zbp_mono_ms();
    zbp_setup_opts_t defaults;
    if (!opts) {
        zbp_setup_opts_init(&defaults);
        opts = &defaults;
    }
    if (r->custom_gates)
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: custom gates (PLONK only) cannot be used with Groth16", r->file.name);
    const char *name = opts->name ? opts->name : ZBP_SETUP_DEV_NAME;
    size_t name_len = strlen(name);
    if (name_len > 64) name_len = 64; /* snarkjs keeps at most 64 characters of a name */
    setup_t s;
    zbp_status st = plan(&s, r, opts->threads, err, errlen);
    if (st != ZBP_OK) return st;
    zout_t o = {0};
    double t_qap = zbp_mono_ms(), t_points = 0;
    st = draw_waste(&s, err, errlen);
    if (st == ZBP_OK) st = compute_qap(&s, err, errlen);
    t_qap = zbp_mono_ms() - t_qap;
    if (st == ZBP_OK) st = zkw_open(&o, zkey_path, err, errlen);
    if (st == ZBP_OK) {
        t_points = zbp_mono_ms();
        st = write_key(&s, &o, name, name_len, err, errlen);
        t_points = zbp_mono_ms() - t_points;
        if (st == ZBP_OK) st = zkw_commit(&o, zkey_path, err, errlen);
    }
    zkw_abort(&o);
    if (st == ZBP_OK && stats) {
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
    setup_free(&s);
    return st;
}
