/* groth16.c: the Groth16 prover, exactly snarkjs's math (docs/formats.md §5): A·w and B·w from
 * the coefficient section, C = A∘B on the domain, the coset extension by three inverse and three
 * coset-forward transforms, h = a·b − c, the five MSMs, the randomizers r and s, and a native
 * verification of the result before it is released. */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "msm/msm.h"
#include "ntt/ntt.h"
#include "prover/prover.h"
#include "prover/readers_int.h"
#include "prover/util.h"

/* Memory that held secrets (the randomizers, the witness and every vector computed from it; a, b,
 * c and h are the witness's image on the domain) is wiped with prover/util.h's zbp_wipe. */
/* Uniform scalar in [0, r) from the OS CSPRNG (getrandom), canonical limbs. */
static int random_scalar(uint64_t out[4]) {
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
        buf[31] &= 0x3f; /* 254 bits, then reject values >= r */
        zbp_rd_limbs(out, buf);
        zbp_wipe(buf, sizeof buf);
        if (zbp_limbs_lt(out, FR_MODULUS)) return ZBP_OK;
    }
}

/* A point section in aligned memory, one section at a time: in place when the file keeps it 8-byte
 * aligned, else copied (a .zkey's sections are often only 4-byte aligned) in chunks, each chunk's
 * file pages dropped once copied so that the copy never doubles the resident section. */
static const void *section_begin(const zbp_binfile_t *f, const uint8_t *p, size_t bytes,
                                 void **copy) {
    *copy = NULL;
    if (((uintptr_t)p & 7) == 0 || bytes == 0) return p;
    uint8_t *c = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
    if (!c) return NULL;
    const size_t chunk = (size_t)4 << 20;
    for (size_t o = 0; o < bytes; o += chunk) {
        size_t len = bytes - o < chunk ? bytes - o : chunk;
        memcpy(c + o, p + o, len);
        zbp_binfile_release(f, p + o, len);
    }
    *copy = c;
    return c;
}

static void msm_profile(zbp_msm_profile_t *p, const msm_stats_t *s) {
    p->window = s->window;
    p->windows = s->windows;
    p->ranges = s->segments;
    p->zero = s->n_zero;
    p->one = s->n_one;
    p->small = s->n_small;
    p->full = s->n_full;
    p->additions = s->additions;
    p->inversions = s->inversions;
    p->collisions = s->collisions;
}

/* The section's MSM is done: its copy freed, its file pages (if read in place) dropped. */
static void section_end(const zbp_binfile_t *f, const uint8_t *p, size_t bytes, void **copy) {
    free(*copy);
    *copy = NULL;
    zbp_binfile_release(f, p, bytes);
}

static void phase(const zbp_prove_opts_t *o, const char *name) {
    if (o && o->progress) o->progress(o->progress_ctx, name);
}

void zbp_prove_opts_init(zbp_prove_opts_t *o) {
    memset(o, 0, sizeof *o);
}

/* vec_m[row] += MontMul(v R^2, w) = Montgomery(v w): the witness stays canonical (snarkjs's trick,
 * docs/formats.md §2.4). Rows are owned by one thread each: when the records are sorted by row
 * (as `zkey new` writes them), chunks are cut at row changes; otherwise one thread does it all. */
static void accumulate_ab(fr_t *a, fr_t *b, const zbp_zkey_t *z, const uint64_t (*w)[4], int threads) {
    const uint8_t *rec = z->coefs;
    uint32_t n = z->n_coefs;
    int nt = z->rows_sorted ? threads : 1;
    if ((uint32_t)nt > n / 1024 + 1) nt = (int)(n / 1024 + 1);
    uint32_t cut[129];
    if (nt > 128) nt = 128;
    cut[0] = 0;
    for (int t = 1; t < nt; t++) {
        uint32_t i = (uint32_t)((uint64_t)n * (uint64_t)t / (uint64_t)nt);
        if (i < cut[t - 1]) i = cut[t - 1];
        /* move the cut forward to the first record of a new row */
        while (i > 0 && i < n && zbp_rd32(rec + (size_t)i * 44 + 4) == zbp_rd32(rec + (size_t)(i - 1) * 44 + 4))
            i++;
        cut[t] = i;
    }
    cut[nt] = n;
#pragma omp parallel for num_threads(nt) schedule(static, 1)
    for (int t = 0; t < nt; t++) {
        for (uint32_t i = cut[t]; i < cut[t + 1]; i++) {
            const uint8_t *r = rec + (size_t)i * 44;
            uint32_t m = zbp_rd32(r), row = zbp_rd32(r + 4), wire = zbp_rd32(r + 8);
            fr_t coef, prod;
            zbp_rd_limbs(coef.l, r + 12);
            fr_mul(&prod, &coef, (const fr_t *)w[wire]);
            fr_t *dst = m == 0 ? &a[row] : &b[row];
            fr_add(dst, dst, &prod);
        }
    }
}

