#!/usr/bin/env python3
"""Regenerates docs/calibration.md: every figure of
../shared/reference/calibration.md that meshsim models, its published value,
meshsim's value and the error.

Usage: calibration_report.py MESHSIM [--out docs/calibration.md] [--check]

Each figure names the calibration scenario that reproduces its conditions
(configs/scenarios/calibration/) and how its value is read from the run's
JSON output. --check exits 1 when a figure not tagged weak is off by more
than 15 %, which `make test` runs (tests/e2e/calibration_report.sh).

Figures are listed whether or not they were used to fit a parameter; the
`use` column says which (fit: a parameter was fitted to it, named in
configs/meshes/; compare: predicted without fitting). Figures of other
software versions than the profiles model are listed as not modelled.
"""
import json
import subprocess
import sys

TOLERANCE = 0.15
SCEN = "configs/scenarios/calibration/"


def component(run, name):
    for c in run["components"]:
        if c["name"] == name:
            return c
    raise KeyError(f"no component {name} in {run['mesh']}")


def cpu_per_1000rps_per_instance(name):
    """Dashboard CPU of one instance of a component, per 1000 rps."""
    def read(get, scenario):
        run = get(scenario)
        c = component(run, name)
        rps = run["workloads"][0]["throughput"]
        return c["cpu_dashboard_cores"] / c["instances"] / (rps / 1000.0)
    return read


def memory_mb_per_instance(name):
    def read(get, scenario):
        run = get(scenario)
        c = component(run, name)
        return c["memory_bytes"] / c["instances"] / 1e6
    return read


def tcp_rr_per_s(get, scenario):
    """Round trips per second of a one-request closed loop (netperf TCP_RR)."""
    return 1.0 / get(scenario)["workloads"][0]["latency"]["mean"]


def c4_latency_overhead_pct(get, scenario):
    """Mean latency over no mesh, in percent (the paper's percentile is not
    confirmable, calibration.md C4)."""
    mesh = get(scenario)["workloads"][0]["latency"]["mean"]
    base = get(SCEN + "c4-none.yaml")["workloads"][0]["latency"]["mean"]
    return 100.0 * (mesh - base) / base


def c4_dashboard_cores(get, scenario):
    """Extra CPU of the mesh's user-space components, cores."""
    return sum(c["cpu_dashboard_cores"] for c in get(scenario)["components"])


def c4_memory_mb(per_node):
    def read(get, scenario):
        run = get(scenario)
        total = sum(c["memory_bytes"] for c in run["components"]) / 1e6
        return total if not per_node else total  # one node in C4
    return read


