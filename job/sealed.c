/* sealed.c: single-use X25519 keys (held in memory only, wiped after one use or their time) and
 * sealed witnesses: X25519 + HKDF-SHA256 + AES-256-GCM with the ticket id, the circuit and the key
 * id as associated data (docs/job-protocol.md, "Sealed witnesses"). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "job/job_int.h"

/* 16 bytes: HKDF info and the head of the AAD. V1 seals a .wtns; V2 seals the circuit's input JSON,
 * and its AAD binds the witness program too, so that a sealed input is never run by another one. */
#define SEAL_LABEL "ZBPROVER-SEAL-V1"
#define SEAL_LABEL_INPUT "ZBPROVER-SEAL-V2"

typedef struct {
    bool used;
    uint8_t key_id[JOB_KEY_ID_LEN];
    uint8_t priv[32];
    uint8_t pub[32];
    uint8_t ticket_id[JOB_TICKET_ID_MAX];
    size_t ticket_id_len;
    double born_ms;
} key_slot_t;

struct job_keystore {
    pthread_mutex_t mu;
    key_slot_t *slots;
    size_t max;
    double ttl_ms;
};

static void slot_wipe(key_slot_t *s) { OPENSSL_cleanse(s, sizeof *s); }

job_keystore_t *job_keystore_new(size_t max_keys, double ttl_s) {
    job_keystore_t *ks = calloc(1, sizeof *ks);
    if (!ks) return NULL;
    /* Secret memory: out of core dumps (and zeroed, as mmap'ed memory is). */
    ks->slots = job_secret_alloc((max_keys ? max_keys : 1) * sizeof *ks->slots);
    if (!ks->slots) {
        free(ks);
        return NULL;
    }
    ks->max = max_keys ? max_keys : 1;
    ks->ttl_ms = ttl_s * 1e3;
    pthread_mutex_init(&ks->mu, NULL);
    return ks;
}

void job_keystore_free(job_keystore_t *ks) {
    if (!ks) return;
    for (size_t i = 0; i < ks->max; i++)
        slot_wipe(&ks->slots[i]);
    job_secret_free(ks->slots);
    pthread_mutex_destroy(&ks->mu);
    free(ks);
}

/* Wipes keys past their time; called with the lock held. */
static void expire(job_keystore_t *ks) {
    double now = job_mono_ms();
    for (size_t i = 0; i < ks->max; i++)
        if (ks->slots[i].used && now - ks->slots[i].born_ms > ks->ttl_ms) slot_wipe(&ks->slots[i]);
}

void job_keystore_sweep(job_keystore_t *ks) {
    pthread_mutex_lock(&ks->mu);
    expire(ks);
    pthread_mutex_unlock(&ks->mu);
}

size_t job_keystore_count(job_keystore_t *ks) {
    pthread_mutex_lock(&ks->mu);
    expire(ks);
    size_t n = 0;
    for (size_t i = 0; i < ks->max; i++)
        n += ks->slots[i].used;
    pthread_mutex_unlock(&ks->mu);
    return n;
}

/* A fresh X25519 pair as raw bytes (the private half wiped from OpenSSL's copy when freed). */
static int x25519_keygen(uint8_t priv[32], uint8_t pub[32]) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
    EVP_PKEY *k = NULL;
    size_t pl = 32, ql = 32;
    int ok = c && EVP_PKEY_keygen_init(c) == 1 && EVP_PKEY_keygen(c, &k) == 1 &&
             EVP_PKEY_get_raw_private_key(k, priv, &pl) == 1 &&
             EVP_PKEY_get_raw_public_key(k, pub, &ql) == 1 && pl == 32 && ql == 32;
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(c);
    return ok ? 0 : -1;
}

int job_keystore_create(job_keystore_t *ks, const uint8_t *ticket_id, size_t ticket_id_len,
                        uint8_t key_id[JOB_KEY_ID_LEN], uint8_t pub[32], char *err, size_t errlen) {
    if (ticket_id_len > JOB_TICKET_ID_MAX)
        return job_fail(err, errlen, JOB_BAD_TICKET, "ticket id too long");
    pthread_mutex_lock(&ks->mu);
    expire(ks);
    key_slot_t *s = NULL;
    for (size_t i = 0; i < ks->max && !s; i++)
        if (!ks->slots[i].used) s = &ks->slots[i];
    int rc = JOB_OK;
    if (!s) {
        rc = job_fail(err, errlen, JOB_BUSY,
                      "%zu single-use keys are outstanding: use or let "
                      "some expire first",
                      ks->max);
    } else if (x25519_keygen(s->priv, s->pub) || RAND_bytes(s->key_id, JOB_KEY_ID_LEN) != 1) {
        slot_wipe(s);
        ERR_clear_error();
        rc = job_fail(err, errlen, JOB_INTERNAL, "key generation failed");
    } else {
        s->used = true;
        if (ticket_id_len) memcpy(s->ticket_id, ticket_id, ticket_id_len);
        s->ticket_id_len = ticket_id_len;
        s->born_ms = job_mono_ms();
        memcpy(key_id, s->key_id, JOB_KEY_ID_LEN);
        memcpy(pub, s->pub, 32);
    }
    pthread_mutex_unlock(&ks->mu);
    return rc;
}

