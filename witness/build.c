/* build.c: a circom witness program (.wasm) into a shared object: wasm2c translates it to C (module
 * name `m`), the module's header is checked for circom's exports and for imports the glue provides
 * (anything else is "not a circom witness program"), and the system C compiler builds the
 * translation, the glue (glue.c) and wasm2c's runtime into one object. wasm2c's default keeps the
 * module's memory bounds-checked (guard pages and a SIGSEGV handler that traps). Objects are cached
 * by the wasm's SHA-256 and the glue's tag; every file is written to a temporary name and renamed,
 * so concurrent builders never see a partial object. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "field/field.h"
#include "witness/glue.h"
#include "witness/witness.h"
#include "prover/util.h"

extern char **environ;

#define WABT_RUNTIME_DIR "/usr/share/wabt/wasm2c"
/* -w: the translation is machine-written; its warnings say nothing to a user. */
static const char *const CC_FLAGS[] = {"-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-w"};

void zbp_witness_opts_init(zbp_witness_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->memory_limit = 8ull << 30;
    o->time_limit_s = 600;
}

/* The file's bytes (malloc'ed) and SHA-256. */
static int read_file(const char *path, uint8_t **data, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return ZBP_ERR_IO;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            snprintf(err, errlen, "%s: out of memory", path);
            return ZBP_ERR_NOMEM;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) free(buf);
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "%s: cannot read", path);
        return ZBP_ERR_IO;
    }
    *data = buf;
    *len = n;
    return ZBP_OK;
}

static void sha256_hex(const uint8_t *d, size_t n, char out[65]) {
    uint8_t md[32];
    unsigned mdlen = 0;
    EVP_Digest(d, n, md, &mdlen, EVP_sha256(), NULL);
    zbp_hex_encode(out, md, 32);
}

/* The wasm's SHA-256, after checking that it is a WebAssembly module at all. */
static int wasm_sha256(const char *wasm_path, char out[65], char *err, size_t errlen) {
    uint8_t *d;
    size_t n;
    int st = read_file(wasm_path, &d, &n, err, errlen);
    if (st != ZBP_OK) return st == ZBP_ERR_IO ? ZBP_ERR_INPUT : st; /* the user's file */
    if (n < 8 || memcmp(d, "\0asm\1\0\0\0", 8)) {
        free(d);
        snprintf(err, errlen, "%s: not a circom witness program (not a WebAssembly module)", wasm_path);
        return ZBP_ERR_INPUT;
    }
    sha256_hex(d, n, out);
    free(d);
    return ZBP_OK;
}

/* Fr_F1m_mul, the module's hot path, is replaced by the glue's native version when the module's
 * translation has the shape that version reproduces: circom's 8-word (256-bit) product scanning
 * with its modulus at a constant address and the final subtraction through Fr_int_sub/Fr_int_gte.
 * The module's own function is renamed (left unused); anything unexpected keeps it. ZBP_WITNESS_
 * NATIVE=0 keeps it always (for comparison). Returns 1 when replaced, with q's address in *q_addr. */
#define MUL_DEF "static void w2c_Fr_F1m_mul(Z_m_instance_t* instance, u32 w2c_x, u32 w2c_y, u32 w2c_r) {\n"
static int native_mul_wanted(void) {
    const char *e = getenv("ZBP_WITNESS_NATIVE");
    return !(e && !strcmp(e, "0"));
}

/* The translation's text, NUL-terminated (free() it), or NULL. */
static char *read_text(const char *path, size_t *n) {
    uint8_t *d;
    char e[200];
    if (read_file(path, &d, n, e, sizeof e) != ZBP_OK) return NULL;
    char *text = realloc(d, *n + 1);
    if (!text) {
        free(d);
        return NULL;
    }
    text[*n] = 0;
    return text;
}

