/* test_verify.c: the Groth16 verifier on snarkjs's own fixtures (tests/fixtures/<circuit>/): valid
 * proofs pass; a changed public signal or proof coordinate fails; malformed, off-curve, out-of-
 * range or non-subgroup inputs are input errors, never crashes; e(alpha, beta) matches the
 * vk_alphabeta_12 that snarkjs exports. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prover/prover.h"
#include "testutil.h"

static const char *CIRCUITS[] = {"multiplier", "poseidon", "comparator", "many_public", "no_public"};
#define N_CIRCUITS (sizeof CIRCUITS / sizeof CIRCUITS[0])

static const char *data_dir(void) {
    const char *d = test_env_dir("ZBP_TEST_DATA");
    if (!d) cr_skip_test("ZBP_TEST_DATA is not set");
    return d;
}

static void fixture(char *out, size_t n, const char *circuit, const char *file) {
    snprintf(out, n, "%s/fixtures/%s/%s", data_dir(), circuit, file);
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(fread(buf, 1, (size_t)n, f) == (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static json_t *parse_file(const char *path) {
    size_t len;
    char *text = slurp(path, &len);
    json_t *doc;
    zbp_json_error_t je;
    int st = zbp_json_parse(&doc, text, len, NULL, &je);
    free(text);
    cr_assert_eq(st, ZBP_OK, "%s: %zu:%zu %s", path, je.line, je.column, je.message);
    return doc;
}

typedef struct {
    groth16_vk_t vk;
    groth16_proof_t proof;
    fr_t *pub;
    size_t n;
} case_t;

static void load_case(case_t *c, const char *circuit) {
    char path[1024], err[256];
    fixture(path, sizeof path, circuit, "verification_key.json");
    json_t *d = parse_file(path);
    cr_assert_eq(groth16_vk_from_json(&c->vk, d, err, sizeof err), ZBP_OK, "%s", err);
    json_decref(d);
    fixture(path, sizeof path, circuit, "proof.json");
    d = parse_file(path);
    cr_assert_eq(groth16_proof_from_json(&c->proof, d, err, sizeof err), ZBP_OK, "%s", err);
    json_decref(d);
    fixture(path, sizeof path, circuit, "public.json");
    d = parse_file(path);
    cr_assert_eq(groth16_public_from_json(&c->pub, &c->n, d, err, sizeof err), ZBP_OK,
                 "%s", err);
    json_decref(d);
}

static void free_case(case_t *c) {
    groth16_vk_free(&c->vk);
    free(c->pub);
}

Test(verify, snarkjs_proofs_verify) {
    for (size_t i = 0; i < N_CIRCUITS; i++) {
        char vk[1024], pub[1024], proof[1024], err[512];
        fixture(vk, sizeof vk, CIRCUITS[i], "verification_key.json");
        fixture(pub, sizeof pub, CIRCUITS[i], "public.json");
        fixture(proof, sizeof proof, CIRCUITS[i], "proof.json");
        int valid = 0;
        int st = groth16_verify_files(vk, pub, proof, &valid, err, sizeof err);
        cr_assert_eq(st, ZBP_OK, "%s: %s", CIRCUITS[i], err);
        cr_assert(valid, "%s: a snarkjs proof does not verify", CIRCUITS[i]);
    }
}

Test(verify, keys_have_a_contribution) {
    /* delta != gamma, so mixing them up cannot go unnoticed */
    for (size_t i = 0; i < N_CIRCUITS; i++) {
        case_t c;
        load_case(&c, CIRCUITS[i]);
        cr_assert(!g2_affine_equal(&c.vk.delta2, &c.vk.gamma2), "%s", CIRCUITS[i]);
        free_case(&c);
    }
}

Test(verify, tampering_is_rejected) {
    for (size_t i = 0; i < N_CIRCUITS; i++) {
        case_t c;
        int valid;
        load_case(&c, CIRCUITS[i]);
        cr_assert_eq(groth16_verify(&c.vk, &c.proof, c.pub, c.n, &valid), ZBP_OK);
        cr_assert(valid);
        for (size_t k = 0; k < c.n; k++) { /* each public signal, changed by one */
            fr_t saved = c.pub[k];
            fr_add(&c.pub[k], &c.pub[k], &FR_ONE);
            cr_assert_eq(groth16_verify(&c.vk, &c.proof, c.pub, c.n, &valid), ZBP_OK);
            cr_assert(!valid, "%s: changed signal %zu accepted", CIRCUITS[i], k);
            c.pub[k] = saved;
        }
        /* each proof element replaced by another valid group element */
        groth16_proof_t saved = c.proof;
        g1_jac_t j;
        g1_jac_from_affine(&j, &c.proof.a);
        g1_jac_dbl_vartime(&j, &j);
        g1_jac_to_affine_vartime(&c.proof.a, &j);
        cr_assert_eq(groth16_verify(&c.vk, &c.proof, c.pub, c.n, &valid), ZBP_OK);
        cr_assert(!valid, "%s: changed pi_a accepted", CIRCUITS[i]);
        c.proof = saved;
        g1_affine_neg(&c.proof.c, &c.proof.c);
        cr_assert_eq(groth16_verify(&c.vk, &c.proof, c.pub, c.n, &valid), ZBP_OK);
        cr_assert(!valid, "%s: changed pi_c accepted", CIRCUITS[i]);
        c.proof = saved;
        g2_jac_t j2;
        g2_jac_from_affine(&j2, &c.proof.b);
        g2_jac_dbl_vartime(&j2, &j2);
        g2_jac_to_affine_vartime(&c.proof.b, &j2);
        cr_assert_eq(groth16_verify(&c.vk, &c.proof, c.pub, c.n, &valid), ZBP_OK);
        cr_assert(!valid, "%s: changed pi_b accepted", CIRCUITS[i]);
        c.proof = saved;
        /* the wrong count of public signals is an input error */
        cr_assert_eq(groth16_verify(&c.vk, &c.proof, c.pub, c.n + 1, &valid), ZBP_ERR_INPUT);
        free_case(&c);
    }
}

