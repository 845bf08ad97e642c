/* test_job.c: the job room without a server: tickets (the shared Ed25519 vector, RSA-PSS keys made
 * here, every malformed field), strict hex/base64, the replay log (restart, torn line, lock),
 * sealed witnesses (round trip, single use, tampering, another ticket or circuit), the request
 * parser, and the KEY transcript vector. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "job/job.h"
#include "job/job_int.h"

static size_t unhex(uint8_t *out, const char *hex) {
    size_t n = 0;
    cr_assert_eq(zbp_hex_decode(out, 4096, &n, hex, strlen(hex)), 0);
    return n;
}

/* ../shared/vectors/binding/ticket-ed25519.json (computed independently of this project). */
static const char vec_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MCowBQYDK2VwAyEAKay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbdc=\n"
                              "-----END PUBLIC KEY-----\n";
static const char vec_ticket[] =
    "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1893456000,"
    "\"zkey_sha256\":\"ab2d6132af267508a4cb7ad9ae456b671334914fca0e649fdad976b0e8e00268\","
    "\"sig\":\"82Kv3TWRKfxnf0WMC44JtZiVUw+"
    "Aq5LZX9BCQQsPKE4YUabvVA40khTbcy0YfPRvN5VpbBMl6zE2P9ju94QRAw==\"}";
static const char vec_msg[] =
    "5a4250524f5645522d5449434b45542d563110000000000102030405060708090a0b0c0d0e0f80d8db700000000020"
    "000000ab2d6132af267508a4cb7ad9ae456b671334914fca0e649fdad976b0e8e00268";

static int ticket_of(job_ticket_t *t, const char *json) {
    json_t *d;
    cr_assert_eq(zbp_json_parse(&d, json, strlen(json), NULL, NULL), 0, "%s", json);
    char err[256];
    int rc = job_ticket_from_json(t, d, err, sizeof err);
    json_decref(d);
    return rc;
}

Test(ticket, shared_ed25519_vector) {
    job_ticket_t t;
    cr_assert_eq(ticket_of(&t, vec_ticket), JOB_OK);
    uint8_t msg[JOB_TICKET_MSG_MAX], want[256];
    size_t n = job_ticket_message(msg, &t), wn = unhex(want, vec_msg);
    cr_assert_eq(n, wn);
    cr_assert_eq(memcmp(msg, want, n), 0);
    job_hubkey_t *k;
    char err[256];
    cr_assert_eq(job_hubkey_from_pem(&k, vec_pem, strlen(vec_pem), err, sizeof err), JOB_OK, "%s",
                 err);
    cr_assert_str_eq(job_hubkey_type(k), "ed25519");
    cr_assert_eq(job_ticket_check(k, &t, 1893456000, err, sizeof err), JOB_OK, "%s", err);
    cr_assert_eq(job_ticket_check(k, &t, 1893456001, err, sizeof err), JOB_EXPIRED_TICKET);
    /* An expiry further ahead than the longest lifetime is refused (issue #19, item 3). */
    cr_assert_eq(job_ticket_check(k, &t, 1893456000 - JOB_TICKET_MAX_LIFETIME_S, err, sizeof err),
                 JOB_OK, "%s", err);
    cr_assert_eq(job_ticket_check(k, &t, 1893456000 - JOB_TICKET_MAX_LIFETIME_S - 1, err, sizeof err),
                 JOB_BAD_TICKET);
    cr_assert(strstr(err, "days ahead"), "%s", err);
    uint8_t zsha[32];
    memcpy(zsha, t.zkey_sha256, 32);
    cr_assert_eq(job_ticket_check_circuit(&t, zsha, err, sizeof err), JOB_OK);
    zsha[31] ^= 1;
    cr_assert_eq(job_ticket_check_circuit(&t, zsha, err, sizeof err), JOB_BAD_TICKET);
    /* Any signed field changed: the signature fails. */
    job_ticket_t u = t;
    u.expires++;
    cr_assert_eq(job_ticket_verify_sig(k, &u, err, sizeof err), JOB_BAD_TICKET);
    u = t;
    u.id[0] ^= 1;
    cr_assert_eq(job_ticket_verify_sig(k, &u, err, sizeof err), JOB_BAD_TICKET);
    u = t;
    u.has_zkey = false;
    cr_assert_eq(job_ticket_verify_sig(k, &u, err, sizeof err), JOB_BAD_TICKET);
    u = t;
    u.sig[63] ^= 0x80;
    cr_assert_eq(job_ticket_verify_sig(k, &u, err, sizeof err), JOB_BAD_TICKET);
    job_hubkey_free(k);
}

