/* test_pairing.c: the Fq2/Fq6/Fq12 tower (inverses, Frobenius against plain powering, cyclotomic
 * squaring, sparse line products), the final exponentiation against the definition
 * f^((q^12 - 1)/r), and the pairing's bilinearity, non-degeneracy and order. */
#include <criterion/criterion.h>
#include <gmp.h>
#include <string.h>

#include "curve/curve.h"
#include "testutil.h"

static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ull, 0x2833e84879b97091ull,
                                    0xb85045b68181585dull, 0x30644e72e131a029ull};

static void rand_fq2(fq2_t *a, test_rng_t *rng) {
    fq_random(&a->c0, test_rng_bytes, rng);
    fq_random(&a->c1, test_rng_bytes, rng);
}
static void rand_fq12(fq12_t *a, test_rng_t *rng) {
    fq2_t *c[6] = {&a->c0.c0, &a->c0.c1, &a->c0.c2, &a->c1.c0, &a->c1.c1, &a->c1.c2};
    for (int i = 0; i < 6; i++) rand_fq2(c[i], rng);
}
static void rand_scalar(uint64_t k[4], test_rng_t *rng) {
    fr_t s;
    fr_random(&s, test_rng_bytes, rng);
    fr_from_mont(k, &s);
}

/* Limbs of a GMP integer, at most n of them. */
static size_t mpz_limbs(uint64_t *out, size_t n, const mpz_t a) {
    size_t count = 0;
    memset(out, 0, n * 8);
    mpz_export(out, &count, -1, 8, 0, 0, a);
    cr_assert(count <= n);
    return count;
}

static void q_power(mpz_t r, unsigned k) {
    mpz_t q;
    mpz_init(q);
    mpz_import(q, 4, -1, 8, 0, 0, FQ_MODULUS);
    mpz_pow_ui(r, q, k);
    mpz_clear(q);
}

Test(tower, fq2_basics) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x101);
    for (int it = 0; it < 1000; it++) {
        fq2_t a, b, c, t, u;
        rand_fq2(&a, &rng);
        rand_fq2(&b, &rng);
        /* schoolbook reference for the Karatsuba product: (a0 b0 - a1 b1) + (a0 b1 + a1 b0) u */
        fq_t p0, p1;
        fq_mul(&p0, &a.c0, &b.c0);
        fq_mul(&p1, &a.c1, &b.c1);
        fq_sub(&t.c0, &p0, &p1);
        fq_mul(&p0, &a.c0, &b.c1);
        fq_mul(&p1, &a.c1, &b.c0);
        fq_add(&t.c1, &p0, &p1);
        fq2_mul(&c, &a, &b);
        cr_assert(fq2_equal(&c, &t));
        fq2_sqr(&c, &a);
        fq2_mul(&t, &a, &a);
        cr_assert(fq2_equal(&c, &t));
        fq2_inv(&c, &a);
        fq2_mul(&t, &c, &a);
        cr_assert(fq2_equal(&t, &FQ2_ONE));
        fq2_inv_vartime(&u, &a);
        cr_assert(fq2_equal(&u, &c));
        /* xi = 9 + u */
        fq2_t xi = {{{0}}, FQ_ONE};
        for (int i = 0; i < 9; i++) fq_add(&xi.c0, &xi.c0, &FQ_ONE);
        fq2_mul(&t, &a, &xi);
        fq2_mul_xi(&c, &a);
        cr_assert(fq2_equal(&c, &t));
        /* square roots */
        fq2_sqr(&t, &a);
        cr_assert(fq2_sqrt(&c, &t));
        fq2_sqr(&u, &c);
        cr_assert(fq2_equal(&u, &t));
        fq2_mul(&t, &t, &xi); /* xi is a non-square: a^2 xi is not a square */
        cr_assert(!fq2_sqrt(&c, &t));
    }
    fq2_t z = FQ2_ZERO, r;
    fq2_inv(&r, &z);
    cr_assert(fq2_is_zero(&r));
    cr_assert(fq2_sqrt(&r, &z) && fq2_is_zero(&r));
}