int job_sealed_from_json(job_sealed_t *s, const json_t *v, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    if (!json_is_object(v))
        return job_fail(err, errlen, JOB_BAD_REQUEST, "sealed: not an object");
    const json_t *alg = json_object_get(v, "alg"), *kid = json_object_get(v, "key_id"),
                       *epk = json_object_get(v, "epk"), *ct = json_object_get(v, "ct");
    size_t n = 0;
    if (!zbp_json_string_is(alg, JOB_SEAL_ALG))
        return job_fail(err, errlen, JOB_BAD_REQUEST, "sealed: alg must be \"" JOB_SEAL_ALG "\"");
    if (!kid || !zbp_json_str(kid, NULL) ||
        zbp_hex_decode(s->key_id, JOB_KEY_ID_LEN, &n, json_string_value(kid), json_string_length(kid)) || n != JOB_KEY_ID_LEN)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "sealed: key_id must be 32 hex digits");
    if (!epk || !zbp_json_str(epk, NULL) || zbp_hex_decode(s->epk, 32, &n, json_string_value(epk), json_string_length(epk)) ||
        n != 32)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "sealed: epk must be 64 hex digits");
    if (!ct || !zbp_json_str(ct, NULL) || json_string_length(ct) < 24) /* base64 of at least the 16-byte tag */
        return job_fail(err, errlen, JOB_BAD_REQUEST, "sealed: ct must be base64 text");
    /* What the plaintext is: a .wtns (absent: the V1 format) or the circuit's input JSON. */
    const json_t *content = json_object_get(v, "content");
    if (content && !zbp_json_string_is(content, "wtns") && !zbp_json_string_is(content, "input"))
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "sealed: content must be \"wtns\" (the default) or \"input\"");
    s->input = content && zbp_json_string_is(content, "input");
    s->ct_b64 = json_string_value(ct);
    s->ct_b64_len = json_string_length(ct);
    return JOB_OK;
}

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* AAD = "ZBPROVER-SEAL-V1" || lp(ticket_id) || zkey_sha256 || key_id, or for an input
 * (wasm_sha256 not NULL) "ZBPROVER-SEAL-V2" || lp(ticket_id) || zkey_sha256 || wasm_sha256 ||
 * key_id; returns its length. */
#define SEAL_AAD_MAX (16 + 4 + JOB_TICKET_ID_MAX + 32 + 32 + JOB_KEY_ID_LEN)
static size_t seal_aad(uint8_t *aad, const uint8_t *ticket_id, size_t tlen,
                       const uint8_t zkey_sha256[32], const uint8_t *wasm_sha256,
                       const uint8_t key_id[JOB_KEY_ID_LEN]) {
    size_t n = 0;
    memcpy(aad, wasm_sha256 ? SEAL_LABEL_INPUT : SEAL_LABEL, 16);
    n += 16;
    put_le32(aad + n, (uint32_t)tlen);
    n += 4;
    if (tlen) memcpy(aad + n, ticket_id, tlen);
    n += tlen;
    memcpy(aad + n, zkey_sha256, 32);
    n += 32;
    if (wasm_sha256) {
        memcpy(aad + n, wasm_sha256, 32);
        n += 32;
    }
    memcpy(aad + n, key_id, JOB_KEY_ID_LEN);
    return n + JOB_KEY_ID_LEN;
}

/* shared = X25519(priv, peer); okm = HKDF-SHA256(ikm = shared, salt = epk || recipient_pub,
 * info = label ("ZBPROVER-SEAL-V1" or -V2), 44 bytes) = AES-256 key (32) || GCM nonce (12). */
