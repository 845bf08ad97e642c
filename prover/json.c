/* json.c: the strict JSON reader of json.h: recursive descent over the bytes, values in one arena
 * per document, strings decoded (escapes, surrogate pairs) and UTF-8 checked. */
#include "prover/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h" /* status codes */

/* ---- arena ------------------------------------------------------------------------------------------ */

typedef struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[]; /* aligned storage for nodes and strings */
} block_t;

struct json_doc {
    block_t *blocks;
    json_value_t root;
};

static void *arena_alloc(json_doc_t *doc, size_t n) {
    n = (n + 15) & ~(size_t)15;
    block_t *b = doc->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > (64u << 10) ? n : (64u << 10);
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = doc->blocks;
        b->used = 0;
        b->cap = cap;
        doc->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

void json_free(json_doc_t *doc) {
    if (!doc) return;
    block_t *b = doc->blocks;
    while (b) {
        block_t *next = b->next;
        free(b);
        b = next;
    }
    free(doc);
}

const json_value_t *json_root(const json_doc_t *doc) { return doc ? &doc->root : NULL; }

/* ---- parser ----------------------------------------------------------------------------------------- */

typedef struct {
    const unsigned char *s;
    size_t len, pos, depth, values;
    json_limits_t lim;
    json_doc_t *doc;
    json_error_t *err;
    int status; /* ZBP_OK until the first error, which is the one reported */
} parser_t;

void json_position(const char *text, size_t len, size_t offset, size_t *line, size_t *column) {
    size_t l = 1, c = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *column = c;
}

static int fail(parser_t *p, int status, size_t at, const char *msg) {
    if (p->status == ZBP_OK) {
        p->status = status;
        if (p->err) {
            p->err->offset = at;
            json_position((const char *)p->s, p->len, at, &p->err->line, &p->err->column);
            snprintf(p->err->message, sizeof p->err->message, "%s", msg);
        }
    }
    return p->status;
}

static void skip_ws(parser_t *p) {
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static int parse_value(parser_t *p, json_value_t *v);

static int hex4(const unsigned char *s, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c == 0xe0) n = 3, lo = 0xa0;
    else if (c >= 0xe1 && c <= 0xec) n = 3;
    else if (c == 0xed) n = 3, hi = 0x9f;
    else if (c >= 0xee && c <= 0xef) n = 3;
    else if (c == 0xf0) n = 4, lo = 0x90;
    else if (c >= 0xf1 && c <= 0xf3) n = 4;
    else if (c == 0xf4) n = 4, hi = 0x8f;
    else return 0;
    if (avail < n) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return n;
}

/* At an opening quote. Decodes into the arena: the decoded form is never longer than the raw
 * text, so the raw length bounds the allocation. */
static int parse_string(parser_t *p, const char **out, size_t *out_len) {
    size_t start = p->pos + 1, end = start;
    while (end < p->len && p->s[end] != '"') end += (p->s[end] == '\\') ? 2 : 1;
    if (end >= p->len) return fail(p, ZBP_ERR_INPUT, p->pos, "unterminated string");
    char *o = arena_alloc(p->doc, end - start + 1);
    if (!o) return fail(p, ZBP_ERR_NOMEM, p->pos, "out of memory");
    size_t n = 0, i = start;
    while (i < end) {
        unsigned char c = p->s[i];
        if (c < 0x20) return fail(p, ZBP_ERR_INPUT, i, "control character in a string");
        if (c == '\\') {
            unsigned char e = p->s[i + 1];
            unsigned cp;
            switch (e) {
            case '"': o[n++] = '"'; i += 2; continue;
            case '\\': o[n++] = '\\'; i += 2; continue;
            case '/': o[n++] = '/'; i += 2; continue;
            case 'b': o[n++] = '\b'; i += 2; continue;
            case 'f': o[n++] = '\f'; i += 2; continue;
            case 'n': o[n++] = '\n'; i += 2; continue;
            case 'r': o[n++] = '\r'; i += 2; continue;
            case 't': o[n++] = '\t'; i += 2; continue;
            case 'u':
                if (end - i < 6 || !hex4(p->s + i + 2, &cp))
                    return fail(p, ZBP_ERR_INPUT, i, "bad \\u escape");
                if (cp >= 0xdc00 && cp <= 0xdfff)
                    return fail(p, ZBP_ERR_INPUT, i, "unpaired low surrogate");
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    unsigned lo;
                    if (end - i < 12 || p->s[i + 6] != '\\' || p->s[i + 7] != 'u' ||
                        !hex4(p->s + i + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
                        return fail(p, ZBP_ERR_INPUT, i, "unpaired high surrogate");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
                n += put_utf8(o + n, cp);
                i += 6;
                continue;
            default:
                return fail(p, ZBP_ERR_INPUT, i, "unknown escape in a string");
            }
        }
        size_t k = utf8_len(p->s + i, end - i);
        if (!k) return fail(p, ZBP_ERR_INPUT, i, "invalid UTF-8 in a string");
        memcpy(o + n, p->s + i, k);
        n += k;
        i += k;
    }
    o[n] = '\0';
    *out = o;
    *out_len = n;
    p->pos = end + 1;
    return ZBP_OK;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int parse_number(parser_t *p, json_value_t *v) {
    size_t i = p->pos;
    const unsigned char *s = p->s;
    if (i < p->len && s[i] == '-') i++;
    if (i >= p->len || !is_digit(s[i])) return fail(p, ZBP_ERR_INPUT, i, "expected a digit");
    if (s[i] == '0') {
        i++;
        if (i < p->len && is_digit(s[i])) return fail(p, ZBP_ERR_INPUT, i, "leading zero in a number");
    } else {
        while (i < p->len && is_digit(s[i])) i++;
    }
    if (i < p->len && s[i] == '.') {
        i++;
        if (i >= p->len || !is_digit(s[i])) return fail(p, ZBP_ERR_INPUT, i, "expected a digit after '.'");
        while (i < p->len && is_digit(s[i])) i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= p->len || !is_digit(s[i])) return fail(p, ZBP_ERR_INPUT, i, "expected a digit in an exponent");
        while (i < p->len && is_digit(s[i])) i++;
    }
    size_t n = i - p->pos;
    char *t = arena_alloc(p->doc, n + 1);
    if (!t) return fail(p, ZBP_ERR_NOMEM, p->pos, "out of memory");
    memcpy(t, s + p->pos, n);
    t[n] = '\0';
    v->type = JSON_NUMBER;
    v->len = n;
    v->u.str = t;
    p->pos = i;
    return ZBP_OK;
}

/* A growable vector of children, copied into the arena when its container closes. */
typedef struct {
    void *data;
    size_t n, cap, size;
} vec_t;

static void *vec_push(vec_t *v) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 8;
        void *d = realloc(v->data, cap * v->size);
        if (!d) return NULL;
        v->data = d;
        v->cap = cap;
    }
    return (char *)v->data + v->size * v->n++;
}

static const void *vec_finish(parser_t *p, vec_t *v) {
    if (v->n == 0) return NULL;
    void *d = arena_alloc(p->doc, v->n * v->size);
    if (d) memcpy(d, v->data, v->n * v->size);
    return d;
}

static int cmp_member_ptr(const void *a, const void *b) {
    const json_member_t *x = *(const json_member_t *const *)a, *y = *(const json_member_t *const *)b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Duplicate keys: pairwise for small objects, by sorting pointers for large ones (a crafted
 * object with a million keys must not cost 10^12 comparisons). Returns the later duplicate. */
static const json_member_t *find_duplicate(const json_member_t *m, size_t n, int *nomem) {
    *nomem = 0;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (m[i].key_len == m[j].key_len && !memcmp(m[i].key, m[j].key, m[i].key_len))
                    return &m[i];
        return NULL;
    }
    const json_member_t **ptr = malloc(n * sizeof *ptr);
    if (!ptr) {
        *nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) ptr[i] = &m[i];
    qsort(ptr, n, sizeof *ptr, cmp_member_ptr);
    const json_member_t *dup = NULL;
    for (size_t i = 1; i < n && !dup; i++)
        if (!cmp_member_ptr(&ptr[i - 1], &ptr[i])) dup = ptr[i] > ptr[i - 1] ? ptr[i] : ptr[i - 1];
    free(ptr);
    return dup;
}

static int parse_array(parser_t *p, json_value_t *v) {
    vec_t vec = {NULL, 0, 0, sizeof(json_value_t)};
    p->pos++; /* '[' */
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
    } else {
        for (;;) {
            json_value_t *item = vec_push(&vec);
            if (!item) {
                free(vec.data);
                return fail(p, ZBP_ERR_NOMEM, p->pos, "out of memory");
            }
            if (parse_value(p, item) != ZBP_OK) {
                free(vec.data);
                return p->status;
            }
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->pos < p->len && p->s[p->pos] == ']') {
                p->pos++;
                break;
            }
            free(vec.data);
            return fail(p, ZBP_ERR_INPUT, p->pos, "expected ',' or ']' after an array element");
        }
    }
    v->type = JSON_ARRAY;
    v->len = vec.n;
    v->u.items = vec_finish(p, &vec);
    free(vec.data);
    if (vec.n && !v->u.items) return fail(p, ZBP_ERR_NOMEM, v->offset, "out of memory");
    return ZBP_OK;
}

