/* cmd_info.c: `zbprover info <file>`: a summary of a file, chosen by what the file is. Today it
 * knows SEV-SNP attestation reports (1184 bytes, version 2 or later); the prover issue adds
 * .zkey, .wtns and .r1cs, recognised by their 4-byte magic. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

int cmd_info(int argc, char **argv) {
    if (argc != 2) {
        cli_error("usage: zbprover info <file>");
        return EXIT_BAD_INPUT;
    }
    const char *path = argv[1];
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: cannot read the file", path);
        return EXIT_BAD_INPUT;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: not a regular file", path);
        return EXIT_BAD_INPUT;
    }
    FILE *f = fopen(path, "rb");
    unsigned char magic[4] = {0};
    size_t got = f ? fread(magic, 1, 4, f) : 0;
    if (f) fclose(f);
    if (got == 4 && (!memcmp(magic, "zkey", 4) || !memcmp(magic, "wtns", 4) || !memcmp(magic, "r1cs", 4))) {
        cli_error("%s: a .%.4s file; this build summarises SEV-SNP reports only", path, (const char *)magic);
        return EXIT_BAD_INPUT;
    }
    return cmd_info_report(path);
}
