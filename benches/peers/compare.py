#!/usr/bin/env python3
"""Side-by-side benchmark: zkinfer (Groth16/BN254) against EZKL (Halo2/KZG) on
the same ONNX models, with the same visibility (input private, weights private,
output public).

Run through compare.sh, which checks the set-up and the machine's load first.
Everything is run one process after the other, never concurrently, each under
`/usr/bin/time -v` ("Maximum resident set size" is the peak memory).

zkinfer, one process per step:
    zkinfer compile M/network.onnx -d W [--weights fixed]   (calibrates on M/input.json)
    zkinfer setup -d W
    zkinfer prove --input M/input.json -d W
    zkinfer verify -d W
Each step prints its own in-process time ("setup (groth16) in X s", "proved
(groth16) in X s", "verified (groth16) in X s"); the process's wall time adds
reading and validating the artifacts (for prove: decoding pk.bin with every
curve point checked, and re-deriving the compiled model).

EZKL: the shared runner `ezkl_prove.py M W` (gen_settings, calibrate
"resources", compile, gen_srs, witness, setup, prove, verify in one process;
per-step seconds in its JSON line), then `ezkl_step.py prove W` re-runs the
prove step alone in a fresh process so that its peak memory is prove's alone.

Writes OUT/results.jsonl (one record per run) and OUT/table.md, and prints the
table. `--table-only` re-prints the table from OUT/results.jsonl."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = ["1l_mlp", "2l_relu_fc", "4l_relu_conv_fc", "1l_softmax", "lenet_5"]


def timed(cmd, log_prefix):
    """Run cmd under /usr/bin/time -v; return (rc, stdout, stderr, wall_s, maxrss_bytes, cpu_s)."""
    time_file = log_prefix + ".time"
    full = ["/usr/bin/time", "-v", "-o", time_file] + cmd
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    started = time.time()
    proc = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.time() - started
    with open(log_prefix + ".out", "w") as f:
        f.write(proc.stdout)
    with open(log_prefix + ".err", "w") as f:
        f.write(proc.stderr)
    rss = cpu = None
    if os.path.exists(time_file):
        text = open(time_file).read()
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss = int(m.group(1)) * 1024 if m else None
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
        if m:
            parts = [float(p) for p in m.group(1).split(":")]
            wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        user = re.search(r"User time \(seconds\): ([0-9.]+)", text)
        system = re.search(r"System time \(seconds\): ([0-9.]+)", text)
        if user and system:
            cpu = round(float(user.group(1)) + float(system.group(1)), 3)
    if proc.returncode != 0:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or [""]
        print(f"  failed (exit {proc.returncode}): {tail[0][:300]}", file=sys.stderr, flush=True)
    return proc.returncode, proc.stdout, proc.stderr, wall, rss, cpu


def step_seconds(stdout, pattern):
    m = re.search(pattern + r" in ([0-9.]+) s", stdout)
    return float(m.group(1)) if m else None


def expected_outputs(model_dir):
    path = os.path.join(model_dir, "expected.json")
    if not os.path.exists(path):
        return None
    flat = []
    for out in json.load(open(path))["outputs"]:
        flat.extend(float(v) for v in out)
    return flat


def max_abs_error(values, expected):
    if values is None or expected is None or len(values) != len(expected):
        return None
    return max((abs(a - b) for a, b in zip(values, expected)), default=0.0)


def run_zkinfer(binary, model_dir, out, weights):
    name = os.path.basename(model_dir)
    tag = f"{name}-{weights}"
    work = os.path.join(out, "zkinfer", tag)
    logs = os.path.join(out, "logs", "zkinfer-" + tag)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(logs), exist_ok=True)
    record = {"tool": "zkinfer", "model": name, "weights": weights}
    compile_cmd = [binary, "compile", os.path.join(model_dir, "network.onnx"), "-d", work]
    if weights != "private":
        compile_cmd += ["--weights", weights]
    steps = [
        ("compile", compile_cmd, None),
        ("setup", [binary, "setup", "-d", work], r"setup \(groth16\)"),
        ("prove", [binary, "prove", "--input", os.path.join(model_dir, "input.json"), "-d", work],
         r"proved \(groth16\)"),
        ("verify", [binary, "verify", "-d", work], r"verified \(groth16\)"),
    ]
    for step, cmd, pattern in steps:
        rc, stdout, stderr, wall, rss, cpu = timed(cmd, f"{logs}-{step}")
        record[f"{step}_wall_s"] = round(wall, 3)
        record[f"{step}_cpu_s"] = cpu
        record[f"{step}_maxrss_bytes"] = rss
        if pattern:
            record[f"{step}_s"] = step_seconds(stdout, pattern)
        if step == "compile":
            m = re.search(r"(\d+) constraints", stdout)
            record["constraints"] = int(m.group(1)) if m else None
            m = re.search(r"scale 2\^(\d+)", stdout)
            record["scale_log2"] = int(m.group(1)) if m else None
        if rc != 0:
            lines = (stderr.strip() or stdout.strip()).splitlines()
            record["error"] = f"{step}: " + (lines[-1] if lines else f"exit {rc}")
            return record
    record["verified"] = True
    record["pk_bytes"] = os.path.getsize(os.path.join(work, "pk.bin"))
    record["vk_bytes"] = os.path.getsize(os.path.join(work, "vk.bin"))
    record["proof_bytes"] = os.path.getsize(os.path.join(work, "proof.bin"))
    public = json.load(open(os.path.join(work, "public.json")))
    outputs = [v["dequantized"] for v in public["values"] if v["label"].startswith("output")]
    record["max_abs_error"] = max_abs_error(outputs, expected_outputs(model_dir))
    return record


def run_ezkl(python, runner, model_dir, out):
    name = os.path.basename(model_dir)
    work = os.path.join(out, "ezkl", name)
    logs = os.path.join(out, "logs", "ezkl-" + name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(logs), exist_ok=True)
    record = {"tool": "ezkl", "model": name, "weights": "private"}
    rc, stdout, stderr, wall, rss, cpu = timed([python, runner, model_dir, work], logs + "-all")
    record["all_wall_s"] = round(wall, 3)
    record["all_cpu_s"] = cpu
    record["all_maxrss_bytes"] = rss
    if rc != 0:
        lines = stderr.strip().splitlines()
        record["error"] = lines[-1] if lines else f"exit {rc}"
        return record
    figures = json.loads(stdout.strip().splitlines()[-1])
    record["runner"] = figures
    seconds = figures["seconds"]
    record["setup_s"] = seconds["setup"]
    record["gen_srs_s"] = seconds["gen_srs"]
    record["prove_s"] = seconds["prove"]
    record["verify_s"] = seconds["verify"]
    record["verified"] = figures["verified"]
    record["pk_bytes"] = figures["pk_bytes"]
    record["vk_bytes"] = figures["vk_bytes"]
    record["proof_bytes"] = figures["proof_bytes"]
    record["logrows"] = figures["logrows"]
    record["scale_log2"] = figures["input_scale"]
    witness = json.load(open(os.path.join(work, "witness.json")))
    outputs = [float(v) for out in witness["pretty_elements"]["rescaled_outputs"] for v in out]
    record["max_abs_error"] = max_abs_error(outputs, expected_outputs(model_dir))
    # Prove alone, in a fresh process, for its own peak memory.
    rc, stdout, stderr, wall, rss, cpu = timed(
        [python, os.path.join(HERE, "ezkl_step.py"), "prove", work], logs + "-prove")
    if rc == 0:
        record["prove_only_s"] = json.loads(stdout.strip().splitlines()[-1])["seconds"]
        record["prove_only_wall_s"] = round(wall, 3)
        record["prove_cpu_s"] = cpu
        record["prove_maxrss_bytes"] = rss
    # The runner's SRS and keys are large; keep only the small files.
    for f in os.listdir(work):
        if f.endswith((".srs", ".key")):
            os.remove(os.path.join(work, f))
    return record


def fmt_s(x):
    if x is None:
        return "–"
    if x < 0.01:
        return f"{x * 1000:.1f} ms"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def fmt_b(x):
    if x is None:
        return "–"
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if x >= size:
            return f"{x / size:.1f} {unit}" if x / size < 100 else f"{x / size:.0f} {unit}"
    return f"{x} B"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    if not a:
        return "> 100×"  # below the 10 ms resolution of /usr/bin/time
    r = b / a
    return f"{r:,.0f}×" if r >= 10 else f"{r:.1f}×"


def short_error(error):
    """The distinct causes of a failure, without the per-scale repetition."""
    causes = []
    for m in re.finditer(r"node `([^`<][^`]*)` \(([^)]*)\): ([^;]+)", error):
        cause = f"{m.group(1)} ({m.group(2)}): {m.group(3).strip()}"
        if cause not in causes:
            causes.append(cause)
    return "; ".join(causes) if causes else error[:200]


def table(records):
    by = {}
    for r in records:
        by[(r["tool"], r["model"], r["weights"])] = r
    lines = [
        "| model | tool | setup | prove (in-process) | prove (command wall) | peak mem prove | "
        "peak mem setup | proving key | proof | verify | max abs err |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ratios = [
        "| model | prove time EZKL / zkinfer (in-process; command wall) | "
        "prove command CPU time EZKL / zkinfer | prove peak mem EZKL / zkinfer | setup time EZKL / zkinfer | "
        "proving key EZKL / zkinfer | targets (time ≥ 10×, mem ≥ 5×) |",
        "|---|---|---|---|---|---|---|",
    ]
    models = []
    for r in records:
        if r["model"] not in models:
            models.append(r["model"])
    for model in models:
        z = by.get(("zkinfer", model, "private"))
        e = by.get(("ezkl", model, "private"))
        zf = by.get(("zkinfer", model, "fixed"))
        for label, r in (("zkinfer", z), ("zkinfer, fixed weights", zf), ("EZKL 23.0.5", e)):
            if r is None:
                continue
            if "error" in r:
                lines.append(f"| {model} | {label} | not yet supported: {short_error(r['error'])} "
                             "| | | | | | | | |")
                continue
            if r["tool"] == "zkinfer":
                lines.append(
                    f"| {model} | {label} | {fmt_s(r.get('setup_s'))} | {fmt_s(r.get('prove_s'))} "
                    f"| {fmt_s(r.get('prove_wall_s'))} | {fmt_b(r.get('prove_maxrss_bytes'))} "
                    f"| {fmt_b(r.get('setup_maxrss_bytes'))} | {fmt_b(r.get('pk_bytes'))} "
                    f"| {r.get('proof_bytes')} B | {fmt_s(r.get('verify_s'))} "
                    f"| {r['max_abs_error']:.2g} (2^{r.get('scale_log2')}) |")
            else:
                lines.append(
                    f"| {model} | {label} | {fmt_s(r.get('setup_s'))} "
                    f"(+{fmt_s(r.get('gen_srs_s'))} SRS) | {fmt_s(r.get('prove_s'))} "
                    f"| {fmt_s(r.get('prove_only_wall_s'))} | {fmt_b(r.get('prove_maxrss_bytes'))} "
                    f"| {fmt_b(r.get('all_maxrss_bytes'))} (whole run) | {fmt_b(r.get('pk_bytes'))} "
                    f"| {r.get('proof_bytes')} B | {fmt_s(r.get('verify_s'))} "
                    f"| {r['max_abs_error']:.2g} (2^{r.get('scale_log2')}) |")
        if z and e and "error" not in z and "error" not in e:
            t_wall = (e.get("prove_only_wall_s") or e["prove_s"]) / max(z["prove_wall_s"], 0.01)
            mem = (e.get("prove_maxrss_bytes") / z["prove_maxrss_bytes"]
                   if e.get("prove_maxrss_bytes") and z.get("prove_maxrss_bytes") else None)
            hits = []
            hits.append("time ✓" if t_wall >= 10 else "time ✗")
            hits.append("mem ✓" if mem and mem >= 5 else "mem ✗")
            ratios.append(
                f"| {model} | {ratio(z['prove_s'], e['prove_s'])}; "
                f"{ratio(z['prove_wall_s'], e.get('prove_only_wall_s') or e['prove_s'])} "
                f"| {ratio(z.get('prove_cpu_s'), e.get('prove_cpu_s'))} "
                f"| {ratio(z['prove_maxrss_bytes'], e.get('prove_maxrss_bytes'))} "
                f"| {ratio(z['setup_s'], e['setup_s'])} | {ratio(z['pk_bytes'], e['pk_bytes'])} "
                f"| {', '.join(hits)} |")
    return "\n".join(lines) + "\n\n" + "\n".join(ratios) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zkinfer", default=os.path.join(ROOT, "target", "release", "zkinfer"))
    ap.add_argument("--ezkl-python", default="/tmp/ezkl-venv/bin/python")
    ap.add_argument("--ezkl-runner", default="/work/shared/peers/ezkl_prove.py")
    ap.add_argument("--corpus", default="/work/shared/corpus/ezkl-examples")
    ap.add_argument("--out", default="/tmp/zkinfer-compare")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--fixed", default="lenet_5",
                    help="models also run by zkinfer with --weights fixed (comma-separated)")
    ap.add_argument("--tools", default="zkinfer,ezkl")
    ap.add_argument("--table-only", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    results = os.path.join(args.out, "results.jsonl")
    if not args.table_only:
        tools = args.tools.split(",")
        fixed = [m for m in args.fixed.split(",") if m]
        for model in args.models.split(","):
            model_dir = os.path.join(args.corpus, model)
            runs = []
            if "zkinfer" in tools:
                runs.append(lambda: run_zkinfer(args.zkinfer, model_dir, args.out, "private"))
                if model in fixed:
                    runs.append(lambda: run_zkinfer(args.zkinfer, model_dir, args.out, "fixed"))
            if "ezkl" in tools:
                runs.append(lambda: run_ezkl(args.ezkl_python, args.ezkl_runner, model_dir, args.out))
            for run in runs:
                record = run()
                record["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
                record["loadavg_1m"] = os.getloadavg()[0]
                with open(results, "a") as f:
                    f.write(json.dumps(record) + "\n")
                print(json.dumps(record), file=sys.stderr, flush=True)
    records = {}
    for line in open(results):
        r = json.loads(line)
        records[(r["tool"], r["model"], r["weights"])] = r  # the latest run of each wins
    text = table(list(records.values()))
    open(os.path.join(args.out, "table.md"), "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
