/* input.c: snarkjs's input JSON read without precision loss. The JSON module (prover/json.h, over
 * jansson) hands numbers that are not short plain integers over as their text (jansson alone would
 * fail on integers past 64 bits and round fractions), so values of any length are reduced mod p
 * digit by digit here; nothing about p is assumed beyond its size (circom supports several primes).
 * The rules follow what `snarkjs wtns calculate` does with JSON.parse's output: unstringifyBigInts,
 * flatArray, then BigInt(v) mod p (see witness.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "witness/witness.h"

/* acc = acc * base + digit, then reduced below p (acc < p on entry, so at most base + 1
 * subtractions; acc has n32 + 1 words). */
static void acc_push(uint32_t *acc, const uint32_t *p, unsigned n32, unsigned base, unsigned digit) {
    uint64_t carry = digit;
    for (unsigned i = 0; i <= n32; i++) {
        uint64_t t = (uint64_t)acc[i] * base + carry;
        acc[i] = (uint32_t)t;
        carry = t >> 32;
    }
    for (;;) {
        /* acc >= p ? (p has n32 words, acc's top word extends it) */
        int ge = acc[n32] != 0;
        if (!ge) {
            ge = 1;
            for (unsigned i = n32; i-- > 0;) {
                if (acc[i] != p[i]) {
                    ge = acc[i] > p[i];
                    break;
                }
            }
        }
        if (!ge) break;
        uint64_t borrow = 0;
        for (unsigned i = 0; i <= n32; i++) {
            uint64_t pi = i < n32 ? p[i] : 0;
            uint64_t t = (uint64_t)acc[i] - pi - borrow;
            acc[i] = (uint32_t)t;
            borrow = (t >> 63) & 1;
        }
    }
}

static void acc_negate(uint32_t *acc, const uint32_t *p, unsigned n32) {
    int zero = 1;
    for (unsigned i = 0; i < n32; i++) zero &= acc[i] == 0;
    if (zero) return;
    uint64_t borrow = 0;
    for (unsigned i = 0; i < n32; i++) {
        uint64_t t = (uint64_t)p[i] - acc[i] - borrow;
        acc[i] = (uint32_t)t;
        borrow = (t >> 63) & 1;
    }
}

static int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

/* One UTF-8 code point at s[0..len): its value and length (the JSON reader validated the text). */
static unsigned utf8_at(const unsigned char *s, size_t len, uint32_t *cp) {
    if (s[0] < 0x80 || len < 2) return *cp = s[0], 1;
    if (s[0] < 0xE0) return *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F), 2;
    if (s[0] < 0xF0 || len < 4) {
        if (len < 3) return *cp = s[0], 1;
        return *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F), 3;
    }
    *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
          ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
}

/* JavaScript's WhiteSpace and LineTerminator (what BigInt(string) trims). */
static int js_space(uint32_t c) {
    return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

/* Length of the UTF-8 sequence that ends at s[len - 1]. */
static size_t utf8_last(const unsigned char *s, size_t len) {
    size_t k = 1;
    while (k < len && k < 4 && (s[len - k] & 0xC0) == 0x80) k++;
    return k;
}

uint64_t zbp_witness_fnv1a(const char *name, size_t len) {
    const unsigned char *s = (const unsigned char *)name;
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += utf8_at(s + i, len - i, &cp);
        uint32_t units[2] = {cp, 0};
        int n = 1;
        if (cp > 0xFFFF) {
            units[0] = 0xD800 + ((cp - 0x10000) >> 10);
            units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            n = 2;
        }
        for (int k = 0; k < n; k++) {
            h ^= units[k];
            h *= 0x100000001B3ull;
        }
    }
    return h;
}

/* A quoted excerpt of a string for messages: at most 40 bytes, control bytes as '?'. */
static void excerpt(char *out, size_t outlen, const char *s, size_t len) {
    size_t n = len > 40 ? 40 : len, k = 0;
    for (size_t i = 0; i < n && k + 1 < outlen; i++)
        out[k++] = (unsigned char)s[i] < 0x20 || s[i] == '"' ? '?' : s[i];
    if (len > n && k + 4 < outlen) memcpy(out + k, "...", 3), k += 3;
    out[k < outlen ? k : outlen - 1] = 0;
}