# (id, description, published, unit, tag, use, scenario, reader, note)
FIGURES = [
    ("C1", "Istio 1.24 sidecar CPU per 1000 rps (one proxy)", 0.20, "vCPU", "verbatim",
     "fit: istio-sidecar frameworkPerRequest", SCEN + "c1-istio-sidecar.yaml",
     cpu_per_1000rps_per_instance("sidecar"), ""),
    ("C1", "Istio 1.24 sidecar memory", 60, "MB", "verbatim",
     "fit: istio-sidecar memory.base", SCEN + "c1-istio-sidecar.yaml",
     memory_mb_per_instance("sidecar"), ""),
    ("C1", "Istio 1.24 waypoint CPU per 1000 rps", 0.25, "vCPU", "verbatim",
     "fit: istio-ambient waypoint frameworkPerRequest", SCEN + "c1-istio-waypoint.yaml",
     cpu_per_1000rps_per_instance("waypoint"), ""),
    ("C1", "Istio 1.24 waypoint memory", 60, "MB", "verbatim",
     "fit: istio-ambient waypoint memory.base", SCEN + "c1-istio-waypoint.yaml",
     memory_mb_per_instance("waypoint"), ""),
    ("C1", "Istio 1.24 ztunnel CPU per 1000 rps (one ztunnel)", 0.06, "vCPU", "verbatim",
     "fit: istio-ambient ztunnel frameworkPerRequest", SCEN + "c1-istio-ztunnel.yaml",
     cpu_per_1000rps_per_instance("ztunnel"), ""),
    ("C1", "Istio 1.24 ztunnel memory", 12, "MB", "verbatim",
     "fit: istio-ambient ztunnel memory.base", SCEN + "c1-istio-ztunnel.yaml",
     memory_mb_per_instance("ztunnel"), ""),
    # C2, Cilium's CNI benchmark (netperf TCP_RR, one process, two nodes).
    ("C2", "node-to-node baseline TCP_RR", 47800, "req/s", "chart",
     "fit: the c2-*.yaml wire latency", SCEN + "c2-baseline.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium eBPF host routing TCP_RR", 45300, "req/s", "chart", "compare",
     SCEN + "c2-cilium.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium WireGuard TCP_RR, MTU 1500", 16400, "req/s", "chart",
     "fit: cilium WireGuard hops' delay", SCEN + "c2-cilium-wireguard.yaml", tcp_rr_per_s, ""),
    # C4, the mTLS test case at 3,200 rps: all tagged weak, compared only.
    ("C4", "Istio sidecar latency overhead over no mesh (mean)", 166, "%", "weak", "compare",
     SCEN + "c4-istio-sidecar.yaml", c4_latency_overhead_pct, ""),
    ("C4", "Cilium latency overhead over no mesh (mean)", 99, "%", "weak", "compare",
     SCEN + "c4-cilium.yaml", c4_latency_overhead_pct, ""),
    ("C4", "Linkerd latency overhead over no mesh (mean)", 33, "%", "weak", "compare",
     SCEN + "c4-linkerd.yaml", c4_latency_overhead_pct, ""),
    ("C4", "Istio ambient latency overhead over no mesh (mean)", 8, "%", "weak", "compare",
     SCEN + "c4-istio-ambient.yaml", c4_latency_overhead_pct, ""),
    ("C4", "Istio sidecar extra CPU", 0.81, "cores", "weak", "compare",
     SCEN + "c4-istio-sidecar.yaml", c4_dashboard_cores, ""),
    ("C4", "Istio ambient extra CPU", 0.23, "cores", "weak", "compare",
     SCEN + "c4-istio-ambient.yaml", c4_dashboard_cores, ""),
    ("C4", "Cilium extra CPU (user space only)", 0.12, "cores", "weak", "compare",
     SCEN + "c4-cilium.yaml", c4_dashboard_cores, ""),
    ("C4", "Linkerd extra CPU", 0.29, "cores", "weak", "compare",
     SCEN + "c4-linkerd.yaml", c4_dashboard_cores, ""),
    ("C4", "Istio sidecar extra memory (client 255 + server 169 MB)", 424, "MB", "weak", "compare",
     SCEN + "c4-istio-sidecar.yaml", c4_memory_mb(False), ""),
    ("C4", "Istio ambient extra memory per node", 26, "MB", "weak", "compare",
     SCEN + "c4-istio-ambient.yaml", c4_memory_mb(True), ""),
    ("C4", "Cilium extra memory per node", 95, "MB", "weak",
     "soft fit: cilium agent memory.base (the agent's 95 MB is this figure)",
     SCEN + "c4-cilium.yaml", c4_memory_mb(True), ""),
    ("C4", "Linkerd extra memory (62 + 63 MB)", 125, "MB", "weak", "compare",
     SCEN + "c4-linkerd.yaml", c4_memory_mb(False), ""),
]

def c3_cpu_millicores(name, qps, mode):
    def read(get, scenario):
        return sum(c["cpu_dashboard_cores"] for c in get((scenario, qps, mode))["components"]
                   if c["name"] == name) * 1000
    return read


def c3_memory_mib(name, qps, mode):
    def read(get, scenario):
        return sum(c["memory_bytes"] for c in get((scenario, qps, mode))["components"]
                   if c["name"] == name) / 2**20
    return read


# C3 (Faces on GKE), every level. The CPU sums fit three parameters
# jointly (the e2-standard-8 platform's cpuSpeed and wakeupCpu, and
# linkerd2-proxy's frameworkPerRequest; ztunnel and the waypoint keep their
# C1 terms); the memory sums fit one term per component (make calibration).
C3 = SCEN + "c3-faces.yaml"
C3_LEVELS = (60, 120, 240, 600, 1200)
C3_CPU_USE = "fit: e2-standard-8 cpuSpeed, wakeupCpu; linkerd frameworkPerRequest (jointly)"
C3_ROWS = [
    # (component, mesh mode, what, CPU sums, memory sums, memory use)
    ("ztunnel", "istio-ambient", "ztunnel", (127, 259, 534, 1203, 2374),
     (37.4, 37.5, 38.8, 47.0, 71.2), "fit: istio-ambient ztunnel memory.perConfigObject"),
    ("waypoint", "istio-ambient", "waypoint", (143, 287, 585, 1374, 2814),
     (196.0, 196.8, 198.5, 196.7, 205.6), "fit: istio-ambient waypoint memory.perConfigObject"),
    ("proxy", "linkerd", "Linkerd proxies", (154, 304, 608, 1444, 2679),
     (135.7, 140.2, 142.6, 151.3, 161.1), "fit: linkerd proxy memory.base"),
]
for (name, mode, what, cpus, mems, mem_use) in C3_ROWS:
    for q, v in zip(C3_LEVELS, cpus):
        FIGURES.append(("C3", f"{what} CPU (sum) at {q} rps", v, "millicores", "derived",
                        C3_CPU_USE, C3, c3_cpu_millicores(name, q, mode), ""))
    for q, v in zip(C3_LEVELS, mems):
        FIGURES.append(("C3", f"{what} memory (sum) at {q} rps", v, "MiB", "derived", mem_use,
                        C3, c3_memory_mib(name, q, mode), ""))

