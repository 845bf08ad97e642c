/* cmd_version.c: `zbprover --version`: the version and the compiled-in and chosen paths. */
#include <omp.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "field/field.h"
#include "zbp_config.h"

static const cli_cmd_t version_cmd = {
    "version", "", "The version, the ISA paths compiled in and chosen, CUDA, threads (also: --version).",
    {NULL}, 0, 0};

int cmd_version(int argc, char **argv) {
    int first = 0, rc = cli_parse(&version_cmd, argc, argv, NULL, NULL, &first);
    if (rc) return cli_exit(rc);
    printf("zbprover %s (%s, %s)\n", ZBP_VERSION, ZBP_BUILD_TYPE, ZBP_C_COMPILER);
    printf("field paths: ");
    for (int i = 0; i < ZBP_ISA_COUNT; i++)
        printf("%s%s%s", i ? ", " : "", zbp_isa_name((zbp_isa_t)i),
               zbp_isa_supported((zbp_isa_t)i) ? "" : " (not on this CPU)");
    printf("\nselected: scalar %s, batch %s\n", zbp_isa_name(zbp_field_scalar_isa()),
           zbp_isa_name(zbp_field_batch_isa()));
    printf("cuda: %s\n", ZBP_HAVE_CUDA ? "compiled in" : "no");
    printf("openmp threads: %d\n", omp_get_max_threads());
    return 0;
}
