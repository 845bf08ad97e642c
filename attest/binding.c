/* binding.c: the binding transcripts (docs/attestation.md): REPORT_DATA = SHA-512 of a domain
 * string and length-prefixed parts, tying a proof or a single-use key to a report. */
#include <string.h>

#include <openssl/evp.h>

#include "attest/attest_int.h"

/* Feeds the hash and, when asked, appends to the transcript copy (tracking the full length even
 * past cap, so the caller learns how much room it needed). */
typedef struct {
    EVP_MD_CTX *md;
    uint8_t *t;
    size_t cap, len;
    bool ok;
} sink_t;

static void put(sink_t *s, const void *p, size_t n) {
    if (n && EVP_DigestUpdate(s->md, p, n) != 1) s->ok = false;
    if (n && s->t && s->len <= s->cap && n <= s->cap - s->len) memcpy(s->t + s->len, p, n);
    s->len += n;
}

static void put_u32(sink_t *s, uint32_t v) {
    uint8_t b[4];
    att_put_le32(b, v);
    put(s, b, 4);
}

static void put_lp(sink_t *s, const uint8_t *p, size_t n) {
    put_u32(s, (uint32_t)n);
    put(s, p, n);
}

static int begin(sink_t *s, uint8_t *t, size_t cap) {
    memset(s, 0, sizeof *s);
    s->md = EVP_MD_CTX_new();
    s->t = t;
    s->cap = t ? cap : 0;
    s->ok = s->md && EVP_DigestInit_ex(s->md, EVP_sha512(), NULL) == 1;
    if (s->ok) return ZBP_OK;
    EVP_MD_CTX_free(s->md);
    return ZBP_ERR_INTERNAL;
}

static int finish(sink_t *s, uint8_t out[64], size_t *tlen) {
    unsigned int n = 0;
    if (s->ok && EVP_DigestFinal_ex(s->md, out, &n) != 1) s->ok = false;
    EVP_MD_CTX_free(s->md);
    if (tlen) *tlen = s->len;
    if (!s->ok || n != 64) return ZBP_ERR_INTERNAL;
    if (s->t && s->len > s->cap) return ZBP_ERR_INPUT; /* the hash is right, the copy is cut */
    return ZBP_OK;
}

zbp_status attest_binding_proof(uint8_t report_data[64], const attest_proof_binding_t *in,
                         uint8_t *transcript, size_t cap, size_t *tlen) {
    if (in->job_id_len > UINT32_MAX || in->ticket_id_len > UINT32_MAX ||
        (in->n_public && !in->publics) || (in->job_id_len && !in->job_id) ||
        (in->ticket_id_len && !in->ticket_id))
        return ZBP_ERR_INPUT;
    sink_t s;
    if (begin(&s, transcript, cap)) return ZBP_ERR_INTERNAL;
    put(&s, "ZBPROVER-PROOF-V1", 17);
    put_lp(&s, in->job_id, in->job_id_len);
    put_lp(&s, in->ticket_id, in->ticket_id_len);
    put(&s, in->zkey_sha256, 32);
    put_u32(&s, in->n_public);
    for (uint32_t i = 0; i < in->n_public; i++) put(&s, in->publics + (size_t)32 * i, 32);
    put(&s, in->proof, sizeof in->proof);
    return finish(&s, report_data, tlen);
}

zbp_status attest_binding_key(uint8_t report_data[64], const uint8_t *ticket_id, size_t ticket_id_len,
                       const uint8_t x25519_public[32], uint8_t *transcript, size_t cap,
                       size_t *tlen) {
    if (ticket_id_len > UINT32_MAX || (ticket_id_len && !ticket_id)) return ZBP_ERR_INPUT;
    sink_t s;
    if (begin(&s, transcript, cap)) return ZBP_ERR_INTERNAL;
    put(&s, "ZBPROVER-KEY-V1", 15);
    put_lp(&s, ticket_id, ticket_id_len);
    put(&s, x25519_public, 32);
    return finish(&s, report_data, tlen);
}