/* BigInt(string): trimmed, "" is 0, [+-]decimal or 0x/0o/0b digits. */
static int string_value(const char *str, size_t len, const uint32_t *p, unsigned n32, uint32_t *acc,
                        char *err, size_t errlen) {
    const unsigned char *s = (const unsigned char *)str;
    size_t a = 0, b = len;
    while (a < b) {
        uint32_t cp;
        unsigned k = utf8_at(s + a, b - a, &cp);
        if (!js_space(cp)) break;
        a += k;
    }
    while (b > a) {
        size_t k = utf8_last(s + a, b - a);
        uint32_t cp;
        utf8_at(s + b - k, k, &cp);
        if (!js_space(cp)) break;
        b -= k;
    }
    unsigned base = 10;
    int neg = 0;
    if (b - a >= 2 && s[a] == '0' && s[a + 1] && strchr("xXoObB", s[a + 1])) {
        base = (s[a + 1] | 0x20) == 'x' ? 16 : (s[a + 1] | 0x20) == 'o' ? 8 : 2;
        a += 2;
        if (a == b) goto bad;
    } else if (a < b && (s[a] == '+' || s[a] == '-')) {
        neg = s[a] == '-';
        a++;
        if (a == b) goto bad;
    }
    for (size_t i = a; i < b; i++) {
        int d = digit_value((char)s[i]);
        if (d >= (int)base) goto bad;
        acc_push(acc, p, n32, base, (unsigned)d);
    }
    if (neg) acc_negate(acc, p, n32);
    return ZBP_OK;
bad:;
    char ex[48];
    excerpt(ex, sizeof ex, str, len);
    snprintf(err, errlen, "the string \"%s\" is not an integer (decimal, or 0x/0o/0b digits)", ex);
    return ZBP_ERR_INPUT;
}

#define MAX_EXPONENT 1000 /* snarkjs (a double) refuses past 1e308; a bound keeps 1e999999999 from spinning */

/* A JSON number (validated by the reader: -?int(.frac)?([eE][+-]?exp)?), read exactly: it must
 * denote an integer. */
static int number_value(const char *t, size_t len, const uint32_t *p, unsigned n32, uint32_t *acc,
                        char *err, size_t errlen) {
    size_t i = 0;
    int neg = t[0] == '-';
    if (neg) i++;
    size_t int_a = i;
    while (i < len && t[i] >= '0' && t[i] <= '9') i++;
    size_t int_b = i, frac_a = i, frac_b = i;
    if (i < len && t[i] == '.') {
        frac_a = ++i;
        while (i < len && t[i] >= '0' && t[i] <= '9') i++;
        frac_b = i;
    }
    long long e = 0;
    if (i < len && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (t[i] == '+' || t[i] == '-')) eneg = t[i++] == '-';
        while (i < len && t[i] >= '0' && t[i] <= '9') {
            if (e < 100LL * MAX_EXPONENT) e = e * 10 + (t[i] - '0');
            i++;
        }
        if (eneg) e = -e;
    }
    /* The digits int ++ frac times 10^(e - |frac|). */
    size_t nd = (int_b - int_a) + (frac_b - frac_a);
    long long shift = e - (long long)(frac_b - frac_a);
    size_t keep = nd;
    if (shift < 0) {
        unsigned long long drop = (unsigned long long)(-shift);
        keep = drop >= nd ? 0 : nd - (size_t)drop;
        for (size_t k = keep; k < nd; k++) {
            size_t pos = k < int_b - int_a ? int_a + k : frac_a + (k - (int_b - int_a));
            if (t[pos] != '0') {
                char ex[48];
                excerpt(ex, sizeof ex, t, len);
                snprintf(err, errlen, "the number %s is not an integer", ex);
                return ZBP_ERR_INPUT;
            }
        }
        shift = 0;
    }
    for (size_t k = 0; k < keep; k++) {
        size_t pos = k < int_b - int_a ? int_a + k : frac_a + (k - (int_b - int_a));
        acc_push(acc, p, n32, 10, (unsigned)(t[pos] - '0'));
    }
    if (shift > MAX_EXPONENT) {
        char ex[48];
        excerpt(ex, sizeof ex, t, len);
        snprintf(err, errlen, "the number %s is too large (exponent above %d)", ex, MAX_EXPONENT);
        return ZBP_ERR_INPUT;
    }
    for (long long k = 0; k < shift; k++) acc_push(acc, p, n32, 10, 0);
    if (neg) acc_negate(acc, p, n32);
    return ZBP_OK;
}

