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
configs/meshes/; compare: predicted without fitting). Other software versions
are modelled by variant profiles (configs/meshes/istio-sidecar-<version>.yaml).
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


def c4_memory_mb(get, scenario):
    """Memory of the mesh's components, MB: per node too, as C4 has one node."""
    return sum(c["memory_bytes"] for c in get(scenario)["components"]) / 1e6


# C1, the 2023 latency charts (Fortio, 1000 rps, 1 KB, 2 workers, mTLS,
# telemetry on) at 2-64 client connections: each point runs its scenario with
# spec.workloads[0].connections set (a ("connections", scenario, n) key).
C1_CONNECTIONS = (2, 4, 8, 16, 32, 64)
C1_BASELINE_TABLE = SCEN + "c1-latency-baseline.json"
C1_CHART = {  # calibration.md C1, 2023 charts [verbatim value labels], ms
    ("90", "none"): (0.685, 0.708, 0.73, 0.76, 0.76, 0.782),
    ("90", "sidecars"): (1.853, 1.918, 1.996, 2.033, 2.081, 2.092),
    ("99", "none"): (0.834, 0.844, 0.859, 0.898, 0.897, 0.943),
    ("99", "sidecars"): (2.214, 2.301, 2.429, 2.484, 2.485, 2.511),
}
C1_LAT_NONE = SCEN + "c1-latency-none.yaml"
C1_LAT_SIDECARS = SCEN + "c1-latency-istio-sidecar-1.20.yaml"


def latency_ms(pct, connections):
    """A latency percentile (ms) of the scenario run at a connection count."""
    def read(get, scenario):
        run = get(("connections", scenario, connections))
        return run["workloads"][0]["latency"]["percentiles"][pct] * 1e3
    return read


def c1_sidecars_add_ms(pct):
    """Two sidecars' latency over no mesh at a percentile (ms), the mean over
    the charts' 2-64 connections (the 1.20 text's conditions)."""
    def read(get, scenario):
        adds = [latency_ms(pct, n)(get, C1_LAT_SIDECARS) - latency_ms(pct, n)(get, C1_LAT_NONE)
                for n in C1_CONNECTIONS]
        return sum(adds) / len(adds)
    return read


def c1_adds_ms(pct, scenario, connections=4):
    """What a mesh adds over no mesh at a percentile (ms), both at a
    connection count (C1's 1.24 page: 4) on the fitted baseline."""
    def read(get, _):
        return (latency_ms(pct, connections)(get, scenario) -
                latency_ms(pct, connections)(get, C1_LAT_NONE))
    return read


C1_BASELINE_FIT = "fit: c1-latency serviceTime at this connection count (lognormal, c1-latency-baseline.json)"
C1_WAKEUP_FIT = "fit: istio-sidecar-1.20 wakeupDelay"


def stream_gbps(get, scenario):
    return get(scenario)["workloads"][0]["throughput_bps"] / 1e9


C2_THREADS = 32  # a Ryzen 9 3950X: 16 cores, 32 hardware threads


def stream_cpu_pct_per_10g(side):
    """A stream's CPU on its sender's or receiver's node, scaled to 10
    Gbit/s, in percent of the node's 32 hardware threads: Cilium's chart
    shows "the total CPU consumption across the entire system" for the
    throughput of 10 Gbit/s."""
    def read(get, scenario):
        w = get(scenario)["workloads"][0]
        cores = w["client_node_cpu_cores" if side == "client" else "server_node_cpu_cores"]
        if w["throughput_bps"] <= 0:
            raise SystemExit(f"calibration_report: {scenario}: the stream has no rate")
        return 100.0 * cores * (10e9 / w["throughput_bps"]) / C2_THREADS
    return read


# Why the stream CPU figures miss (KNOWN_MISSES below, per row).
C2_STREAM_CPU_WHY = {
    "IPsec": "meshsim's stream CPU is its serial path (a core on the slower side at full rate: "
    "the packet work, and on the receiver the TCP write and read kernel of both ends) plus "
    "parallel work; at full rate Cilium's chart shows 1.0-1.4 busy hardware threads per node, "
    "so about a third of a thread per node is work no kernel measures: the sender's own copy "
    "and TCP transmit (the write-and-read kernel is charged to the receiver), interrupts, "
    "netperf itself",
    "WireGuard": "at full rate Cilium's chart shows 2.9-4.9 busy hardware threads per node, "
    "meshsim 1.2-1.6 (the serial path and the measured cipher on the crypt workers): the "
    "workers' work beyond the cipher (per-packet hand-offs across CPUs, wake-ups, cache "
    "transfers, several microseconds a packet and growing with its bytes) is not priced, and "
    "one platform value fitted to these figures would be a curve fit, not a mechanism",
}