static int parse_object(parser_t *p, json_value_t *v) {
    vec_t vec = {NULL, 0, 0, sizeof(json_member_t)};
    p->pos++; /* '{' */
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
    } else {
        for (;;) {
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != '"') {
                free(vec.data);
                return fail(p, ZBP_ERR_INPUT, p->pos, "expected a string key");
            }
            json_member_t *m = vec_push(&vec);
            if (!m) {
                free(vec.data);
                return fail(p, ZBP_ERR_NOMEM, p->pos, "out of memory");
            }
            if (parse_string(p, &m->key, &m->key_len) != ZBP_OK) {
                free(vec.data);
                return p->status;
            }
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                free(vec.data);
                return fail(p, ZBP_ERR_INPUT, p->pos, "expected ':' after a key");
            }
            p->pos++;
            if (parse_value(p, &m->value) != ZBP_OK) {
                free(vec.data);
                return p->status;
            }
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->pos < p->len && p->s[p->pos] == '}') {
                p->pos++;
                break;
            }
            free(vec.data);
            return fail(p, ZBP_ERR_INPUT, p->pos, "expected ',' or '}' after an object member");
        }
    }
    int nomem;
    const json_member_t *dup = find_duplicate(vec.data, vec.n, &nomem);
    if (nomem || dup) {
        /* the key's text starts one byte before its value's whitespace; report the value */
        size_t at = dup ? dup->value.offset : v->offset;
        free(vec.data);
        return nomem ? fail(p, ZBP_ERR_NOMEM, v->offset, "out of memory")
                     : fail(p, ZBP_ERR_INPUT, at, "duplicate key in an object");
    }
    v->type = JSON_OBJECT;
    v->len = vec.n;
    v->u.members = vec_finish(p, &vec);
    free(vec.data);
    if (vec.n && !v->u.members) return fail(p, ZBP_ERR_NOMEM, v->offset, "out of memory");
    return ZBP_OK;
}