static int patch_mul(const char *c_path, unsigned long *q_addr) {
    if (!native_mul_wanted()) return 0;
    size_t n;
    char *text = read_text(c_path, &n);
    if (!text) return 0;
    int ok = 0;
    char *def = strstr(text, MUL_DEF);
    char *end = def ? strstr(def, "\n}\n") : NULL;
    if (end) {
        *end = 0; /* the body alone, for the checks */
        const char *q0 = strstr(def, "  w2c_q0 = w2c_j1;\n");
        unsigned long off = 0;
        /* q's first word: `w2c_i1 = 0u;` then a load at 0 + off, just before w2c_q0 is set */
        const char *ld = q0 ? q0 - 1 : NULL;
        while (ld && ld > def && *ld != '+') ld--;
        char tail[160];
        ok = q0 && ld > def && sscanf(ld, "+ %luu);", &off) == 1 && strstr(def, "w2c_x7") &&
             !strstr(def, "w2c_x8");
        if (ok) {
            snprintf(tail, sizeof tail, "w2c_i1 = %luu;\n    w2c_i2 = w2c_r;\n    w2c_i0 = w2c_Fr_int_sub(", off);
            ok = strstr(def, tail) != NULL;
            snprintf(tail, sizeof tail, "w2c_i0 = w2c_Fr_int_gte(instance, w2c_i0, w2c_i1);");
            ok = ok && strstr(def, tail) != NULL;
        }
        *end = '\n';
        if (ok) {
            memcpy(def + strlen("static void "), "zbpw_wasm_F1m_", strlen("zbpw_wasm_F1m_"));
            /* "w2c_Fr_F1m_mul" and "zbpw_wasm_F1m_" are the same length: 14 characters */
            FILE *f = fopen(c_path, "w");
            ok = f && fwrite(text, 1, n, f) == n;
            if (f && fclose(f) != 0) ok = 0;
            *q_addr = off;
        }
    }
    free(text);
    return ok;
}

/* circom's Fr runtime functions that the glue's natives (glue_fr.c) replace: each translated text
 * (wasm2c 1.0.32 of the ffwasm code circom 2.1 emits for BN254, definition line to closing brace)
 * by its SHA-256. The natives were written from exactly these texts, so only a module whose every
 * one matches gets them (all or none: they call each other); the module's own are renamed w2c_ ->
 * zbw_ (same length, edited in place), kept for the natives' fallbacks and the self-test. */