def c2_stream_cpu_rows():
    rows = []
    for (name, mtu, client, server) in (("IPsec", 1500, 12.5, 11.4),
                                        ("WireGuard", 1500, 19.4, 28.7),
                                        ("IPsec", 9000, 4.0, 2.9),
                                        ("WireGuard", 9000, 7.2, 8.6)):
        scenario = SCEN + "c2-stream-" + name.lower() + ("-mtu9000" if mtu == 9000 else "") + ".yaml"
        for side, published in (("client", client), ("server", server)):
            desc = (f"Cilium {name} MTU {mtu}: {side} system CPU for 10 Gbit/s "
                    f"(% of 32 hardware threads)")
            rows.append(("C2", desc, published, "%", "chart", "compare", scenario,
                         stream_cpu_pct_per_10g(side), ""))
            if not (name == "IPsec" and mtu == 9000 and side == "server"):
                STREAM_CPU_MISSES[desc] = C2_STREAM_CPU_WHY[name]
    return rows


STREAM_CPU_MISSES = {}


def c1_chart_rows():
    rows = []
    for pct in ("90", "99"):
        for mesh, scenario in (("none", C1_LAT_NONE), ("sidecars", C1_LAT_SIDECARS)):
            for n, published in zip(C1_CONNECTIONS, C1_CHART[(pct, mesh)]):
                if mesh == "none":
                    what, use = "no mesh", C1_BASELINE_FIT
                else:
                    what = "two Istio 1.20 sidecars"
                    use = C1_WAKEUP_FIT if (pct, n) == ("90", 4) else "compare"
                rows.append(("C1", f"2023 chart p{pct}, {what}, {n} connections", published, "ms",
                             "verbatim", use, scenario, latency_ms(pct, n), ""))
    return rows


def c1_proxy_rows():
    """C1's per-proxy rows: CPU per 1000 rps and memory of one proxy, each
    fitted (frameworkPerRequest, memory.base) in its C1 scenario."""
    rows = []
    # (version and what, profile, component, scenario, vCPU, memory MB, memory label)
    for (what, mesh, comp, scn, cpu, mem, mem_what) in (
            ("Istio 1.24 sidecar", "istio-sidecar", "sidecar", "c1-istio-sidecar", 0.20, 60,
             ""),
            ("Istio 1.24 waypoint", "istio-ambient", "waypoint", "c1-istio-waypoint", 0.25, 60,
             ""),
            ("Istio 1.24 ztunnel", "istio-ambient", "ztunnel", "c1-istio-ztunnel", 0.06, 12, ""),
            # Older Istio: the variant profiles configs/meshes/istio-sidecar-<version>.yaml.
            ("Istio 1.20 sidecar", "istio-sidecar-1.20", "sidecar", "c1-istio-sidecar-1.20",
             0.5, 50, " (~50 MB)"),
            ("Istio 1.9-1.16 sidecar", "istio-sidecar-1.9-1.16", "sidecar",
             "c1-istio-sidecar-1.9-1.16", 0.35, 40, "")):
        one = {"sidecar": " (one proxy)", "ztunnel": " (one ztunnel)"}.get(comp, "")
        scenario = SCEN + scn + ".yaml"
        rows.append(("C1", f"{what} CPU per 1000 rps{one}", cpu, "vCPU", "verbatim",
                     f"fit: {mesh}{'' if comp == 'sidecar' else ' ' + comp} frameworkPerRequest",
                     scenario, cpu_per_1000rps_per_instance(comp), ""))
        rows.append(("C1", f"{what} memory{mem_what}", mem, "MB", "verbatim",
                     f"fit: {mesh}{'' if comp == 'sidecar' else ' ' + comp} memory.base",
                     scenario, memory_mb_per_instance(comp), ""))
    return rows


# (id, description, published, unit, tag, use, scenario, reader, note)
def c1_quoted_rows():
    """Istio 1.24's latency adds as quoted by third parties [weak], under the
    1.24 page's conditions (4 connections), on the chart's fitted baseline."""
    rows = []
    for (what, scenario, p90, p99) in (
            ("two sidecars add", "c1-latency-istio-sidecar.yaml", 0.63, 0.88),
            ("ambient L4 adds", "c1-latency-istio-ambient.yaml", 0.16, 0.20)):
        for pct, published in (("90", p90), ("99", p99)):
            rows.append(("C1", f"Istio 1.24 {what} to p{pct} (quoted, 4 connections)", published,
                         "ms", "weak", "compare", SCEN + scenario,
                         c1_adds_ms(pct, SCEN + scenario), ""))
    return rows