/* The last step of a proof, shared by the CPU prover below and the GPU one (cuda/): from the five
 * MSM results, the randomizers r and s, pi_a, pi_b, pi_c, the public signals, and the native
 * pairing check before anything is released. */
zbp_status zbp_groth16_finish(zbp_proof_t *out, const zbp_zkey_t *z, const zbp_wtns_t *wt,
                       const g1_jac_t *A, const g1_jac_t *B1, const g2_jac_t *B2,
                       const g1_jac_t *C, const g1_jac_t *H, const zbp_prove_opts_t *opts,
                       zbp_profile_t *prof, char *err, size_t errlen) {
    const size_t np = z->n_public;
    uint64_t r[4] = {0}, s[4] = {0}, rs[4] = {0};
    int st, status = ZBP_ERR_NOMEM;
    double t;
    zbp_prove_opts_t defaults;
    zbp_profile_t local;
    if (!opts) {
        zbp_prove_opts_init(&defaults);
        opts = &defaults;
    }
    if (!prof) prof = &local;
    memset(out, 0, sizeof *out);

    /* ---- randomizers and the proof (snarkjs draws r first, then s) ---- */
    phase(opts, "finish");
    t = zbp_mono_ms();
#ifdef ZBP_TEST_HOOKS
    if (opts->fixed_rs) {
        memcpy(r, opts->r, 32);
        memcpy(s, opts->s, 32);
    } else
#endif
    if (random_scalar(r) != ZBP_OK || random_scalar(s) != ZBP_OK) {
        zbp_fail(err, errlen, ZBP_ERR_IO, "the OS random generator failed: %s", strerror(errno));
        status = ZBP_ERR_IO;
        goto fail;
    }
    {
        fr_t rm, sm, rsm;
        fr_to_mont(&rm, r);
        fr_to_mont(&sm, s);
        fr_mul(&rsm, &rm, &sm);
        fr_from_mont(rs, &rsm);
        zbp_wipe(&rm, sizeof rm);
        zbp_wipe(&sm, sizeof sm);
        zbp_wipe(&rsm, sizeof rsm);
    }
    g1_jac_t d1, tmp1, pi_a, pi_c, b1;
    g2_jac_t d2, tmp2, pi_b;
    /* pi_a = A + alpha1 + r delta1 */
    g1_jac_from_affine(&d1, &z->delta1);
    g1_mul(&tmp1, &d1, r);
    g1_jac_add_affine_vartime(&pi_a, A, &z->alpha1);
    g1_jac_add_vartime(&pi_a, &pi_a, &tmp1);
    /* pi_b = B2 + beta2 + s delta2 */
    g2_jac_from_affine(&d2, &z->delta2);
    g2_mul(&tmp2, &d2, s);
    g2_jac_add_affine_vartime(&pi_b, B2, &z->beta2);
    g2_jac_add_vartime(&pi_b, &pi_b, &tmp2);
    /* b1 = B1 + beta1 + s delta1 */
    g1_mul(&tmp1, &d1, s);
    g1_jac_add_affine_vartime(&b1, B1, &z->beta1);
    g1_jac_add_vartime(&b1, &b1, &tmp1);
    /* pi_c = C + H + s pi_a + r b1 − (r s) delta1 */
    g1_jac_add_vartime(&pi_c, C, H);
    g1_mul(&tmp1, &pi_a, s);
    g1_jac_add_vartime(&pi_c, &pi_c, &tmp1);
    g1_mul(&tmp1, &b1, r);
    g1_jac_add_vartime(&pi_c, &pi_c, &tmp1);
    g1_mul(&tmp1, &d1, rs);
    g1_jac_neg(&tmp1, &tmp1);
    g1_jac_add_vartime(&pi_c, &pi_c, &tmp1);
    g1_jac_to_affine_vartime(&out->a, &pi_a);
    g2_jac_to_affine_vartime(&out->b, &pi_b);
    g1_jac_to_affine_vartime(&out->c, &pi_c);
    zbp_wipe(&tmp1, sizeof tmp1);
    zbp_wipe(&tmp2, sizeof tmp2);
    prof->finish_ms = zbp_mono_ms() - t;

    /* ---- public signals w[1..nPublic], and the proof checked before it is released ---- */
    out->n_public = np;
    out->pub = np ? malloc(np * sizeof(fr_t)) : NULL;
    if (np && !out->pub) {
        zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < np; i++) {
        uint64_t v[4];
        zbp_rd_limbs(v, wt->values + 32 * (i + 1));
        fr_to_mont(&out->pub[i], v);
    }
    phase(opts, "verify");
    t = zbp_mono_ms();
    {
        int valid = 0;
        st = zbp_zkey_verify_proof(z, out, &valid, err, errlen);
        if (st != ZBP_OK) {
            status = st;
            goto fail;
        }
        if (!valid) {
            zbp_fail(err, errlen, ZBP_ERR_INPUT,
                     "%s: the witness does not satisfy the circuit of %s (A·w ∘ B·w ≠ C·w): no "
                     "valid proof exists for it",
                     wt->file.name, z->file.name);
            status = ZBP_ERR_INPUT;
            goto fail;
        }
    }
    prof->verify_ms = zbp_mono_ms() - t;
    status = ZBP_OK;
fail:
    if (status != ZBP_OK) zbp_proof_free(out);
    zbp_wipe(r, sizeof r);
    zbp_wipe(s, sizeof s);
    zbp_wipe(rs, sizeof rs);
    return status;
}


