/* json.h: the project's one JSON module, over jansson (Debian's libjansson): a strict reader for
 * the prover's files, the job loop's requests and snarkjs's input JSON, and the writers of
 * snarkjs's layout (proof.json, public.json, verification_key.json) and of compact one-line text.
 *
 * Reading: jansson with JSON_REJECT_DUPLICATES (a duplicate key is an error), JSON_DECODE_ANY and
 * JSON_ALLOW_NUL, behind a linear pre-scan that enforces the depth and value limits and keeps
 * numbers exact: a number that is a plain integer of at most 18 digits becomes a jansson integer;
 * every other number (longer, fractional, with an exponent) becomes an "exact number", a string
 * whose first byte is NUL followed by the number's text as written (jansson itself would fail on
 * integers past 64 bits and round fractions to doubles). No real ever appears in a parsed tree.
 * A string value whose text begins with \u0000 is refused, so the two cannot be confused.
 * Every block jansson frees is wiped first (requests carry witnesses). The first parse also seeds
 * jansson's hash function (from /dev/urandom): a process that later enters a sandbox refusing
 * open() should parse once, or call json_object_seed, before it does. */
#ifndef ZBP_PROVER_JSON_H
#define ZBP_PROVER_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the reader accepts. Zero fields take the defaults in brackets. */
typedef struct {
    size_t max_depth;  /* nesting of arrays and objects [64] */
    size_t max_bytes;  /* input size [64 MiB] */
    size_t max_values; /* total number of values and keys in the document [16 Mi] */
} zbp_json_limits_t;

/* Where and why parsing failed: offset is a byte offset into the caller's text, line and column
 * count from 1 (the column in bytes, at the last byte read); message is jansson's phrase, e.g.
 * "duplicate object key near '\"a\"'", or the pre-scan's ("nested too deeply"). */
typedef struct {
    size_t offset, line, column;
    char message[160];
} zbp_json_error_t;

/* Parses text[0..len) (no terminator needed): one value, then only whitespace. Returns ZBP_OK and
 * *out (json_decref it, or zbp_json_wipe_free), or ZBP_ERR_INPUT (malformed), ZBP_ERR_RANGE (a
 * limit exceeded) or ZBP_ERR_NOMEM with *err filled (err may be NULL) and *out = NULL. */
int zbp_json_parse(json_t **out, const char *text, size_t len, const zbp_json_limits_t *limits,
                   zbp_json_error_t *err);

/* The text of an exact number (see above), or NULL when v is not one. */
const char *zbp_json_number_text(const json_t *v, size_t *len);
/* 1 when v is a number: a jansson integer or an exact number. */
int zbp_json_is_number(const json_t *v);
/* A real string's bytes (NULL for anything else, exact numbers included); *len may be NULL. */
const char *zbp_json_str(const json_t *v, size_t *len);
/* 1 when v is a string equal to s. */
int zbp_json_string_is(const json_t *v, const char *s);
/* "null", "false", "true", "number", "string", "array", "object" ("missing" for NULL). */
const char *zbp_json_type_name(const json_t *v);
/* A non-negative integer without fraction or exponent that fits in uint64: ZBP_OK; ZBP_ERR_INPUT
 * if v is not such a number, ZBP_ERR_RANGE if it is too large. */
int zbp_json_get_u64(const json_t *v, uint64_t *out);
/* Every string, key and number under v overwritten with zeros (secrets in a request). */
void zbp_json_wipe(json_t *v);

/* ---- writing ----
 * A string value for text that should be UTF-8 (a message cut inside a character, a name from a
 * certificate): as is when it is, else with every byte above ASCII as '?'. NULL: out of memory. */
json_t *zbp_json_text(const char *s, size_t n);
/* snarkjs's layout: Python's json.dumps(indent=1) (1-space indent, "key": value, no trailing
 * newline), except that an empty container is "[\n<indent>]" as snarkjs's bfj writes it.
 * Compact: one line, no spaces. Reals with 15 significant digits (milliseconds rounded to 3
 * decimals print without binary noise). Both malloc'ed (NULL when out of memory); *len may be NULL. */
char *zbp_json_dump_snarkjs(const json_t *v, size_t *len);
char *zbp_json_dump_compact(const json_t *v, size_t *len);
/* One line in Python's json.dumps() default layout (", " and ": "): the CLI's --json output. */
char *zbp_json_dump_line(const json_t *v, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