# Figures that miss by more than 15 % for a reason this version knows and
# does not model; reported in their own table (and by the closing note of
# the work), not held by --check. Keep this list short and honest: every
# entry is a gap in the model.
KNOWN_MISSES = {
    "ztunnel memory (sum) at 1200 rps": "C3's ztunnel memory grows with load (37 to 71 MiB) at "
    "a fixed 600 client connections; no term of meshsim's memory model grows so (the "
    "connections are persistent, in-flight buffers are not modelled)",
}

NOT_MODELLED = [
    ("C1", "Istio 1.20 and 1.9-1.16 sidecar CPU and memory", "other Istio versions than the "
     "profile (1.24) models"),
    ("C1", "sidecar latency adds (1.20 text; 2023 charts by connections)", "latency is not "
     "fitted yet (wake-up delays carry initial values); next step"),
    ("C2", "TCP_STREAM throughput and system CPU for 10 Gbit/s (bulk transfer)",
     "no streaming workload yet (request/response only)"),
    ("C2", "legacy host routing TCP_RR; WireGuard and IPsec at MTU 9000; IPsec",
     "one Cilium datapath (eBPF host routing) and no MTU or IPsec parameter yet"),
    ("C2", "HTTP p95: no proxy, per-node Envoy, two sidecars", "the load level is not "
     "stated, so the conditions cannot be reproduced"),
    ("C5", "linkerd2-proxy vs Envoy maximum memory; Cilium agent memory per pod",
     "benchmark set-up and control plane not modelled yet"),
]


def run(meshsim, key):
    """key: a scenario path, or (path, qps, mesh mode) for the C3 levels."""
    args = [meshsim, "run"]
    if isinstance(key, tuple):
        scenario, qps, mode = key
        args += [scenario, "--set", f"spec.workloads[0].qps={qps}/s"]
        if mode == "linkerd":
            args += ["--set", "spec.mesh.mode=linkerd", "--set", "spec.mesh.l7=false"]
    else:
        args += [key]
    out = subprocess.run(args + ["--output-format", "json", "--progress", "never"], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)["runs"][0]


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    meshsim = argv[1]
    out_path = "docs/calibration.md"
    check = "--check" in argv
    if "--out" in argv:
        out_path = argv[argv.index("--out") + 1]
    cache = {}
    rows, misses, known = [], [], []
    def get(scenario):
        if scenario not in cache:
            cache[scenario] = run(meshsim, scenario)
        return cache[scenario]

    for (fid, desc, published, unit, tag, use, scenario, reader, note) in FIGURES:
        value = reader(get, scenario)
        err = (value - published) / published
        if tag != "weak" and abs(err) > TOLERANCE and desc in KNOWN_MISSES:
            known.append((fid, desc, published, unit, tag, use, value, err, scenario))
            continue
        rows.append((fid, desc, published, unit, tag, use, value, err, scenario))
        if tag != "weak" and abs(err) > TOLERANCE:
            misses.append(f"{fid} {desc}: published {published} {unit}, meshsim {value:.4g} "
                          f"({err:+.1%})")
    lines = [
        "# Calibration report",
        "",
        "Generated by `make calibration-report` (tools/calibration_report.py) from the",
        "calibration scenarios in configs/scenarios/calibration/, the mesh profiles in",
        "configs/meshes/ and the reference calibration profile. Published values are those",
        "of ../shared/reference/calibration.md; `use` says whether a parameter was fitted",
        "to the figure. Figures tagged weak are reported, never held to the 15 % bound.",
        "",
        "| figure | what | published | meshsim | error | tag | use | scenario |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (fid, desc, published, unit, tag, use, value, err, scenario) in rows:
        lines.append(f"| {fid} | {desc} | {published:g} {unit} | {value:.4g} {unit} | "
                     f"{err:+.1%} | {tag} | {use} | {scenario.split('/')[-1]} |")
    if known:
        lines += ["", "Known misses (not held to the 15 % bound; each is a gap of the model, "
                  "with its reason):", "",
                  "| figure | what | published | meshsim | error | tag | use | why |",
                  "|---|---|---|---|---|---|---|---|"]
        for (fid, desc, published, unit, tag, use, value, err, scenario) in known:
            lines.append(f"| {fid} | {desc} | {published:g} {unit} | {value:.4g} {unit} | "
                         f"{err:+.1%} | {tag} | {use} | {KNOWN_MISSES[desc]} |")
    lines += ["", "Not modelled yet:", "", "| figure | what | why |", "|---|---|---|"]
    for (fid, desc, why) in NOT_MODELLED:
        lines.append(f"| {fid} | {desc} | {why} |")
    text = "\n".join(lines) + "\n"
    if check:
        sys.stdout.write(text)
        if misses:
            print("figures off by more than 15 %:", file=sys.stderr)
            for m in misses:
                print("  " + m, file=sys.stderr)
            return 1
        return 0
    with open(out_path, "w") as f:
        f.write(text)
    print(f"wrote {out_path} ({len(rows)} figures, {len(misses)} off by more than 15 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
