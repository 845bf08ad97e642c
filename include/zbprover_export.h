/* zbprover_export.h: ZBPROVER_API, the one mark of libzbprover's public face.
 *
 * The library is compiled with hidden visibility (-fvisibility=hidden): only functions declared
 * with this mark, in this directory's headers, are in the shared library's dynamic symbol table.
 * Everything else stays inside, whatever its name. */
#ifndef ZBPROVER_EXPORT_H
#define ZBPROVER_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define ZBPROVER_API __attribute__((visibility("default")))
#else
#define ZBPROVER_API
#endif

#endif
