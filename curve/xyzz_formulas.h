/* xyzz_formulas.h: the XYZZ group formulas (Bernstein-Lange's dbl-2008-s-1, mdbl-2008-s-1,
 * add-2008-s, madd-2008-s for a = 0), written once for every user: curve/point_impl.h includes it
 * for the CPU (G1 over Fq, G2 over Fq2) and cuda/ec_impl.h for the GPU (the same, as host and
 * device code), so the two backends cannot drift apart and agree coordinate for coordinate.
 * Plain C that nvcc also compiles. The includer defines:
 *   XF_FN(name)        the function's name (g1_xyzz_add_vartime, zc_g1_xyzz_add_vartime, ...)
 *   XF_F, XF_AFF, XF_XYZZ  the field, affine (x, y; the identity as 0, 0) and XYZZ types
 *   XF_ADD, XF_SUB, XF_DBL, XF_MUL, XF_SQR (r, a[, b]) and XF_IS_ZERO (a): the field operations,
 *                      which must allow r to alias an argument
 *   XF_SET_ONE, XF_SET_ZERO (r); XF_AFF_IS_INF (a): the affine identity test
 *   XF_DECL            the qualifiers of the small functions (nothing: external functions on the
 *                      CPU; inline host-device functions on the GPU)
 *   XF_DECL_CALL       the qualifiers of the doublings and the general addition (on the GPU: out
 *                      of line, one copy per kernel)
 *   XF_DECL_MADD       the qualifiers of the mixed addition (on the GPU: inlined, the hot loop)
 *   XF_DBL_INTO_COPY   1: the mixed addition's P = Q case doubles into a local copy (the GPU: the
 *                      accumulator's address then never reaches an out-of-line call); 0: in place
 * Variable time: the exceptional cases (identities, P = Q, P = -Q) are branches. The parameters
 * are undefined again at the end, ready for the next instantiation. */

XF_DECL void XF_FN(xyzz_set_infinity)(XF_XYZZ *r) {
    XF_SET_ONE(&r->x);
    XF_SET_ONE(&r->y);
    XF_SET_ZERO(&r->zz);
    XF_SET_ZERO(&r->zzz);
}

XF_DECL int XF_FN(xyzz_is_infinity)(const XF_XYZZ *a) { return XF_IS_ZERO(&a->zz); }

