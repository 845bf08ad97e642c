/* zkey_write.c: the .zkey writer of the development setup (setup_int.h), beside the reader
 * (zkey.c); docs/formats.md describes the sections. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prover/readers_int.h"
#include "prover/setup_int.h"

zbp_status zkw_open(zout_t *o, const char *path, char *err, size_t errlen) {
    memset(o, 0, sizeof *o);
    size_t pl = strlen(path);
    o->tmp = malloc(pl + 16);
    if (!o->tmp) return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "setup: out of memory");
    memcpy(o->tmp, path, pl);
    memcpy(o->tmp + pl, ".tmp-XXXXXX", 12);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        return zbp_fail(err, errlen, zbp_status_of_errno(e), "%s: cannot create: %s", path,
                        strerror(e));
    }
    o->f = fdopen(fd, "wb");
    o->md = EVP_MD_CTX_new();
    if (!o->f || !o->md || EVP_DigestInit_ex(o->md, EVP_blake2b512(), NULL) != 1) {
        if (!o->f) close(fd);
        zkw_abort(o);
        return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "setup: cannot start writing %s", path);
    }
    setvbuf(o->f, NULL, _IOFBF, (size_t)1 << 20);
    return ZBP_OK;
}

void zkw_put(zout_t *o, const void *p, size_t n) {
    if (o->failed || n == 0) return;
    if (fwrite(p, 1, n, o->f) != n) o->failed = errno ? errno : EIO;
    if (o->hashing && EVP_DigestUpdate(o->md, p, n) != 1) o->failed = EIO;
}

void zkw_put32(zout_t *o, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    zkw_put(o, b, 4);
}

void zkw_section(zout_t *o, uint32_t id, uint64_t size) {
    uint8_t b[12];
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(id >> (8 * i));
    for (int i = 0; i < 8; i++) b[4 + i] = (uint8_t)(size >> (8 * i));
    int h = o->hashing;
    o->hashing = 0; /* the hash covers bodies only */
    zkw_put(o, b, sizeof b);
    o->hashing = h;
}

static void put_limbs(zout_t *o, const uint64_t l[4]) {
    uint8_t b[32];
    for (int i = 0; i < 32; i++) b[i] = (uint8_t)(l[i / 8] >> (8 * (i % 8)));
    zkw_put(o, b, 32);
}

void zkw_put_g1(zout_t *o, const g1_affine_t *a) {
    uint8_t b[64];
    g1_affine_to_zkey(b, a);
    zkw_put(o, b, 64);
}

void zkw_put_g2(zout_t *o, const g2_affine_t *a) {
    uint8_t b[128];
    g2_affine_to_zkey(b, a);
    zkw_put(o, b, 128);
}

void zkw_header(zout_t *o, uint32_t n_vars, uint32_t n_public, uint32_t domain,
                const g1_affine_t *alpha1, const g1_affine_t *beta1, const g2_affine_t *beta2,
                const g1_affine_t *delta1, const g2_affine_t *delta2) {
    zkw_put(o, "zkey", 4);
    zkw_put32(o, 1);  /* version */
    zkw_put32(o, 10); /* sections */
    zkw_section(o, 1, 4);
    zkw_put32(o, 1); /* Groth16 */
    o->hashing = 1;
    zkw_section(o, 2, 660);
    zkw_put32(o, 32);
    put_limbs(o, FQ_MODULUS);
    zkw_put32(o, 32);
    put_limbs(o, FR_MODULUS);
    zkw_put32(o, n_vars);
    zkw_put32(o, n_public);
    zkw_put32(o, domain);
    zkw_put_g1(o, alpha1);
    zkw_put_g1(o, beta1);
    zkw_put_g2(o, beta2);
    zkw_put_g2(o, &G2_GENERATOR); /* gamma = 1 */
    zkw_put_g1(o, delta1);
    zkw_put_g2(o, delta2);
}

/* One record of section 4: matrix, row, wire, and v·R^2 mod r. */
static void put_coef(zout_t *o, uint32_t m, uint32_t row, uint32_t wire, const fr_t *v_r2) {
    uint8_t rec[44];
    memcpy(rec, &m, 4);
    memcpy(rec + 4, &row, 4);
    memcpy(rec + 8, &wire, 4);
    for (int i = 0; i < 32; i++) rec[12 + i] = (uint8_t)(v_r2->l[i / 8] >> (8 * (i % 8)));
    zkw_put(o, rec, sizeof rec);
}

/* The terms in r1cs order, then the public rows with value 1. v·R^2 is Montgomery conversion
 * applied twice to the canonical v. */
