/* cmd_seal.c: `zbprover seal <key-answer.json> <witness.wtns> <sealed.json> --zkey FILE |
 * --zkey-sha256 HEX`: the client's side of a sealed witness. It checks that the key answer's
 * report_data binds the key (the KEY transcript), then encrypts the witness to it. With `--input
 * input.json` (and `--wasm FILE | --wasm-sha256 HEX`) it seals the circuit's input instead, bound
 * to that witness program (content "input", docs/job-protocol.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "job/job.h"
#include "prover/util.h"
#include "witness/witness.h"

/* Reads a whole file (at most max bytes) into a malloc'ed buffer with a NUL after it. A pipe or
 * a FIFO is fine here (`seal k.json <(...)`): this is a command, not the loop. */
static int slurp(const char *path, size_t max, uint8_t **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("%s: %s", path, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    for (;;) {
        if (!b) break;
        if (n + 1 >= cap) {
            /* Grown by copy and wipe, not realloc: a witness must not be left behind in memory
             * that realloc freed. */
            uint8_t *p = cap > max ? NULL : malloc(cap * 2);
            if (p) memcpy(p, b, n);
            OPENSSL_cleanse(b, n);
            free(b);
            b = p;
            if (!p) break;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - 1 - n, f);
        n += k;
        if (!k) break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!b || bad || n > max) {
        if (b) OPENSSL_cleanse(b, n);
        free(b);
        cli_error("%s: %s", path, bad ? "read error" : "too large or out of memory");
        return bad ? EXIT_BAD_INPUT : EXIT_INTERNAL;
    }
    b[n] = 0;
    *out = b;
    *len = n;
    return 0;
}

enum { K_ZKEY = CLI_KEY0, K_ZKEY_SHA256, K_INPUT, K_WASM, K_WASM_SHA256 };
static const cli_opt_t seal_opts[] = {
    {"zkey", K_ZKEY, "FILE", "the circuit's key (its SHA-256 is bound into the seal)"},
    {"zkey-sha256", K_ZKEY_SHA256, "HEX", "... or that SHA-256 itself"},
    CLI_HEADING("sealing the circuit's input instead of a witness:"),
    {"input", K_INPUT, "FILE", "the input JSON (as snarkjs takes it) in place of <witness.wtns>"},
    {"wasm", K_WASM, "FILE", "the witness program that will run it (its SHA-256 is bound)"},
    {"wasm-sha256", K_WASM_SHA256, "HEX", "... or that SHA-256 itself"},
    CLI_END,
};
static const cli_cmd_t seal_cmd = {
    "seal",
    "<key-answer.json> <witness.wtns> <sealed.json> (--zkey FILE | --zkey-sha256 HEX)\n"
    "       zbprover seal <key-answer.json> --input input.json <sealed.json> (--zkey FILE | "
    "--zkey-sha256 HEX) (--wasm FILE | --wasm-sha256 HEX)",
    "A client's side of a sealed witness or input: checks that the key answer's report binds the\n"
    "key, then encrypts the witness (or the input, for the loop to compute the witness) to it.",
    {seal_opts, NULL}, 2, 3};

static int on_seal_opt(void *ctx, int key, const char *v) {
    /* z[0]: --zkey, z[1]: --zkey-sha256, z[2]: --input, z[3]: --wasm, z[4]: --wasm-sha256 */
    const char **z = ctx;
    if (key < K_ZKEY || key > K_WASM_SHA256) return EXIT_INTERNAL;
    z[key - K_ZKEY] = v;
    return 0;
}

/* A SHA-256 given as --X-sha256 HEX, or of the file --X names (read whole). */
static int sha_of(const char *file, const char *hex, const char *what, uint8_t out[32]) {
    size_t n = 0;
    if (hex) {
        if (zbp_hex_decode(out, 32, &n, hex, strlen(hex)) || n != 32) {
            cli_error("seal: --%s-sha256 must be 64 hex digits", what);
            return EXIT_BAD_INPUT;
        }
        return 0;
    }
    uint8_t *b;
    int rc = slurp(file, (size_t)1 << 32, &b, &n);
    if (rc) return rc;
    if (n < 8 || memcmp(b, "\0asm", 4)) {
        free(b);
        cli_error("%s: not a circom witness program (not a WebAssembly module)", file);
        return EXIT_BAD_INPUT;
    }
    SHA256(b, n, out);
    free(b);
    return 0;
}

int cmd_seal(int argc, char **argv) {
    const char *z[5] = {NULL, NULL, NULL, NULL, NULL};
    int first = 0, prc = cli_parse(&seal_cmd, argc, argv, on_seal_opt, z, &first);
    if (prc) return cli_exit(prc);
    const char *input = z[2], *zkey = z[0], *zhex = z[1];
    if (argc - first != (input ? 2 : 3)) {
        cli_error(input ? "seal: with --input, give <key-answer.json> and <sealed.json> only"
                        : "seal: give <key-answer.json> <witness.wtns> <sealed.json> (or --input)");
        return EXIT_BAD_INPUT;
    }
    /* pos[1]: what is sealed, the witness or the input */
    const char *pos[3] = {argv[first], input ? input : argv[first + 1],
                          argv[first + (input ? 1 : 2)]};
    if (!!zkey == !!zhex) {
        cli_error("seal: give one of --zkey FILE and --zkey-sha256 HEX");
        return EXIT_BAD_INPUT;
    }
    if (input ? !!z[3] == !!z[4] : z[3] || z[4]) {
        cli_error(input ? "seal: with --input, give one of --wasm FILE and --wasm-sha256 HEX"
                        : "seal: --wasm and --wasm-sha256 go with --input only");
        return EXIT_BAD_INPUT;
    }
    uint8_t wsha[32];
    if (input) {
        int r0 = sha_of(z[3], z[4], "wasm", wsha);
        if (r0) return r0;
    }
    char err[1024];
    uint8_t zsha[32];
    size_t n = 0;
    if (zhex) {
        if (zbp_hex_decode(zsha, 32, &n, zhex, strlen(zhex)) || n != 32) {
            cli_error("seal: --zkey-sha256 must be 64 hex digits");
            return EXIT_BAD_INPUT;
        }
    } else {
        zbp_zkey_t z;
        int st = zbp_zkey_open(&z, zkey, err, sizeof err);
        if (st) {
            cli_error("%s", err);
            return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
        }
        zbp_zkey_sha256(&z, zsha);
        zbp_zkey_close(&z);
    }
    uint8_t *ka = NULL, *wt = NULL;
    size_t kalen, wtlen;
    int rc = slurp(pos[0], 1 << 20, &ka, &kalen);
    if (rc) return rc;
    json_t *doc;
    zbp_json_error_t je;
    if (zbp_json_parse(&doc, (const char *)ka, kalen, NULL, &je)) {
        free(ka);
        cli_error("%s: line %zu, column %zu: %s", pos[0], je.line, je.column, je.message);
        return EXIT_BAD_INPUT;
    }
    free(ka);
    uint8_t kid[JOB_KEY_ID_LEN], pub[32], tid[JOB_TICKET_ID_MAX];
    size_t tlen = 0;
    rc = job_key_answer_read(doc, kid, pub, tid, &tlen, err, sizeof err);
    json_decref(doc);
    if (rc) {
        cli_error("%s: %s", pos[0], err);
        return rc == 1 ? EXIT_VERDICT_NO : rc == 2 ? EXIT_BAD_INPUT : EXIT_INTERNAL;
    }
    if ((rc = slurp(pos[1], (size_t)1 << 34, &wt, &wtlen))) return rc;
    int st;
    if (input) { /* refuse to seal something that is not an input JSON */
        zbp_witness_input_t in;
        st = zbp_witness_input_parse(&in, (const char *)wt, wtlen, pos[1], err, sizeof err);
        if (!st) zbp_witness_input_free(&in);
    } else { /* refuse to seal something that is not a witness */
        zbp_wtns_t w;
        st = zbp_wtns_from_memory(&w, wt, wtlen, pos[1], err, sizeof err);
        if (!st) zbp_wtns_close(&w);
    }
    if (st) {
        OPENSSL_cleanse(wt, wtlen);
        free(wt);
        cli_error("%s", err);
        return EXIT_BAD_INPUT;
    }
    char *sealed = NULL;
    rc = job_seal(&sealed, pub, kid, tid, tlen, zsha, input ? wsha : NULL, wt, wtlen, err,
                  sizeof err);
    OPENSSL_cleanse(wt, wtlen);
    free(wt);
    if (rc) {
        cli_error("seal: %s", err);
        return EXIT_INTERNAL;
    }
    int wr = zbp_write_file_atomic(pos[2], sealed, strlen(sealed));
    free(sealed);
    if (wr) {
        cli_error("%s: %s", pos[2], strerror(errno));
        return EXIT_BAD_INPUT;
    }
    return 0;
}