/* e(alpha1, beta2) as snarkjs exports it: [[[c0, c1] x 3] x 2], Fq12 = Fq6[w], Fq6 = Fq2[v]. */
Test(verify, alphabeta_matches_snarkjs) {
    for (size_t i = 0; i < N_CIRCUITS; i++) {
        char path[1024];
        case_t c;
        load_case(&c, CIRCUITS[i]);
        fixture(path, sizeof path, CIRCUITS[i], "verification_key.json");
        json_t *d = parse_file(path);
        const json_t *ab = json_object_get(d, "vk_alphabeta_12");
        cr_assert(ab && json_array_size(ab) == 2);
        fq12_t want;
        fq6_t *c6[2] = {&want.c0, &want.c1};
        for (int a = 0; a < 2; a++) {
            fq2_t *c2[3] = {&c6[a]->c0, &c6[a]->c1, &c6[a]->c2};
            for (int b = 0; b < 3; b++) {
                fq_t *c1[2] = {&c2[b]->c0, &c2[b]->c1};
                for (int k = 0; k < 2; k++) {
                    const json_t *s = json_array_get(json_array_get(json_array_get(ab, (size_t)a), (size_t)b), (size_t)k);
                    cr_assert(s && zbp_json_str(s, NULL));
                    cr_assert_eq(fq_from_dec(c1[k], json_string_value(s), json_string_length(s)), ZBP_OK);
                }
            }
        }
        fq12_t got;
        pairing(&got, &c.vk.alpha1, &c.vk.beta2);
        cr_assert(fq12_equal(&got, &want), "%s: e(alpha, beta) differs from snarkjs", CIRCUITS[i]);
        json_decref(d);
        free_case(&c);
    }
}

/* Writes text to a temporary file and runs the file-level verifier with one file replaced. */
static int verify_with(const char *circuit, int which, const char *text, int *valid, char *err,
                       size_t errlen) {
    char paths[3][1024];
    fixture(paths[0], sizeof paths[0], circuit, "verification_key.json");
    fixture(paths[1], sizeof paths[1], circuit, "public.json");
    fixture(paths[2], sizeof paths[2], circuit, "proof.json");
    char tmp[] = "/tmp/zbp_verify_XXXXXX";
    int fd = mkstemp(tmp);
    cr_assert(fd >= 0);
    cr_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    strcpy(paths[which], tmp);
    int st = groth16_verify_files(paths[0], paths[1], paths[2], valid, err, errlen);
    unlink(tmp);
    return st;
}

static const char *GEN_B =
    "[[\"10857046999023057135944570762232829481370756359578518086990519993285655852781\","
    "\"11559732032986387107991004021392285783925812861821192530917403151452391805634\"],"
    "[\"8495653923123431417604973247489272438418190587263600148770280649306958101930\","
    "\"4082367875863433681332203403145435568316851327593401208105741076214120093531\"],"
    "[\"1\",\"0\"]]";

