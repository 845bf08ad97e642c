/* setup_fixed_base.c: fixed-base scalar multiplication for the development setup (setup.c).
 * Every point of the key is k·G for one generator G (of G1 or of G2), so a table of d·2^(wj)·G for
 * signed digits d in 1..2^(w-1) and windows j turns each multiplication into one addition per
 * window and no doubling. The additions of a batch of scalars run in batch-affine form (one shared
 * inversion per window and batch), so each costs about 6 base-field products and the results come
 * out affine, ready for the file. Variable time: the scalars are the setup's, which is insecure by
 * design (setup.c). */
#include <omp.h>
#include <stdlib.h>

#include "prover/setup_int.h"

/* w bits cover a scalar below r < 2^254 with signed digits (the top digit absorbs the carry). */
static unsigned fb_windows(unsigned w) { return (255 + w - 1) / w; }

/* The window minimising additions for `count` multiplications, table building included. */
unsigned fb_choose_window(size_t count) {
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

#define FB_DEFINE(G, AFF, JAC, F)                                                                   \
    zbp_status G##_fb_build(fb_table_t *t, const AFF *base, unsigned w, int threads) {             \
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
            G##_jac_to_affine_vartime(&bases[j], &b);                                                      \
            for (unsigned i = 0; i < w; i++) G##_jac_dbl_vartime(&b, &b);                                  \
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
                    G##_jac_add_affine_vartime(&tmp[d], &tmp[d - 1], &bases[j]);                           \
                G##_jac_batch_to_affine_vartime((AFF *)t->pts + j * t->per, tmp, t->per, scr);             \
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
    void G##_fb_mul(const fb_table_t *t, AFF *out, const uint64_t (*k)[4], size_t n,               \
                    fb_scratch_t *s) {                                                             \
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

