/* ct_valgrind.c: the constant-time operations, run under valgrind's memcheck with their secret
 * inputs marked undefined (the ctgrind method). Memcheck reports a conditional jump, or a memory
 * address, that depends on an undefined value: exactly a branch or a table lookup on a secret. So
 * `valgrind --error-exitcode=1 ct_valgrind ct` passing means that no operation below branches or
 * indexes on its secret, on the field path this CPU selects under valgrind (and on the portable
 * path, which the program also selects). `ct_valgrind vartime` runs a variable-time inversion the
 * same way and must FAIL: it shows that the harness sees a leak when there is one.
 *
 * What is covered (the prover's secrets, groth16.c's zbp_groth16_finish): the randomizers r and s
 * and their product (fr_to_mont, fr_mul, fr_from_mont), the scalar multiplications by them
 * (g1_mul, g2_mul), and the field's constant-time inversions (fq_inv, fr_inv).
 * Run by tests/check_ct_valgrind.sh; a plain program, not Criterion, because Criterion's workers
 * are forked processes that valgrind would have to follow. */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "curve/curve.h"
#include "field/field.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

/* A fixed "random" scalar below r (deterministic, so failures reproduce). */
static void scalar(uint64_t k[4], uint64_t seed) {
    for (int i = 0; i < 4; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        k[i] = seed ^ (seed >> 29);
    }
    k[3] &= 0x0fffffffffffffffull; /* < 2^252 < r */
}

/* Returns a digest of the outputs (made defined first) so that the compiler keeps the work and
 * the caller can print something that depends on it. */
static uint64_t run_ct(void) {
    uint64_t acc = 0;
    for (uint64_t round = 0; round < 3; round++) {
        uint64_t r[4], s[4], rs[4];
        scalar(r, 11 + round);
        scalar(s, 97 + round);
        if (round == 2) memset(s, 0, sizeof s); /* zero is a legal randomizer (formats.md §5) */
        SECRET(r, sizeof r);
        SECRET(s, sizeof s);

        /* r·s as the prover computes it */
        fr_t rm, sm, rsm, inv;
        fr_to_mont(&rm, r);
        fr_to_mont(&sm, s);
        fr_mul(&rsm, &rm, &sm);
        fr_from_mont(rs, &rsm);
        fr_inv(&inv, &rm);

        /* the scalar multiplications of the proof's last step */
        g1_jac_t g1, o1;
        g1_jac_from_affine(&g1, &G1_GENERATOR);
        g1_mul(&o1, &g1, r);
        g1_mul(&o1, &o1, s);
        g1_mul(&o1, &o1, rs);
        g2_jac_t g2, o2;
        g2_jac_from_affine(&g2, &G2_GENERATOR);
        g2_mul(&o2, &g2, s);

        /* an inversion of a secret-derived coordinate */
        fq_t zi;
        fq_inv(&zi, &o1.z);

        PUBLIC(&o1, sizeof o1);
        PUBLIC(&o2, sizeof o2);
        PUBLIC(&zi, sizeof zi);
        PUBLIC(&inv, sizeof inv);
        PUBLIC(rs, sizeof rs);
        const uint64_t *w = (const uint64_t *)(const void *)&o1;
        for (size_t i = 0; i < sizeof o1 / 8; i++) acc += w[i];
        w = (const uint64_t *)(const void *)&o2;
        for (size_t i = 0; i < sizeof o2 / 8; i++) acc += w[i];
        w = (const uint64_t *)(const void *)&zi;
        acc += w[0] + rs[0];
        w = (const uint64_t *)(const void *)&inv;
        acc += w[0];
    }
    return acc;
}

/* The control: a variable-time inversion of a secret must be reported. */
static uint64_t run_vartime(void) {
    uint64_t k[4];
    scalar(k, 5);
    fq_t a, i;
    fq_to_mont(&a, k);
    SECRET(&a, sizeof a);
    fq_inv_vartime(&i, &a);
    PUBLIC(&i, sizeof i);
    const uint64_t *w = (const uint64_t *)(const void *)&i;
    return w[0];
}

int main(int argc, char **argv) {
    if (argc != 2 || (strcmp(argv[1], "ct") && strcmp(argv[1], "vartime"))) {
        fprintf(stderr, "usage: ct_valgrind ct|vartime (run it under valgrind)\n");
        return 2;
    }
    if (!strcmp(argv[1], "vartime")) {
        printf("vartime digest %016llx\n", (unsigned long long)run_vartime());
        return 0;
    }
    /* The path the library picked on this CPU (as valgrind presents it), then the portable one. */
    zbp_field_init();
    printf("scalar path %s: digest %016llx\n", zbp_isa_name(zbp_field_scalar_isa()),
           (unsigned long long)run_ct());
    if (zbp_field_scalar_isa() != ZBP_ISA_PORTABLE && zbp_field_select(ZBP_ISA_PORTABLE) == 0)
        printf("scalar path portable: digest %016llx\n", (unsigned long long)run_ct());
    return 0;
}
