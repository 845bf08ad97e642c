#!/usr/bin/env python3
"""compare.py: zbprover against rapidsnark's `prover` and `snarkjs groth16 prove` on the same
.zkey and .wtns. The provers alternate within each round (the order rotating each round), several
rounds each; it prints the median wall time, the ratios to zbprover, each prover's peak memory (the
child's ru_maxrss) and zbprover's median phases (--profile), checks every proof with `snarkjs
groth16 verify`, and writes the raw runs (compare-<tag>.json) and a plot of time against
constraints (compare-<tag>.png, drawn by gnuplot) to --out (build/compare/ unless told otherwise:
pass --out bench/results to add a measurement to the repository).

With --from-input it times input.json to proof instead: `zbprover fullprove` against `snarkjs
groth16 fullprove`, and against rapidsnark after `snarkjs wtns calculate` (the two commands timed
together, as a user of rapidsnark runs them); the circuit's directory must hold input.json and
its circom .wasm. zbprover's native witness object is built (and cached) before the rounds; its
build time is printed apart, as it is paid once per circuit program.

  python3 bench/compare.py [--rapidsnark PATH] [--runs 3] [--circuits poseidon_16,sha256_16,...]

Circuits are the names under bench/circuits/out/ (bench/circuits/make.sh builds them) or
fixture:<name> for the small snarkjs-made keys in tests/fixtures/. Without --circuits it runs
fixture:poseidon and those of poseidon_16, sha256_16, poseidon_18, sha256_18, poseidon_20 that
are built. rapidsnark is never built or shipped by this repository: give its `prover` with
--rapidsnark or $RAPIDSNARK, or its column is left out. Needs: the zbprover build
(build/release/zbprover, or --zbprover / $ZBP_BINARY), snarkjs (npm ci), and for the plot
gnuplot (scripts/install-deps.sh bench installs gnuplot-nox; without it the plot is skipped).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CIRCUITS = ["fixture:poseidon", "poseidon_16", "sha256_16", "poseidon_18", "sha256_18",
                    "poseidon_20"]


def run_child(cmd, env=None):
    """Runs cmd; returns (seconds, peak RSS in KiB, exit status, stderr text)."""
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        return dt, ru.ru_maxrss, p.returncode, errf.read().decode(errors="replace")


def circuit_files(name):
    if name.startswith("fixture:"):
        d = os.path.join(ROOT, "tests", "fixtures", name.split(":", 1)[1])
    else:
        d = os.path.join(ROOT, "bench", "circuits", "out", name)
    files = {k: os.path.join(d, f) for k, f in (("zkey", "circuit.zkey"), ("wtns", "witness.wtns"),
                                                   ("vk", "verification_key.json"))}
    for k in ("zkey", "wtns"):
        if not os.path.exists(files[k]):
            sys.exit(f"compare.py: {files[k]} is missing (run bench/circuits/make.sh {name})")
    return d, files


def input_files(d, name, files):
    """Adds input.json and the circom witness program (.wasm) of the circuit in d to files."""
    files["input"] = os.path.join(d, "input.json")
    wasm = [os.path.join(d, "circuit.wasm")]
    for sub in sorted(os.listdir(d)):
        if sub.endswith("_js") and os.path.isdir(os.path.join(d, sub)):
            wasm += [os.path.join(d, sub, f) for f in sorted(os.listdir(os.path.join(d, sub)))
                     if f.endswith(".wasm")]
    wasm = [w for w in wasm if os.path.exists(w)]
    if not os.path.exists(files["input"]) or not wasm:
        sys.exit(f"compare.py: --from-input needs {d}/input.json and the circuit's .wasm "
                 f"(bench/circuits/make.sh {name} writes both)")
    files["wasm"] = wasm[0]


def zkey_info(zbp, path):
    out = subprocess.run([zbp, "info", path, "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser(
        prog="bench/compare.py", description=__doc__.split(": ", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  python3 bench/compare.py --circuits fixture:poseidon --runs 1 --no-snarkjs\n"
               "  python3 bench/compare.py --rapidsnark /opt/rapidsnark/prover --runs 3\n"
               "  python3 bench/compare.py --replot build/compare/compare-A.json,bench/results/"
               "compare-B.json --tag merged\n\n"
               "Measurements, not tests: nothing runs this in CI. See bench/README.md.")
    ap.add_argument("--zbprover", metavar="PATH",
                    default=os.environ.get("ZBP_BINARY", os.path.join(ROOT, "build", "release",
                                                                      "zbprover")),
                    help="the zbprover program (default: $ZBP_BINARY, else build/release/zbprover)")
    ap.add_argument("--rapidsnark", metavar="PATH", default=os.environ.get("RAPIDSNARK"),
                    help="rapidsnark's `prover` (default: $RAPIDSNARK; without it rapidsnark is "
                         "left out)")
    ap.add_argument("--snarkjs", metavar="PATH",
                    default=os.path.join(ROOT, "node_modules", ".bin", "snarkjs"),
                    help="snarkjs, which verifies every proof (default: node_modules/.bin/snarkjs "
                         "from npm ci)")
    ap.add_argument("--no-snarkjs", action="store_true",
                    help="leave snarkjs's prover out (it still verifies every proof)")
    ap.add_argument("--runs", type=int, default=3, metavar="N",
                    help="rounds per circuit; each prover runs once per round (default: 3)")
    ap.add_argument("--circuits", metavar="A,B,...",
                    help="comma-separated circuits: names under bench/circuits/out/ or "
                         "fixture:<name> (default: fixture:poseidon and the built ones of "
                         + ", ".join(DEFAULT_CIRCUITS[1:]) + ")")
    ap.add_argument("--out", metavar="DIR", default=os.path.join(ROOT, "build", "compare"),
                    help="where the raw runs and the plot go (default: build/compare/, outside "
                         "the tracked tree; bench/results/ to commit a measurement)")
    ap.add_argument("--tag", default=datetime.date.today().isoformat(),
                    help="names the output files compare-<tag>.json/.png (default: today's date)")
    ap.add_argument("--from-input", action="store_true",
                    help="time input.json to proof: zbprover fullprove, snarkjs groth16 "
                         "fullprove, snarkjs wtns calculate + rapidsnark")
    ap.add_argument("--replot", metavar="A.json,B.json",
                    help="only redraw the plot from earlier raw runs, merged by circuit (the "
                         "first file's numbers win where two files have the same prover)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.replot:
        replot(args)
        return
    if args.circuits is None:
        args.circuits = ",".join(c for c in DEFAULT_CIRCUITS if (c.startswith("fixture:") and
                                                                 not args.from_input) or
                                 os.path.exists(os.path.join(ROOT, "bench", "circuits", "out", c,
                                                             "circuit.zkey")))
        left = [c for c in DEFAULT_CIRCUITS if c not in args.circuits.split(",")]
        if left:
            print(f"note: not built, left out: {', '.join(left)} (bench/circuits/make.sh)",
                  file=sys.stderr)
    if not os.access(args.zbprover, os.X_OK):
        sys.exit(f"compare.py: {args.zbprover} is not an executable (build it, or pass --zbprover)")

    if not os.access(args.snarkjs, os.X_OK):
        sys.exit(f"compare.py: {args.snarkjs} not found: snarkjs checks every proof (run npm ci)")
    # Each prover is a list of commands, timed together (rapidsnark from input needs two).
    if args.from_input:
        provers = [("zbprover", lambda f, o: [[args.zbprover, "fullprove", f["input"], f["wasm"],
                                               f["zkey"], o + "/proof.json", o + "/public.json",
                                               "--profile", o + "/profile.json"]])]
    else:
        provers = [("zbprover", lambda f, o: [[args.zbprover, "prove", f["zkey"], f["wtns"],
                                               o + "/proof.json", o + "/public.json",
                                               "--profile", o + "/profile.json"]])]
    if args.rapidsnark:
        if not os.access(args.rapidsnark, os.X_OK):
            sys.exit(f"compare.py: --rapidsnark {args.rapidsnark} is not an executable")
        if args.from_input:
            provers.append(("rapidsnark", lambda f, o: [
                [args.snarkjs, "wtns", "calculate", f["wasm"], f["input"], o + "/witness.wtns"],
                [args.rapidsnark, f["zkey"], o + "/witness.wtns", o + "/proof.json",
                 o + "/public.json"]]))
        else:
            provers.append(("rapidsnark", lambda f, o: [[args.rapidsnark, f["zkey"], f["wtns"],
                                                         o + "/proof.json", o + "/public.json"]]))
    else:
        print("note: no rapidsnark (--rapidsnark PATH or $RAPIDSNARK): its column is left out",
              file=sys.stderr)
    if not args.no_snarkjs:
        if args.from_input:
            provers.append(("snarkjs", lambda f, o: [[args.snarkjs, "groth16", "fullprove",
                                                      f["input"], f["wasm"], f["zkey"],
                                                      o + "/proof.json", o + "/public.json"]]))
        else:
            provers.append(("snarkjs", lambda f, o: [[args.snarkjs, "groth16", "prove", f["zkey"],
                                                      f["wtns"], o + "/proof.json",
                                                      o + "/public.json"]]))

    results = []
    work = tempfile.mkdtemp(prefix="zbp-compare-")
    try:
        for name in [c for c in args.circuits.split(",") if c]:
            d, f = circuit_files(name)
            if args.from_input:
                input_files(d, name, f)
                # The native witness object is built once per program and cached (or built ahead
                # with `wtns compile` for an image): built here, timed apart, not in the rounds.
                t, _, rc, err = run_child([args.zbprover, "wtns", "compile", f["wasm"]])
                if rc != 0:
                    sys.exit(f"compare.py: zbprover wtns compile {f['wasm']}: {err.strip()[-500:]}")
                print(f"  zbprover's witness object for {name}: {t:.1f} s (once, then cached)",
                      file=sys.stderr)
            if not os.path.exists(f["vk"]):
                f["vk"] = os.path.join(work, "vk.json")
                subprocess.run([args.zbprover, "export-vk", f["zkey"], f["vk"]], check=True)
            info = zkey_info(args.zbprover, f["zkey"])
            entry = {"circuit": name, "constraints": info.get("constraints"),
                     "domain": info.get("domain_size"), "variables": info.get("variables"),
                     "runs": {p: [] for p, _ in provers}, "profiles": []}
            print(f"== {name}: {entry['constraints']} constraints, domain {entry['domain']}",
                  file=sys.stderr)
            for r in range(args.runs):
                # Alternate, and rotate who goes first, so drift on a shared machine hits all.
                order = provers[r % len(provers):] + provers[:r % len(provers)]
                for pname, mk in order:
                    o = os.path.join(work, pname)
                    os.makedirs(o, exist_ok=True)
                    for leftover in ("proof.json", "public.json"):
                        if os.path.exists(os.path.join(o, leftover)):
                            os.unlink(os.path.join(o, leftover))
                    dt, rss, rc, err = 0.0, 0, 0, ""
                    for cmd in mk(f, o):
                        t, m, rc, err = run_child(cmd)
                        dt, rss = dt + t, max(rss, m)
                        if rc != 0:
                            break
                    ok = rc == 0
                    if ok:
                        v = subprocess.run([args.snarkjs, "groth16", "verify", f["vk"],
                                            o + "/public.json", o + "/proof.json"],
                                           capture_output=True, text=True)
                        ok = v.returncode == 0
                        if not ok:
                            err = "snarkjs groth16 verify rejects the proof"
                    if not ok:
                        sys.exit(f"compare.py: {pname} on {name}: {err.strip()[-500:]}")
                    entry["runs"][pname].append({"s": dt, "maxrss_kb": rss})
                    if pname == "zbprover":
                        with open(o + "/profile.json") as pf:
                            entry["profiles"].append(json.load(pf))
                    print(f"  round {r + 1} {pname:10s} {dt:8.3f} s  {rss / 1024:8.0f} MiB  verified",
                          file=sys.stderr)
            results.append(entry)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    names = [p for p, _ in provers]
    lines = ["| circuit | constraints | domain | " + " | ".join(f"{p} s (peak MiB)" for p in names)
             + " | " + " | ".join(f"{p}/zbprover" for p in names[1:]) + " |",
             "|---|---:|---:|" + "---:|" * (2 * len(names) - 1)]
    for e in results:
        med = {p: statistics.median(x["s"] for x in e["runs"][p]) for p in names}
        rss = {p: max(x["maxrss_kb"] for x in e["runs"][p]) / 1024 for p in names}
        e["median_s"], e["peak_mib"] = med, rss
        cells = [f"{med[p]:.3f} ({rss[p]:.0f})" for p in names]
        cells += [f"{med[p] / med['zbprover']:.1f}x" for p in names[1:]]
        lines.append(f"| {e['circuit']} | {e['constraints']} | 2^{e['domain'].bit_length() - 1} | "
                     + " | ".join(cells) + " |")
        phases = [p["phases_ms"] for p in e["profiles"]]
        e["zbprover_phases_median_ms"] = {k: statistics.median(p[k] for p in phases)
                                          for k in phases[0]}
    print("\n".join(lines))
    print("\nzbprover phases (median ms): ")
    for e in results:
        ph = e["zbprover_phases_median_ms"]
        print(f"- {e['circuit']}: " + ", ".join(f"{k} {v:.0f}" for k, v in ph.items()))

    os.makedirs(args.out, exist_ok=True)
    meta = {"date": args.tag, "machine": platform.node(), "cpu": cpu_name(), "cores": os.cpu_count(),
            "runs": args.runs, "provers": names, "rapidsnark": args.rapidsnark,
            "from_input": args.from_input}
    stem = f"compare-input-{args.tag}" if args.from_input else f"compare-{args.tag}"
    raw = os.path.join(args.out, stem + ".json")
    with open(raw, "w") as fh:
        json.dump({"meta": meta, "results": results}, fh, indent=1)
    print(f"\nraw runs: {os.path.relpath(raw, ROOT)}")
    plot(results, names, os.path.join(args.out, stem + ".png"), meta)


def replot(args):
    merged, names, meta = {}, [], None
    for path in args.replot.split(","):
        with open(path) as fh:
            d = json.load(fh)
        meta = meta or d["meta"]
        names += [p for p in d["meta"]["provers"] if p not in names]
        for e in d["results"]:
            m = merged.setdefault(e["circuit"], dict(e, median_s={}))
            for p, v in e["median_s"].items():
                m["median_s"].setdefault(p, v)
    plot(list(merged.values()), names, os.path.join(args.out, f"compare-{args.tag}.png"), meta)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def family(circuit):
    """poseidon_18 -> poseidon; fixture:poseidon -> fixture: one plotted line per shape."""
    return "fixture" if circuit.startswith("fixture:") else circuit.rsplit("_", 1)[0]


def plot(results, names, png, meta):
    """Median time against constraints, log-log: one line per prover and circuit family (the
    families differ a lot: full-size witness values against bits)."""
    if not shutil.which("gnuplot"):
        print("note: gnuplot not found (bash scripts/install-deps.sh bench installs gnuplot-nox): "
              "no plot", file=sys.stderr)
        return
    os.makedirs(os.path.dirname(png), exist_ok=True)
    fams = sorted({family(e["circuit"]) for e in results})
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as dat:
        # one gnuplot data block per family, columns: constraints, then each prover's median
        for fam in fams:
            pts = sorted((e["constraints"], e["circuit"], e) for e in results
                         if family(e["circuit"]) == fam and e["constraints"])
            for _, _, e in pts:
                dat.write(f"{e['constraints']} " + " ".join(
                    f"{e['median_s'][p]:.6f}" if p in e["median_s"] else "NaN" for p in names) + "\n")
            dat.write("\n\n")
    series = ", ".join(f"'{dat.name}' index {k} using 1:{i + 2} with linespoints lc {i + 1} "
                       f"pt {k + 1} title '{p} ({fam})'"
                       for i, p in enumerate(names) for k, fam in enumerate(fams))
    script = (f"set terminal pngcairo size 900,600 noenhanced\nset output '{png}'\n"
              f"set title 'Groth16 prove, BN254: {meta['cpu']}, {meta['cores']} cores, median of "
              f"{meta['runs']}'\nset xlabel 'constraints'\nset ylabel 'seconds'\nset logscale xy\n"
              f"set key top left\nset grid\nplot {series}\n")
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.unlink(dat.name)
    if r.returncode != 0:
        # pngcairo is absent from some builds: the plain png terminal draws the same plot
        r = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True,
                           capture_output=True)
    if r.returncode == 0:
        print(f"plot: {os.path.relpath(png, ROOT)}")
    else:
        print(f"note: gnuplot failed: {r.stderr.strip()}", file=sys.stderr)


if __name__ == "__main__":
    main()
