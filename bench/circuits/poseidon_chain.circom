pragma circom 2.0.0;

// poseidon_chain.circom: a chain of N Poseidon(2) hashes (about 240 constraints each), the shape of
// a Merkle path or a hash chain; the benchmark sizes pick N (bench/circuits/make.sh).
include "circomlib/circuits/poseidon.circom";

template PoseidonChain(N) {
    signal input seed;
    signal input salt;
    signal output out;
    component h[N];
    for (var i = 0; i < N; i++) {
        h[i] = Poseidon(2);
        h[i].inputs[0] <== i == 0 ? seed : h[i - 1].out;
        h[i].inputs[1] <== salt + i;
    }
    out <== h[N - 1].out;
}
