/* field.h: the face of the field room. BN254's base field Fq and scalar field Fr, each a 4×64-bit
 * little-endian limb struct in Montgomery form (x·2^256 mod p), with run-time chosen ISA paths. */
#ifndef ZBP_FIELD_H
#define ZBP_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "field/status.h" /* zbp_status, zbp_fail, ZBP_MUST_USE: shared by every room */

#ifdef __cplusplus
extern "C" {
#endif

/* Elements are structs so that the compiler catches an fq_t passed for an fr_t. Unless a
 * function says otherwise, values are in Montgomery form and fully reduced (< p). */
typedef struct { uint64_t l[4]; } fq_t;
typedef struct { uint64_t l[4]; } fr_t;

/* ---- ISA selection ----------------------------------------------------------------------------- */
/* One capability word, filled from cpuid on first use. */
enum {
    ZBP_CAP_BMI2 = 1u << 0,
    ZBP_CAP_ADX = 1u << 1,
    ZBP_CAP_AVX2 = 1u << 2,
    ZBP_CAP_AVX512F = 1u << 3,
    ZBP_CAP_AVX512IFMA = 1u << 4, /* with AVX512VL, BW and DQ, and OS-enabled ZMM state */
};

/* The field's code paths. Scalar operations have PORTABLE and ADX; batch operations have all four. */
typedef enum {
    ZBP_ISA_PORTABLE = 0, /* C with unsigned __int128: always available */
    ZBP_ISA_ADX = 1,      /* x86-64 MULX/ADCX/ADOX */
    ZBP_ISA_AVX2 = 2,     /* 256-bit vectors, 4 lanes (batch operations only) */
    ZBP_ISA_AVX512 = 3,   /* AVX-512 IFMA, 52-bit limbs, 8 lanes (batch operations only) */
    ZBP_ISA_COUNT = 4
} zbp_isa_t;

uint32_t zbp_cpu_caps(void);                 /* the capability word of this CPU */
int zbp_isa_supported(zbp_isa_t isa);        /* 1 when this CPU can run that path */
const char *zbp_isa_name(zbp_isa_t isa);     /* "portable", "adx", "avx2", "avx512ifma" */
ZBP_MUST_USE
zbp_status zbp_isa_parse(const char *name, zbp_isa_t *out); /* inverse of zbp_isa_name; also "auto" */

/* Chooses the paths the whole library uses. `zbp_field_init` runs once on first use of any field
 * function and picks the fastest supported path unless ZBP_FORCE_PORTABLE=1 or ZBP_ISA=<name> is
 * set in the environment. `zbp_field_select(isa)` overrides it (ZBP_ERR_UNSUPPORTED if the CPU
 * lacks it): the scalar path becomes ADX if isa >= ADX and the CPU has it, else portable; the
 * batch path becomes `isa` itself. Call it before starting threads. */
void zbp_field_init(void);
ZBP_MUST_USE zbp_status zbp_field_select(zbp_isa_t isa);
zbp_isa_t zbp_field_scalar_isa(void);
zbp_isa_t zbp_field_batch_isa(void);

/* Data the rooms share is declared hidden: the objects are position-independent (they also make
 * the shared library), and a hidden declaration lets the compiler read the data directly instead
 * of through the GOT (measured: 1.5% of a proof's instructions otherwise). */
#define ZBP_INTERNAL __attribute__((visibility("hidden")))

/* ---- constants ---------------------------------------------------------------------------------- */
ZBP_INTERNAL extern const fq_t FQ_ZERO, FQ_ONE; /* ONE is Montgomery 1 = R mod q */
ZBP_INTERNAL extern const fr_t FR_ZERO, FR_ONE;
ZBP_INTERNAL extern const uint64_t FQ_MODULUS[4], FR_MODULUS[4]; /* canonical little-endian limbs */

/* ---- Fq --------------------------------------------------------------------------------------- */
/* The basic operations are inline (field_inline.h, included below). Outputs may alias inputs. */
static inline void fq_add(fq_t *r, const fq_t *a, const fq_t *b);
static inline void fq_sub(fq_t *r, const fq_t *a, const fq_t *b);
static inline void fq_neg(fq_t *r, const fq_t *a);
static inline void fq_dbl(fq_t *r, const fq_t *a);
static inline void fq_mul(fq_t *r, const fq_t *a, const fq_t *b);
static inline void fq_sqr(fq_t *r, const fq_t *a);
/* Lazy product: a, b may be any values below 2q (earlier lazy products); the result is congruent
 * to fq_mul's and below 2q, not necessarily canonical. fq_mul and fq_sqr take such inputs and
 * return canonical values; nothing else does (add, sub, compare, invert, convert). */
static inline void fq_mul_lazy(fq_t *r, const fq_t *a, const fq_t *b);
static inline int fq_is_zero(const fq_t *a);
static inline int fq_equal(const fq_t *a, const fq_t *b);

void fq_inv(fq_t *r, const fq_t *a);         /* constant time (Fermat); inv(0) = 0 */
void fq_inv_vartime(fq_t *r, const fq_t *a); /* divsteps (Bernstein-Yang); inv(0) = 0 */
void fq_pow(fq_t *r, const fq_t *a, const uint64_t e[4]); /* a^e, e canonical, constant time in a */
/* The naming rule of the whole library: no suffix means constant time (no branch or memory access
 * depends on the values), `_vartime` means the run time depends on the data. */
int fq_legendre_vartime(const fq_t *a); /* 1 square, -1 non-square, 0 zero; branches on a == 0 */
/* 1 and a root if a is a square, else 0 (r unspecified); branches on squareness. */
ZBP_MUST_USE int fq_sqrt_vartime(fq_t *r, const fq_t *a);
/* Montgomery's trick: r[i] = a[i]^-1 with one inversion; zeros map to zero (a branch per element on
 * a[i] == 0, hence _vartime). r may equal a. `scratch` holds n elements (NULL: allocated
 * internally; returns ZBP_ERR_NOMEM on failure). */
ZBP_MUST_USE zbp_status fq_batch_inv_vartime(fq_t *r, const fq_t *a, size_t n, fq_t *scratch);

void fq_to_mont(fq_t *r, const uint64_t a[4]);   /* canonical limbs (< q) -> Montgomery */
void fq_from_mont(uint64_t r[4], const fq_t *a); /* Montgomery -> canonical limbs */
/* 32-byte canonical integers (not Montgomery). Rejects values >= q with ZBP_ERR_RANGE. */
ZBP_MUST_USE zbp_status fq_from_bytes_le(fq_t *r, const uint8_t in[32]);
ZBP_MUST_USE zbp_status fq_from_bytes_be(fq_t *r, const uint8_t in[32]);
void fq_to_bytes_le(uint8_t out[32], const fq_t *a);
void fq_to_bytes_be(uint8_t out[32], const fq_t *a);
/* Decimal strings: digits only, no sign, no leading zeros except "0", value < q. `len` is the
 * string's length (no terminator needed). fq_to_dec writes at most 78 chars plus '\0'. */
ZBP_MUST_USE zbp_status fq_from_dec(fq_t *r, const char *s, size_t len);
void fq_to_dec(char out[80], const fq_t *a);
/* Uniform in [0, q) from a caller's RNG: `rng(ctx, buf, n)` fills n bytes. */
void fq_random(fq_t *r, void (*rng)(void *ctx, uint8_t *buf, size_t n), void *ctx);

/* Batch operations over arrays of n independent elements, on the chosen batch ISA. */
void fq_mul_batch(fq_t *r, const fq_t *a, const fq_t *b, size_t n);
void fq_sqr_batch(fq_t *r, const fq_t *a, size_t n);
void fq_add_batch(fq_t *r, const fq_t *a, const fq_t *b, size_t n);
void fq_sub_batch(fq_t *r, const fq_t *a, const fq_t *b, size_t n);

/* ---- Fr: the same operations (no sqrt/legendre needs beyond parity, but provided alike) --------- */
static inline void fr_add(fr_t *r, const fr_t *a, const fr_t *b);
static inline void fr_sub(fr_t *r, const fr_t *a, const fr_t *b);
static inline void fr_neg(fr_t *r, const fr_t *a);
static inline void fr_dbl(fr_t *r, const fr_t *a);
static inline void fr_mul(fr_t *r, const fr_t *a, const fr_t *b);
static inline void fr_sqr(fr_t *r, const fr_t *a);
static inline void fr_mul_lazy(fr_t *r, const fr_t *a, const fr_t *b); /* as fq_mul_lazy */
static inline int fr_is_zero(const fr_t *a);
static inline int fr_equal(const fr_t *a, const fr_t *b);

void fr_inv(fr_t *r, const fr_t *a);
void fr_inv_vartime(fr_t *r, const fr_t *a);
void fr_pow(fr_t *r, const fr_t *a, const uint64_t e[4]);
int fr_legendre_vartime(const fr_t *a);
ZBP_MUST_USE int fr_sqrt_vartime(fr_t *r, const fr_t *a); /* Tonelli-Shanks: branches on a */
ZBP_MUST_USE zbp_status fr_batch_inv_vartime(fr_t *r, const fr_t *a, size_t n, fr_t *scratch);

void fr_to_mont(fr_t *r, const uint64_t a[4]);
void fr_from_mont(uint64_t r[4], const fr_t *a);
ZBP_MUST_USE zbp_status fr_from_bytes_le(fr_t *r, const uint8_t in[32]);
ZBP_MUST_USE zbp_status fr_from_bytes_be(fr_t *r, const uint8_t in[32]);
void fr_to_bytes_le(uint8_t out[32], const fr_t *a);
void fr_to_bytes_be(uint8_t out[32], const fr_t *a);
ZBP_MUST_USE zbp_status fr_from_dec(fr_t *r, const char *s, size_t len);
void fr_to_dec(char out[80], const fr_t *a);
void fr_random(fr_t *r, void (*rng)(void *ctx, uint8_t *buf, size_t n), void *ctx);

void fr_mul_batch(fr_t *r, const fr_t *a, const fr_t *b, size_t n);
void fr_sqr_batch(fr_t *r, const fr_t *a, size_t n);
void fr_add_batch(fr_t *r, const fr_t *a, const fr_t *b, size_t n);
void fr_sub_batch(fr_t *r, const fr_t *a, const fr_t *b, size_t n);

/* Fr's FFT constants, as snarkjs uses them: 2-adicity 28, roots w[k] = 5^((r-1)/2^k), shift 25. */
#define FR_TWO_ADICITY 28
void fr_root_of_unity(fr_t *r, unsigned log_n); /* primitive 2^log_n-th root, log_n <= 28 */

#ifdef __cplusplus
}
#endif

#include "field/field_inline.h"

#endif