void zkw_coefs(zout_t *o, const zbp_r1cs_t *r, uint32_t n_public, uint64_t n_coefs) {
    zkw_section(o, 4, 4 + n_coefs * 44);
    zkw_put32(o, (uint32_t)n_coefs);
    const uint8_t *p = r->constraints;
    for (uint32_t c = 0; c < r->n_constraints; c++)
        for (uint32_t m = 0; m < 3; m++) {
            uint32_t nt = zbp_rd32(p);
            p += 4;
            if (m == 2) {
                p += (size_t)nt * 36;
                continue;
            }
            for (uint32_t t = 0; t < nt; t++, p += 36) {
                uint64_t l[4];
                fr_t once, twice;
                zbp_rd_limbs(l, p + 4);
                fr_to_mont(&once, l);
                fr_to_mont(&twice, once.l);
                put_coef(o, m, c, zbp_rd32(p), &twice);
            }
        }
    fr_t one_r;
    fr_to_mont(&one_r, FR_ONE.l); /* 1·R^2: FR_ONE's limbs are R mod r */
    for (uint32_t i = 0; i <= n_public; i++) put_coef(o, 0, r->n_constraints + i, i, &one_r);
}

/* This tool's circuit hash (Blake2b-512 of sections 2..9 as written: snarkjs's csHash is taken over
 * the key before any contribution, which a dev setup never has), and one contribution that names
 * the setup as insecure. Its proof of knowledge of delta is made with the generators (g1_s = G1,
 * g2_sp = G2), not with snarkjs's transcript-derived points, so `snarkjs zkey verify` (which also
 * needs a ptau) does not apply to these keys. */
zbp_status zkw_contribution(zout_t *o, const g1_affine_t *delta1, const g2_affine_t *delta2,
                            const char *name, size_t name_len, char *err, size_t errlen) {
    o->hashing = 0;
    uint8_t cs_hash[64], transcript[64];
    unsigned hl = 0;
    if (EVP_DigestFinal_ex(o->md, cs_hash, &hl) != 1 || hl != 64 ||
        EVP_DigestInit_ex(o->md, EVP_blake2b512(), NULL) != 1 ||
        EVP_DigestUpdate(o->md, cs_hash, 64) != 1 || EVP_DigestUpdate(o->md, name, name_len) != 1 ||
        EVP_DigestFinal_ex(o->md, transcript, &hl) != 1)
        return zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "setup: Blake2b-512 is not available");
    uint32_t param_len = 2 + (uint32_t)name_len;
    zkw_section(o, 10, 64 + 4 + 64 * 3 + 128 + 64 + 4 + 4 + param_len);
    zkw_put(o, cs_hash, 64);
    zkw_put32(o, 1);
    zkw_put_g1(o, delta1);        /* deltaAfter */
    zkw_put_g1(o, &G1_GENERATOR); /* g1_s */
    zkw_put_g1(o, delta1);        /* g1_sx = delta · g1_s */
    zkw_put_g2(o, delta2);        /* g2_spx = delta · G2 */
    zkw_put(o, transcript, 64);
    zkw_put32(o, 0); /* a normal contribution, not a beacon */
    zkw_put32(o, param_len);
    uint8_t tag[2] = {1, (uint8_t)name_len};
    zkw_put(o, tag, 2);
    zkw_put(o, name, name_len);
    return ZBP_OK;
}

zbp_status zkw_commit(zout_t *o, const char *path, char *err, size_t errlen) {
    if (!o->failed && fflush(o->f) != 0) o->failed = errno ? errno : EIO;
    if (!o->failed && (fchmod(fileno(o->f), 0644) != 0 || fsync(fileno(o->f)) != 0))
        o->failed = errno ? errno : EIO;
    zbp_status st = ZBP_OK;
    if (o->failed) {
        st = zbp_fail(err, errlen, ZBP_ERR_IO, "%s: cannot write: %s", path, strerror(o->failed));
    } else {
        FILE *f = o->f;
        o->f = NULL;
        if (fclose(f) != 0)
            st = zbp_fail(err, errlen, zbp_status_of_errno(errno), "%s: cannot write: %s", path,
                          strerror(errno));
        else if (rename(o->tmp, path) != 0)
            st = zbp_fail(err, errlen, ZBP_ERR_IO, "%s: cannot rename into place: %s", path,
                          strerror(errno));
        else {
            free(o->tmp);
            o->tmp = NULL;
        }
    }
    zkw_abort(o);
    return st;
}

void zkw_abort(zout_t *o) {
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->tmp) {
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    EVP_MD_CTX_free(o->md);
    o->md = NULL;
}
