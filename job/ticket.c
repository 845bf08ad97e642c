/* ticket.c: hub tickets: the JSON form, the signed byte string, and verification with the hub's
 * Ed25519 or RSA-PSS/SHA-256 public key (docs/job-protocol.md, "Tickets"). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "job/job_int.h"

struct job_hubkey {
    EVP_PKEY *pkey;
    bool ed25519;
};

static const json_t *string_member(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return v && zbp_json_str(v, NULL) ? v : NULL;
}

int job_ticket_from_json(job_ticket_t *t, const json_t *v, char *err, size_t errlen) {
    memset(t, 0, sizeof *t);
    if (!json_is_object(v))
        return job_fail(err, errlen, JOB_BAD_TICKET, "ticket: not an object");
    const json_t *id = string_member(v, "id"), *sig = string_member(v, "sig");
    const json_t *exp = json_object_get(v, "expires"), *zk = json_object_get(v, "zkey_sha256");
    if (!id || zbp_hex_decode(t->id, sizeof t->id, &t->id_len, json_string_value(id), json_string_length(id)) ||
        t->id_len < JOB_TICKET_ID_MIN)
        return job_fail(err, errlen, JOB_BAD_TICKET, "ticket: id must be hex of 16 to 64 bytes");
    if (!exp || zbp_json_get_u64(exp, &t->expires) != 0)
        return job_fail(err, errlen, JOB_BAD_TICKET,
                        "ticket: expires must be an integer number of unix seconds");
    if (zk) {
        size_t n = 0;
        if (!zbp_json_str(zk, NULL) || zbp_hex_decode(t->zkey_sha256, 32, &n, json_string_value(zk), json_string_length(zk)) ||
            n != 32)
            return job_fail(err, errlen, JOB_BAD_TICKET,
                            "ticket: zkey_sha256 must be 64 hex digits");
        t->has_zkey = true;
    }
    if (!sig || json_string_length(sig) == 0 || zbp_b64_decoded_max(json_string_length(sig)) > sizeof t->sig ||
        zbp_b64_decode(t->sig, &t->sig_len, json_string_value(sig), json_string_length(sig)))
        return job_fail(err, errlen, JOB_BAD_TICKET,
                        "ticket: sig must be base64 of at most %d bytes", JOB_TICKET_SIG_MAX);
    return JOB_OK;
}

static void le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

size_t job_ticket_message(uint8_t *out, const job_ticket_t *t) {
    size_t n = 0;
    memcpy(out, "ZBPROVER-TICKET-V1", 18);
    n += 18;
    le32(out + n, (uint32_t)t->id_len);
    n += 4;
    memcpy(out + n, t->id, t->id_len);
    n += t->id_len;
    for (int i = 0; i < 8; i++)
        out[n++] = (uint8_t)(t->expires >> (8 * i));
    le32(out + n, t->has_zkey ? 32 : 0);
    n += 4;
    if (t->has_zkey) {
        memcpy(out + n, t->zkey_sha256, 32);
        n += 32;
    }
    return n;
}

static int hubkey_adopt(job_hubkey_t **out, EVP_PKEY *pk, const char *what, char *err,
                        size_t errlen) {
    int type = EVP_PKEY_get_base_id(pk);
    if (type != EVP_PKEY_ED25519 && type != EVP_PKEY_RSA && type != EVP_PKEY_RSA_PSS) {
        EVP_PKEY_free(pk);
        return job_fail(err, errlen, JOB_BAD_REQUEST, "%s: the hub key must be Ed25519 or RSA",
                        what);
    }
    if (type != EVP_PKEY_ED25519 && EVP_PKEY_get_bits(pk) < 2048) {
        EVP_PKEY_free(pk);
        return job_fail(err, errlen, JOB_BAD_REQUEST, "%s: an RSA hub key needs at least 2048 bits",
                        what);
    }
    job_hubkey_t *k = calloc(1, sizeof *k);
    if (!k) {
        EVP_PKEY_free(pk);
        return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    }
    k->pkey = pk;
    k->ed25519 = type == EVP_PKEY_ED25519;
    *out = k;
    return JOB_OK;
}

int job_hubkey_from_pem(job_hubkey_t **out, const char *pem, size_t len, char *err, size_t errlen) {
    *out = NULL;
    if (len > INT32_MAX) return job_fail(err, errlen, JOB_BAD_REQUEST, "hub key: too large");
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pk = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    ERR_clear_error();
    if (!pk) return job_fail(err, errlen, JOB_BAD_REQUEST, "hub key: not a PEM public key");
    return hubkey_adopt(out, pk, "hub key", err, errlen);
}

int job_hubkey_load(job_hubkey_t **out, const char *pem_path, char *err, size_t errlen) {
    *out = NULL;
    BIO *b = BIO_new_file(pem_path, "r");
    EVP_PKEY *pk = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    ERR_clear_error();
    if (!pk)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "%s: not a readable PEM public key",
                        pem_path);
    return hubkey_adopt(out, pk, pem_path, err, errlen);
}

const char *job_hubkey_type(const job_hubkey_t *k) {
    return k->ed25519 ? "ed25519" : "rsa-pss-sha256";
}

void job_hubkey_free(job_hubkey_t *k) {
    if (!k) return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

int job_ticket_verify_sig(const job_hubkey_t *k, const job_ticket_t *t, char *err, size_t errlen) {
    uint8_t msg[JOB_TICKET_MSG_MAX];
    size_t n = job_ticket_message(msg, t);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = 0;
    if (md) {
        if (k->ed25519) {
            ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
                 EVP_DigestVerify(md, t->sig, t->sig_len, msg, n) == 1;
        } else {
            /* PSS with MGF1-SHA-256; the salt length is read from the signature (AUTO), so hubs
             * signing with 32 bytes (the usual choice) or the maximum both verify. */
            ok = EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, k->pkey) == 1 &&
                 EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                 EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1 &&
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1 &&
                 EVP_DigestVerify(md, t->sig, t->sig_len, msg, n) == 1;
        }
    }
    EVP_MD_CTX_free(md);
    ERR_clear_error();
    if (!md) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    return ok ? JOB_OK
              : job_fail(err, errlen, JOB_BAD_TICKET,
                         "ticket: the signature does not verify with the "
                         "hub key (%s)",
                         job_hubkey_type(k));
}

