/* Runs a fuzz target without libFuzzer: every file of its seed corpus, then deterministic
 * mutations of each (bit flips, truncations, byte overwrites), so the ordinary test suite (and its
 * ASan/UBSan build) exercises each parser's error paths. A crash or sanitizer report fails it. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void run_copy(const uint8_t *data, size_t size) {
    /* A fresh heap copy of exactly `size` bytes, so ASan catches any read past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) abort();
    if (size) memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
}

static void mutate_and_run(const uint8_t *seed, size_t size, int rounds) {
    run_copy(seed, size);
    uint8_t *buf = malloc(size + 64);
    if (!buf) abort();
    for (int r = 0; r < rounds; r++) {
        size_t n = size;
        memcpy(buf, seed, size);
        switch (rng_next() % 5) {
        case 0: /* flip a few bits */
            for (int k = 0; k < 1 + (int)(rng_next() % 4) && n; k++)
                buf[rng_next() % n] ^= (uint8_t)(1u << (rng_next() % 8));
            break;
        case 1: /* truncate */
            n = n ? rng_next() % n : 0;
            break;
        case 2: /* overwrite a byte with an interesting value */
            if (n) {
                static const uint8_t v[] = {0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe};
                buf[rng_next() % n] = v[rng_next() % sizeof v];
            }
            break;
        case 3: /* overwrite 4 or 8 bytes (a length or offset field) with a large value */
            if (n >= 8) {
                size_t at = rng_next() % (n - 7);
                uint64_t x = (rng_next() & 1) ? ~0ull : (rng_next() >> (rng_next() % 64));
                memcpy(buf + at, &x, (rng_next() & 1) ? 4 : 8);
            }
            break;
        default: /* append garbage */
            for (int k = 0; k < 16; k++) buf[n++] = (uint8_t)rng_next();
            break;
        }
        run_copy(buf, n);
    }
    free(buf);
}

/* Seed files in the corpus directories (the corpora libFuzzer grew are many small files). */
static int count_files(int argc, char **argv) {
    int n = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            n += e->d_name[0] != '.';
        closedir(d);
    }
    return n;
}

int main(int argc, char **argv) {
    int files = 0;
    /* About 20000 mutations in all, at least 50 per file: a corpus grown by libFuzzer to hundreds
     * of files keeps the suite's time bounded. */
    int n = count_files(argc, argv);
    int rounds = n ? 20000 / n : 2000;
    if (rounds > 2000) rounds = 2000;
    if (rounds < 50) rounds = 50;
    if (getenv("ZBP_FUZZ_ROUNDS")) rounds = atoi(getenv("ZBP_FUZZ_ROUNDS"));
    run_copy((const uint8_t *)"", 0);
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            fprintf(stderr, "replay: cannot open corpus directory %s\n", argv[i]);
            return 1;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            FILE *f = fopen(path, "rb");
            if (!f) continue;
            fseek(f, 0, SEEK_END);
            long len = ftell(f);
            fseek(f, 0, SEEK_SET);
            if (len < 0 || len > (64L << 20)) { fclose(f); continue; }
            uint8_t *data = malloc((size_t)len + 1);
            if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) { fclose(f); free(data); continue; }
            fclose(f);
            mutate_and_run(data, (size_t)len, rounds);
            free(data);
            files++;
        }
        closedir(d);
    }
    if (files == 0) {
        fprintf(stderr, "replay: no seed files found\n");
        return 1;
    }
    printf("replay: %d seed files, %d mutations each: no crash\n", files, rounds);
    return 0;
}
