/* progress.c: the progress line of long commands, on stderr. On a terminal one line is redrawn in
 * place (what runs, and for how long) once the work has taken longer than the caller's delay; when
 * stderr is not a terminal nothing is written. ZBP_PROGRESS=1 writes each step as a line of its
 * own even off a terminal (logs); ZBP_PROGRESS=0 silences it on a terminal too;
 * ZBP_PROGRESS_DELAY_MS=N replaces the caller's delay. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "prover/util.h"

struct cli_progress {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, shown, lines; /* lines: one line per step (forced off a terminal) */
    unsigned delay_ms;
    double t0;
    char label[64], step[160];
};

static cli_progress_t *active; /* the one shown now: cli_error clears its line first */

static double now_s(void) { return zbp_mono_ms() / 1e3; }

/* 0: quiet, 1: redraw on the terminal, 2: a line per step. */
static int progress_mode(void) {
    const char *e = getenv("ZBP_PROGRESS");
    if (e && (!strcmp(e, "0") || !strcmp(e, "never"))) return 0;
    int tty = isatty(STDERR_FILENO);
    if (e && (!strcmp(e, "1") || !strcmp(e, "always"))) return tty ? 1 : 2;
    return tty ? 1 : 0;
}

/* Called with mu held. */
static void draw(cli_progress_t *p) {
    double el = now_s() - p->t0;
    if (el * 1e3 < p->delay_ms) return;
    fprintf(stderr, "\r\033[K%s: %s  %.1f s", p->label, p->step, el);
    fflush(stderr);
    p->shown = 1;
}

static void *ticker(void *arg) {
    cli_progress_t *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        if (!p->stop) draw(p);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

cli_progress_t *cli_progress_start(const char *label, unsigned delay_ms) {
    int mode = progress_mode();
    if (!mode) return NULL;
    cli_progress_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    snprintf(p->label, sizeof p->label, "%s", label);
    p->delay_ms = delay_ms;
    /* ZBP_PROGRESS_DELAY_MS: how long work runs before its line is drawn (the command's own
     * default otherwise); 0 draws at once, which is how tests see it on a fast machine. */
    const char *d = getenv("ZBP_PROGRESS_DELAY_MS");
    long long v;
    if (d && *d && cli_parse_int(d, 0, 3600000, &v) == 0) p->delay_ms = (unsigned)v;
    p->lines = mode == 2;
    p->t0 = now_s();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (!p->lines && pthread_create(&p->thread, NULL, ticker, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p);
        return NULL; /* no thread, no progress: the work itself goes on */
    }
    active = p;
    return p;
}

void cli_progress_step(cli_progress_t *p, const char *fmt, ...) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->step, sizeof p->step, fmt, ap);
    va_end(ap);
    if (p->lines) {
        fprintf(stderr, "%s: %s (%.1f s)\n", p->label, p->step, now_s() - p->t0);
        fflush(stderr);
    } else if (p->shown) {
        draw(p);
    }
    pthread_mutex_unlock(&p->mu);
}

void cli_progress_phase_cb(void *ctx, const char *phase) { cli_progress_step(ctx, "%s", phase); }

void cli_progress_clear(void) {
    cli_progress_t *p = active;
    if (!p || p->lines) return;
    pthread_mutex_lock(&p->mu);
    if (p->shown) {
        fputs("\r\033[K", stderr); /* the next tick draws it again, under the message */
        fflush(stderr);
        p->shown = 0;
    }
    pthread_mutex_unlock(&p->mu);
}

void cli_progress_stop(cli_progress_t *p) {
    if (!p) return;
    if (active == p) active = NULL;
    if (!p->lines) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        if (p->shown) fputs("\r\033[K", stderr); /* the line goes; results and errors follow */
        fflush(stderr);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}
