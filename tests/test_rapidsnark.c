/* test_rapidsnark.c: rapidsnark's C interface (include/prover.h) from the inside: the capacities it
 * promises hold for the largest numbers, the compact texts are rapidsnark's layout and verify, a
 * circuit without public signals, and one prover object shared by threads proving at once.
 * (tests/check_install.sh runs a rapidsnark program against the installed library.) */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prover.h> /* include/prover.h, rapidsnark's face (prover/prover.h is the room's) */

#include "prover/prover.h"
#include "testutil.h"

/* The largest canonical values, q - 1 and r - 1, have 77 digits: the texts must still fit. */
Test(rapidsnark, capacities_hold_for_the_largest_numbers) {
    fq_t qm1;
    fr_t rm1;
    fq_t one_q;
    cr_assert_eq(fq_from_dec(&one_q, "1", 1), ZBP_OK);
    fq_neg(&qm1, &one_q);
    fr_t one_r;
    cr_assert_eq(fr_from_dec(&one_r, "1", 1), ZBP_OK);
    fr_neg(&rm1, &one_r);
    zbp_proof_t p;
    memset(&p, 0, sizeof p);
    p.a.x = p.a.y = p.c.x = p.c.y = qm1;
    p.b.x.c0 = p.b.x.c1 = p.b.y.c0 = p.b.y.c1 = qm1;
    char *t;
    size_t len;
    cr_assert_eq(zbp_proof_json_compact(&t, &len, &p), ZBP_OK);
    unsigned long long cap;
    groth16_proof_size(&cap);
    cr_assert(len + 1 <= cap, "proof text %zu bytes + NUL > %llu", len, cap);
    cr_assert(strstr(t, "21888242871839275222246405745257275088696311157297823662689037894645226208582"),
              "q - 1 not written in full: %s", t);
    free(t);
    fr_t pub[5] = {rm1, rm1, rm1, rm1, rm1};
    for (size_t n = 0; n <= 5; n++) {
        cr_assert_eq(zbp_public_json_compact(&t, &len, pub, n), ZBP_OK);
        cr_assert(len + 1 <= 82 * n + 4, "%zu public: %zu bytes", n, len);
        if (n == 0) cr_assert_str_eq(t, "[]");
        free(t);
    }
}

/* Keys sorted, no spaces: what rapidsnark writes; and the texts are a valid proof. */
Test(rapidsnark, layout_and_validity) {
    size_t zl, wl, pl;
    void *z = test_fixture("many_public", "circuit.zkey", &zl);
    void *w = test_fixture("many_public", "witness.wtns", &wl);
    char *want_pub = test_fixture("many_public", "public.json", &pl);
    unsigned long long pcap, ucap;
    char msg[256];
    groth16_proof_size(&pcap);
    cr_assert_eq(groth16_public_size_for_zkey_buf(z, zl, &ucap, msg, sizeof msg), PROVER_OK, "%s", msg);
    char *proof = malloc(pcap), *pub = malloc(ucap);
    unsigned long long ps = pcap, us = ucap;
    cr_assert_eq(groth16_prover(z, zl, w, wl, proof, &ps, pub, &us, msg, sizeof msg), PROVER_OK, "%s",
                 msg);
    cr_assert_eq(strncmp(proof, "{\"pi_a\":[\"", 10), 0, "%s", proof);
    cr_assert(strstr(proof, "\"1\"],\"pi_b\":[[\""), "%s", proof);
    cr_assert(strstr(proof, "],[\"1\",\"0\"]],\"pi_c\":[\""), "%s", proof);
    cr_assert(strstr(proof, "\",\"1\"],\"protocol\":\"groth16\"}"), "%s", proof);
    cr_assert(!strchr(proof, ' ') && !strchr(pub, ' ') && !strchr(pub, '\n'));
    /* the same signals as snarkjs's public.json, without its whitespace */
    char squeezed[4096];
    size_t k = 0;
    for (const char *c = want_pub; *c && k + 1 < sizeof squeezed; c++)
        if (*c != ' ' && *c != '\n') squeezed[k++] = *c;
    squeezed[k] = 0;
    cr_assert_str_eq(pub, squeezed);
    /* and the proof verifies (through the JSON readers of `zbprover verify`) */
    cr_assert(test_proof_verifies("many_public", proof, ps, pub, us));
    free(proof);
    free(pub);
    free(want_pub);
    free(z);
    free(w);
}

/* A short proof buffer is found after the proof: the sizes are then the exact ones, public's
 * included, as rapidsnark reports them; a short public buffer is found before any work. */
Test(rapidsnark, short_buffers_report_the_sizes) {
    size_t zl, wl;
    void *z = test_fixture("no_public", "circuit.zkey", &zl);
    void *w = test_fixture("no_public", "witness.wtns", &wl);
    char proof[1024], pub[8], msg[256];
    unsigned long long ps = 100, us = sizeof pub;
    cr_assert_eq(groth16_prover(z, zl, w, wl, proof, &ps, pub, &us, msg, sizeof msg),
                 PROVER_ERROR_SHORT_BUFFER);
    cr_assert(ps > 100 && ps <= 810 && us == 3, "sizes %llu %llu", ps, us); /* "[]" + NUL */
    us = 2;
    ps = sizeof proof;
    cr_assert_eq(groth16_prover(z, zl, w, wl, proof, &ps, pub, &us, msg, sizeof msg),
                 PROVER_ERROR_SHORT_BUFFER);
    cr_assert_eq(us, 3);
    us = 3;
    ps = sizeof proof;
    cr_assert_eq(groth16_prover(z, zl, w, wl, proof, &ps, pub, &us, msg, sizeof msg), PROVER_OK, "%s",
                 msg);
    cr_assert_str_eq(pub, "[]");
    cr_assert_eq(us, 2);
    free(z);
    free(w);
}

typedef struct {
    void *obj;
    const void *w;
    size_t wl;
    int rc;
    char pub[4096];
} job_t;

static void *prove_job(void *arg) {
    job_t *j = arg;
    char proof[1024], msg[256];
    unsigned long long ps = sizeof proof, us = sizeof j->pub;
    j->rc = groth16_prover_prove(j->obj, j->w, j->wl, proof, &ps, j->pub, &us, msg, sizeof msg);
    return NULL;
}

Test(rapidsnark, one_object_many_threads) {
    size_t zl, wl;
    void *z = test_fixture("poseidon", "circuit.zkey", &zl);
    void *w = test_fixture("poseidon", "witness.wtns", &wl);
    void *obj = NULL;
    char msg[256];
    cr_assert_eq(groth16_prover_create(&obj, z, zl, msg, sizeof msg), PROVER_OK, "%s", msg);
    job_t jobs[3];
    pthread_t th[3];
    for (int i = 0; i < 3; i++) {
        jobs[i] = (job_t){.obj = obj, .w = w, .wl = wl, .rc = -1};
        cr_assert_eq(pthread_create(&th[i], NULL, prove_job, &jobs[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        cr_assert_eq(jobs[i].rc, PROVER_OK, "thread %d", i);
        cr_assert_str_eq(jobs[i].pub, jobs[0].pub);
    }
    groth16_prover_destroy(obj);
    free(z);
    free(w);
}
