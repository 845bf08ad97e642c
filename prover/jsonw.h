/* jsonw.h: inside the prover room: a small JSON text builder that writes Python's
 * json.dumps(indent=1) layout, which is what snarkjs writes (1-space indent, "key": value, no
 * trailing newline; one difference: an empty container is "[\n]", as snarkjs's bfj writes it),
 * and atomic file output (temporary file, fsync, rename). */
#ifndef ZBP_JSONW_H
#define ZBP_JSONW_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int depth;
    int first[64]; /* per depth: no element written yet */
    int after_key; /* the next value follows "key": on the same line */
    int failed;    /* an allocation failed: the text is incomplete */
} jsonw_t;

void jsonw_init(jsonw_t *w);
void jsonw_free(jsonw_t *w);
void jsonw_begin_object(jsonw_t *w);
void jsonw_end_object(jsonw_t *w);
void jsonw_begin_array(jsonw_t *w);
void jsonw_end_array(jsonw_t *w);
void jsonw_key(jsonw_t *w, const char *key);
void jsonw_string(jsonw_t *w, const char *s); /* escapes as needed */
void jsonw_raw(jsonw_t *w, const char *text); /* a number or literal, as given */
void jsonw_uint(jsonw_t *w, unsigned long long v);

/* Writes len bytes to path atomically: a temporary file with an unpredictable name (mkstemp) in
 * the same directory, fsync, rename, fsync of the directory. The file gets mode 0644, or mode
 * with the _mode form. Returns 0, or -1 with errno set; on failure nothing is left beside path
 * (a failure of the final directory sync leaves the new file in place). */
int zbp_write_file_atomic(const char *path, const void *data, size_t len);
int zbp_write_file_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);

#endif
