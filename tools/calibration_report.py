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
    ("C2", "Cilium legacy host routing TCP_RR", 34000, "req/s", "chart",
     "fit: cilium-legacy-routing host stack hops' delay", SCEN + "c2-cilium-legacy-routing.yaml",
     tcp_rr_per_s, ""),
    ("C2", "Cilium IPsec TCP_RR, MTU 1500", 26100, "req/s", "chart",
     "fit: cilium-ipsec IPsec hops' delay", SCEN + "c2-cilium-ipsec.yaml", tcp_rr_per_s, ""),
    # At MTU 9000 a 1-byte TCP_RR message is the same single packet as at
    # 1500, so the MTU 1500 profiles run unchanged: predicted, not fitted.
    ("C2", "Cilium IPsec TCP_RR, MTU 9000", 25400, "req/s", "chart",
     "compare (MTU 1500 profile: a 1-byte message is the same one packet)",
     SCEN + "c2-cilium-ipsec-mtu9000.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium WireGuard TCP_RR, MTU 9000", 16500, "req/s", "chart",
     "compare (MTU 1500 profile: a 1-byte message is the same one packet)",
     SCEN + "c2-cilium-wireguard-mtu9000.yaml", tcp_rr_per_s, ""),
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


# C3 (Faces on GKE) is predicted from the C1 fits but not yet calibrated: the
# per-request CPU there is several times C1's, and the ratios between the
# components differ, so no single environment factor reconciles them. These
# rows are shown, not held to the 15 % bound, until that calibration exists.
C3 = "c3-faces.yaml"
PENDING = [
    ("C3", f"ztunnel CPU (sum) at {q} rps", v, "millicores", "derived", SCEN + C3,
     c3_cpu_millicores("ztunnel", q, "istio-ambient")) for q, v in ((60, 127), (1200, 2374))
] + [
    ("C3", f"waypoint CPU (sum) at {q} rps", v, "millicores", "derived", SCEN + C3,
     c3_cpu_millicores("waypoint", q, "istio-ambient")) for q, v in ((60, 143), (1200, 2814))
] + [
    ("C3", f"Linkerd proxies CPU (sum) at {q} rps", v, "millicores", "derived", SCEN + C3,
     c3_cpu_millicores("proxy", q, "linkerd")) for q, v in ((60, 154), (1200, 2679))
] + [
    ("C3", "ztunnel memory (sum) at 60 rps", 37.4, "MiB", "derived", SCEN + C3,
     c3_memory_mib("ztunnel", 60, "istio-ambient")),
    ("C3", "waypoint memory (sum) at 60 rps", 196.0, "MiB", "derived", SCEN + C3,
     c3_memory_mib("waypoint", 60, "istio-ambient")),
    ("C3", "Linkerd proxies memory (sum) at 60 rps", 135.7, "MiB", "derived", SCEN + C3,
     c3_memory_mib("proxy", 60, "linkerd")),
]

def total_throughput(get, scenario):
    """Requests/s summed over all of a scenario's workloads."""
    return sum(w["throughput"] for w in get(scenario)["workloads"])


def cpu_pct_of_cores(nodes, cores):
    """All CPU of the run (node kernels and components), in percent of the
    nodes' cores."""
    def read(get, scenario):
        busy = sum(c["cpu_user_cores"] + c["cpu_kernel_cores"]
                   for c in get(scenario)["components"])
        return 100.0 * busy / (nodes * cores)
    return read


# Figures a scenario reproduces but the model misses by more than 15 % for a
# reason the model does not have yet: shown with the reason, not held to
# the bound (and not in FIGURES, whose misses fail --check).
# (id, description, published, unit, tag, scenario, reader, why)
NOT_HELD = [
    ("C2", "Cilium TCP_RR with 32 processes: requests/s (\"close to 1M\")", 1000000, "req/s",
     "verbatim", SCEN + "c2-cilium-32-processes.yaml", total_throughput,
     "nothing in the model makes 32 concurrent round trips slower than one below "
     "saturation (no shared softirq or NIC queue, no SMT sibling or cache contention), so "
     "each process keeps the single-process round trip and the rate is 32 times "
     "c2-cilium.yaml's"),
    ("C2", "Cilium TCP_RR with 32 processes: CPU (\"about 30 %\"), % of the 2 x 16 cores",
     30, "%", "verbatim", SCEN + "c2-cilium-32-processes.yaml", cpu_pct_of_cores(2, 16),
     "follows the rate above (CPU per request as at one process); the figure's "
     "denominator is not stated: of the 2 x 32 hardware threads (SMT) the same CPU is "
     "half this"),
]

NOT_MODELLED = [
    ("C1", "Istio 1.20 and 1.9-1.16 sidecar CPU and memory", "other Istio versions than the "
     "profile (1.24) models"),
    ("C1", "sidecar latency adds (1.20 text; 2023 charts by connections)", "latency is not "
     "fitted yet (wake-up delays carry initial values); next step"),
    ("C2", "TCP_STREAM throughput and system CPU for 10 Gbit/s (bulk transfer)",
     "no streaming workload yet (request/response only); and no MTU parameter: the engine "
     "counts packets at a fixed 1448 B MSS (models/dataplane.h), so MTU 9000 bulk transfer "
     "cannot be expressed; legacy routing's host stack pass is a latency without CPU"),
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
    rows, misses = [], []
    def get(scenario):
        if scenario not in cache:
            cache[scenario] = run(meshsim, scenario)
        return cache[scenario]

    for (fid, desc, published, unit, tag, use, scenario, reader, note) in FIGURES:
        value = reader(get, scenario)
        err = (value - published) / published
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
    lines += ["", "Predicted but not yet calibrated (shown, not held to the 15 % bound: the",
              "C1 fits predict several times less CPU per request than Faces on GKE shows, and",
              "other ratios between components, so C3 needs its own calibration):", "",
              "| figure | what | published | meshsim | error | tag | scenario |",
              "|---|---|---|---|---|---|---|"]
    for (fid, desc, published, unit, tag, scenario, reader) in PENDING:
        value = reader(get, scenario)
        err = (value - published) / published
        lines.append(f"| {fid} | {desc} | {published:g} {unit} | {value:.4g} {unit} | "
                     f"{err:+.1%} | {tag} | {scenario.split('/')[-1]} |")
    lines += ["", "Predicted, not held (a scenario reproduces the figure, the model misses it by",
              "more than 15 % for the reason given; not fitted, so shown as predicted):", "",
              "| figure | what | published | meshsim | error | tag | why not held | scenario |",
              "|---|---|---|---|---|---|---|---|"]
    for (fid, desc, published, unit, tag, scenario, reader, why) in NOT_HELD:
        value = reader(get, scenario)
        err = (value - published) / published
        lines.append(f"| {fid} | {desc} | {published:g} {unit} | {value:.4g} {unit} | "
                     f"{err:+.1%} | {tag} | {why} | {scenario.split('/')[-1]} |")
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