FIGURES = c1_proxy_rows() + c1_chart_rows() + c1_quoted_rows() + [
    # C2, Cilium's CNI benchmark (netperf TCP_RR, one process, two nodes).
    ("C2", "node-to-node baseline TCP_RR", 47800, "req/s", "chart",
     "fit: the c2-*.yaml wire latency", SCEN + "c2-baseline.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium eBPF host routing TCP_RR", 45300, "req/s", "chart", "compare",
     SCEN + "c2-cilium.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium WireGuard TCP_RR, MTU 1500", 16400, "req/s", "chart",
     "fit: cilium WireGuard hops' delay", SCEN + "c2-cilium-wireguard.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium legacy host routing TCP_RR", 34000, "req/s", "chart",
     "fit: cilium-legacy-routing host stack hops' CPU per segment",
     SCEN + "c2-cilium-legacy-routing.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium IPsec TCP_RR, MTU 1500", 26100, "req/s", "chart",
     "fit: cilium-ipsec IPsec hops' delay", SCEN + "c2-cilium-ipsec.yaml", tcp_rr_per_s, ""),
    # At MTU 9000 a 1-byte TCP_RR message is the same single packet as at
    # 1500: predicted, not fitted.
    ("C2", "Cilium IPsec TCP_RR, MTU 9000", 25400, "req/s", "chart",
     "compare (a 1-byte message is the same one packet)",
     SCEN + "c2-cilium-ipsec-mtu9000.yaml", tcp_rr_per_s, ""),
    ("C2", "Cilium WireGuard TCP_RR, MTU 9000", 16500, "req/s", "chart",
     "compare (a 1-byte message is the same one packet)",
     SCEN + "c2-cilium-wireguard-mtu9000.yaml", tcp_rr_per_s, ""),
    # C2's TCP_STREAM, one stream (a bulk workload, per flow).
    ("C2", "node-to-node baseline TCP_STREAM", 41.7, "Gbit/s", "chart",
     "fit: the C2 nodes' kernelSpeed", SCEN + "c2-stream-baseline.yaml", stream_gbps, ""),
    ("C2", "Cilium eBPF host routing TCP_STREAM", 42.3, "Gbit/s", "chart",
     "compare (eBPF per 64 KiB segment)", SCEN + "c2-stream-cilium.yaml", stream_gbps, ""),
    ("C2", "Cilium legacy host routing TCP_STREAM", 35.8, "Gbit/s", "chart",
     "compare (host stack CPU per segment from the legacy TCP_RR)",
     SCEN + "c2-stream-legacy-routing.yaml", stream_gbps, ""),
    ("C2", "Cilium WireGuard TCP_STREAM, MTU 1500", 4.7, "Gbit/s", "chart",
     "fit: cilium WireGuard hops' CPU per packet", SCEN + "c2-stream-wireguard.yaml",
     stream_gbps, ""),
    ("C2", "Cilium WireGuard TCP_STREAM, MTU 9000", 17.6, "Gbit/s", "chart", "compare",
     SCEN + "c2-stream-wireguard-mtu9000.yaml", stream_gbps, ""),
    ("C2", "Cilium IPsec TCP_STREAM, MTU 1500", 3.4, "Gbit/s", "chart",
     "fit: cilium-ipsec IPsec hops' CPU per packet", SCEN + "c2-stream-ipsec.yaml",
     stream_gbps, ""),
    ("C2", "Cilium IPsec TCP_STREAM, MTU 9000", 10.4, "Gbit/s", "chart", "compare",
     SCEN + "c2-stream-ipsec-mtu9000.yaml", stream_gbps, ""),
] + c2_stream_cpu_rows() + [
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
     SCEN + "c4-istio-sidecar.yaml", c4_memory_mb, ""),
    ("C4", "Istio ambient extra memory per node", 26, "MB", "weak", "compare",
     SCEN + "c4-istio-ambient.yaml", c4_memory_mb, ""),
    ("C4", "Cilium extra memory per node", 95, "MB", "weak",
     "soft fit: cilium agent memory.base (the agent's 95 MB is this figure)",
     SCEN + "c4-cilium.yaml", c4_memory_mb, ""),
    ("C4", "Linkerd extra memory (62 + 63 MB)", 125, "MB", "weak", "compare",
     SCEN + "c4-linkerd.yaml", c4_memory_mb, ""),
]