zbp_status zbp_groth16_prove(zbp_proof_t *out, const zbp_zkey_t *z, const zbp_wtns_t *wt,
                      const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err, size_t errlen) {
    zbp_prove_opts_t defaults;
    if (!opts) {
        zbp_prove_opts_init(&defaults);
        opts = &defaults;
    }
    zbp_profile_t local;
    if (!prof) prof = &local;
    memset(prof, 0, sizeof *prof);
    memset(out, 0, sizeof *out);
    int threads = opts->threads > 0 ? opts->threads : omp_get_max_threads();
    prof->threads = threads;
    prof->n_vars = z->n_vars;
    prof->n_public = z->n_public;
    prof->domain_size = z->domain_size;
    prof->n_constraints = z->n_constraints;
    double t0 = zbp_mono_ms(), t;

    if (wt->n_witness != z->n_vars)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: the witness has %u values but %s needs %u (a witness for another circuit?)",
                        wt->file.name, wt->n_witness, z->file.name, z->n_vars);

    const size_t n = z->domain_size, nv = z->n_vars, np = z->n_public;
    int status = ZBP_ERR_NOMEM;
    /* Memory: the three domain vectors, then one point section at a time; every part of the key
     * or the witness that is done with is dropped (zbp_binfile_release), so the peak is the
     * vectors plus what the current phase reads, not the whole key. */
    fr_t *a = aligned_alloc(64, n * sizeof(fr_t)), *b = aligned_alloc(64, n * sizeof(fr_t));
    fr_t *c = aligned_alloc(64, n * sizeof(fr_t));
    void *wcopy = NULL, *copy = NULL;
    ntt_ctx_t *ntt = NULL;
    int st;
    if (!a || !b || !c) {
        zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory for a domain of %zu", n);
        goto done;
    }

    /* ---- witness: canonical limbs, read in place when 8-byte aligned ---- */
    phase(opts, "witness");
    t = zbp_mono_ms();
    const uint64_t(*ws)[4] = section_begin(&wt->file, wt->values, nv * 32, &wcopy);
    if (!ws) {
        zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory for a witness of %zu values", nv);
        goto done;
    }
    prof->witness_ms = zbp_mono_ms() - t;

    /* ---- A·w, B·w and C = A∘B on the domain ---- */
    phase(opts, "A*w, B*w");
    t = zbp_mono_ms();
    memset(a, 0, n * sizeof(fr_t));
    memset(b, 0, n * sizeof(fr_t));
    accumulate_ab(a, b, z, ws, threads);
    zbp_binfile_release(&z->file, z->coefs, (size_t)z->n_coefs * 44);
    prof->abc_ms = zbp_mono_ms() - t;
    t = zbp_mono_ms();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i += 4096) {
        size_t len = n - i < 4096 ? n - i : 4096;
        fr_mul_batch(c + i, a + i, b + i, len);
    }
    prof->abc_ms += zbp_mono_ms() - t;

    /* ---- coset extension: each of a, b, c from the domain to the coset inc·ω^i ----
     * Six transforms (three inverse, three coset forward, batched in one call) is the least for
     * a snarkjs-compatible H: the key's H points are fixed per coset point, so the H MSM needs
     * h_i = A(gω^i)·B(gω^i) − C(gω^i) itself. Each of A, B, C is known only by its values on the
     * domain, and moving n values from ω^i to gω^i is a dense linear map (interpolate, then
     * evaluate: an inverse and a coset transform); c = a∘b on the domain gives C's domain values
     * but not its coset values, and A'·B' on the coset is not linear in a or b, so no transform
     * of one vector can stand in for another's. (Σ C'_i·H_i could be rewritten over c with
     * other bases, but those are not the key's.) What can be saved is inside the transforms:
     * ntt_coset_extend folds n^-1 and the coset powers into its passes and needs no bit
     * reversal (NR, then RN). */
    phase(opts, "transforms");
    t = zbp_mono_ms();
    st = ntt_ctx_create(&ntt, threads, 0);
    if (st == ZBP_OK) {
        fr_t *vecs[3] = {a, b, c};
        st = ntt_coset_extend(ntt, vecs, 3, z->log_domain, NULL);
    }
    if (st != ZBP_OK) {
        zbp_fail(err, errlen, st, "transforms of size 2^%u failed: %s", z->log_domain,
                 ntt ? ntt_ctx_message(ntt) : "no memory for the context");
        status = st;
        goto done;
    }
    ntt_ctx_free(ntt);
    ntt = NULL;
    prof->ntt_ms = zbp_mono_ms() - t;

    /* ---- h = a·b − c on the coset, out of Montgomery form (the H MSM's scalars, in a's place) ---- */
    phase(opts, "h");
    t = zbp_mono_ms();
    uint64_t(*h)[4] = (uint64_t(*)[4])a;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i += 4096) {
        size_t len = n - i < 4096 ? n - i : 4096;
        fr_mul_batch(a + i, a + i, b + i, len);
        fr_sub_batch(a + i, a + i, c + i, len);
        for (size_t k = i; k < i + len; k++) {
            fr_t v = a[k];
            fr_from_mont(h[k], &v);
        }
    }
    zbp_wipe_free(b, n * sizeof(fr_t));
    zbp_wipe_free(c, n * sizeof(fr_t));
    b = c = NULL;
    prof->h_ms = zbp_mono_ms() - t;

    /* ---- the MSMs over the zkey's points, one section at a time ---- */
    g1_jac_t A, B1, C, H;
    g2_jac_t B2;
    msm_opts_t mo;
    memset(&mo, 0, sizeof mo);
    mo.threads = threads;
    st = ZBP_OK;
    msm_stats_t ms;
    mo.stats = &ms;
    static const char *const msm_phase[5] = {"msm A (G1)", "msm B1 (G1)", "msm B2 (G2)",
                                             "msm C (G1)", "msm H (G1)"};