static int parse_literal(parser_t *p, json_value_t *v, const char *word, json_type_t t) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail(p, ZBP_ERR_INPUT, p->pos, "unexpected character");
    p->pos += n;
    v->type = t;
    v->len = 0;
    v->u.str = NULL;
    return ZBP_OK;
}

static int parse_value(parser_t *p, json_value_t *v) {
    skip_ws(p);
    if (p->pos >= p->len) return fail(p, ZBP_ERR_INPUT, p->pos, "unexpected end of input");
    if (++p->values > p->lim.max_values) return fail(p, ZBP_ERR_RANGE, p->pos, "too many values");
    v->offset = p->pos;
    unsigned char c = p->s[p->pos];
    switch (c) {
    case '{':
    case '[': {
        if (++p->depth > p->lim.max_depth) return fail(p, ZBP_ERR_RANGE, p->pos, "nested too deeply");
        int st = c == '{' ? parse_object(p, v) : parse_array(p, v);
        p->depth--;
        return st;
    }
    case '"':
        v->type = JSON_STRING;
        return parse_string(p, &v->u.str, &v->len);
    case 't': return parse_literal(p, v, "true", JSON_TRUE);
    case 'f': return parse_literal(p, v, "false", JSON_FALSE);
    case 'n': return parse_literal(p, v, "null", JSON_NULL);
    default:
        if (c == '-' || is_digit(c)) return parse_number(p, v);
        return fail(p, ZBP_ERR_INPUT, p->pos, "unexpected character");
    }
}