Test(tower, fq6_fq12_field_laws) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x102);
    for (int it = 0; it < 100; it++) {
        fq12_t a, b, c, t, u;
        rand_fq12(&a, &rng);
        rand_fq12(&b, &rng);
        rand_fq12(&c, &rng);
        /* distributivity a (b + c) = ab + ac ties mul to add */
        fq12_t s;
        fq6_add(&s.c0, &b.c0, &c.c0);
        fq6_add(&s.c1, &b.c1, &c.c1);
        fq12_mul(&t, &a, &s);
        fq12_mul(&u, &a, &b);
        fq12_mul(&s, &a, &c);
        fq6_add(&u.c0, &u.c0, &s.c0);
        fq6_add(&u.c1, &u.c1, &s.c1);
        cr_assert(fq12_equal(&t, &u), "distributivity");
        /* associativity and commutativity */
        fq12_mul(&t, &a, &b);
        fq12_mul(&t, &t, &c);
        fq12_mul(&u, &b, &c);
        fq12_mul(&u, &a, &u);
        cr_assert(fq12_equal(&t, &u), "associativity");
        fq12_mul(&t, &a, &b);
        fq12_mul(&u, &b, &a);
        cr_assert(fq12_equal(&t, &u));
        fq12_sqr(&t, &a);
        fq12_mul(&u, &a, &a);
        cr_assert(fq12_equal(&t, &u), "sqr");
        fq6_sqr(&t.c0, &a.c0);
        fq6_mul(&u.c0, &a.c0, &a.c0);
        cr_assert(memcmp(&t.c0, &u.c0, sizeof t.c0) == 0, "fq6 sqr");
        fq12_inv(&t, &a);
        fq12_mul(&u, &t, &a);
        cr_assert(fq12_is_one(&u), "inverse");
        /* w^2 = v: (0 + 1 w)^2 = v */
        fq12_t w;
        memset(&w, 0, sizeof w);
        w.c1.c0 = FQ2_ONE;
        fq12_sqr(&t, &w);
        fq12_t v;
        memset(&v, 0, sizeof v);
        v.c0.c1 = FQ2_ONE;
        cr_assert(fq12_equal(&t, &v), "w^2 = v");
        /* sparse line product equals the full product */
        fq2_t l0, l1, l2;
        rand_fq2(&l0, &rng);
        rand_fq2(&l1, &rng);
        rand_fq2(&l2, &rng);
        fq12_t l;
        memset(&l, 0, sizeof l);
        l.c0.c0 = l0;
        l.c1.c0 = l1;
        l.c1.c1 = l2;
        fq12_mul(&t, &a, &l);
        fq12_mul_by_line(&u, &a, &l0, &l1, &l2);
        cr_assert(fq12_equal(&t, &u), "line product");
    }
}

Test(tower, frobenius_is_q_power) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x103);
    for (unsigned k = 1; k <= 3; k++) {
        mpz_t e;
        mpz_init(e);
        q_power(e, k);
        uint64_t el[12];
        size_t n = mpz_limbs(el, 12, e);
        mpz_clear(e);
        for (int it = 0; it < 3; it++) {
            fq12_t a, want, got;
            rand_fq12(&a, &rng);
            fq12_pow_vartime(&want, &a, el, n);
            fq12_frobenius(&got, &a, (int)k);
            cr_assert(fq12_equal(&got, &want), "frobenius %u", k);
        }
    }
}

/* f^((q^6 - 1)(q^2 + 1)): an element of the cyclotomic subgroup. */
static void to_cyclotomic(fq12_t *r, const fq12_t *f) {
    fq12_t t0, t1;
    fq12_conj(&t0, f);
    fq12_inv(&t1, f);
    fq12_mul(&t0, &t0, &t1);
    fq12_frobenius(&t1, &t0, 2);
    fq12_mul(r, &t0, &t1);
}

Test(tower, cyclotomic_square) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x104);
    for (int it = 0; it < 100; it++) {
        fq12_t a, c, t, u;
        rand_fq12(&a, &rng);
        to_cyclotomic(&c, &a);
        fq12_sqr(&t, &c);
        fq12_cyclotomic_sqr(&u, &c);
        cr_assert(fq12_equal(&t, &u));
        /* in the subgroup the conjugate is the inverse */
        fq12_conj(&t, &c);
        fq12_mul(&u, &t, &c);
        cr_assert(fq12_is_one(&u));
    }
}

Test(pairing, final_exp_matches_definition) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x105);
    mpz_t e, r;
    mpz_inits(e, r, NULL);
    q_power(e, 12);
    mpz_sub_ui(e, e, 1);
    mpz_import(r, 4, -1, 8, 0, 0, R_LIMBS);
    cr_assert(mpz_divisible_p(e, r));
    mpz_divexact(e, e, r);
    /* times m = 2x(6x^2 + 3x + 1), the fixed power the fast hard part (and snarkjs) computes */
    mpz_t m;
    mpz_init_set_ui(m, 4965661367192848881ull);
    mpz_t t;
    mpz_init(t);
    mpz_mul(t, m, m);
    mpz_mul_ui(t, t, 6);
    mpz_addmul_ui(t, m, 3);
    mpz_add_ui(t, t, 1);
    mpz_mul(t, t, m);
    mpz_mul_ui(t, t, 2);
    mpz_gcd(m, t, r);
    cr_assert(mpz_cmp_ui(m, 1) == 0, "m must be coprime to r");
    mpz_mul(e, e, t);
    mpz_clears(m, t, NULL);
    uint64_t el[50];
    size_t n = mpz_limbs(el, 50, e);
    mpz_clears(e, r, NULL);
    for (int it = 0; it < 2; it++) {
        fq12_t a, want, got;
        rand_fq12(&a, &rng);
        fq12_pow_vartime(&want, &a, el, n);
        pairing_final_exp(&got, &a);
        cr_assert(fq12_equal(&got, &want), "final exponentiation != f^(m (q^12-1)/r)");
    }
}

