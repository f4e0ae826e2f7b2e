#!/bin/sh
# The C4 test case (calibration.md: 3,200 rps over 1,600 connections for 300
# simulated seconds, per-request fidelity) for all five meshes, timed.
# Prints one JSON object per mesh and one for the total (target: <= 10 s).
# Usage: c4_meshes.sh BUILD_DIR
set -eu
build=$1
rows=""
for mesh in none istio-sidecar istio-ambient cilium linkerd; do
	row=$("$build/meshsim" run "configs/scenarios/calibration/c4-$mesh.yaml" --output-format json \
		--progress never | python3 -c '
import json, sys
d = json.load(sys.stdin); r = d["runs"][0]; w = r["workloads"][0]
print(json.dumps({"bench": "c4", "mesh": sys.argv[1], "sim_s": r["sim_end_s"], "events": r["events"],
                  "wall_s": round(r["wall_s"], 3), "events_per_s": round(r["events"] / r["wall_s"]),
                  "requests": w["ok"], "p99_s": w["latency"]["percentiles"]["99"]}))' "$mesh")
	echo "$row"
	rows="$rows$row
"
done
printf '%s' "$rows" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
print(json.dumps({"bench": "c4", "mesh": "all five", "wall_s": round(sum(r["wall_s"] for r in rows), 3),
                  "events": sum(r["events"] for r in rows), "target_wall_s": 10}))'