Test(ticket, malformed_fields) {
    job_ticket_t t;
    const char *bad[] = {
        "[]",
        "{\"expires\":1,\"sig\":\"AAAA\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e\",\"expires\":1,\"sig\":\"AAAA\"}", /* 15 bytes */
        "{\"id\":\"000102030405060708090a0b0c0d0e0\",\"expires\":1,\"sig\":\"AAAA\"}", /* odd */
        "{\"id\":\"000102030405060708090a0b0c0d0e0g\",\"expires\":1,\"sig\":\"AAAA\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":-1,\"sig\":\"AAAA\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1.5,\"sig\":\"AAAA\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":\"1\",\"sig\":\"AAAA\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1,\"sig\":\"AAA\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1,\"sig\":\"QR==\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1,\"sig\":\"\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1,\"sig\":\"AAAA\",\"zkey_"
        "sha256\":\"ab\"}",
        "{\"id\":\"000102030405060708090a0b0c0d0e0f\",\"expires\":1,\"sig\":\"AAAA\",\"zkey_"
        "sha256\":null}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(ticket_of(&t, bad[i]), JOB_BAD_TICKET, "accepted %s", bad[i]);
    char id64[200] = "{\"id\":\"";
    for (int i = 0; i < 65; i++)
        strcat(id64, "ab");
    strcat(id64, "\",\"expires\":1,\"sig\":\"AAAA\"}");
    cr_expect_eq(ticket_of(&t, id64), JOB_BAD_TICKET, "a 65-byte id");
    cr_assert_eq(
        ticket_of(&t,
                  "{\"id\":\"000102030405060708090A0B0C0D0E0F\",\"expires\":18446744073709551615,"
                  "\"sig\":\"AAAA\"}"),
        JOB_OK);
    cr_assert_eq(t.expires, UINT64_MAX);
    cr_assert(!t.has_zkey);
}

/* RSA-PSS/SHA-256 with a key made here; the salt length may be 32 or the maximum. */
Test(ticket, rsa_pss) {
    EVP_PKEY *pk = EVP_RSA_gen(2048);
    cr_assert(pk);
    BIO *b = BIO_new(BIO_s_mem());
    cr_assert(PEM_write_bio_PUBKEY(b, pk) == 1);
    char *pem;
    long pl = BIO_get_mem_data(b, &pem);
    job_hubkey_t *k;
    char err[256];
    cr_assert_eq(job_hubkey_from_pem(&k, pem, (size_t)pl, err, sizeof err), JOB_OK, "%s", err);
    BIO_free(b);
    cr_assert_str_eq(job_hubkey_type(k), "rsa-pss-sha256");
    job_ticket_t t;
    memset(&t, 0, sizeof t);
    t.id_len = 20;
    memset(t.id, 7, 20);
    t.expires = 100;
    uint8_t msg[JOB_TICKET_MSG_MAX];
    size_t n = job_ticket_message(msg, &t);
    for (int salt = 0; salt < 2; salt++) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        EVP_PKEY_CTX *pc;
        cr_assert(EVP_DigestSignInit(md, &pc, EVP_sha256(), NULL, pk) == 1);
        cr_assert(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) == 1);
        cr_assert(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, salt ? RSA_PSS_SALTLEN_MAX : 32) == 1);
        t.sig_len = sizeof t.sig;
        cr_assert(EVP_DigestSign(md, t.sig, &t.sig_len, msg, n) == 1);
        EVP_MD_CTX_free(md);
        cr_assert_eq(job_ticket_check(k, &t, 100, err, sizeof err), JOB_OK, "%s", err);
        t.id[0] ^= 1;
        cr_assert_eq(job_ticket_check(k, &t, 100, err, sizeof err), JOB_BAD_TICKET);
        t.id[0] ^= 1;
    }
    /* PKCS#1 v1.5 is not PSS. */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    cr_assert(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pk) == 1);
    t.sig_len = sizeof t.sig;
    cr_assert(EVP_DigestSign(md, t.sig, &t.sig_len, msg, n) == 1);
    EVP_MD_CTX_free(md);
    cr_assert_eq(job_ticket_check(k, &t, 100, err, sizeof err), JOB_BAD_TICKET);
    job_hubkey_free(k);
    EVP_PKEY_free(pk);
    /* Keys that are too small, or of another type, are refused at load. */
    EVP_PKEY *small = EVP_RSA_gen(1024);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(b, small);
    pl = BIO_get_mem_data(b, &pem);
    cr_assert_eq(job_hubkey_from_pem(&k, pem, (size_t)pl, err, sizeof err), JOB_BAD_REQUEST);
    BIO_free(b);
    EVP_PKEY_free(small);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(b, ec);
    pl = BIO_get_mem_data(b, &pem);
    cr_assert_eq(job_hubkey_from_pem(&k, pem, (size_t)pl, err, sizeof err), JOB_BAD_REQUEST);
    BIO_free(b);
    EVP_PKEY_free(ec);
    cr_assert_eq(job_hubkey_from_pem(&k, "junk", 4, err, sizeof err), JOB_BAD_REQUEST);
}