static const struct {
    const char *name, *sha256;
} FR_FUNCS[] = {
    {"Fr_int_copy", "c9ff2440b7c911c8fa36641c196437229a10e1aa4d2c79c8adf4fec6f3f0f652"},
    {"Fr_int_zero", "e14f7459bc0cc37c2f2c514b390b84718ad20544c4807110175f7c01b7b57415"},
    {"Fr_int_isZero", "4380ca0159010c41ece36f97bcb0f55088c923511983438253d372c7025e6555"},
    {"Fr_int_eq", "d0ad5b0818fcdbd0588637b7f1f7226a0c0cedda5b55d4d057ae40deb9c81615"},
    {"Fr_int_gt", "6ab6da4778a3baaf3c5b2a833be1fa59e09e497f3f679c35d0dae44ef62d2e6d"},
    {"Fr_int_gte", "0cb8af8d1bc26cc501cb06050e633ee8e259a643d6ebaaccc568640648bc3e86"},
    {"Fr_int_add", "ae01f1c1753b13210d4165f41078028972ef5e2b8a4e40463449c7ec21af873a"},
    {"Fr_int_sub", "a3bd8f215db82c31e9c38b151f5ec3d635c4af9b617fe452d6776a83b8d8130e"},
    {"Fr_F1m_add", "1b1d7b0f16ff5af354e96b24c477fd6d6b7aea0d43e04d4adb995bf2ffe4f60c"},
    {"Fr_F1m_sub", "6d54b770a18d282890354ea994e0a03702def0edf8975fe21b70b08280436f71"},
    {"Fr_F1m_neg", "61fd97541117292c7aae6549cdf4dae4c72e0fbe058bdf927a7dcce03f5bede7"},
    {"Fr_F1m_fromMontgomery", "4058537aa5331974ba1553b00ae959aff0bb5a120e53afc8283b9a92053d9a03"},
    {"Fr_copy", "08aa7f4cd3728661eb018eff36fe53061c83addbc64c031bcae6518f6c3d5429"},
    {"Fr_rawCopyS2L", "c1e476e6a16934ecbf323ba2093542ec1a74998b690d72ddaa740b3fdcd9ae17"},
    {"Fr_toMontgomery", "31e77bb10f20932394926f8ce5c652e85486bb53c571fd2bca5af103720e28be"},
    {"Fr_toNormal", "4d88b3473418642ba8081e46ed0c1d246be05001d86a19f6f18737c1a079ed68"},
    {"Fr_toLongNormal", "a25d7b6c483990fd82c760e2d69bd468bf4ce9238ca53c119b655327091b2f2c"},
    {"Fr_isNegative", "d99b00d7b85e190aa689d01cedd41fd4ebdf3b070e59393eaa2e710f8bce002a"},
    {"Fr_neg", "76362e699b6d438b57e86c55fc63c49c3206401fdc16837eb677e5200b05473b"},
    {"Fr_getLsb32", "7940641f9eb0c5fc476c08586691a8c8045a642b3983bdcd6d0e03f8db59ae46"},
    {"Fr_toInt", "e77cfbf42086069d0b23c2fa050165f52a37ac0cd9f22f8a5ae6b1114184503c"},
    {"Fr_isTrue", "634bd8c5201cb925382c9acf6426d50ae310050c2fbff2f970a3db406f5bab2d"},
    {"Fr_add", "8dcc23702c9f0eebc1355cc41c5320f434d7b9d111cbe4b55bde6eacf407d005"},
    {"Fr_sub", "aa86efe7b64a1105c7c1ed34470f8df8416453347e3ec3f62c7f289924d07ddf"},
    {"Fr_mul", "6c72dd227d2861ccf9b2ef03cefba9588f79973a252ce7e80bf24b35d0a089a5"},
    {"Fr_eqR", "8d41bf5d986473d4aa501b750e77e590b911e1bc530de9abafa527e395694d0e"},
    {"Fr_gtR", "50e10da9a3a09acdc290564268e07031652ff6183e41d46484d322d056cd8557"},
    {"Fr_eq", "9f7f1f693c308e77a1364f18fe837af03971eef212615db6ef24053a937111cd"},
    {"Fr_neq", "a81761de46c7aea2ea637554bfa2487d388a6a63788012b6d1cb04e62bbb547f"},
    {"Fr_gt", "0b4de0a36a6c8fd7b0ce5fca2e5532e429c1278254b4f675c1214c83c163d751"},
    {"Fr_geq", "d780176757d84adc0979692ceaabbdf220fea17ea676335170e5171ac6886043"},
    {"Fr_lt", "37e17c44f7d8ce81e872089b86b9f1d0dc92c1eb08b0a9842ac5f6a6690a7ff4"},
    {"Fr_leq", "1ca47932d5d8d5e87d229b07896b1f52cba9c24db2704961a72d8d00356cf8f9"},
};

static int patch_fr(const char *c_path) {
    if (!native_mul_wanted()) return 0;
    size_t n;
    char *text = read_text(c_path, &n);
    if (!text) return 0;
    enum { NF = sizeof FR_FUNCS / sizeof *FR_FUNCS };
    char *defs[NF];
    int ok = 1;
    for (size_t i = 0; ok && i < NF; i++) {
        char key[96], sha[65];
        snprintf(key, sizeof key, " w2c_%s(Z_m_instance_t* instance", FR_FUNCS[i].name);
        char *k = strstr(text, key), *start = k, *end = k ? strstr(k, "\n}\n") : NULL;
        ok = end && !strstr(k + 1, key);
        while (ok && start > text && start[-1] != '\n') start--;
        if (ok) {
            sha256_hex((const uint8_t *)start, (size_t)(end + 3 - start), sha);
            ok = !strcmp(sha, FR_FUNCS[i].sha256);
            defs[i] = k + 1;
        }
    }
    if (ok) {
        for (size_t i = 0; i < NF; i++) memcpy(defs[i], "zbw_", 4);
        FILE *f = fopen(c_path, "w");
        ok = f && fwrite(text, 1, n, f) == n;
        if (f && fclose(f) != 0) ok = 0;
    }
    free(text);
    return ok;
}