zbp_status zbp_witness_value(const json_t *v, const uint32_t *p, unsigned n32, uint32_t *out,
                      char *err, size_t errlen) {
    uint32_t acc[ZBP_WITNESS_MAX_N32 + 1];
    if (n32 == 0 || n32 > ZBP_WITNESS_MAX_N32) {
        snprintf(err, errlen, "a field of %u words is not supported", n32);
        return ZBP_ERR_UNSUPPORTED;
    }
    memset(acc, 0, sizeof acc);
    int st = ZBP_OK;
    size_t len;
    const char *text;
    char digits[24];
    if (json_is_true(v)) {
        acc_push(acc, p, n32, 10, 1); /* BigInt(true) is 1n */
    } else if (json_is_false(v)) {
    } else if (json_is_integer(v)) {
        int n = snprintf(digits, sizeof digits, "%lld", (long long)json_integer_value(v));
        st = number_value(digits, (size_t)n, p, n32, acc, err, errlen);
        explicit_bzero(digits, sizeof digits);
    } else if ((text = zbp_json_number_text(v, &len)) != NULL) {
        st = number_value(text, len, p, n32, acc, err, errlen);
    } else if ((text = zbp_json_str(v, &len)) != NULL) {
        st = string_value(text, len, p, n32, acc, err, errlen);
    } else {
        snprintf(err, errlen, "%s is not a number", json_is_null(v) ? "null" : "an object");
        return ZBP_ERR_INPUT;
    }
    if (st == ZBP_OK) memcpy(out, acc, n32 * sizeof *out);
    return st;
}

/* Counts the leaves under v (arrays flattened); an unusable leaf gives its message. */
static int count_leaves(const json_t *v, size_t *n, const char **bad) {
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (count_leaves(json_array_get(v, i), n, bad) != ZBP_OK) return ZBP_ERR_INPUT;
        return ZBP_OK;
    }
    if (json_is_null(v) || json_is_object(v)) {
        *bad = json_is_null(v) ? "null" : "an object";
        return ZBP_ERR_INPUT;
    }
    (*n)++;
    return ZBP_OK;
}

static int read_signals(zbp_witness_input_t *in, const json_t *root, const char *name,
                        char *err, size_t errlen);

zbp_status zbp_witness_input_parse(zbp_witness_input_t *in, const char *text, size_t len, const char *name,
                            char *err, size_t errlen) {
    memset(in, 0, sizeof *in);
    zbp_json_error_t je;
    int st = zbp_json_parse(&in->doc, text, len, NULL, &je);
    if (st != ZBP_OK) {
        snprintf(err, errlen, "%s: not valid JSON at line %zu, column %zu: %s", name, je.line,
                 je.column, je.message);
        return st == ZBP_ERR_NOMEM ? st : ZBP_ERR_INPUT;
    }
    return read_signals(in, in->doc, name, err, errlen);
}

zbp_status zbp_witness_input_from_value(zbp_witness_input_t *in, const json_t *root,
                                 const char *name, char *err, size_t errlen) {
    memset(in, 0, sizeof *in);
    return read_signals(in, root, name, err, errlen);
}

