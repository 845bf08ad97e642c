/* json.h: a small strict JSON reader (RFC 8259) for the prover's files and the job loop's requests:
 * parses a whole document into a read-only tree, with depth and size limits and error positions. */
#ifndef ZBP_PROVER_JSON_H
#define ZBP_PROVER_JSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
} json_type_t;

typedef struct json_value json_value_t;
typedef struct json_member json_member_t;

/* One node. Everything it points to lives in its document and dies with json_free. */
struct json_value {
    json_type_t type;
    size_t offset; /* byte offset of the value's first character in the input */
    size_t len;    /* STRING: decoded byte length; NUMBER: text length; ARRAY, OBJECT: entries */
    union {
        const char *str;         /* STRING: decoded UTF-8 (may contain NUL if the text had \u0000);
                                    NUMBER: the number's text as written. Both NUL-terminated. */
        const json_value_t *items;    /* ARRAY */
        const json_member_t *members; /* OBJECT, in document order; keys are unique */
    } u;
};

struct json_member {
    const char *key; /* decoded, NUL-terminated */
    size_t key_len;
    json_value_t value;
};

/* What the parser accepts. Zero fields take the defaults in brackets. */
typedef struct {
    size_t max_depth;  /* nesting of arrays and objects [64] */
    size_t max_bytes;  /* input size [64 MiB] */
    size_t max_values; /* total number of values in the document [16 Mi] */
} json_limits_t;

/* Where and why parsing failed: offset is a byte offset, line and column count from 1 (the column
 * in bytes). message is one short phrase, e.g. "expected ',' or ']' after an array element". */
typedef struct {
    size_t offset, line, column;
    char message[120];
} json_error_t;

typedef struct json_doc json_doc_t;

/* Parses text[0..len) (no terminator needed). Strict: one value, then only whitespace; no
 * comments, trailing commas, BOM, leading zeros, NaN, control characters in strings, invalid UTF-8
 * or unpaired surrogates; duplicate keys in an object are an error. Returns ZBP_OK and *out, or
 * ZBP_ERR_INPUT (malformed), ZBP_ERR_RANGE (a limit exceeded) or ZBP_ERR_NOMEM with *err filled
 * (err may be NULL) and *out = NULL. limits may be NULL. */
int json_parse(json_doc_t **out, const char *text, size_t len, const json_limits_t *limits,
               json_error_t *err);
const json_value_t *json_root(const json_doc_t *doc);
void json_free(json_doc_t *doc);

/* Lookups: NULL when v is not of the right type or the entry is missing. */
const json_value_t *json_get(const json_value_t *obj, const char *key);
const json_value_t *json_at(const json_value_t *arr, size_t i);
/* 1 when v is a string equal to s (no embedded NUL in s). */
int json_string_is(const json_value_t *v, const char *s);
const char *json_type_name(json_type_t t); /* "null", "false", ..., "object" */
/* A NUMBER that is a non-negative integer written without fraction or exponent and fits in
 * uint64: ZBP_OK; ZBP_ERR_INPUT if v is not such a number, ZBP_ERR_RANGE if it is too large. */
int json_get_u64(const json_value_t *v, uint64_t *out);
/* The line and column (from 1) of a byte offset, for messages about a value's position. */
void json_position(const char *text, size_t len, size_t offset, size_t *line, size_t *column);

#ifdef __cplusplus
}
#endif

#endif