static int seal_keys(uint8_t okm[44], const uint8_t priv[32], const uint8_t peer[32],
                     const uint8_t epk[32], const uint8_t rpub[32], const char *label) {
    EVP_PKEY *sk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *dc = sk ? EVP_PKEY_CTX_new(sk, NULL) : NULL;
    uint8_t shared[32], salt[64];
    size_t sl = sizeof shared;
    /* OpenSSL refuses an all-zero shared secret (a low-order peer key): derive fails then. */
    int ok = pk && dc && EVP_PKEY_derive_init(dc) == 1 && EVP_PKEY_derive_set_peer(dc, pk) == 1 &&
             EVP_PKEY_derive(dc, shared, &sl) == 1 && sl == 32;
    EVP_PKEY_CTX_free(dc);
    EVP_PKEY_free(sk);
    EVP_PKEY_free(pk);
    if (ok) {
        memcpy(salt, epk, 32);
        memcpy(salt + 32, rpub, 32);
        EVP_PKEY_CTX *h = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
        size_t ol = 44;
        ok = h && EVP_PKEY_derive_init(h) == 1 && EVP_PKEY_CTX_set_hkdf_md(h, EVP_sha256()) == 1 &&
             EVP_PKEY_CTX_set1_hkdf_salt(h, salt, 64) == 1 &&
             EVP_PKEY_CTX_set1_hkdf_key(h, shared, 32) == 1 &&
             EVP_PKEY_CTX_add1_hkdf_info(h, (const unsigned char *)label, 16) == 1 &&
             EVP_PKEY_derive(h, okm, &ol) == 1 && ol == 44;
        EVP_PKEY_CTX_free(h);
    }
    OPENSSL_cleanse(shared, sizeof shared);
    ERR_clear_error();
    return ok ? 0 : -1;
}

/* AES-256-GCM one shot: encrypt (enc=1: out = ct, tag written to tag) or decrypt (enc=0: checks
 * tag). Returns 0 or -1 (for decryption: not authentic). */
static int gcm(int enc, uint8_t *out, const uint8_t *in, size_t n, const uint8_t okm[44],
               const uint8_t *aad, size_t aadlen, uint8_t tag[16]) {
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ok = c && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
             EVP_CipherInit_ex(c, NULL, NULL, okm, okm + 32, enc) == 1;
    int l = 0;
    if (ok && aadlen > INT32_MAX) ok = 0;
    if (ok) ok = EVP_CipherUpdate(c, NULL, &l, aad, (int)aadlen) == 1;
    /* Large witnesses go through in chunks: EVP's lengths are ints. */
    for (size_t off = 0; ok && off < n;) {
        int chunk = n - off > (1u << 30) ? 1 << 30 : (int)(n - off);
        ok = EVP_CipherUpdate(c, out + off, &l, in + off, chunk) == 1 && l == chunk;
        off += (size_t)chunk;
    }
    if (ok && !enc) ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) == 1;
    if (ok) ok = EVP_CipherFinal_ex(c, out + n, &l) == 1;
    if (ok && enc) ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    ERR_clear_error();
    return ok ? 0 : -1;
}