XF_DECL void XF_FN(xyzz_from_affine)(XF_XYZZ *r, const XF_AFF *a) {
    if (XF_AFF_IS_INF(a)) {
        XF_FN(xyzz_set_infinity)(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    XF_SET_ONE(&r->zz);
    XF_SET_ONE(&r->zzz);
}

/* dbl-2008-s-1 (a = 0). ZZ = 0 stays 0, so the identity needs no branch. */
XF_DECL_CALL void XF_FN(xyzz_dbl_vartime)(XF_XYZZ *r, const XF_XYZZ *a) {
    XF_F u, v, w, s, m, t;
    XF_DBL(&u, &a->y);
    XF_SQR(&v, &u);
    XF_MUL(&w, &u, &v);
    XF_MUL(&s, &a->x, &v);
    XF_SQR(&m, &a->x);
    XF_DBL(&t, &m);
    XF_ADD(&m, &m, &t);
    XF_MUL(&r->zz, &v, &a->zz);
    XF_MUL(&r->zzz, &w, &a->zzz);
    XF_MUL(&w, &w, &a->y);
    XF_SQR(&t, &m);
    XF_SUB(&t, &t, &s);
    XF_SUB(&r->x, &t, &s);
    XF_SUB(&t, &s, &r->x);
    XF_MUL(&t, &m, &t);
    XF_SUB(&r->y, &t, &w);
}

/* mdbl-2008-s-1: doubling an affine point, ZZ1 = ZZZ1 = 1 (the mixed addition's P = Q case). */
XF_DECL_CALL void XF_FN(xyzz_dbl_affine_vartime)(XF_XYZZ *r, const XF_AFF *a) {
    if (XF_AFF_IS_INF(a)) {
        XF_FN(xyzz_set_infinity)(r);
        return;
    }
    XF_F u, v, w, s, m, t;
    XF_DBL(&u, &a->y);
    XF_SQR(&v, &u);
    XF_MUL(&w, &u, &v);
    XF_MUL(&s, &a->x, &v);
    XF_SQR(&m, &a->x);
    XF_DBL(&t, &m);
    XF_ADD(&m, &m, &t);
    r->zz = v;
    r->zzz = w;
    XF_MUL(&w, &w, &a->y);
    XF_SQR(&t, &m);
    XF_SUB(&t, &t, &s);
    XF_SUB(&r->x, &t, &s);
    XF_SUB(&t, &s, &r->x);
    XF_MUL(&t, &m, &t);
    XF_SUB(&r->y, &t, &w);
}

/* add-2008-s, the exceptional cases first. r may alias a or b. */
XF_DECL_CALL void XF_FN(xyzz_add_vartime)(XF_XYZZ *r, const XF_XYZZ *a, const XF_XYZZ *b) {
    if (XF_FN(xyzz_is_infinity)(a)) {
        *r = *b;
        return;
    }
    if (XF_FN(xyzz_is_infinity)(b)) {
        *r = *a;
        return;
    }
    XF_F u1, u2, s1, s2, p, rr, pp, ppp, q, t;
    XF_MUL(&u1, &a->x, &b->zz);
    XF_MUL(&u2, &b->x, &a->zz);
    XF_MUL(&s1, &a->y, &b->zzz);
    XF_MUL(&s2, &b->y, &a->zzz);
    XF_SUB(&p, &u2, &u1);
    XF_SUB(&rr, &s2, &s1);
    if (XF_IS_ZERO(&p)) {
        if (XF_IS_ZERO(&rr)) {
            XF_FN(xyzz_dbl_vartime)(r, a);
        } else {
            XF_FN(xyzz_set_infinity)(r);
        }
        return;
    }
    XF_SQR(&pp, &p);
    XF_MUL(&ppp, &p, &pp);
    XF_MUL(&q, &u1, &pp);
    XF_MUL(&t, &a->zz, &b->zz);
    XF_MUL(&r->zz, &t, &pp);
    XF_MUL(&t, &a->zzz, &b->zzz);
    XF_MUL(&r->zzz, &t, &ppp);
    XF_SQR(&t, &rr);
    XF_SUB(&t, &t, &ppp);
    XF_SUB(&t, &t, &q);
    XF_SUB(&r->x, &t, &q);
    XF_SUB(&t, &q, &r->x);
    XF_MUL(&t, &rr, &t);
    XF_MUL(&s1, &s1, &ppp);
    XF_SUB(&r->y, &t, &s1);
}

/* madd-2008-s: 8M + 2S, the bucket accumulator's step. r may alias a. */
XF_DECL_MADD void XF_FN(xyzz_add_affine_vartime)(XF_XYZZ *r, const XF_XYZZ *a, const XF_AFF *b) {
    if (XF_AFF_IS_INF(b)) {
        *r = *a;
        return;
    }
    if (XF_FN(xyzz_is_infinity)(a)) {
        XF_FN(xyzz_from_affine)(r, b);
        return;
    }
    XF_F u2, s2, p, rr, pp, ppp, q, t, y1;
    XF_MUL(&u2, &b->x, &a->zz);
    XF_MUL(&s2, &b->y, &a->zzz);
    XF_SUB(&p, &u2, &a->x);
    XF_SUB(&rr, &s2, &a->y);
    if (XF_IS_ZERO(&p)) {
        if (XF_IS_ZERO(&rr)) {
#if XF_DBL_INTO_COPY
            /* the GPU's rare P = Q case doubles into its own copy: r's address does not escape
             * into the out-of-line call, so the accumulator stays in registers */
            XF_XYZZ d;
            XF_FN(xyzz_dbl_affine_vartime)(&d, b);
            *r = d;
#else
            XF_FN(xyzz_dbl_affine_vartime)(r, b);
#endif
        } else {
            XF_FN(xyzz_set_infinity)(r);
        }
        return;
    }
    XF_SQR(&pp, &p);
    XF_MUL(&ppp, &p, &pp);
    XF_MUL(&q, &a->x, &pp);
    XF_MUL(&y1, &a->y, &ppp);
    XF_MUL(&r->zz, &a->zz, &pp);
    XF_MUL(&r->zzz, &a->zzz, &ppp);
    XF_SQR(&t, &rr);
    XF_SUB(&t, &t, &ppp);
    XF_SUB(&t, &t, &q);
    XF_SUB(&r->x, &t, &q);
    XF_SUB(&t, &q, &r->x);
    XF_MUL(&t, &rr, &t);
    XF_SUB(&r->y, &t, &y1);
}

#undef XF_FN
#undef XF_F
#undef XF_AFF
#undef XF_XYZZ
#undef XF_ADD
#undef XF_SUB
#undef XF_DBL
#undef XF_MUL
#undef XF_SQR
#undef XF_IS_ZERO
#undef XF_SET_ONE
#undef XF_SET_ZERO
#undef XF_AFF_IS_INF
#undef XF_DECL
#undef XF_DECL_CALL
#undef XF_DECL_MADD
#undef XF_DBL_INTO_COPY