/* A tag for the glue and the flags: objects built by another glue are never reused. */
static void glue_tag(char out[13]) {
    char h[65];
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t md[32];
    unsigned mdlen = 0;
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, zbpw_glue_source, strlen(zbpw_glue_source));
    EVP_DigestUpdate(c, zbpw_glue_fr_source, strlen(zbpw_glue_fr_source));
    for (size_t i = 0; i < sizeof CC_FLAGS / sizeof *CC_FLAGS; i++)
        EVP_DigestUpdate(c, CC_FLAGS[i], strlen(CC_FLAGS[i]) + 1);
    const char *mul = native_mul_wanted() ? "native" : "wasm";
    EVP_DigestUpdate(c, mul, strlen(mul) + 1); /* (a fixed 6 read past "wasm": ASan) */
    EVP_DigestFinal_ex(c, md, &mdlen);
    EVP_MD_CTX_free(c);
    zbp_hex_encode(h, md, 32);
    memcpy(out, h, 12);
    out[12] = 0;
}

/* Runs argv with stdout and stderr into log; 0 when it exited 0. */
static int run_tool(char *const argv[], const char *log, char *err, size_t errlen) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        snprintf(err, errlen, "cannot run %s: %s%s", argv[0], strerror(rc),
                 rc == ENOENT ? " (install Debian's wabt and a C compiler: scripts/install-deps.sh)" : "");
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    /* the tool's first line of complaint */
    char line[300] = "";
    FILE *f = fopen(log, "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (strstr(line, "error") || strstr(line, "rror:")) break;
        fclose(f);
    }
    line[strcspn(line, "\n")] = 0;
    snprintf(err, errlen, "%s failed%s%s", argv[0], line[0] ? ": " : "", line);
    return -1;
}

static int write_text(const char *path, const char *a, const char *b, const char *c) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs(a, f);
    fputs(b, f);
    fputs(c, f);
    return fclose(f);
}

static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4096 + 260];
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%.4095s/%.255s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* The imports the glue provides, and their prototypes as wasm2c 1.0.32 writes them. */
static const struct {
    const char *name, *proto;
} IMPORTS[] = {
    {"exceptionHandler", "void Z_runtimeZ_exceptionHandler(struct Z_runtime_instance_t*, u32);"},
    {"printErrorMessage", "void Z_runtimeZ_printErrorMessage(struct Z_runtime_instance_t*);"},
    {"writeBufferMessage", "void Z_runtimeZ_writeBufferMessage(struct Z_runtime_instance_t*);"},
    {"showSharedRWMemory", "void Z_runtimeZ_showSharedRWMemory(struct Z_runtime_instance_t*);"},
};
static const char *const REQUIRED[] = {"getVersion",         "getFieldNumLen32", "getRawPrime",
                                       "readSharedRWMemory", "writeSharedRWMemory",
                                       "getWitnessSize",     "getInputSize",     "init",
                                       "setInputSignal",     "getWitness"};
static const char *const OPTIONAL[] = {"getMinorVersion", "getPatchVersion", "getInputSignalSize",
                                       "getMessageChar"};