int job_sealed_open(job_keystore_t *ks, const job_sealed_t *s, const uint8_t *ticket_id,
                    size_t ticket_id_len, const uint8_t zkey_sha256[32],
                    const uint8_t *wasm_sha256, size_t max_plain, uint8_t **plain,
                    size_t *plain_len, char *err, size_t errlen) {
    *plain = NULL;
    *plain_len = 0;
    /* Take the key out first: whatever happens below, it has been used. */
    key_slot_t k;
    bool found = false;
    pthread_mutex_lock(&ks->mu);
    expire(ks);
    for (size_t i = 0; i < ks->max && !found; i++)
        if (ks->slots[i].used && !CRYPTO_memcmp(ks->slots[i].key_id, s->key_id, JOB_KEY_ID_LEN)) {
            k = ks->slots[i];
            slot_wipe(&ks->slots[i]);
            found = true;
        }
    pthread_mutex_unlock(&ks->mu);
    if (!found)
        return job_fail(err, errlen, JOB_BAD_WITNESS,
                        "sealed: no such key (never issued, already used, or expired)");
    int rc = JOB_OK;
    uint8_t okm[44], aad[SEAL_AAD_MAX], *ct = NULL, *pt = NULL;
    size_t ctlen = 0;
    const char *what = s->input ? "input" : "witness";
    if (s->input != (wasm_sha256 != NULL)) { /* the caller's mix-up, never the client's */
        rc = job_fail(err, errlen, JOB_INTERNAL, "sealed: the content and the program disagree");
        goto out;
    }
    if (k.ticket_id_len != ticket_id_len ||
        (ticket_id_len && memcmp(k.ticket_id, ticket_id, ticket_id_len))) {
        rc =
            job_fail(err, errlen, JOB_BAD_WITNESS, "sealed: the key was issued for another ticket");
        goto out;
    }
    if (zbp_b64_decoded_max(s->ct_b64_len) > max_plain + 16 + 2) {
        rc = job_fail(err, errlen, JOB_TOO_LARGE, "sealed: the %s exceeds %zu bytes", what,
                      max_plain);
        goto out;
    }
    ct = malloc(zbp_b64_decoded_max(s->ct_b64_len) + 1);
    if (!ct) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        goto out;
    }
    if (zbp_b64_decode(ct, &ctlen, s->ct_b64, s->ct_b64_len) || ctlen < 16) {
        rc =
            job_fail(err, errlen, JOB_BAD_REQUEST, "sealed: ct is not base64 of at least 16 bytes");
        goto out;
    }
    if (ctlen - 16 > max_plain) {
        rc = job_fail(err, errlen, JOB_TOO_LARGE, "sealed: the %s exceeds %zu bytes", what,
                      max_plain);
        goto out;
    }
    pt = job_secret_alloc(ctlen - 16 + 1);
    if (!pt) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        goto out;
    }
    size_t aadlen = seal_aad(aad, ticket_id, ticket_id_len, zkey_sha256, wasm_sha256, s->key_id);
    if (seal_keys(okm, k.priv, s->epk, s->epk, k.pub, s->input ? SEAL_LABEL_INPUT : SEAL_LABEL) ||
        gcm(0, pt, ct, ctlen - 16, okm, aad, aadlen, ct + ctlen - 16)) {
        OPENSSL_cleanse(pt, ctlen - 16);
        rc = job_fail(err, errlen, JOB_BAD_WITNESS,
                      "sealed: authentication failed (tampered, or sealed for another key, ticket, "
                      "circuit%s)",
                      s->input ? " or witness program" : "");
        goto out;
    }
    *plain = pt;
    *plain_len = ctlen - 16;
    pt = NULL;
out:
    OPENSSL_cleanse(&k, sizeof k);
    OPENSSL_cleanse(okm, sizeof okm);
    job_secret_free(pt);
    free(ct);
    return rc;
}

int job_seal(char **out, const uint8_t recipient_pub[32], const uint8_t key_id[JOB_KEY_ID_LEN],
             const uint8_t *ticket_id, size_t ticket_id_len, const uint8_t zkey_sha256[32],
             const uint8_t *wasm_sha256, const uint8_t *plain, size_t plain_len, char *err,
             size_t errlen) {
    *out = NULL;
    if (ticket_id_len > JOB_TICKET_ID_MAX)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "ticket id too long");
    uint8_t esk[32], epk[32], okm[44], tag[16];
    uint8_t aad[SEAL_AAD_MAX];
    uint8_t *ct = malloc(plain_len + 16);
    int rc = JOB_OK;
    if (!ct) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    size_t aadlen = seal_aad(aad, ticket_id, ticket_id_len, zkey_sha256, wasm_sha256, key_id);
    if (x25519_keygen(esk, epk) ||
        seal_keys(okm, esk, recipient_pub, epk, recipient_pub,
                  wasm_sha256 ? SEAL_LABEL_INPUT : SEAL_LABEL) ||
        gcm(1, ct, plain, plain_len, okm, aad, aadlen, tag)) {
        rc = job_fail(err, errlen, JOB_INTERNAL,
                      "sealing failed (is the public key a valid X25519 key?)");
    } else {
        memcpy(ct + plain_len, tag, 16);
        char *b64 = zbp_b64_encode(ct, plain_len + 16);
        jb_t b;
        jb_init(&b);
        jb_obj(&b);
        jb_key(&b, "alg");
        jb_str(&b, JOB_SEAL_ALG);
        if (wasm_sha256) {
            jb_key(&b, "content");
            jb_str(&b, "input");
        }
        jb_key(&b, "key_id");
        jb_hex(&b, key_id, JOB_KEY_ID_LEN);
        jb_key(&b, "epk");
        jb_hex(&b, epk, 32);
        jb_key(&b, "ct");
        if (b64) jb_str(&b, b64);
        jb_obj_end(&b);
        free(b64);
        if (!b64 || b.failed) {
            jb_free(&b);
            rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        } else {
            *out = b.buf;
        }
    }
    OPENSSL_cleanse(esk, sizeof esk);
    OPENSSL_cleanse(okm, sizeof okm);
    free(ct);
    return rc;
}
