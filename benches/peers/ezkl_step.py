#!/usr/bin/env python3
"""Re-run one EZKL step in its own process, so `/usr/bin/time -v` reports that
step's peak memory alone (the shared runner, ezkl_prove.py, runs every step in
one process, so its maxrss is the peak over setup *and* prove).

Use:  /tmp/ezkl-venv/bin/python ezkl_step.py {setup|prove|verify} WORK_DIR
WORK_DIR is a directory already filled by ezkl_prove.py (settings.json,
model.compiled, witness.json, kzg<logrows>.srs, pk.key, vk.key, proof.json).
The step writes to *.rerun files, so the runner's own artifacts are kept.
Prints one JSON line: {"step": ..., "seconds": ...}."""
import json
import os
import sys
import time

import ezkl

step, work = sys.argv[1], sys.argv[2]
S = lambda f: os.path.join(work, f)
logrows = json.load(open(S("settings.json")))["run_args"]["logrows"]
srs = S(f"kzg{logrows}.srs")
t0 = time.time()
if step == "setup":
    ok = ezkl.setup(S("model.compiled"), S("vk.key.rerun"), S("pk.key.rerun"), srs)
elif step == "prove":
    ok = ezkl.prove(S("witness.json"), S("model.compiled"), S("pk.key"), S("proof.json.rerun"), srs)
elif step == "verify":
    ok = ezkl.verify(S("proof.json"), S("settings.json"), S("vk.key"), srs)
else:
    sys.exit(f"unknown step {step}")
seconds = round(time.time() - t0, 3)
for leftover in ("vk.key.rerun", "pk.key.rerun", "proof.json.rerun"):
    if os.path.exists(S(leftover)):
        os.remove(S(leftover))
print(json.dumps({"step": step, "seconds": seconds, "ok": bool(ok)}))
