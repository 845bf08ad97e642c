pragma circom 2.0.0;

// sha256_blocks.circom: SHA-256 of a message of NBITS bits with circomlib's Sha256 (about 29.4K
// constraints per 512-bit block): bit decompositions and boolean gates, the other common shape.
include "circomlib/circuits/sha256/sha256.circom";

template Sha256Blocks(NBITS) {
    signal input in[NBITS];
    signal output out[256];
    component h = Sha256(NBITS);
    for (var i = 0; i < NBITS; i++) h.in[i] <== in[i];
    for (var i = 0; i < 256; i++) out[i] <== h.out[i];
}