/* Checks the module's header (m.h) and writes the glue's #defines into defs. */
static int check_header(const char *hpath, const char *wasm_path, const char *sha, char *defs,
                        size_t defslen, char *err, size_t errlen) {
    uint8_t *h;
    size_t n;
    if (read_file(hpath, &h, &n, err, errlen) != ZBP_OK) return ZBP_ERR_IO;
    char *text = realloc(h, n + 1);
    if (!text) {
        free(h);
        snprintf(err, errlen, "out of memory");
        return ZBP_ERR_NOMEM;
    }
    text[n] = 0;
    size_t k = (size_t)snprintf(defs, defslen, "#define ZBPW_SHA256 \"%s\"\n", sha);
    int st = ZBP_OK;
    /* every import: one the glue knows, with the prototype it implements */
    for (const char *p = text; (p = strstr(p, "/* import: '"));) {
        char mod[64] = "", name[64] = "";
        if (sscanf(p, "/* import: '%63[^']' '%63[^']'", mod, name) != 2) {
            snprintf(err, errlen, "%s: not a circom witness program (an import wasm2c names oddly)",
                     wasm_path);
            st = ZBP_ERR_INPUT;
            break;
        }
        const char *line = strchr(p, '\n');
        line = line ? line + 1 : p + strlen(p);
        size_t i = 0;
        for (; i < sizeof IMPORTS / sizeof *IMPORTS; i++)
            if (!strcmp(mod, "runtime") && !strcmp(name, IMPORTS[i].name) &&
                !strncmp(line, IMPORTS[i].proto, strlen(IMPORTS[i].proto)))
                break;
        if (i == sizeof IMPORTS / sizeof *IMPORTS) {
            snprintf(err, errlen,
                     "%s: not a circom 2 witness program zbprover can run: it imports %s.%s, which "
                     "the witness runtime does not provide",
                     wasm_path, mod, name);
            st = ZBP_ERR_INPUT;
            break;
        }
        k += (size_t)snprintf(defs + k, defslen - k, "#define ZBPW_IMPORT_%s 1\n", name);
        p = line;
    }
    char pat[128];
    for (size_t i = 0; st == ZBP_OK && i < sizeof REQUIRED / sizeof *REQUIRED; i++) {
        snprintf(pat, sizeof pat, "/* export: '%s' */", REQUIRED[i]);
        if (!strstr(text, pat)) {
            snprintf(err, errlen, "%s: not a circom 2 witness program (it has no export '%s')",
                     wasm_path, REQUIRED[i]);
            st = ZBP_ERR_INPUT;
        }
    }
    for (size_t i = 0; st == ZBP_OK && i < sizeof OPTIONAL / sizeof *OPTIONAL; i++) {
        snprintf(pat, sizeof pat, "/* export: '%s' */", OPTIONAL[i]);
        k += (size_t)snprintf(defs + k, defslen - k, "#define ZBPW_HAVE_%s %d\n", OPTIONAL[i],
                              strstr(text, pat) != NULL);
    }
    free(text);
    return st;
}

static void patch_native(const char *c_path, char *defs, size_t defslen) {
    unsigned long q = 0;
    size_t k = strlen(defs);
    k += (size_t)snprintf(defs + k, defslen - k, "#define ZBPW_NATIVE_FR %d\n", patch_fr(c_path));
    if (patch_mul(c_path, &q))
        snprintf(defs + k, defslen - k, "#define ZBPW_NATIVE_MUL 1\n#define ZBPW_MUL_Q %luu\n", q);
    else
        snprintf(defs + k, defslen - k, "#define ZBPW_NATIVE_MUL 0\n");
}

