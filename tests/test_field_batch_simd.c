/* test_field_batch_simd.c: the vector batch backends (AVX-512 IFMA, AVX2) against the portable
 * scalar Montgomery arithmetic, for Fq and Fr: random and edge elements, every n from 0 to 40
 * (all tails), and outputs aliasing inputs. A backend this CPU cannot run is reported skipped. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "field/field_batch.h"
#include "testutil.h"

#define MAXN 40

static int lt_p(const uint64_t *a, const uint64_t *p) {
    for (int i = 3; i >= 0; i--)
        if (a[i] != p[i]) return a[i] < p[i];
    return 0;
}

/* A random element < p, one time in two an edge value. */
static void elem(uint64_t x[4], const zbp_mont_t *f, test_rng_t *g) {
    const uint64_t *p = f->p;
    switch (test_rng_u64(g) % 20) {
    case 0: memset(x, 0, 32); return;
    case 1: memcpy(x, f->one, 32); return;
    case 2: memcpy(x, p, 32); x[0] -= 1; return; /* p - 1 */
    case 3: memcpy(x, p, 32); x[0] -= 2; return; /* p - 2 */
    case 4: /* (p - 1) / 2 */
        for (int i = 0; i < 4; i++) x[i] = (p[i] >> 1) | (i < 3 ? p[i + 1] << 63 : 0);
        return;
    case 5: x[0] = test_rng_u64(g) % 4; x[1] = x[2] = x[3] = 0; return;
    case 6: /* low limbs all ones */
        x[0] = x[1] = x[2] = ~0ull;
        x[3] = p[3] - 1;
        return;
    case 7: /* limbs each 0 or all ones */
        for (int i = 0; i < 4; i++) x[i] = (test_rng_u64(g) & 1) ? ~0ull : 0;
        x[3] &= p[3] - 1;
        return;
    case 8: { /* p - small */
        uint64_t s = 1 + test_rng_u64(g) % 1000;
        memcpy(x, p, 32);
        x[0] -= s; /* p[0] > 1000 for both moduli */
        return;
    }
    case 9: /* 2^k */
        memset(x, 0, 32);
        { unsigned k = (unsigned)(test_rng_u64(g) % 253); x[k / 64] = 1ull << (k % 64); }
        return;
    default:
        do {
            for (int i = 0; i < 4; i++) x[i] = test_rng_u64(g);
            x[3] &= 0x3fffffffffffffffull;
        } while (!lt_p(x, p));
    }
}

typedef void (*bin_fn)(uint64_t *, const uint64_t *, const uint64_t *, size_t, const zbp_mont_t *);

static void ref(int op, uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n,
                const zbp_mont_t *f) {
    for (size_t i = 0; i < n; i++) {
        const uint64_t *x = a + 4 * i, *y = b + 4 * i;
        if (op == 0) zbp_mont_mul_portable(r + 4 * i, x, y, f->p, f->pinv);
        if (op == 1) zbp_mont_add(r + 4 * i, x, y, f->p);
        if (op == 2) zbp_mont_sub(r + 4 * i, x, y, f->p);
        if (op == 3) zbp_mont_mul_portable(r + 4 * i, x, x, f->p, f->pinv);
    }
}

static void check_backend(zbp_isa_t isa, long per_field) {
    const zbp_batch_ops_t *ops = zbp_batch_ops(isa);
    if (!ops) cr_skip_test("%s: not supported on this CPU", zbp_isa_name(isa));
    const zbp_mont_t *fields[2] = {&zbp_fq_mont, &zbp_fr_mont};
    const char *fname[2] = {"Fq", "Fr"};
    const char *opname[4] = {"mul", "add", "sub", "sqr"};
    test_rng_t g;
    uint64_t seed = test_seed() ^ (uint64_t)isa;
    test_rng_seed(&g, seed);
    for (int fi = 0; fi < 2; fi++) {
        const zbp_mont_t *f = fields[fi];
        long done = 0;
        for (size_t n = 0; done < per_field; n = (n + 1) % (MAXN + 1)) {
            /* exact-size heap blocks, so that ASan sees any access past n elements */
            uint64_t *a = malloc(4 * 8 * n + 1), *b = malloc(4 * 8 * n + 1);
            uint64_t *r = malloc(4 * 8 * n + 1), *e = malloc(4 * 8 * n + 1);
            cr_assert(a && b && r && e);
            for (size_t i = 0; i < n; i++) {
                elem(a + 4 * i, f, &g);
                elem(b + 4 * i, f, &g);
            }
            for (int op = 0; op < 4; op++) {
                ref(op, e, a, b, n, f);
                for (int alias = 0; alias < 3; alias++) { /* none, r == a, r == b (and == a for sqr) */
                    if (op == 3 && alias == 2) continue;
                    const uint64_t *x = a, *y = b;
                    if (alias == 1) { memcpy(r, a, 32 * n); x = r; }
                    if (alias == 2) { memcpy(r, b, 32 * n); y = r; }
                    if (op == 0) ops->mul(r, x, y, n, f);
                    if (op == 1) ops->add(r, x, y, n, f);
                    if (op == 2) ops->sub(r, x, y, n, f);
                    if (op == 3) ops->sqr(r, x, n, f);
                    for (size_t i = 0; i < n; i++)
                        cr_assert(memcmp(r + 4 * i, e + 4 * i, 32) == 0,
                                  "%s %s %s n=%zu i=%zu alias=%d seed=%llu", ops->name, fname[fi],
                                  opname[op], n, i, alias, (unsigned long long)seed);
                }
            }
            /* mul with r == a == b is the square */
            if (n) {
                ref(3, e, a, a, n, f);
                memcpy(r, a, 32 * n);
                ops->mul(r, r, r, n, f);
                cr_assert(memcmp(r, e, 32 * n) == 0, "%s %s mul r==a==b n=%zu", ops->name,
                          fname[fi], n);
            }
            free(a); free(b); free(r); free(e);
            done += (long)n;
        }
    }
}

Test(field_batch_simd, avx512ifma) { check_backend(ZBP_ISA_AVX512, 100000); }
Test(field_batch_simd, avx2) { check_backend(ZBP_ISA_AVX2, 100000); }