int json_parse(json_doc_t **out, const char *text, size_t len, const json_limits_t *limits,
               json_error_t *err) {
    parser_t p;
    memset(&p, 0, sizeof p);
    p.s = (const unsigned char *)text;
    p.len = len;
    p.err = err;
    p.lim.max_depth = limits && limits->max_depth ? limits->max_depth : 64;
    p.lim.max_bytes = limits && limits->max_bytes ? limits->max_bytes : (64u << 20);
    p.lim.max_values = limits && limits->max_values ? limits->max_values : (16u << 20);
    *out = NULL;
    if (err) memset(err, 0, sizeof *err);
    if (len > p.lim.max_bytes) return fail(&p, ZBP_ERR_RANGE, 0, "document larger than the limit");
    if (!text && len) return fail(&p, ZBP_ERR_INPUT, 0, "no input");
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        return fail(&p, ZBP_ERR_INPUT, 0, "byte order mark before the document");
    p.doc = calloc(1, sizeof *p.doc);
    if (!p.doc) return fail(&p, ZBP_ERR_NOMEM, 0, "out of memory");
    skip_ws(&p);
    if (p.pos >= p.len) {
        fail(&p, ZBP_ERR_INPUT, p.pos, "empty document");
    } else if (parse_value(&p, &p.doc->root) == ZBP_OK) {
        skip_ws(&p);
        if (p.pos < p.len) fail(&p, ZBP_ERR_INPUT, p.pos, "unexpected text after the document");
    }
    if (p.status != ZBP_OK) {
        json_free(p.doc);
        return p.status;
    }
    *out = p.doc;
    return ZBP_OK;
}

/* ---- lookups ---------------------------------------------------------------------------------------- */

const json_value_t *json_get(const json_value_t *obj, const char *key) {
    if (!obj || obj->type != JSON_OBJECT) return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->len; i++) {
        const json_member_t *m = &obj->u.members[i];
        if (m->key_len == n && !memcmp(m->key, key, n)) return &m->value;
    }
    return NULL;
}

const json_value_t *json_at(const json_value_t *arr, size_t i) {
    if (!arr || arr->type != JSON_ARRAY || i >= arr->len) return NULL;
    return &arr->u.items[i];
}

int json_string_is(const json_value_t *v, const char *s) {
    return v && v->type == JSON_STRING && v->len == strlen(s) && !memcmp(v->u.str, s, v->len);
}

const char *json_type_name(json_type_t t) {
    static const char *names[] = {"null", "false", "true", "number", "string", "array", "object"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

int json_get_u64(const json_value_t *v, uint64_t *out) {
    if (!v || v->type != JSON_NUMBER || v->len == 0 || v->u.str[0] == '-') return ZBP_ERR_INPUT;
    uint64_t x = 0;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->u.str[i];
        if (c < '0' || c > '9') return ZBP_ERR_INPUT; /* a fraction or an exponent */
        unsigned d = (unsigned)(c - '0');
        if (x > (UINT64_MAX - d) / 10) return ZBP_ERR_RANGE;
        x = x * 10 + d;
    }
    *out = x;
    return ZBP_OK;
}
