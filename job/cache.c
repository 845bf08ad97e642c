/* cache.c: the circuit cache of the job loop: circuits by path, reused while the file keeps its
 * device, inode, size and mtime, least recently used dropped first within a byte budget (counted
 * in file sizes). Each circuit is the loop's own copy of the file's bytes: hashed, parsed and
 * point-checked once, and never changed by anything another process does to the file. Witness
 * programs (.wasm) are kept beside the keys the same way: their bytes and SHA-256 (the compiled
 * object lives in the witness engine's cache, named by that hash). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "job/serve_int.h"

struct zk_cache {
    pthread_mutex_t mu;
    zk_entry_t *list;
    size_t bytes, budget;
};

zk_cache_t *zk_cache_new(size_t budget) {
    zk_cache_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    pthread_mutex_init(&c->mu, NULL);
    c->budget = budget;
    return c;
}

static void zk_free(zk_entry_t *e) {
    if (e->checked && !e->wasm) zbp_zkey_close(&e->z);
    free(e->bytes);
    free(e->path);
    free(e);
}

void zk_cache_free(zk_cache_t *c) {
    if (!c) return;
    while (c->list) {
        zk_entry_t *z = c->list;
        c->list = z->next;
        zk_free(z);
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Drops unreferenced entries, least recently used first, until need more bytes fit. */
static void make_room(zk_cache_t *c, size_t need) {
    while (c->bytes + need > c->budget) {
        zk_entry_t **victim = NULL;
        for (zk_entry_t **p = &c->list; *p; p = &(*p)->next)
            if (!(*p)->refs && (!victim || (*p)->last_ms < (*victim)->last_ms)) victim = p;
        if (!victim) return;
        zk_entry_t *e = *victim;
        *victim = e->next;
        c->bytes -= (size_t)e->size;
        zk_free(e);
    }
}

static bool same_file(const zk_entry_t *e, const struct stat *st) {
    return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
           e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

int zk_open(zk_cache_t *c, const char *path, bool wasm, zk_entry_t **out, char *err,
            size_t errlen) {
    *out = NULL;
    struct stat st;
    /* stat(2) never blocks on a FIFO; a cache hit reads nothing. */
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        pthread_mutex_lock(&c->mu);
        for (zk_entry_t **p = &c->list; *p;) {
            zk_entry_t *e = *p;
            if (strcmp(e->path, path) || e->wasm != wasm) {
                p = &e->next;
            } else if (same_file(e, &st)) {
                e->refs++;
                e->uses++;
                e->last_ms = job_mono_ms();
                pthread_mutex_unlock(&c->mu);
                *out = e;
                return JOB_OK;
            } else { /* the file changed: forget the old one */
                *p = e->next;
                c->bytes -= (size_t)e->size;
                e->cached = false;
                if (!e->refs) zk_free(e);
            }
        }
        pthread_mutex_unlock(&c->mu);
    }
    zk_entry_t *e = calloc(1, sizeof *e);
    if (!e || !(e->path = strdup(path))) {
        free(e);
        return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    }
    e->wasm = wasm;
    size_t len;
    int bad = wasm ? JOB_BAD_WITNESS : JOB_BAD_ZKEY; /* a program's fault is its witness's */
    int rc = job_file_read(path, SIZE_MAX / 2, false, bad, bad, &e->bytes, &len, &st, err, errlen);
    if (rc) {
        zk_free(e);
        return rc;
    }
    SHA256(e->bytes, len, e->sha);
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->size = (off_t)len;
    e->mtime = st.st_mtim;
    e->refs = 1;
    e->uses = 1;
    e->last_ms = job_mono_ms();
    *out = e;
    return JOB_OK;
}

int zk_check(zk_cache_t *c, zk_entry_t *e, char *err, size_t errlen) {
    if (e->checked) return JOB_OK;
    char m[1024];
    /* A program has nothing to parse here: the caller has its object built before this. */
    int st = e->wasm ? ZBP_OK : zbp_zkey_from_memory(&e->z, e->bytes, (size_t)e->size, e->path, m, sizeof m);
    if (!e->wasm && st == ZBP_OK && (st = zbp_zkey_check_points(&e->z, m, sizeof m)) != ZBP_OK)
        zbp_zkey_close(&e->z);
    if (st != ZBP_OK)
        return job_fail(err, errlen, job_code_of(st, JOB_BAD_ZKEY), "%s", m);
    e->checked = true;
    pthread_mutex_lock(&c->mu);
    if ((size_t)e->size <= c->budget) {
        make_room(c, (size_t)e->size);
        if (c->bytes + (size_t)e->size <= c->budget) {
            e->cached = true;
            e->next = c->list;
            c->list = e;
            c->bytes += (size_t)e->size;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return JOB_OK;
}

void zk_release(zk_cache_t *c, zk_entry_t *e) {
    pthread_mutex_lock(&c->mu);
    bool drop = --e->refs == 0 && !e->cached;
    if (e->cached && !e->refs) make_room(c, 0);
    pthread_mutex_unlock(&c->mu);
    if (drop) zk_free(e);
}

void zk_cache_info(zk_cache_t *c, jb_t *b) {
    pthread_mutex_lock(&c->mu);
    for (int wasm = 0; wasm < 2; wasm++) {
        jb_key(b, wasm ? "programs" : "circuits");
        jb_arr(b);
        for (zk_entry_t *e = c->list; e; e = e->next) {
            if (e->wasm != wasm) continue;
            jb_obj(b);
            jb_key(b, "path");
            jb_str(b, e->path);
            jb_key(b, wasm ? "wasm_sha256" : "zkey_sha256");
            jb_hex(b, e->sha, 32);
            jb_key(b, "bytes");
            jb_u64(b, (uint64_t)e->size);
            jb_key(b, "uses");
            jb_u64(b, e->uses);
            jb_obj_end(b);
        }
        jb_arr_end(b);
    }
    jb_key(b, "cache_bytes");
    jb_u64(b, c->bytes);
    pthread_mutex_unlock(&c->mu);
}