int job_ticket_check(const job_hubkey_t *k, const job_ticket_t *t, uint64_t now, char *err,
                     size_t errlen) {
    int rc = job_ticket_verify_sig(k, t, err, errlen);
    if (rc) return rc;
    if (now > t->expires)
        return job_fail(err, errlen, JOB_EXPIRED_TICKET, "ticket: expired at %llu (now %llu)",
                        (unsigned long long)t->expires, (unsigned long long)now);
    /* A ticket that outlives any sane job is refused: its line must stay readable in the replay
     * log, and the lifetime bounds what a host's rollback of that log can give back
     * (docs/job-guarantees.md). */
    if (t->expires - now > JOB_TICKET_MAX_LIFETIME_S)
        return job_fail(err, errlen, JOB_BAD_TICKET,
                        "ticket: expires %llu is more than %d days ahead (now %llu)",
                        (unsigned long long)t->expires, JOB_TICKET_MAX_LIFETIME_S / 86400,
                        (unsigned long long)now);
    return JOB_OK;
}

int job_ticket_check_circuit(const job_ticket_t *t, const uint8_t zkey_sha256[32], char *err,
                             size_t errlen) {
    if (t->has_zkey && memcmp(t->zkey_sha256, zkey_sha256, 32) != 0)
        return job_fail(err, errlen, JOB_BAD_TICKET, "ticket: issued for another circuit");
    return JOB_OK;
}