/* The signals of the object root into in (in->doc, when set, is root's document). */
static int read_signals(zbp_witness_input_t *in, const json_t *root, const char *name,
                        char *err, size_t errlen) {
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: the input must be a JSON object of signal names, not %s", name,
                 zbp_json_type_name(root));
        zbp_witness_input_free(in);
        return ZBP_ERR_INPUT;
    }
    size_t count = json_object_size(root);
    in->n_signals = count;
    in->signals = calloc(count ? count : 1, sizeof *in->signals);
    if (!in->signals) {
        snprintf(err, errlen, "%s: out of memory", name);
        zbp_witness_input_free(in);
        return ZBP_ERR_NOMEM;
    }
    /* jansson keeps an object's members in document order and refuses a NUL in a key. */
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)root, key, value) {
        zbp_witness_signal_t *s = &in->signals[i++];
        size_t key_len = strlen(key);
        s->name = key;
        s->value = value;
        uint64_t h = zbp_witness_fnv1a(key, key_len);
        s->h_msb = (uint32_t)(h >> 32);
        s->h_lsb = (uint32_t)h;
        const char *bad = NULL;
        char ex[48];
        excerpt(ex, sizeof ex, key, key_len);
        if (count_leaves(value, &s->n_values, &bad) != ZBP_OK) {
            snprintf(err, errlen, "%s: signal '%s': %s is not a number", name, ex, bad);
            zbp_witness_input_free(in);
            return ZBP_ERR_INPUT;
        }
        in->n_values += s->n_values;
    }
    return ZBP_OK;
}

void zbp_witness_input_free(zbp_witness_input_t *in) {
    if (in->doc) zbp_json_wipe(in->doc); /* the inputs may be private */
    json_decref(in->doc);
    free(in->signals);
    memset(in, 0, sizeof *in);
}

static int flatten(const json_t *v, const uint32_t *p, unsigned n32, uint32_t *out, size_t *k,
                   char *msg, size_t msglen) {
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            int st = flatten(json_array_get(v, i), p, n32, out, k, msg, msglen);
            if (st != ZBP_OK) return st;
        }
        return ZBP_OK;
    }
    int st = zbp_witness_value(v, p, n32, out + *k * n32, msg, msglen);
    if (st == ZBP_OK) (*k)++;
    return st;
}

zbp_status zbp_witness_input_values(const zbp_witness_signal_t *s, const uint32_t *p, unsigned n32,
                             uint32_t *out, const char *name, char *err, size_t errlen) {
    char msg[200] = "";
    size_t k = 0;
    int st = flatten(s->value, p, n32, out, &k, msg, sizeof msg);
    if (st != ZBP_OK) {
        char ex[48];
        excerpt(ex, sizeof ex, s->name, strlen(s->name));
        if (json_is_array(s->value))
            snprintf(err, errlen, "%s: signal '%s', value %zu (flattened): %s", name, ex, k, msg);
        else
            snprintf(err, errlen, "%s: signal '%s': %s", name, ex, msg);
    }
    return st;
}

zbp_status zbp_witness_input_load(zbp_witness_input_t *in, const char *path, char *err, size_t errlen) {
    memset(in, 0, sizeof *in);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return ZBP_ERR_INPUT;
    }
    size_t cap = 1 << 12, n = 0;
    char *buf = malloc(cap);
    int st = ZBP_OK;
    for (;;) {
        if (!buf) {
            st = ZBP_ERR_NOMEM;
            break;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        if (cap > ((size_t)64 << 20)) { /* the JSON reader's limit; stop reading past it */
            st = ZBP_ERR_RANGE;
            break;
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb) free(buf);
        buf = nb;
        cap *= 2;
    }
    if (st == ZBP_OK && ferror(f)) st = ZBP_ERR_IO;
    fclose(f);
    if (st == ZBP_OK) st = zbp_witness_input_parse(in, buf, n, path, err, errlen);
    else if (st == ZBP_ERR_RANGE) snprintf(err, errlen, "%s: larger than 64 MiB", path);
    else snprintf(err, errlen, "%s: cannot read: %s", path, st == ZBP_ERR_NOMEM ? "out of memory" : "I/O error");
    if (buf) explicit_bzero(buf, n); /* the inputs may be private */
    free(buf);
    return st == ZBP_ERR_RANGE ? ZBP_ERR_INPUT : st;
}