Test(verify, bad_inputs_are_input_errors) {
    char err[512], text[4096];
    int valid;
    const char *q = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
    const char *r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    struct {
        int which;
        const char *text;
        int status;
        const char *needle;
    } cases[] = {
        {2, "{\"pi_a\": [\"1\", \"2\", \"1\"]", ZBP_ERR_INPUT, "line 1"},
        {2, "", ZBP_ERR_INPUT, "empty"},
        {1, "[\"1\", \"2\"]", ZBP_ERR_INPUT, "nPublic is 1"},
        {1, "[1]", ZBP_ERR_INPUT, "signal 0"},
        {1, "[\"01\"]", ZBP_ERR_INPUT, "signal 0"},
        {1, "{}", ZBP_ERR_INPUT, "expected an array"},
        {0, "[]", ZBP_ERR_INPUT, "expected a JSON object"},
        {0, "{\"protocol\": \"plonk\"}", ZBP_ERR_INPUT, "protocol"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int st = verify_with("multiplier", cases[i].which, cases[i].text, &valid, err, sizeof err);
        cr_assert_eq(st, cases[i].status, "case %zu: status %d (%s)", i, st, err);
        cr_assert(strstr(err, cases[i].needle), "case %zu: message '%s'", i, err);
        cr_assert(strstr(err, "/tmp/zbp_verify_"), "case %zu: the message names the file", i);
    }
    /* a public signal equal to r */
    snprintf(text, sizeof text, "[\"%s\"]", r);
    cr_assert_eq(verify_with("multiplier", 1, text, &valid, err, sizeof err), ZBP_ERR_RANGE);
    cr_assert(strstr(err, "not below"), "%s", err);
    /* proofs with a point off the curve, a coordinate >= q, pi_b outside G2 */
    const char *tails[] = {
        "\"pi_a\": [\"1\", \"3\", \"1\"], \"pi_b\": %s, \"pi_c\": [\"1\", \"2\", \"1\"]",
        "\"pi_a\": [\"%s\", \"2\", \"1\"], \"pi_b\": %s, \"pi_c\": [\"1\", \"2\", \"1\"]",
        "\"pi_a\": [\"1\", \"2\", \"1\"], \"pi_b\": [[\"1\", \"0\"], [\"1\", \"0\"], [\"1\", \"0\"]],"
        " \"pi_c\": [\"1\", \"2\", \"1\"]",
        "\"pi_a\": [\"1\", \"2\"], \"pi_b\": %s",
    };
    const char *needles[] = {"pi_a: point is not on the curve G1", "not below the field modulus",
                             "pi_b: point is not on the curve G2", "pi_c: missing"};
    int statuses[] = {ZBP_ERR_INPUT, ZBP_ERR_RANGE, ZBP_ERR_INPUT, ZBP_ERR_INPUT};
    for (int i = 0; i < 4; i++) {
        char body[2048];
        if (i == 1)
            snprintf(body, sizeof body, tails[i], q, GEN_B);
        else
            snprintf(body, sizeof body, tails[i], GEN_B);
        snprintf(text, sizeof text, "{%s, \"protocol\": \"groth16\", \"curve\": \"bn128\"}", body);
        int st = verify_with("multiplier", 2, text, &valid, err, sizeof err);
        cr_assert_eq(st, statuses[i], "proof case %d: %d %s", i, st, err);
        cr_assert(strstr(err, needles[i]), "proof case %d: '%s'", i, err);
    }
    /* pi_b on the twist but not in G2: x = 1 + u gives a point with y = sqrt(x^3 + b') */
    {
        fq2_t x = {FQ_ONE, FQ_ONE}, t, y;
        static const fq2_t b = {{{0x3bf938e377b802a8ull, 0x020b1b273633535dull, 0x26b7edf049755260ull,
                                  0x2514c6324384a86dull}},
                                {{0x38e7ecccd1dcff67ull, 0x65f0b37d93ce0d3eull, 0xd749d0dd22ac00aaull,
                                  0x0141b9ce4a688d4dull}}};
        for (;;) { /* walk x until x^3 + b' is a square */
            fq2_sqr(&t, &x);
            fq2_mul(&t, &t, &x);
            fq2_add(&t, &t, &b);
            if (fq2_sqrt(&y, &t)) break;
            fq_add(&x.c0, &x.c0, &FQ_ONE);
        }
        g2_affine_t p = {x, y};
        cr_assert(g2_affine_is_on_curve(&p) && !g2_affine_in_subgroup_vartime(&p));
        char d[4][80];
        int z1;
        g2_affine_to_dec(d, &z1, &p);
        snprintf(text, sizeof text,
                 "{\"pi_a\": [\"1\", \"2\", \"1\"], \"pi_b\": [[\"%s\", \"%s\"], [\"%s\", \"%s\"], "
                 "[\"1\", \"0\"]], \"pi_c\": [\"1\", \"2\", \"1\"]}",
                 d[0], d[1], d[2], d[3]);
        cr_assert_eq(verify_with("multiplier", 2, text, &valid, err, sizeof err), ZBP_ERR_INPUT);
        cr_assert(strstr(err, "not in the subgroup"), "%s", err);
    }
    /* a well-formed proof of the wrong statement is a verdict, not an error */
    snprintf(text, sizeof text,
             "{\"pi_a\": [\"1\", \"2\", \"1\"], \"pi_b\": %s, \"pi_c\": [\"0\", \"1\", \"0\"]}", GEN_B);
    cr_assert_eq(verify_with("multiplier", 2, text, &valid, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert(!valid);
    /* a missing file */
    cr_assert_eq(groth16_verify_files("/nonexistent/vk.json", "x", "y", &valid, err, sizeof err),
                 ZBP_ERR_INPUT);
    cr_assert(strstr(err, "/nonexistent/vk.json: cannot open"), "%s", err);
}
