/* attest_policy.h: inside the cli room: the report-policy flags that `attest verify` and
 * `check-bundle` share (certificates, CRLs, trust root, TCB, launch identity, platform),
 * parsed once. */
#ifndef ZBP_CLI_ATTEST_POLICY_H
#define ZBP_CLI_ATTEST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/attest.h"
#include "cli/opts.h"

/* The shared flags (certificates, CRLs, trust root, TCB, launch identity), and the platform
 * flags (PLATFORM_INFO bits, v5 mitigation vectors), a table of their own for their own heading;
 * both commands take both. Their keys lie in CLI_POLICY_KEY0 .. CLI_POLICY_KEY_END. */
#define CLI_POLICY_KEY0 (CLI_KEY0 + 100)
#define CLI_POLICY_KEY_END (CLI_KEY0 + 140)
extern const cli_opt_t cli_policy_opts[];
extern const cli_opt_t cli_platform_opts[];

typedef struct {
    snp_policy_t p; /* points into the buffers below */
    uint8_t host_data[32], family_id[16], image_id[16];
    uint8_t (*digests[3])[48]; /* measurements, ID-key and author-key digests (malloc'd) */
    size_t n_digests[3], cap_digests[3];
    const char *certs[16], *crls[16];
    size_t n_certs, n_crls;
} cli_policy_t;

void cli_policy_init(cli_policy_t *c);
void cli_policy_free(cli_policy_t *c);
/* One of the tables' options (a key in CLI_POLICY_KEY0..END) with its value: 0, or
 * EXIT_BAD_INPUT after one line saying why the value is bad. cmd names the command. */
int cli_policy_apply(cli_policy_t *c, int key, const char *v, const char *cmd);
static inline int cli_policy_key(int key) {
    return key >= CLI_POLICY_KEY0 && key < CLI_POLICY_KEY_END;
}
/* Every --certs and --crl into certs; 0, or the exit status after printing the error. */
int cli_policy_load(const cli_policy_t *c, snp_certs_t *certs);

/* Hex (optional 0x) into at most max bytes; *len gets the count. 0, or -1 when not hex. */
int cli_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len);
/* A whole file of at most max bytes into *out (malloc'd, NUL after it); 0, or the exit status
 * after printing the error. */
int cli_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