Test(codec, strict_base64_and_hex) {
    uint8_t out[16];
    size_t n;
    cr_assert_eq(zbp_b64_decode(out, &n, "QQ==", 4), 0);
    cr_assert(n == 1 && out[0] == 'A');
    cr_assert_eq(zbp_b64_decode(out, &n, "QUI=", 4), 0);
    cr_assert(n == 2);
    cr_assert_eq(zbp_b64_decode(out, &n, "", 0), 0);
    cr_assert_eq(n, 0);
    const char *bad[] = {"QR==", "QUJ=", "Q===", "QQ=A", "QQ", "QQ==QQ==", "Q Q=", "QQ-_", "=QQQ"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(zbp_b64_decode(out, &n, bad[i], strlen(bad[i])), -1, "accepted %s", bad[i]);
    for (int len = 0; len < 12; len++) { /* round trips */
        uint8_t in[12], back[12];
        for (int i = 0; i < len; i++)
            in[i] = (uint8_t)(i * 37 + 200);
        char *s = zbp_b64_encode(in, (size_t)len);
        cr_assert_eq(zbp_b64_decode(back, &n, s, strlen(s)), 0);
        cr_assert(n == (size_t)len && !memcmp(in, back, n));
        free(s);
    }
    cr_assert_eq(zbp_hex_decode(out, 16, &n, "aBcD", 4), 0);
    cr_assert(n == 2 && out[0] == 0xab && out[1] == 0xcd);
    cr_assert_eq(zbp_hex_decode(out, 1, &n, "abcd", 4), -1);
    cr_assert_eq(zbp_hex_decode(out, 16, &n, "abc", 3), -1);
    cr_assert_eq(zbp_hex_decode(out, 16, &n, "0x", 2), -1);
    cr_assert_str_eq(job_code_name(JOB_REPLAYED_TICKET), "replayed_ticket");
    cr_assert_str_eq(job_code_name(JOB_TIMEOUT), "timeout");
    cr_assert_str_eq(job_code_name(999), "internal");
}

/* ---- the replay log ---- */
static char *tmpdir(void) {
    char *d = strdup("/tmp/zbp-test-job-XXXXXX");
    cr_assert(mkdtemp(d));
    return d;
}

Test(replay, spend_restart_torn_and_lock) {
    char *d = tmpdir(), path[256], err[512];
    snprintf(path, sizeof path, "%s/replay.log", d);
    job_replay_t *r, *r2;
    uint8_t a[16], b[32];
    memset(a, 1, sizeof a);
    memset(b, 2, sizeof b);
    cr_assert_eq(job_replay_open(&r, path, 1000, err, sizeof err), JOB_OK, "%s", err);
    cr_assert_eq(job_replay_open(&r2, path, 1000, err, sizeof err), JOB_BUSY, "a second opener");
    cr_assert(!job_replay_contains(r, a, 16));
    cr_assert_eq(job_replay_spend(r, a, 16, 5000, err, sizeof err), JOB_OK, "%s", err);
    cr_assert_eq(job_replay_spend(r, a, 16, 5000, err, sizeof err), JOB_REPLAYED_TICKET);
    cr_assert_eq(job_replay_spend(r, b, 32, 1500, err, sizeof err), JOB_OK);
    cr_assert(job_replay_contains(r, a, 16));
    /* Many ids: the table grows. */
    for (int i = 0; i < 3000; i++) {
        uint8_t id[16] = {0};
        memcpy(id, &i, sizeof i);
        id[15] = 9;
        cr_assert_eq(job_replay_spend(r, id, 16, 5000, err, sizeof err), JOB_OK);
    }
    job_replay_close(r);
    /* Restart: spent ids stay spent; b expired at 1500, so a later start forgets it. */
    cr_assert_eq(job_replay_open(&r, path, 2000, err, sizeof err), JOB_OK, "%s", err);
    cr_assert(job_replay_contains(r, a, 16));
    cr_assert(!job_replay_contains(r, b, 32));
    cr_assert_eq(job_replay_count(r), 3001);
    job_replay_close(r);
    /* A torn last line (a crash mid-append) is cut, and later appends start cleanly. */
    FILE *f = fopen(path, "a");
    fputs("0303030303", f);
    fclose(f);
    cr_assert_eq(job_replay_open(&r, path, 1000, err, sizeof err), JOB_OK, "%s", err);
    uint8_t c[16];
    memset(c, 3, sizeof c);
    cr_assert_eq(job_replay_spend(r, c, 16, 5000, err, sizeof err), JOB_OK);
    job_replay_close(r);
    cr_assert_eq(job_replay_open(&r, path, 1000, err, sizeof err), JOB_OK, "%s", err);
    cr_assert(job_replay_contains(r, c, 16) && job_replay_contains(r, a, 16));
    job_replay_close(r);
    /* A damaged complete line is an error, not silently skipped. */
    f = fopen(path, "a");
    fputs("zz 12\n", f);
    fclose(f);
    cr_assert_eq(job_replay_open(&r, path, 1000, err, sizeof err), JOB_BAD_REQUEST);
    cr_assert(strstr(err, "line"), "%s", err);
    /* Another file is not a replay log. */
    snprintf(path, sizeof path, "%s/other", d);
    f = fopen(path, "w");
    fputs("hello\n", f);
    fclose(f);
    cr_assert_eq(job_replay_open(&r, path, 1000, err, sizeof err), JOB_BAD_REQUEST);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}

/* Every expiry the log can be given, it reads back (issue #19, item 3: the loader refused values
 * above 1844674407370955161 that the loop had written itself). */
Test(replay, every_expiry_reads_back) {
    char *d = tmpdir(), path[256], err[512];
    snprintf(path, sizeof path, "%s/replay.log", d);
    const uint64_t exp[] = {0, 1, 1844674407370955161ull, 1844674407370955162ull,
                            18446744073709551610ull, UINT64_MAX};
    job_replay_t *r;
    cr_assert_eq(job_replay_open(&r, path, 0, err, sizeof err), JOB_OK, "%s", err);
    for (size_t i = 0; i < sizeof exp / sizeof exp[0]; i++) {
        uint8_t id[16] = {(uint8_t)i, 7};
        cr_assert_eq(job_replay_spend(r, id, 16, exp[i], err, sizeof err), JOB_OK, "%s", err);
    }
    job_replay_close(r);
    cr_assert_eq(job_replay_open(&r, path, 0, err, sizeof err), JOB_OK, "%s", err);
    for (size_t i = 0; i < sizeof exp / sizeof exp[0]; i++) {
        uint8_t id[16] = {(uint8_t)i, 7};
        cr_assert(job_replay_contains(r, id, 16), "expiry %llu", (unsigned long long)exp[i]);
    }
    job_replay_close(r);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}

/* ---- secrets ---- */
Test(secrets, request_wiped_after_a_parse_failure) {
    job_request_t r;
    char err[256];
    const char *line = "{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wtns\":\"w\","
                       "\"wtns_b64\":\"U0VDUkVUU0VDUkVU\"}";
    cr_assert_eq(job_request_parse(&r, line, strlen(line), err, sizeof err), JOB_BAD_REQUEST);
    const json_t *b = json_object_get(r.doc, "wtns_b64");
    cr_assert(b && !strcmp(json_string_value(b), "U0VDUkVUU0VDUkVU"));
    job_request_wipe(&r);
    for (size_t i = 0; i < 16; i++)
        cr_assert_eq(json_string_value(b)[i], 0);
    job_request_free(&r);
}

Test(secrets, expired_keys_swept_and_memory_kept_out_of_core) {
    job_keystore_t *ks = job_keystore_new(4, 0.05);
    uint8_t kid[JOB_KEY_ID_LEN], pub[32];
    char err[256];
    cr_assert_eq(job_keystore_create(ks, NULL, 0, kid, pub, err, sizeof err), JOB_OK);
    usleep(100000);
    job_keystore_sweep(ks);
    cr_assert_eq(job_keystore_count(ks), 0);
    job_keystore_free(ks);
    /* Secret blocks are marked MADV_DONTDUMP ("dd" in smaps), and the process undumpable. */
    uint8_t *p = job_secret_alloc(100);
    cr_assert(p);
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    unsigned long lo = 0, hi = 0;
    bool dd = false, in = false;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
        else if (in && !strncmp(line, "VmFlags:", 8))
            dd = strstr(line, " dd") != NULL;
    }
    fclose(f);
    cr_assert(dd, "the secret block is not marked MADV_DONTDUMP");
    job_secret_free(p);
    job_secure_process();
    cr_assert_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

/* ---- sealed witnesses ---- */
Test(sealed, round_trip_single_use_and_tampering) {
    job_keystore_t *ks = job_keystore_new(4, 60);
    uint8_t tid[16], zsha[32], kid[JOB_KEY_ID_LEN], pub[32];
    memset(tid, 0x11, sizeof tid);
    memset(zsha, 0x22, sizeof zsha);
    char err[512];
    const uint8_t plain[] = "a witness: never in a file, never in a log";
    size_t plen = sizeof plain;
    cr_assert_eq(job_keystore_create(ks, tid, 16, kid, pub, err, sizeof err), JOB_OK, "%s", err);
    char *text;
    cr_assert_eq(job_seal(&text, pub, kid, tid, 16, zsha, NULL, plain, plen, err, sizeof err), JOB_OK);
    json_t *d;
    cr_assert_eq(zbp_json_parse(&d, text, strlen(text), NULL, NULL), 0);
    job_sealed_t s;
    cr_assert_eq(job_sealed_from_json(&s, d, err, sizeof err), JOB_OK, "%s", err);
    uint8_t *out;
    size_t olen;
    cr_assert_eq(job_sealed_open(ks, &s, tid, 16, zsha, NULL, 1024, &out, &olen, err, sizeof err), JOB_OK,
                 "%s", err);
    cr_assert(olen == plen && !memcmp(out, plain, plen));
    job_secret_free(out);
    /* Single use. */
    cr_assert_eq(job_sealed_open(ks, &s, tid, 16, zsha, NULL, 1024, &out, &olen, err, sizeof err),
                 JOB_BAD_WITNESS);
    cr_assert(strstr(err, "no such key"), "%s", err);
    json_decref(d);
    free(text);

    /* Each of: another ticket, another circuit, a flipped ciphertext bit, a too-small limit.
     * A failed attempt uses the key up as well. */
    for (int c = 0; c < 4; c++) {
        cr_assert_eq(job_keystore_create(ks, tid, 16, kid, pub, err, sizeof err), JOB_OK);
        cr_assert_eq(job_seal(&text, pub, kid, tid, 16, zsha, NULL, plain, plen, err, sizeof err),
                     JOB_OK);
        if (c == 2) { /* flip a bit inside the base64 of the ciphertext */
            char *ct = strstr(text, "\"ct\":\"") + 6;
            ct[3] = ct[3] == 'A' ? 'B' : 'A';
        }
        cr_assert_eq(zbp_json_parse(&d, text, strlen(text), NULL, NULL), 0);
        cr_assert_eq(job_sealed_from_json(&s, d, err, sizeof err), JOB_OK);
        uint8_t t2[16], z2[32];
        memcpy(t2, tid, 16);
        memcpy(z2, zsha, 32);
        if (c == 0) t2[0] ^= 1;
        if (c == 1) z2[0] ^= 1;
        int want = c == 3 ? JOB_TOO_LARGE : JOB_BAD_WITNESS;
        cr_assert_eq(
            job_sealed_open(ks, &s, t2, 16, z2, NULL, c == 3 ? 8 : 1024, &out, &olen, err, sizeof err),
            want, "case %d: %s", c, err);
        cr_assert_eq(job_sealed_open(ks, &s, tid, 16, zsha, NULL, 1024, &out, &olen, err, sizeof err),
                     JOB_BAD_WITNESS, "case %d: the key survived a failed attempt", c);
        json_decref(d);
        free(text);
    }
    /* A key bound to no ticket opens only without one. */
    cr_assert_eq(job_keystore_create(ks, NULL, 0, kid, pub, err, sizeof err), JOB_OK);
    cr_assert_eq(job_seal(&text, pub, kid, NULL, 0, zsha, NULL, plain, 0, err, sizeof err), JOB_OK);
    cr_assert_eq(zbp_json_parse(&d, text, strlen(text), NULL, NULL), 0);
    cr_assert_eq(job_sealed_from_json(&s, d, err, sizeof err), JOB_OK);
    cr_assert_eq(job_sealed_open(ks, &s, NULL, 0, zsha, NULL, 1024, &out, &olen, err, sizeof err), JOB_OK,
                 "%s", err);
    cr_assert_eq(olen, 0);
    job_secret_free(out);
    json_decref(d);
    free(text);
    /* The store is bounded. */
    for (int i = 0; i < 4; i++)
        cr_assert_eq(job_keystore_create(ks, tid, 16, kid, pub, err, sizeof err), JOB_OK);
    cr_assert_eq(job_keystore_create(ks, tid, 16, kid, pub, err, sizeof err), JOB_BUSY);
    cr_assert_eq(job_keystore_count(ks), 4);
    job_keystore_free(ks);
    /* Keys expire. */
    ks = job_keystore_new(1, 0.001);
    cr_assert_eq(job_keystore_create(ks, tid, 16, kid, pub, err, sizeof err), JOB_OK);
    usleep(5000);
    cr_assert_eq(job_keystore_count(ks), 0);
    cr_assert_eq(job_keystore_create(ks, tid, 16, kid, pub, err, sizeof err), JOB_OK);
    job_keystore_free(ks);
}

/* A sealed input (content "input", V2): bound to the witness program, and its kind bound too: the
 * same ciphertext read as a witness (content dropped) or for another program does not open. */
Test(sealed, input_bound_to_its_program_and_kind) {
    job_keystore_t *ks = job_keystore_new(4, 60);
    uint8_t tid[16], zsha[32], wsha[32], kid[JOB_KEY_ID_LEN], pub[32];
    memset(tid, 0x11, sizeof tid);
    memset(zsha, 0x22, sizeof zsha);
    memset(wsha, 0x33, sizeof wsha);
    char err[512], *text;
    const uint8_t plain[] = "{\"a\": \"3\", \"b\": \"11\"}";
    for (int c = 0; c < 3; c++) {
        cr_assert_eq(job_keystore_create(ks, tid, 16, kid, pub, err, sizeof err), JOB_OK);
        cr_assert_eq(job_seal(&text, pub, kid, tid, 16, zsha, wsha, plain, sizeof plain, err,
                              sizeof err),
                     JOB_OK, "%s", err);
        cr_assert(strstr(text, "\"content\":\"input\""), "%s", text);
        if (c == 2) { /* the kind dropped: read as a V1 witness */
            char *k = strstr(text, "\"content\":\"input\",");
            memmove(k, k + strlen("\"content\":\"input\","), strlen(k + strlen("\"content\":\"input\",")) + 1);
        }
        json_t *d;
        cr_assert_eq(zbp_json_parse(&d, text, strlen(text), NULL, NULL), 0);
        job_sealed_t s;
        cr_assert_eq(job_sealed_from_json(&s, d, err, sizeof err), JOB_OK, "%s", err);
        cr_assert_eq(s.input, c != 2);
        uint8_t w2[32], *out = NULL;
        size_t olen = 0;
        memcpy(w2, wsha, 32);
        if (c == 1) w2[31] ^= 1;
        int rc = job_sealed_open(ks, &s, tid, 16, zsha, s.input ? w2 : NULL, 1024, &out, &olen,
                                 err, sizeof err);
        if (c == 0) {
            cr_assert_eq(rc, JOB_OK, "%s", err);
            cr_assert(olen == sizeof plain && !memcmp(out, plain, olen));
            job_secret_free(out);
        } else {
            cr_assert_eq(rc, JOB_BAD_WITNESS, "case %d", c);
            cr_assert(strstr(err, "authentication failed"), "%s", err);
        }
        json_decref(d);
        free(text);
    }
    job_keystore_free(ks);
}

Test(sealed, malformed_objects) {
    const char *bad[] = {
        "[]",
        "{\"alg\":\"X\",\"key_id\":\"00112233445566778899aabbccddeeff\",\"epk\":\"" /* wrong alg */
        "0000000000000000000000000000000000000000000000000000000000000000\",\"ct\":"
        "\"AAAAAAAAAAAAAAAAAAAAAAAA\"}",
        "{\"alg\":\"" JOB_SEAL_ALG "\",\"key_id\":\"0011\",\"epk\":\""
        "0000000000000000000000000000000000000000000000000000000000000000\",\"ct\":"
        "\"AAAAAAAAAAAAAAAAAAAAAAAA\"}",
        "{\"alg\":\"" JOB_SEAL_ALG
        "\",\"key_id\":\"00112233445566778899aabbccddeeff\",\"epk\":\"00\","
        "\"ct\":\"AAAAAAAAAAAAAAAAAAAAAAAA\"}",
        "{\"alg\":\"" JOB_SEAL_ALG "\",\"key_id\":\"00112233445566778899aabbccddeeff\",\"epk\":\""
        "0000000000000000000000000000000000000000000000000000000000000000\",\"ct\":\"AA\"}",
        "{\"alg\":\"" JOB_SEAL_ALG "\",\"content\":\"json\",\"key_id\":\"00112233445566778899aabbccddeeff\","
        "\"epk\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"ct\":"
        "\"AAAAAAAAAAAAAAAAAAAAAAAA\"}", /* a content that is neither wtns nor input */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *d;
        cr_assert_eq(zbp_json_parse(&d, bad[i], strlen(bad[i]), NULL, NULL), 0);
        job_sealed_t s;
        char err[256];
        cr_expect_eq(job_sealed_from_json(&s, d, err, sizeof err), JOB_BAD_REQUEST, "%s",
                     bad[i]);
        json_decref(d);
    }
    /* A low-order public key (all zero) cannot open anything. */
    job_keystore_t *ks = job_keystore_new(2, 60);
    uint8_t kid[JOB_KEY_ID_LEN], pub[32], zsha[32] = {0};
    char err[256], *text;
    cr_assert_eq(job_keystore_create(ks, NULL, 0, kid, pub, err, sizeof err), JOB_OK);
    memset(pub, 0, sizeof pub);
    cr_assert_eq(job_seal(&text, pub, kid, NULL, 0, zsha, NULL, (const uint8_t *)"x", 1, err, sizeof err),
                 JOB_INTERNAL);
    job_keystore_free(ks);
}

/* ---- requests ---- */
static int req(job_request_t *r, const char *line) {
    char err[512];
    return job_request_parse(r, line, strlen(line), err, sizeof err);
}

Test(request, valid_requests) {
    job_request_t r;
    cr_assert_eq(req(&r, "{\"id\":\"p\",\"op\":\"ping\"}"), JOB_OK);
    cr_assert(r.op == JOB_OP_PING && r.id_len == 1);
    job_request_free(&r);
    cr_assert_eq(
        req(&r, "{\"id\":\"j\",\"op\":\"prove\",\"zkey\":\"/a.zkey\",\"wtns\":\"/w\",\"extra\":1}"),
        JOB_OK);
    cr_assert(r.op == JOB_OP_PROVE && r.wsrc == JOB_WTNS_PATH && !strcmp(r.zkey, "/a.zkey"));
    job_request_free(&r);
    cr_assert_eq(
        req(&r, "{\"id\":\"j\",\"op\":\"prove\",\"zkey\":\"/a.zkey\",\"wtns_b64\":\"AAAA\"}"),
        JOB_OK);
    cr_assert(r.wsrc == JOB_WTNS_B64 && r.wtns_len == 4);
    job_request_free(&r);
    cr_assert_eq(req(&r, "{\"id\":\"j\",\"op\":\"prove\",\"zkey\":\"/a.zkey\",\"wasm\":\"/c.wasm\","
                         "\"input\":{\"a\":[1,[\"2\"]],\"b\":\"0x3\"}}"),
                 JOB_OK);
    cr_assert(r.wsrc == JOB_WTNS_INPUT && !strcmp(r.wasm, "/c.wasm") && r.input &&
              json_is_object(r.input) && json_object_size(r.input) == 2);
    job_request_free(&r);
    cr_assert_eq(req(&r, "{\"id\":\"j\",\"op\":\"prove\",\"zkey\":\"/a.zkey\",\"wasm\":\"/c.wasm\","
                         "\"sealed\":{\"alg\":\"" JOB_SEAL_ALG "\",\"content\":\"input\",\"key_id\":"
                         "\"00112233445566778899aabbccddeeff\",\"epk\":\"00000000000000000000000000000000"
                         "00000000000000000000000000000000\",\"ct\":\"AAAAAAAAAAAAAAAAAAAAAAAA\"}}"),
                 JOB_OK);
    cr_assert(r.wsrc == JOB_WTNS_SEALED_INPUT && r.sealed.input && !r.input);
    job_request_free(&r);
    char line[1024];
    snprintf(line, sizeof line, "{\"id\":\"k\",\"op\":\"key\",\"ticket\":%s}", vec_ticket);
    cr_assert_eq(req(&r, line), JOB_OK);
    cr_assert(r.op == JOB_OP_KEY && r.has_ticket && r.ticket.expires == 1893456000);
    job_request_free(&r);
    cr_assert_eq(req(&r, "{\"id\":\"\\u00e9t\\u00e9\",\"op\":\"info\"}"), JOB_OK);
    cr_assert_eq(r.id_len, 5);
    job_request_free(&r);
    cr_assert_eq(req(&r, "{\"op\":\"shutdown\",\"id\":\"s\"}"), JOB_OK);
    cr_assert_eq(r.op, JOB_OP_SHUTDOWN);
    job_request_free(&r);
}

Test(request, errors_keep_the_id) {
    struct {
        const char *line;
        int code;
        bool id;
    } cases[] = {
        {"", JOB_BAD_REQUEST, false},
        {"nope", JOB_BAD_REQUEST, false},
        {"[1]", JOB_BAD_REQUEST, false},
        {"{\"id\":\"a\",\"id\":\"b\",\"op\":\"ping\"}", JOB_BAD_REQUEST, false},
        {"{\"op\":\"ping\"}", JOB_BAD_REQUEST, false},
        {"{\"id\":7,\"op\":\"ping\"}", JOB_BAD_REQUEST, false},
        {"{\"id\":\"\",\"op\":\"ping\"}", JOB_BAD_REQUEST, false},
        {"{\"id\":\"a\\nb\",\"op\":\"ping\"}", JOB_BAD_REQUEST, false},
        {"{\"id\":\"x\"}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"PING\"}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\"}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"\",\"wtns\":\"w\"}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"a\\u0000b\",\"wtns\":\"w\"}", JOB_BAD_REQUEST,
         true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\"}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wtns\":\"w\",\"sealed\":{}}",
         JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wtns\":5}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wtns_b64\":\"\"}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"sealed\":\"s\"}", JOB_BAD_REQUEST, true},
        /* inputs: exactly one witness source, the program with an input only */
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wasm\":\"c\",\"input\":{},\"wtns\":\"w\"}",
         JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"input\":{}}", JOB_BAD_REQUEST, true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wasm\":\"\",\"input\":{}}", JOB_BAD_REQUEST,
         true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wasm\":\"c\",\"input\":[1]}", JOB_BAD_REQUEST,
         true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wasm\":\"c\",\"wtns\":\"w\"}", JOB_BAD_REQUEST,
         true},
        {"{\"id\":\"x\",\"op\":\"prove\",\"zkey\":\"z\",\"wtns\":\"w\",\"ticket\":{}}",
         JOB_BAD_TICKET, true},
        {"{\"id\":\"x\",\"op\":\"key\",\"ticket\":5}", JOB_BAD_TICKET, true},
        {"{\"id\":\"x\",\"op\":\"ping\"} {}", JOB_BAD_REQUEST, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        job_request_t r;
        cr_expect_eq(req(&r, cases[i].line), cases[i].code, "%s", cases[i].line);
        cr_expect_eq(r.id != NULL, cases[i].id, "id of %s", cases[i].line);
        job_request_free(&r);
    }
    /* Ids up to JOB_ID_MAX bytes. */
    char line[600] = "{\"op\":\"ping\",\"id\":\"";
    for (int i = 0; i < JOB_ID_MAX; i++)
        strcat(line, "i");
    strcat(line, "\"}");
    job_request_t r;
    cr_assert_eq(req(&r, line), JOB_OK);
    job_request_free(&r);
    line[strlen(line) - 2] = 0;
    strcat(line, "i\"}");
    cr_assert_eq(req(&r, line), JOB_BAD_REQUEST);
    job_request_free(&r);
}

/* ../shared/vectors/binding/key-transcript.json */
Test(binding, key_vector) {
    uint8_t tid[16], pub[32], rd[64], want[64], t[128];
    unhex(tid, "000102030405060708090a0b0c0d0e0f");
    unhex(pub, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    unhex(
        want,
        "1194cd89489a3a4eed74e19f7a68060dcbf6b36fd8235a6f816e827703da26af111ea198b6477369c03b77a2c2"
        "4c7b5ba1126634c0ede24f06ed59f652dda1c2");
    size_t tl;
    cr_assert_eq(attest_binding_key(rd, tid, 16, pub, t, sizeof t, &tl), 0);
    cr_assert_eq(tl, 15 + 4 + 16 + 32);
    cr_assert_eq(memcmp(rd, want, 64), 0);
}

/* The worked examples of docs/job-protocol.md and docs/binding.md: the ticket verifies with the
 * docs' hub key, and the docs' answer passes check-bundle's proof and transcript checks. */
static const char doc_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MCowBQYDK2VwAyEAZ28SqNua9ZVm6+iFb80ANcWGfhGAurtjRBk2ZdaCOhA=\n"
                              "-----END PUBLIC KEY-----\n";
static const char doc_answer[] =
    "{\"id\":\"example-1\",\"ok\":true,\"proof\":{\"pi_a\":["
    "\"32378096272756654834847014950901215559543242462993"
    "40879347697475219187818945\","
    "\"12671702833271929941245573707059258259819710193511219174700592811128656550"
    "74\",\"1\"],\"pi_b\":[["
    "\"13532924730508223201446478719072087141712738167204458002599755337524761856562\",\"1"
    "1845970383959339357597295370491312883068472828053923333539966871696367498747\"],["
    "\"281867151142686973554"
    "1683070069784041341112358747727539115123626314901604983\","
    "\"182748817660049170775706581952325415879685131"
    "35161064124590621742301871424937\"],[\"1\",\"0\"]],\"pi_c\":["
    "\"127390883797020671679440724526172481901274149"
    "71175987397340797924664160580972\","
    "\"6043942004362088400347804285313856403066301537896548994392539172612"
    "478097985\",\"1\"],\"protocol\":\"groth16\",\"curve\":\"bn128\"},\"public\":[\"33\"],\"zkey_"
    "sha256\":\"5caab5a410"
    "6ff186e9b0504b19e322372618b148fcc1c5d7681a1c139a12ae11\",\"ticket_id\":"
    "\"f0e1d2c3b4a5968778695a4b3c2d1e0f\","
    "\"attestation\":{\"kind\":\"none\",\"report_data\":"
    "\"b7b7e8337fa7bdbc460e97d4e579d161f29db4581a7b99ee065b3816d"
    "abc16777139ecf2e3748470e1128bc094b06158ee4d5a1a11f8844dae97775b955478ec\"}}";

Test(binding, docs_examples) {
    job_ticket_t t;
    cr_assert_eq(
        ticket_of(
            &t,
            "{\"id\":\"f0e1d2c3b4a5968778695a4b3c2d1e0f\",\"expires\":1893456000,"
            "\"zkey_sha256\":\"5caab5a4106ff186e9b0504b19e322372618b148fcc1c5d7681a1c139a12ae11\","
            "\"sig\":\"z+6xYF3OBKL17wQtNAw3efYT/2oIURx+8gdaoAF7Nplkjitf/"
            "Jd8ewASm4eP5rGSyLCF2r+0cgAQZFMT9NUlDA==\"}"),
        JOB_OK);
    job_hubkey_t *k;
    char err[512];
    cr_assert_eq(job_hubkey_from_pem(&k, doc_pem, strlen(doc_pem), err, sizeof err), JOB_OK);
    cr_assert_eq(job_ticket_check(k, &t, 1893456000, err, sizeof err), JOB_OK, "%s", err);
    job_hubkey_free(k);

    uint8_t tid[16], pub[32], rd[64], want[64];
    unhex(tid, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
    unhex(pub, "06c13701df0a2a7c08c477734e6d3afff98b9e6de721b79d987cbbf8bc70e211");
    unhex(want, "176b90f405d23d66f82f94e1e0ff7affdac3f2d218758c0110104ffa889c2ed2acbd8049ed3c4ff3bb"
                "f84f3a1281a5"
                "224a9a4b07540acb91357527eb41529093");
    cr_assert_eq(attest_binding_key(rd, tid, 16, pub, NULL, 0, NULL), 0);
    cr_assert_eq(memcmp(rd, want, 64), 0);

    const char *data = getenv("ZBP_TEST_DATA");
    if (!data) {
        cr_log_warn("ZBP_TEST_DATA unset: the docs' proof example is skipped");
        return;
    }
    char *d = tmpdir(), path[256], vk[512];
    snprintf(path, sizeof path, "%s/bundle.json", d);
    snprintf(vk, sizeof vk, "%s/fixtures/multiplier/verification_key.json", data);
    FILE *f = fopen(path, "w");
    fputs(doc_answer, f);
    fclose(f);
    job_bundle_opts_t o;
    memset(&o, 0, sizeof o);
    snp_policy_init(&o.policy);
    o.vk_path = vk;
    o.allow_unattested = true;
    o.expect_job_id = "example-1";
    o.expect_ticket_id = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
    job_bundle_verdict_t v;
    cr_assert_eq(job_bundle_check(&v, path, &o, err, sizeof err), 0, "%s", err);
    o.allow_unattested = false; /* kind none is refused by default */
    cr_assert_eq(job_bundle_check(&v, path, &o, err, sizeof err), 1);
    o.allow_unattested = true;
    o.expect_job_id = "example-2";
    cr_assert_eq(job_bundle_check(&v, path, &o, err, sizeof err), 1);
    unlink(path);
    rmdir(d);
    free(d);
}