#define ZBP_SECTION_MSM(grp, res, sec, bytes, sc, cnt, k, field)                                    \
    do {                                                                                           \
        phase(opts, msm_phase[k]);                                                                 \
        t = zbp_mono_ms();                                                                              \
        if (st == ZBP_OK) {                                                                        \
            const grp##_affine_t *pts = section_begin(&z->file, (sec), (bytes), &copy);            \
            memset(&ms, 0, sizeof ms);                                                             \
            st = pts || (bytes) == 0 ? msm_##grp((res), pts, (sc), (cnt), &mo) : ZBP_ERR_NOMEM;    \
            section_end(&z->file, (sec), (bytes), &copy);                                          \
            msm_profile(&prof->msm[k], &ms);                                                       \
        }                                                                                          \
        prof->field = zbp_mono_ms() - t;                                                                \
    } while (0)
    ZBP_SECTION_MSM(g1, &A, z->a, nv * 64, ws, nv, 0, msm_a_ms);
    ZBP_SECTION_MSM(g1, &B1, z->b1, nv * 64, ws, nv, 1, msm_b1_ms);
    ZBP_SECTION_MSM(g2, &B2, z->b2, nv * 128, ws, nv, 2, msm_b2_ms);
    ZBP_SECTION_MSM(g1, &C, z->c, (nv - np - 1) * 64, ws + np + 1, nv - np - 1, 3, msm_c_ms);
    ZBP_SECTION_MSM(g1, &H, z->h, n * 64, (const uint64_t(*)[4])h, n, 4, msm_h_ms);
#undef ZBP_SECTION_MSM
    if (st != ZBP_OK) {
        zbp_fail(err, errlen, st, "a multi-scalar multiplication failed (status %d)", st);
        status = st;
        goto done;
    }

    st = zbp_groth16_finish(out, z, wt, &A, &B1, &B2, &C, &H, opts, prof, err, errlen);
    if (st != ZBP_OK) {
        status = st;
        goto done;
    }
    status = ZBP_OK;

done:
    if (status != ZBP_OK) zbp_proof_free(out);
    if (wcopy) zbp_wipe(wcopy, z->n_vars * 32); /* the witness is secret: leave no copy of it behind */
    free(wcopy);
    free(copy);
    zbp_wipe_free(a, n * sizeof(fr_t)); /* h, the H MSM's scalars, lives in a */
    zbp_wipe_free(b, n * sizeof(fr_t));
    zbp_wipe_free(c, n * sizeof(fr_t));
    ntt_ctx_free(ntt);
    prof->total_ms = zbp_mono_ms() - t0;
    return status;
}

void zbp_proof_free(zbp_proof_t *p) {
    free(p->pub);
    p->pub = NULL;
    p->n_public = 0;
}