/* name: the program's name in messages (wasm_path may be a private copy of its bytes). */
static int compile_known(const char *wasm_path, const char *name, const char *sha, const char *out_so,
                         char *err, size_t errlen) {
    /* A private directory beside the output, so the final rename stays on one file system. */
    char dir[4096];
    if ((size_t)snprintf(dir, sizeof dir, "%s.tmp.XXXXXX", out_so) >= sizeof dir) {
        snprintf(err, errlen, "%s: path too long", out_so);
        return ZBP_ERR_INPUT;
    }
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "%s: cannot create a build directory: %s", out_so, strerror(errno));
        return ZBP_ERR_IO;
    }
    char c_path[4200], h_path[4200], glue_path[4200], so_tmp[4200], log[4200];
    /* glue.c includes m.c; both in the build directory */
    snprintf(c_path, sizeof c_path, "%s/m.c", dir);
    snprintf(h_path, sizeof h_path, "%s/m.h", dir);
    snprintf(glue_path, sizeof glue_path, "%s/glue.c", dir);
    snprintf(so_tmp, sizeof so_tmp, "%s/m.so", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    const char *w2c = getenv("WASM2C");
    const char *cc = getenv("CC");
    if (!w2c || !*w2c) w2c = "wasm2c";
    if (!cc || !*cc) cc = "cc";
    char *tw[] = {(char *)w2c, (char *)wasm_path, (char *)"-n", (char *)"m", (char *)"-o", c_path, NULL};
    char inc[4300], rt[4300];
    snprintf(inc, sizeof inc, "-I%s", dir);
    snprintf(rt, sizeof rt, "%s/wasm-rt-impl.c", WABT_RUNTIME_DIR);
    char *tc[16];
    int a = 0;
    tc[a++] = (char *)cc;
    for (size_t i = 0; i < sizeof CC_FLAGS / sizeof *CC_FLAGS; i++) tc[a++] = (char *)CC_FLAGS[i];
    tc[a++] = inc;
    tc[a++] = (char *)"-I" WABT_RUNTIME_DIR;
    tc[a++] = glue_path; /* includes m.c */
    tc[a++] = rt;
    tc[a++] = (char *)"-o";
    tc[a++] = so_tmp;
    tc[a++] = (char *)"-lm";
    tc[a] = NULL;
    char defs[2048], e2[400];
    int st = ZBP_OK;
    if (run_tool(tw, log, e2, sizeof e2) != 0) {
        snprintf(err, errlen, "%s: not a circom witness program (%s)", name, e2);
        st = ZBP_ERR_INPUT;
    } else if ((st = check_header(h_path, name, sha, defs, sizeof defs, err, errlen)) != ZBP_OK) {
    } else if (patch_native(c_path, defs, sizeof defs), write_text(glue_path, defs, zbpw_glue_source, zbpw_glue_fr_source) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", glue_path, strerror(errno));
        st = ZBP_ERR_IO;
    } else if (access(rt, R_OK) != 0) {
        snprintf(err, errlen, "%s: missing (install Debian's wabt: scripts/install-deps.sh)", rt);
        st = ZBP_ERR_IO;
    } else if (run_tool(tc, log, e2, sizeof e2) != 0) {
        snprintf(err, errlen, "%s: compiling the witness program failed: %s", name, e2);
        st = ZBP_ERR_IO;
    } else if (rename(so_tmp, out_so) != 0) {
        snprintf(err, errlen, "%s: cannot write: %s", out_so, strerror(errno));
        st = ZBP_ERR_IO;
    }
    remove_tree(dir);
    return st;
}

zbp_status zbp_witness_compile(const char *wasm_path, const char *out_so, char *err, size_t errlen) {
    char sha[65];
    int st = wasm_sha256(wasm_path, sha, err, errlen);
    if (st != ZBP_OK) return st;
    return compile_known(wasm_path, wasm_path, sha, out_so, err, errlen);
}

/* A directory that only this user can write (the cache holds code this process will load). */
static int private_dir(const char *path, char *err, size_t errlen) {
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot create the cache directory: %s", path, strerror(errno));
        return ZBP_ERR_IO;
    }
    struct stat s;
    if (lstat(path, &s) != 0 || !S_ISDIR(s.st_mode) || s.st_uid != geteuid() ||
        (s.st_mode & 022)) {
        snprintf(err, errlen, "%s: the cache directory must be a directory owned by this user and "
                              "writable by no one else", path);
        return ZBP_ERR_IO;
    }
    return ZBP_OK;
}

