/* attest_policy.h: inside the cli room: the report-policy flags that `attest verify` and
 * `check-bundle` share (certificates, CRLs, trust root, TCB, launch identity), parsed once. */
#ifndef ZBP_CLI_ATTEST_POLICY_H
#define ZBP_CLI_ATTEST_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/attest.h"

#define CLI_POLICY_USAGE                                                                           \
    "certificates: --certs DIR|FILE (repeatable: ARK, ASK/ASVK, VCEK/VLEK, CRLs)\n"                \
    "              --crl FILE (repeatable; PEM or DER) --require-crl --trust-root PEM\n"           \
    "              --product Milan|Genoa|Turin --at UNIX-TIME\n"                                   \
    "TCB:          --min-tcb auto|auto:YYYY-MM-DD|bl=N,tee=N,snp=N,ucode=N[,fmc=N]\n"              \
    "              --allow-provisional\n"                                                          \
    "guest:        --vmpl N --allow-debug --allow-migrate-ma --host-data HEX\n"                    \
    "              --measurement HEX (repeatable) --measurement-file FILE\n"                       \
    "              --id-key-digest HEX --author-key-digest HEX (repeatable)\n"                     \
    "              --family-id HEX --image-id HEX --min-guest-svn N\n"

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
/* argv[*i] as one of the shared flags: 1 when it was (its value consumed, *i advanced), 0 when it
 * is not one of them, -1 after printing why its value is bad. cmd names the command. */
int cli_policy_opt(cli_policy_t *c, int argc, char **argv, int *i, const char *cmd);
/* Every --certs and --crl into certs; 0, or the exit status after printing the error. */
int cli_policy_load(const cli_policy_t *c, snp_certs_t *certs);

/* "--name value" or "--name=value"; advances *i past what it used; *out is NULL when the value
 * is missing. */
bool cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out);
/* Hex (optional 0x) into at most max bytes; *len gets the count. 0, or -1 when not hex. */
int cli_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len);
/* A whole file of at most max bytes into *out (malloc'd, NUL after it); 0, or the exit status
 * after printing the error. */
int cli_read_file(const char *path, size_t max, char **out, size_t *len);
/* A decimal in lo..hi. 0, or -1. */
int cli_parse_int(const char *s, long long lo, long long hi, long long *out);

#endif