static void g1_mul_aff(g1_affine_t *r, const g1_affine_t *p, const uint64_t k[4]) {
    g1_jac_t j;
    g1_jac_from_affine(&j, p);
    g1_mul_vartime(&j, &j, k);
    g1_jac_to_affine_vartime(r, &j);
}
static void g2_mul_aff(g2_affine_t *r, const g2_affine_t *p, const uint64_t k[4]) {
    g2_jac_t j;
    g2_jac_from_affine(&j, p);
    g2_mul_vartime(&j, &j, k);
    g2_jac_to_affine_vartime(r, &j);
}

Test(pairing, bilinear_nondegenerate_order_r) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x106);
    fq12_t e, t, u;
    pairing(&e, &G1_GENERATOR, &G2_GENERATOR);
    cr_assert(!fq12_is_one(&e), "e(G1, G2) = 1: degenerate");
    fq12_pow_vartime(&t, &e, R_LIMBS, 4);
    cr_assert(fq12_is_one(&t), "e(G1, G2)^r != 1");
    for (int it = 0; it < 4; it++) {
        uint64_t a[4], b[4];
        rand_scalar(a, &rng);
        rand_scalar(b, &rng);
        g1_affine_t p, ap;
        g2_affine_t q, bq;
        g1_mul_aff(&p, &G1_GENERATOR, a); /* random P, Q */
        g2_mul_aff(&q, &G2_GENERATOR, b);
        rand_scalar(a, &rng);
        rand_scalar(b, &rng);
        g1_mul_aff(&ap, &p, a);
        g2_mul_aff(&bq, &q, b);
        pairing(&t, &ap, &bq);
        pairing(&e, &p, &q);
        /* e^(ab) = (e^a)^b */
        fq12_pow_vartime(&u, &e, a, 4);
        fq12_pow_vartime(&u, &u, b, 4);
        cr_assert(fq12_equal(&t, &u), "e(aP, bQ) != e(P, Q)^(ab)");
        /* e(aP, Q) = e(P, aQ) */
        g2_affine_t aq;
        g2_mul_aff(&aq, &q, a);
        pairing(&t, &ap, &q);
        pairing(&u, &p, &aq);
        cr_assert(fq12_equal(&t, &u));
        /* e(P, Q) e(-P, Q) = 1 through the product check, and e(P + P', Q) = e(P, Q) e(P', Q) */
        g1_affine_t np, ps[3];
        g2_affine_t qs[3];
        g1_affine_neg(&np, &p);
        ps[0] = p, ps[1] = np;
        qs[0] = q, qs[1] = q;
        cr_assert(pairing_product_is_one(ps, qs, 2));
        cr_assert(!pairing_product_is_one(ps, qs, 1));
        g1_jac_t s;
        g1_jac_from_affine(&s, &p);
        g1_jac_add_affine_vartime(&s, &s, &ap);
        g1_affine_t sa;
        g1_jac_to_affine_vartime(&sa, &s);
        pairing(&t, &sa, &q);
        ps[0] = p, ps[1] = ap;
        pairing_multi(&u, ps, qs, 2);
        cr_assert(fq12_equal(&t, &u), "e(P + P', Q) != e(P, Q) e(P', Q)");
    }
}

Test(pairing, identities_and_many_pairs) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x107);
    g1_affine_t o1;
    g2_affine_t o2;
    g1_affine_set_infinity(&o1);
    g2_affine_set_infinity(&o2);
    fq12_t t;
    pairing(&t, &o1, &G2_GENERATOR);
    cr_assert(fq12_is_one(&t));
    pairing(&t, &G1_GENERATOR, &o2);
    cr_assert(fq12_is_one(&t));
    /* 19 pairs (more than one pass of the Miller loop) whose scalars cancel:
     * sum_i a_i b_i = 0 (mod r) makes the product 1 */
    enum { N = 19 };
    g1_affine_t p[N];
    g2_affine_t q[N];
    fr_t acc = FR_ZERO;
    for (int i = 0; i < N; i++) {
        fr_t a, b, ab;
        uint64_t al[4], bl[4];
        fr_random(&a, test_rng_bytes, &rng);
        if (i == N - 1) {
            /* a_last = -acc, b_last = 1 */
            fr_neg(&a, &acc);
            b = FR_ONE;
        } else {
            fr_random(&b, test_rng_bytes, &rng);
            fr_mul(&ab, &a, &b);
            fr_add(&acc, &acc, &ab);
        }
        fr_from_mont(al, &a);
        fr_from_mont(bl, &b);
        g1_mul_aff(&p[i], &G1_GENERATOR, al);
        g2_mul_aff(&q[i], &G2_GENERATOR, bl);
    }
    cr_assert(pairing_product_is_one(p, q, N));
    g1_affine_neg(&p[3], &p[3]);
    cr_assert(!pairing_product_is_one(p, q, N));
    /* identities mixed in are skipped */
    g1_affine_neg(&p[3], &p[3]);
    g1_affine_t p2[N + 2];
    g2_affine_t q2[N + 2];
    memcpy(p2, p, sizeof p);
    memcpy(q2, q, sizeof q);
    p2[N] = o1, q2[N] = G2_GENERATOR;
    p2[N + 1] = G1_GENERATOR, q2[N + 1] = o2;
    cr_assert(pairing_product_is_one(p2, q2, N + 2));
}