zbp_status zbp_witness_cache_dir(const char *override, char *out, size_t outlen, char *err, size_t errlen) {
    char base[4096];
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (override) {
        snprintf(out, outlen, "%s", override);
        if (mkdir(override, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create the cache directory: %s", override, strerror(errno));
            return ZBP_ERR_IO;
        }
        return private_dir(out, err, errlen);
    }
    if (xdg && xdg[0] == '/')
        snprintf(base, sizeof base, "%s", xdg);
    else if (home && home[0] == '/')
        snprintf(base, sizeof base, "%s/.cache", home);
    if ((xdg && xdg[0] == '/') || (home && home[0] == '/')) {
        if (mkdir(base, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create: %s", base, strerror(errno));
            return ZBP_ERR_IO;
        }
    } else {
        snprintf(err, errlen, "no cache directory: set XDG_CACHE_HOME or HOME, or use --witness-so");
        return ZBP_ERR_IO;
    }
    if ((size_t)snprintf(out, outlen, "%s/zbprover", base) >= outlen) {
        snprintf(err, errlen, "%s: path too long", base);
        return ZBP_ERR_IO;
    }
    return private_dir(out, err, errlen);
}

/* The cache's object for sha (opts->so_path when set): ZBP_OK with *have 1 when it is there (this
 * user's, writable by no one else), 0 when it must be built. */
static int cached_object(const zbp_witness_opts_t *opts, const char *sha, char *so_path,
                         size_t so_len, int *have, char *err, size_t errlen) {
    *have = 1;
    if (opts->so_path) {
        snprintf(so_path, so_len, "%s", opts->so_path);
        return ZBP_OK;
    }
    char dir[4096], tag[13];
    int st = zbp_witness_cache_dir(opts->cache_dir, dir, sizeof dir, err, errlen);
    if (st != ZBP_OK) return st;
    glue_tag(tag);
    if ((size_t)snprintf(so_path, so_len, "%s/witness-%s-%s.so", dir, sha, tag) >= so_len) {
        snprintf(err, errlen, "%s: path too long", dir);
        return ZBP_ERR_IO;
    }
    struct stat s;
    *have = stat(so_path, &s) == 0 && S_ISREG(s.st_mode) && s.st_uid == geteuid() &&
            !(s.st_mode & 022);
    return ZBP_OK;
}

zbp_status zbp_witness_object(const char *wasm_path, const zbp_witness_opts_t *opts, char *so_path,
                       size_t so_len, char sha[65], char *err, size_t errlen) {
    int st = wasm_sha256(wasm_path, sha, err, errlen), have;
    if (st != ZBP_OK) return st;
    if ((st = cached_object(opts, sha, so_path, so_len, &have, err, errlen)) != ZBP_OK || have)
        return st;
    return compile_known(wasm_path, wasm_path, sha, so_path, err, errlen);
}

zbp_status zbp_witness_object_mem(const uint8_t *wasm, size_t len, const char *name,
                           const zbp_witness_opts_t *opts, char *so_path, size_t so_len,
                           char sha[65], char *err, size_t errlen) {
    if (len < 8 || memcmp(wasm, "\0asm\1\0\0\0", 8)) {
        snprintf(err, errlen, "%s: not a circom witness program (not a WebAssembly module)", name);
        return ZBP_ERR_INPUT;
    }
    sha256_hex(wasm, len, sha);
    int have, st = cached_object(opts, sha, so_path, so_len, &have, err, errlen);
    if (st != ZBP_OK || have) return st;
    /* wasm2c reads a file: these very bytes (hashed above) go to a private one beside the object,
     * so nothing done to the caller's file meanwhile changes what is translated. */
    char tmp[4400];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.wasm.XXXXXX", so_path) >= sizeof tmp) {
        snprintf(err, errlen, "%s: path too long", so_path);
        return ZBP_ERR_IO;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
        return ZBP_ERR_IO;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, wasm + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    if (close(fd) != 0 || off != len) {
        unlink(tmp);
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
        return ZBP_ERR_IO;
    }
    st = compile_known(tmp, name, sha, so_path, err, errlen);
    unlink(tmp);
    return st;
}