# Published figures that contradict others under the same stated conditions:
# meshsim's value is reported, not held. (id, description, published, unit,
# tag, scenario, reader, why)
CONFLICTING = [
    ("C1", "Istio 1.20 text: two sidecars add to p90 over no mesh (2-64 connections; "
     "meshsim: mean over the chart's six)", 0.228, "ms", "verbatim", C1_LAT_SIDECARS,
     c1_sidecars_add_ms("90"),
     "the 2023 chart under the same stated conditions shows +1.168 ms at 2 connections "
     "(1.853 - 0.685) and +1.31 ms at 64; and the 1.20 CPU row (0.5 vCPU per 1000 rps = "
     "0.5 ms of CPU per request per proxy) puts about 1 ms of proxy work in series on each "
     "request through two sidecars. meshsim is fitted to the chart and the CPU row"),
    ("C1", "Istio 1.20 text: two sidecars add to p99 over no mesh (2-64 connections; "
     "meshsim: mean over the chart's six)", 0.298, "ms", "verbatim", C1_LAT_SIDECARS,
     c1_sidecars_add_ms("99"),
     "as for p90: the chart shows +1.38 ms at 2 connections (2.214 - 0.834), +1.57 ms at 64"),
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

def agent_memory_mib(get, scenario):
    run = get(scenario)
    c = component(run, "agent")
    return c["memory_bytes"] / c["instances"] / 2**20


# C5: the Cilium agent's memory per pod held is taken from its figure; the
# average at 50,000 pods is then predicted.
FIGURES += [
    ("C5", "Cilium agent memory at 50,000 pods, 1,000 nodes (average)", 438, "MiB", "verbatim",
     "compare (agent memory.perConfigObject = C5's 10.5 KiB per pod; base 95 MB, C4 weak)",
     SCEN + "c5-cilium-agent-50k.yaml", agent_memory_mib, ""),
]

# Figures that miss by more than 15 % for a reason this version knows and
# does not model; reported in their own table (and by the closing note of
# the work), not held by --check. Keep this list short and honest: every
# entry is a gap in the model.
KNOWN_MISSES = {
    "ztunnel memory (sum) at 1200 rps": "C3's ztunnel memory grows with load (37 to 71 MiB) "
    "at a fixed 600 client connections, and no term of meshsim's memory model grows so. The "
    "one mechanism found, ztunnel's copy buffers growing from 1 KiB to 16 KiB once a "
    "direction has copied 128 KiB (istio/ztunnel src/copy.rs; one buffer per outbound "
    "connection, the waypoint's pooled connections inbound), adds at most about 9 MiB over "
    "the 600 wrk2 connections, not the 34 MiB seen",
    "Cilium agent memory at 50,000 pods, 1,000 nodes (average)": "the report's 10.5 KiB per "
    "pod is its most loaded agent's growth (573 MiB at most: (573 - 63) MiB over the 49,750 "
    "pods added, cilium/cilium scalability report.rst); its average agent, 438 MiB, grew by "
    "at most 8.8 KiB per pod (438 MiB / 50,000 even from a zero base). meshsim's agents are "
    "alike, each the C5 slope over C4's 95 MB base (a weak figure from a small cluster), "
    "which puts them at 603 MiB, above even the most loaded agent's 573; the spread between "
    "agents (their local endpoints, their caches' churn) and the agent's own base are the "
    "control plane's to model, not yet built",
}
KNOWN_MISSES.update(STREAM_CPU_MISSES)

def total_throughput(get, scenario):
    """Requests/s summed over all of a scenario's workloads."""
    return sum(w["throughput"] for w in get(scenario)["workloads"])


def cpu_pct_per_node(nodes, threads):
    """All CPU of the run (node kernels and components), per node, in
    percent of a node's hardware threads."""
    def read(get, scenario):
        busy = sum(c["cpu_user_cores"] + c["cpu_kernel_cores"]
                   for c in get(scenario)["components"])
        return 100.0 * busy / (nodes * threads)
    return read


# C2's 32-process TCP_RR: predicted, missed (KNOWN_MISSES says why).
# (id, description, published, unit, tag, scenario, reader, why)
C2_32 = [
    ("C2", "Cilium TCP_RR with 32 processes: requests/s (\"close to 1M\")", 1000000, "req/s",
     "verbatim", SCEN + "c2-cilium-32-processes.yaml", total_throughput,
     "nothing in the model makes 32 concurrent round trips slower than one below "
     "saturation (no shared softirq or NIC queue, no SMT sibling or cache contention), so "
     "each process keeps the single-process round trip and the rate is 32 times "
     "c2-cilium.yaml's"),
    ("C2", "Cilium TCP_RR with 32 processes: CPU (\"about 30 %\" of the system on both "
     "sender and receiver), % of a node's 32 hardware threads",
     30, "%", "verbatim", SCEN + "c2-cilium-32-processes.yaml", cpu_pct_per_node(2, C2_THREADS),
     "CPU per round trip as at one process (the packet path and the TCP write and read "
     "kernel at the fitted kernelSpeed: 3.2 us per node, where the chart implies 9.6), at "
     "the rate above; the chart counts the whole system: interrupts, and netperf itself, "
     "woken once per message on each side (application CPU, which meshsim does not price), "
     "and the contention that holds the rate to 1M would add CPU per round trip too"),
]
for (fid, desc, published, unit, tag, scenario, reader, why) in C2_32:
    FIGURES.append((fid, desc, published, unit, tag, "compare", scenario, reader, ""))
    KNOWN_MISSES[desc] = why

NOT_MODELLED = [
    ("C2", "HTTP p95: no proxy, per-node Envoy, two sidecars", "the load level is not "
     "stated, so the conditions cannot be reproduced"),
    ("C5", "linkerd2-proxy vs Envoy sidecar maximum memory in a 2021 benchmark (26.3 vs "
     "156.2 MB)", "the benchmark's configuration size, connections and load are not in "
     "calibration.md, so its conditions cannot be reproduced; linkerd2-proxy's base memory "
     "comes from C3 (these versions), Envoy's from C1"),
]


def run(meshsim, key):
    """key: a scenario path, ("connections", path, n) for C1's chart points, or
    (path, qps, mesh mode) for the C3 levels."""
    args = [meshsim, "run"]
    if isinstance(key, tuple) and key[0] == "connections":
        _, scenario, n = key
        # The baseline fitted to the no-mesh rows at this connection count.
        with open(C1_BASELINE_TABLE) as f:
            st = json.load(f)["serviceTime"][str(n)]
        args += [scenario, "--set", f"spec.workloads[0].connections={n}",
                 "--set", f"spec.services[0].serviceTime.mean={st['mean_ns']}ns",
                 "--set", f"spec.services[0].serviceTime.stddev={st['stddev_ns']}ns"]
    elif isinstance(key, tuple):
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
        if desc in KNOWN_MISSES:
            if tag != "weak" and abs(err) > TOLERANCE:
                known.append((fid, desc, published, unit, tag, use, value, err, scenario))
                continue
            misses.append(f"{fid} {desc}: listed as a known miss but now within 15 % "
                          f"({err:+.1%}): hold it (remove it from KNOWN_MISSES)")
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
    lines += ["", "Known misses: predicted or fitted, off by more than 15 %, each with the gap of",
              "the model that explains it (tools/calibration_report.py KNOWN_MISSES; --check",
              "fails on any other miss, and on a known one that comes back within 15 %):", "",
              "| figure | what | published | meshsim | error | tag | use | scenario | why |",
              "|---|---|---|---|---|---|---|---|---|"]
    for (fid, desc, published, unit, tag, use, value, err, scenario) in known:
        lines.append(f"| {fid} | {desc} | {published:g} {unit} | {value:.4g} {unit} | "
                     f"{err:+.1%} | {tag} | {use} | {scenario.split('/')[-1]} | "
                     f"{KNOWN_MISSES[desc]} |")
    lines += ["", "Conflicting, reported not held (the published figure contradicts others",
              "under the same stated conditions; meshsim's value is shown for reference):", "",
              "| figure | what | published | meshsim | error | tag | scenario | why |",
              "|---|---|---|---|---|---|---|---|"]
    for (fid, desc, published, unit, tag, scenario, reader, why) in CONFLICTING:
        value = reader(get, scenario)
        err = (value - published) / published
        lines.append(f"| {fid} | {desc} | {published:g} {unit} | {value:.4g} {unit} | "
                     f"{err:+.1%} | {tag} | {scenario.split('/')[-1]} | {why} |")
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
