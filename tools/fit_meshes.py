#!/usr/bin/env python3
"""Fits the parameters that no kernel measures to the figures of
../shared/reference/calibration.md, and writes each fitted value, with the
figure it came from, into configs/meshes/ (and the C2 cluster's wire
latency into configs/scenarios/calibration/c2-*.yaml):

  C2 node-to-node TCP_STREAM  -> the kernelSpeed of C2's nodes (its kernel
                                 crossings' speed relative to the calibration host)
  C2 node-to-node TCP_RR      -> the wire's one-way latency of C2's cluster
  C2 legacy routing TCP_RR    -> cilium-legacy-routing's host stack hops' CPU
                                 per segment
  C2 WireGuard TCP_STREAM (1500) -> cilium's WireGuard hops' CPU per packet
  C2 WireGuard TCP_RR (1500)  -> cilium's WireGuard hops' delay
  C2 IPsec TCP_STREAM (1500)  -> cilium-ipsec's IPsec hops' CPU per packet
  C2 IPsec TCP_RR (1500)      -> cilium-ipsec's IPsec hops' delay
  C1 2023 charts, no mesh     -> the C1 latency scenarios' server service time
                                 per connection count (a lognormal: Fortio,
                                 kernels and wire, lumped; c1-latency-baseline.json)
  C1 2023 chart, two sidecars p90 at 4 connections
                              -> istio-sidecar-1.20's wake-up delay
  C1 sidecar/ztunnel/waypoint -> their frameworkPerRequest
  C1 Istio 1.20, 1.9-1.16 rows -> the version profiles' frameworkPerRequest
  C3 CPU sums (15)            -> e2-standard-8's cpuSpeed and wakeupCpu (in
                                 c3-faces.yaml) and linkerd's frameworkPerRequest
  C3 memory sums              -> ztunnel's and the waypoint's perConfigObject,
                                 linkerd's memory base

C2's MTU 9000 figures, eBPF and legacy TCP_STREAM and the CPU for 10 Gbit/s
are not fitted: they are predictions (tools/calibration_report.py compares
them).

Usage: fit_meshes.py MESHSIM   (run by `make calibration`)

Each target names a component parameter, the calibration scenario that
reproduces the figure's conditions, and the figure. A proxy's CPU is linear
in its framework term (the engine conserves work), so two runs give the
line and the fitted value exactly: the value now, and the value + 50 us.
The runs use the reference calibration profile, so the fit is reproducible
anywhere; its SHA-256 goes into the source text.

Only calibration.md figures are used, never validation results.
"""
import json
import math
import os
import re
import subprocess
import sys
import tempfile

SCEN = "configs/scenarios/calibration/"
STEP_NS = 50000.0

# (mesh profile, component, parameter, scenario, figure text, target vCPU per 1000 rps)
TARGETS = [
    ("istio-sidecar", "sidecar", "frameworkPerRequest", SCEN + "c1-istio-sidecar.yaml",
     "calibration.md C1: Istio 1.24 sidecar 0.20 vCPU per 1000 rps (one proxy)", 0.20),
    ("istio-ambient", "ztunnel", "frameworkPerRequest", SCEN + "c1-istio-ztunnel.yaml",
     "calibration.md C1: Istio 1.24 ztunnel 0.06 vCPU per 1000 rps (one ztunnel)", 0.06),
    ("istio-ambient", "waypoint", "frameworkPerRequest", SCEN + "c1-istio-waypoint.yaml",
     "calibration.md C1: Istio 1.24 waypoint 0.25 vCPU per 1000 rps", 0.25),
    # Older Istio versions: variant profiles (same hops, their own framework
    # CPU and memory), each fitted to its C1 row under the same conditions.
    ("istio-sidecar-1.20", "sidecar", "frameworkPerRequest",
     SCEN + "c1-istio-sidecar-1.20.yaml",
     "calibration.md C1: Istio 1.20 sidecar 0.5 vCPU per 1000 rps (one proxy)", 0.5),
    ("istio-sidecar-1.9-1.16", "sidecar", "frameworkPerRequest",
     SCEN + "c1-istio-sidecar-1.9-1.16.yaml",
     "calibration.md C1: Istio 1.9-1.16 sidecar 0.35 vCPU per 1000 rps (one proxy)", 0.35),
]


def block_span(lines, component, param):
    """Line range [start, end) of `param:` inside the component's entry."""
    comp_re = re.compile(r"^(\s*)- name: " + re.escape(component) + r"\s*$")
    start = None
    for i, line in enumerate(lines):
        m = comp_re.match(line)
        if m:
            indent = len(m.group(1)) + 2
            for j in range(i + 1, len(lines)):
                if re.match(r"^\s*- name: ", lines[j]) and len(lines[j]) - len(lines[j].lstrip()) <= indent - 2:
                    break
                if lines[j].startswith(" " * indent + param + ":"):
                    start = j
                    break
            break
    if start is None:
        raise SystemExit(f"fit_meshes: no {param} in component {component}")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (lines[end].strip() == "" or
                                len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    return start, end, indent


def read_value_ns(lines, start, end):
    text = " ".join(lines[start:end])
    m = re.search(r"value:\s*([0-9.]+)\s*(ns|us|ms|s)\b", text)
    if not m:
        raise SystemExit(f"fit_meshes: cannot read the value of: {text[:80]}")
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[m.group(2)]
    return float(m.group(1)) * scale


def with_value(lines, start, end, indent, value_ns, source):
    pad = " " * indent
    words = source.split()
    src_lines, cur = [], ""
    for w in words:
        if len(cur) + len(w) + 1 > 66:
            src_lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w).strip()
    src_lines.append(cur)
    name = lines[start].strip().split(":")[0]
    # Whole tens of ns: the fit's floating-point noise must not change the
    # file when nothing else did (make calibration is idempotent).
    block = [f"{pad}{name}:\n", f"{pad}  value: {int(round(value_ns / 10) * 10)}ns\n",
             f"{pad}  source: >-\n"]
    block += [f"{pad}    {s}\n" for s in src_lines]
    return lines[:start] + block + lines[end:]


def rewrite_line(path, regex, new_line, what):
    """Replaces the first line of a file that matches regex with
    new_line(match) (without its newline)."""
    with open(path) as f:
        lines = f.readlines()
    for i, line in enumerate(lines):
        m = regex.match(line.rstrip("\n"))
        if m:
            lines[i] = new_line(m) + "\n"
            break
    else:
        raise SystemExit(f"fit_meshes: no {what} line in {path}")
    with open(path, "w") as f:
        f.writelines(lines)


def write_cpu_param(path, component, param, value_ns, source):
    """Writes one fitted CPU parameter, with its source, into a profile."""
    with open(path) as f:
        lines = f.readlines()
    start, end, indent = block_span(lines, component, param)
    lines = with_value(lines, start, end, indent, value_ns, source)
    with open(path, "w") as f:
        f.writelines(lines)


def measure(meshsim, scenario, profile_path, component):
    out = subprocess.run([meshsim, "run", scenario, "--output-format", "json", "--progress",
                          "never", "--set", "spec.mesh.profile=" + os.path.abspath(profile_path)],
                         check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    run = doc["runs"][0]
    c = [c for c in run["components"] if c["name"] == component][0]
    rps = run["workloads"][0]["throughput"]
    return c["cpu_dashboard_cores"] / c["instances"] / (rps / 1000.0), doc["calibration"]["sha256"]


# --- C2: the wire's latency and the hop delays (round trips) ---

C2_SCENARIOS = [SCEN + "c2-baseline.yaml", SCEN + "c2-cilium.yaml",
                SCEN + "c2-cilium-wireguard.yaml", SCEN + "c2-cilium-wireguard-mtu9000.yaml",
                SCEN + "c2-cilium-ipsec.yaml", SCEN + "c2-cilium-ipsec-mtu9000.yaml",
                SCEN + "c2-cilium-legacy-routing.yaml", SCEN + "c2-cilium-32-processes.yaml",
                SCEN + "c2-stream-baseline.yaml", SCEN + "c2-stream-cilium.yaml",
                SCEN + "c2-stream-legacy-routing.yaml", SCEN + "c2-stream-wireguard.yaml",
                SCEN + "c2-stream-wireguard-mtu9000.yaml", SCEN + "c2-stream-ipsec.yaml",
                SCEN + "c2-stream-ipsec-mtu9000.yaml"]
C2_NODE_RE = re.compile(r"^(\s*- \{name: ryzen-3950x, cpu: 32, memory: 64Gi, cpuSpeed: 1\.0)"
                        r"(, kernelSpeed: \S+)?\}.*$")
LATENCY_RE = re.compile(r"^(\s*latency: )(\S+)( # .*)?$")


def round_trip_s(meshsim, scenario, extra=()):
    out = subprocess.run([meshsim, "run", scenario, "--output-format", "json", "--progress",
                          "never", *extra], check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return doc["runs"][0]["workloads"][0]["latency"]["mean"], doc["calibration"]["sha256"]


def set_latency(path, ns, comment):
    rewrite_line(path, LATENCY_RE,
                 lambda m: f"{m.group(1)}{int(round(ns / 10) * 10)}ns # {comment}",
                 "network latency")


def stream_gbps(meshsim, scenario, extra=()):
    out = subprocess.run([meshsim, "run", scenario, "--output-format", "json", "--progress",
                          "never", *extra], check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return doc["runs"][0]["workloads"][0]["throughput_bps"] / 1e9, doc["calibration"]["sha256"]


def fit_c2_kernel_speed(meshsim):
    """The C2 nodes' kernelSpeed, from the node-to-node TCP_STREAM (41.7
    Gbit/s): the stream is bounded by the receiver's TCP write and read
    (kernel crossings only), so its rate is proportional to the speed."""
    target = 41.7
    base = SCEN + "c2-stream-baseline.yaml"
    g1, sha = stream_gbps(meshsim, base, ["--set", "spec.cluster.nodeTypes[0].kernelSpeed=1"])
    g2, _ = stream_gbps(meshsim, base, ["--set", "spec.cluster.nodeTypes[0].kernelSpeed=2"])
    if abs(g2 / g1 - 2) > 1e-3:
        raise SystemExit(f"fit_meshes: C2 TCP_STREAM baseline is not bounded by kernel "
                         f"crossings alone ({g1:.3f} and {g2:.3f} Gbit/s at speed 1 and 2)")
    speed = target / g1
    comment = (f"cpu: the 3950X's 32 hardware threads (16 cores), as Kubernetes counts; "
               f"kernelSpeed fit: calibration.md C2 node-to-node TCP_STREAM 41.7 Gbit/s "
               f"(make calibration, reference profile {sha[:12]}); kernel-costs.md 0 and 6 put "
               f"the calibration host's crossings at 2-4 times bare metal's")
    for path in C2_SCENARIOS:
        rewrite_line(path, C2_NODE_RE,
                     lambda m: f"{m.group(1)}, kernelSpeed: {speed:.3f}}} # {comment}",
                     "C2 node type")
    print(f"C2 kernelSpeed: {speed:.3f} (stream {g1:.2f} Gbit/s at speed 1, target {target})")


def fit_c2_latency(meshsim):
    """One-way wire latency of C2's cluster, from the baseline's round trip
    (47,800 TCP_RR/s): the round trip grows by exactly twice the latency."""
    target = 1 / 47800.0
    base = C2_SCENARIOS[0]
    rtt0, sha = round_trip_s(meshsim, base)
    rtt1, _ = round_trip_s(meshsim, base, ["--set", "spec.cluster.network.latency=1ms"])
    lat0_rtt, _ = round_trip_s(meshsim, base, ["--set", "spec.cluster.network.latency=0s"])
    slope = (rtt1 - lat0_rtt) / 1e-3          # round trip per second of latency (2)
    latency_s = (target - lat0_rtt) / slope
    if latency_s < 0:
        raise SystemExit("fit_meshes: the stacks alone exceed C2's baseline round trip")
    comment = (f"fit: calibration.md C2 node-to-node TCP_RR 47,800/s (make calibration, "
               f"reference profile {sha[:12]})")
    for path in C2_SCENARIOS:
        set_latency(path, latency_s * 1e9, comment)
    print(f"C2 network latency: {latency_s * 1e6:.2f} us (round trip was {rtt0 * 1e6:.2f} us, "
          f"target {target * 1e6:.2f} us)")


def set_hop_field(path, hop_re, nhops, key, text):
    """Writes `key: text` into every hop of path whose name line matches
    hop_re (there must be nhops of them), replacing an old `key:` line;
    text None only removes it."""
    with open(path) as f:
        lines = f.readlines()
    out, i, n = [], 0, 0
    while i < len(lines):
        out.append(lines[i])
        m = hop_re.match(lines[i])
        i += 1
        if not m:
            continue
        indent = m.group(1) + "  "
        # Copy the hop's lines up to its ops, dropping an old key line.
        while i < len(lines) and not lines[i].startswith(indent + "ops:"):
            if not lines[i].startswith(indent + key + ":"):
                out.append(lines[i])
            i += 1
        if text is not None:
            out.append(f"{indent}{key}: {text}\n")
        n += 1
    if n != nhops:
        raise SystemExit(f"fit_meshes: expected {nhops} hops matching {hop_re.pattern} in {path}, "
                         f"found {n}")
    with open(path, "w") as f:
        f.writelines(out)


def set_hop_delay(path, hop_re, nhops, ns, source):
    set_hop_field(path, hop_re, nhops, "delay",
                  f'{{value: {int(round(ns / 10) * 10)}ns, source: "{source}"}}')


def set_hop_cpu(path, hop_re, nhops, ns, per, source):
    set_hop_field(path, hop_re, nhops, "cpu",
                  f'{{value: {int(round(ns))}ns, per: {per}, source: "{source}"}}')


# Hop latencies no CPU kernel measures, each fitted to one C2 TCP_RR figure:
# (what, profiles written (the first is the one the scenario runs), hop name
#  pattern, hops per profile, scenario, target req/s, source text before the
#  scenario, source text after the reference profile's hash)
HOP_DELAYS = [
    ("cilium WireGuard hop delay",
     ["configs/meshes/cilium.yaml", "configs/meshes/cilium-legacy-routing.yaml"],
     re.compile(r"^(\s*)- name: .*WireGuard (encrypt|decrypt)"), 4,
     SCEN + "c2-cilium-wireguard.yaml", 16400,
     "fit: calibration.md C2 WireGuard TCP_RR 16,400/s at MTU 1500 (chart), by "
     "tools/fit_meshes.py on {scenario}, reference profile {sha}",
     "the kernel crypto worker hand-off no CPU kernel measures"),
    ("cilium-ipsec IPsec hop delay", ["configs/meshes/cilium-ipsec.yaml"],
     re.compile(r"^(\s*)- name: .*IPsec (encrypt|decrypt)"), 4,
     SCEN + "c2-cilium-ipsec.yaml", 26100,
     "fit: calibration.md C2 IPsec TCP_RR 26,100/s at MTU 1500 (chart), by "
     "tools/fit_meshes.py on {scenario}, reference profile {sha}",
     "the xfrm path beside the AES-GCM cipher (ESP encapsulation, state and policy "
     "lookups, the decrypted packet's second pass) that no CPU kernel measures"),
]
PROBE_NS = 10000.0


def fit_hop_delay(meshsim, what, paths, hop_re, nhops, scenario, rate, before, after):
    """Latency of each of a profile's nhops hops of a round trip, from one
    C2 TCP_RR figure: the round trip is linear in it (the hops are passed
    once each), so a run at 0 and one at PROBE_NS give it exactly."""
    target = 1.0 / rate
    for path in paths:
        set_hop_delay(path, hop_re, nhops, 0, "probe")
    rtt0, sha = round_trip_s(meshsim, scenario)
    for path in paths:
        set_hop_delay(path, hop_re, nhops, PROBE_NS, "probe")
    rtt1, _ = round_trip_s(meshsim, scenario)
    slope = (rtt1 - rtt0) / (PROBE_NS * 1e-9)   # nhops per round trip
    delay_s = (target - rtt0) / slope
    if delay_s < 0:
        raise SystemExit(f"fit_meshes: {what}: the CPU work alone exceeds the figure's round trip")
    source = before.format(scenario=scenario, sha=sha[:12]) + "; " + after
    for path in paths:
        set_hop_delay(path, hop_re, nhops, delay_s * 1e9, source)
    print(f"{what}: {delay_s * 1e6:.2f} us (round trip without it {rtt0 * 1e6:.2f} us, "
          f"target {target * 1e6:.2f} us)")


LEGACY_RE = re.compile(r"^(\s*)- name: .*host stack \(legacy routing")
LEGACY_PATH = "configs/meshes/cilium-legacy-routing.yaml"


def fit_legacy_cpu(meshsim):
    """The host stack pass of legacy routing, as kernel CPU per segment,
    from the legacy TCP_RR (34,000/s): one stream, idle cores, so the
    round trip is linear in it (four passes, each a one-segment message)."""
    scenario = SCEN + "c2-cilium-legacy-routing.yaml"
    target = 1.0 / 34000
    set_hop_field(LEGACY_PATH, LEGACY_RE, 4, "delay", None)
    set_hop_cpu(LEGACY_PATH, LEGACY_RE, 4, 0, "segment", "probe")
    rtt0, sha = round_trip_s(meshsim, scenario)
    set_hop_cpu(LEGACY_PATH, LEGACY_RE, 4, PROBE_NS, "segment", "probe")
    rtt1, _ = round_trip_s(meshsim, scenario)
    slope = (rtt1 - rtt0) / (PROBE_NS * 1e-9)
    cpu_s = (target - rtt0) / slope
    if cpu_s < 0:
        raise SystemExit("fit_meshes: legacy routing: the round trip without the host stack "
                         "already exceeds the figure")
    source = (f"fit: calibration.md C2 Cilium legacy host routing TCP_RR 34,000/s (chart), by "
              f"tools/fit_meshes.py on {scenario}, reference profile {sha[:12]}; the host "
              f"stack pass (routing, netfilter, the veth hand-off) that no kernel measures, "
              f"as kernel CPU per segment at the calibration host's crossing speed")
    set_hop_cpu(LEGACY_PATH, LEGACY_RE, 4, cpu_s * 1e9, "segment", source)
    print(f"cilium-legacy-routing host stack CPU: {cpu_s * 1e6:.3f} us per segment "
          f"(round trip without it {rtt0 * 1e6:.2f} us, target {target * 1e6:.2f} us)")


# Kernel CPU per packet beside a tunnel's cipher, fitted to its TCP_STREAM
# at MTU 1500: (what, profiles written, hop pattern, hops, scenario, Gbit/s,
# source text after the scenario and hash)
HOP_CPUS = [
    ("cilium WireGuard hop CPU",
     ["configs/meshes/cilium.yaml", "configs/meshes/cilium-legacy-routing.yaml"],
     re.compile(r"^(\s*)- name: .*WireGuard (encrypt|decrypt)"), 4,
     SCEN + "c2-stream-wireguard.yaml", 4.7, "WireGuard TCP_STREAM 4.7 Gbit/s at MTU 1500",
     "the kernel's WireGuard path per packet beside the ChaCha20-Poly1305 kernel (UDP "
     "encapsulation, the crypto queues' hand-offs, the decrypted packet's delivery), as "
     "kernel CPU at the calibration host's crossing speed"),
    ("cilium-ipsec IPsec hop CPU", ["configs/meshes/cilium-ipsec.yaml"],
     re.compile(r"^(\s*)- name: .*IPsec (encrypt|decrypt)"), 4,
     SCEN + "c2-stream-ipsec.yaml", 3.4, "IPsec TCP_STREAM 3.4 Gbit/s at MTU 1500",
     "the kernel's xfrm path per packet beside the AES-128-GCM kernel (ESP "
     "encapsulation, state and policy lookups, the decrypted packet's second pass), as "
     "kernel CPU at the calibration host's crossing speed"),
]


def fit_hop_cpu(meshsim, what, paths, hop_re, nhops, scenario, gbps, figure, after):
    """Kernel CPU per packet of a tunnel's hops, from its TCP_STREAM: the
    stream's time per byte is its slowest stage's, linear in this CPU while
    that stage stays the slowest; a secant on time per byte finds it."""
    def time_per_byte(ns):
        for path in paths:
            set_hop_cpu(path, hop_re, nhops, ns, "packet", "probe")
        g, sha = stream_gbps(meshsim, scenario)
        return 1.0 / g, sha
    target = 1.0 / gbps
    x0, (y0, sha) = 0.0, time_per_byte(0.0)
    if y0 > target:
        raise SystemExit(f"fit_meshes: {what}: the measured kernels alone are slower than "
                         f"{figure}")
    x1 = 1000.0
    y1, _ = time_per_byte(x1)
    for _ in range(8):
        if abs(y1 - target) < 1e-6 * target or y1 == y0:
            break
        x2 = x1 + (target - y1) * (x1 - x0) / (y1 - y0)
        x0, y0 = x1, y1
        x1 = x2
        y1, _ = time_per_byte(x1)
    if abs(y1 - target) > 1e-3 * target:  # the value is written in whole ns
        raise SystemExit(f"fit_meshes: {what}: no convergence ({1 / y1:.4f} Gbit/s)")
    source = (f"fit: calibration.md C2 {figure} (chart), by tools/fit_meshes.py on "
              f"{scenario}, reference profile {sha[:12]}; {after}")
    for path in paths:
        set_hop_cpu(path, hop_re, nhops, x1, "packet", source)
    print(f"{what}: {x1 / 1e3:.3f} us per packet (stream {1 / y1:.3f} Gbit/s, target {gbps})")


# --- C3: the GKE platform (e2-standard-8) and Linkerd's framework term ---

C3_SCENARIO = SCEN + "c3-faces.yaml"
C3_LEVELS = (60, 120, 240, 600, 1200)
# calibration.md C3: sums over all pods, millicores and MiB, per level.
C3_CPU = {"ztunnel": (127, 259, 534, 1203, 2374), "waypoint": (143, 287, 585, 1374, 2814),
          "proxy": (154, 304, 608, 1444, 2679)}
C3_MEM = {"ztunnel": (37.4, 37.5, 38.8, 47.0, 71.2),
          "waypoint": (196.0, 196.8, 198.5, 196.7, 205.6),
          "proxy": (135.7, 140.2, 142.6, 151.3, 161.1)}
C3_MESH = {"ztunnel": "istio-ambient", "waypoint": "istio-ambient", "proxy": "linkerd"}
PROBE_NS = 100000.0
NODE_TYPE_RE = re.compile(r"^(\s*- \{name: e2-standard-8, cpu: 8, memory: 32Gi, )"
                          r"cpuSpeed: \S+, wakeupCpu: \S+\}.*$")


def c3_run(meshsim, mesh, qps, speed, wake_ns, profile=None):
    """Sums over the instances of each component: (dashboard millicores, MiB)."""
    args = [meshsim, "run", C3_SCENARIO, "--output-format", "json", "--progress", "never",
            "--set", f"spec.workloads[0].qps={qps}/s",
            "--set", f"spec.cluster.nodeTypes[0].cpuSpeed={speed!r}",
            "--set", f"spec.cluster.nodeTypes[0].wakeupCpu={int(round(wake_ns))}ns"]
    if mesh == "linkerd":
        args += ["--set", "spec.mesh.mode=linkerd", "--set", "spec.mesh.l7=false"]
    if profile:
        args += ["--set", "spec.mesh.profile=" + os.path.abspath(profile)]
    doc = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    out = {}
    for c in doc["runs"][0]["components"]:
        cpu, mem = out.get(c["name"], (0.0, 0.0))
        out[c["name"]] = (cpu + c["cpu_dashboard_cores"] * 1000, mem + c["memory_bytes"] / 2**20)
    return out, doc["calibration"]["sha256"]


def profile_with(path, component, param, value_ns):
    """A temporary copy of a mesh profile with one CPU parameter set."""
    with open(path) as f:
        lines = f.readlines()
    start, end, indent = block_span(lines, component, param)
    tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    tmp.writelines(with_value(lines, start, end, indent, value_ns, "probe"))
    tmp.close()
    return tmp.name


def solve2(rows):
    """Least squares for (x, y) >= 0 in sum (a + x p + y q - t)^2 / t^2 over
    rows (a, p, q, t); returns (x, y, sum of squared relative errors)."""
    def sse(x, y):
        return sum(((a + x * p + y * q - t) / t) ** 2 for a, p, q, t in rows)
    spp = sum(p * p / t**2 for a, p, q, t in rows)
    sqq = sum(q * q / t**2 for a, p, q, t in rows)
    spq = sum(p * q / t**2 for a, p, q, t in rows)
    spr = sum(p * (t - a) / t**2 for a, p, q, t in rows)
    sqr = sum(q * (t - a) / t**2 for a, p, q, t in rows)
    det = spp * sqq - spq * spq
    cands = [(0.0, 0.0)]
    if spp > 0:
        cands.append((max(spr / spp, 0.0), 0.0))
    if sqq > 0:
        cands.append((0.0, max(sqr / sqq, 0.0)))
    if det > 0:
        x = (spr * sqq - sqr * spq) / det
        y = (sqr * spp - spr * spq) / det
        if x >= 0 and y >= 0:
            cands.append((x, y))
    x, y = min(cands, key=lambda c: sse(*c))
    return x, y, sse(x, y)


def c3_cpu_fit_at(meshsim, speed, linkerd_f0, linkerd_f1):
    """For a platform speed: the wake-up CPU W and Linkerd's framework term
    F that best fit C3's 15 CPU figures (linear in both), and the error."""
    rows = []
    for i, q in enumerate(C3_LEVELS):
        a0, _ = c3_run(meshsim, "istio-ambient", q, speed, 0)
        a1, _ = c3_run(meshsim, "istio-ambient", q, speed, PROBE_NS)
        for name in ("ztunnel", "waypoint"):
            rows.append((a0[name][0], a1[name][0] - a0[name][0], 0.0, C3_CPU[name][i]))
        l0, _ = c3_run(meshsim, "linkerd", q, speed, 0, linkerd_f0)
        l1, _ = c3_run(meshsim, "linkerd", q, speed, PROBE_NS, linkerd_f0)
        l2, _ = c3_run(meshsim, "linkerd", q, speed, 0, linkerd_f1)
        rows.append((l0["proxy"][0], l1["proxy"][0] - l0["proxy"][0],
                     l2["proxy"][0] - l0["proxy"][0], C3_CPU["proxy"][i]))
    x, y, err = solve2(rows)
    return x * PROBE_NS, y * PROBE_NS, err


def fit_c3_platform(meshsim):
    """The e2-standard-8 platform (cpuSpeed: one core's speed against the
    calibration host; wakeupCpu: CPU per wake-up of an idle proxy worker)
    and linkerd2-proxy's frameworkPerRequest, jointly, to C3's CPU sums
    (15 figures: ztunnel, waypoint and Linkerd proxies at 5 loads). The
    ambient components keep their C1 framework terms (bare metal), so the
    platform parameters are what C3 says beyond C1. Golden-section search on
    the speed; the other two are linear."""
    path = "configs/meshes/linkerd.yaml"
    f0 = profile_with(path, "proxy", "frameworkPerRequest", 0)
    f1 = profile_with(path, "proxy", "frameworkPerRequest", PROBE_NS)
    try:
        memo = {}
        def err(speed):
            speed = round(speed, 4)
            if speed not in memo:
                memo[speed] = c3_cpu_fit_at(meshsim, speed, f0, f1)
            return memo[speed][2]
        lo, hi = 0.1, 1.5
        g = (5 ** 0.5 - 1) / 2
        a, b = hi - g * (hi - lo), lo + g * (hi - lo)
        while hi - lo > 0.002:
            if err(a) < err(b):
                hi, b = b, a
                a = hi - g * (hi - lo)
            else:
                lo, a = a, b
                b = lo + g * (hi - lo)
        speed = round((lo + hi) / 2, 3)
        wake_ns, fw_ns, sse = c3_cpu_fit_at(meshsim, speed, f0, f1)
    finally:
        os.unlink(f0)
        os.unlink(f1)
    _, sha = c3_run(meshsim, "istio-ambient", 60, speed, wake_ns)
    # The fit takes the sums as linear in the wake-up CPU, which they are
    # not quite (a longer wake-up makes more of a request's hops find the
    # worker busy); the runs at the fitted values say how close it is.
    model_rms = (sse / 15) ** 0.5
    fw_file = profile_with(path, "proxy", "frameworkPerRequest", fw_ns)
    try:
        errs = []
        for i, q in enumerate(C3_LEVELS):
            a, _ = c3_run(meshsim, "istio-ambient", q, speed, wake_ns)
            l, _ = c3_run(meshsim, "linkerd", q, speed, wake_ns, fw_file)
            for name, got in (("ztunnel", a), ("waypoint", a), ("proxy", l)):
                errs.append(got[name][0] / C3_CPU[name][i] - 1)
    finally:
        os.unlink(fw_file)
    rms = (sum(e * e for e in errs) / len(errs)) ** 0.5
    worst = max(errs, key=abs)
    note = (f"fit: calibration.md C3 (15 CPU sums; rms error {rms:.1%} rerun at these values, "
            f"worst {worst:+.1%}) by tools/fit_meshes.py, reference profile {sha[:12]}")
    rewrite_line(C3_SCENARIO, NODE_TYPE_RE,
                 lambda m: (f"{m.group(1)}cpuSpeed: {speed}, wakeupCpu: "
                            f"{int(round(wake_ns / 10) * 10)}ns}} # {note}"),
                 "e2-standard-8 node type")
    write_cpu_param(path, "proxy", "frameworkPerRequest", fw_ns,
                    f"fit: calibration.md C3 (Linkerd proxies' CPU sums at 5 loads, jointly "
                    f"with the e2-standard-8 platform of {C3_SCENARIO}); by tools/fit_meshes.py "
                    f"(make calibration) with the reference calibration profile (sha256 "
                    f"{sha[:12]}); the hops' kernel operations give the rest")
    print(f"C3 platform: cpuSpeed {speed}, wakeupCpu {wake_ns / 1e3:.1f} us; linkerd "
          f"proxy.frameworkPerRequest {fw_ns / 1e3:.1f} us (rms error {rms:.1%} rerun, worst "
          f"{worst:+.1%}; {model_rms:.1%} in the fit's linear model)")


def memory_span(lines, component, key):
    """Line range [start, end) and indent of memory.<key> in a component."""
    mstart, mend, _ = block_span(lines, component, "memory")
    for i in range(mstart + 1, mend):
        if lines[i].lstrip().startswith(key + ":"):
            indent = len(lines[i]) - len(lines[i].lstrip())
            end = i + 1
            while end < mend and (lines[end].strip() == "" or
                                  len(lines[end]) - len(lines[end].lstrip()) > indent):
                end += 1
            return i, end, indent
    raise SystemExit(f"fit_meshes: no memory.{key} in component {component}")


def with_memory(lines, component, key, value_bytes, source):
    start, end, indent = memory_span(lines, component, key)
    quoted = source.replace("\\", "\\\\").replace('"', '\\"')
    line = f'{" " * indent}{key}: {{value: {int(round(value_bytes))}, source: "{quoted}"}}\n'
    return lines[:start] + [line] + lines[end:]


def c3_memory_rows(meshsim, component, key, speed, wake_ns):
    """Per level: the component's memory sum (MiB) with memory.<key> at 0,
    what 1 MiB of it adds, and the published sum."""
    mesh = C3_MESH[component]
    path = f"configs/meshes/{mesh}.yaml"
    with open(path) as f:
        lines = f.readlines()
    variants = {}
    for probe, value in (("zero", 0), ("one", 2**20)):
        tmp = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        tmp.writelines(with_memory(lines, component, key, value, "probe"))
        tmp.close()
        variants[probe] = tmp.name
    rows = []
    try:
        for q, published in zip(C3_LEVELS, C3_MEM[component]):
            got = {k: c3_run(meshsim, mesh, q, speed, wake_ns, p)[0][component][1]
                   for k, p in variants.items()}
            rows.append((got["zero"], got["one"] - got["zero"], 0.0, published))
    finally:
        for p in variants.values():
            os.unlink(p)
    return rows


# What C3's memory sums fit, per component: C3's cluster (8 services and
# 24 pods) is larger than C1's (1 and 1), which holds ztunnel's and the
# waypoint's base at C1's figure and gives their per-config-object memory;
# linkerd2-proxy has no other figure of these versions, so its base. The
# model's connection count does not grow with load here (wrk2 keeps its
# 600 connections; the pools stay small), so C3's growth of memory with
# load fits no term: the fit is the best constant, and the report shows
# the levels it misses.
C3_MEMORY_TERMS = (("ztunnel", "perConfigObject"), ("waypoint", "perConfigObject"),
                   ("proxy", "base"))


def fit_c3_memory(meshsim):
    with open(C3_SCENARIO) as f:
        m = re.search(r"cpuSpeed: (\S+), wakeupCpu: (\d+)ns", f.read())
    speed, wake_ns = float(m.group(1)), float(m.group(2))
    for component, key in C3_MEMORY_TERMS:
        rows = c3_memory_rows(meshsim, component, key, speed, wake_ns)
        x, _, sse = solve2(rows)
        rms = (sse / len(rows)) ** 0.5
        path = f"configs/meshes/{C3_MESH[component]}.yaml"
        with open(path) as f:
            lines = f.readlines()
        source = (f"fit: calibration.md C3 ({component} memory sums at 5 loads; rms error "
                  f"{rms:.1%}) by tools/fit_meshes.py on {C3_SCENARIO}")
        lines = with_memory(lines, component, key, x * 2**20, source)
        with open(path, "w") as f:
            f.writelines(lines)
        print(f"C3 {component} memory.{key}: {x * 1024:.1f} KiB (rms error {rms:.1%})")

# --- C1 2023 latency charts: the no-mesh baseline (Fortio, kernels, wire) ---

# The no-mesh baseline and the 1.20 sidecars (the chart), then the 1.24
# sidecars and ambient (the weak quotes): all on the same baseline.
C1_LATENCY = [SCEN + "c1-latency-none.yaml", SCEN + "c1-latency-istio-sidecar-1.20.yaml",
              SCEN + "c1-latency-istio-sidecar.yaml", SCEN + "c1-latency-istio-ambient.yaml"]
# calibration.md C1, 2023 charts, no mesh, at 2, 4, 8, 16, 32, 64 connections (ms).
C1_NO_MESH_P90 = (0.685, 0.708, 0.73, 0.76, 0.76, 0.782)
C1_NO_MESH_P99 = (0.834, 0.844, 0.859, 0.898, 0.897, 0.943)
SERVICE_TIME_RE = re.compile(r"^(\s*serviceTime: )(\{[^}]*\})( # .*)?$")


def set_service_time(path, text, comment):
    rewrite_line(path, SERVICE_TIME_RE,
                 lambda m: f"{m.group(1)}{text}" + (f" # {comment}" if comment else ""),
                 "serviceTime")


def latency_percentiles_s(meshsim, scenario):
    out = subprocess.run([meshsim, "run", scenario, "--output-format", "json", "--progress",
                          "never"], check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    p = doc["runs"][0]["workloads"][0]["latency"]["percentiles"]
    return p["90"], p["99"], doc["calibration"]["sha256"]


C1_CONNECTIONS = (2, 4, 8, 16, 32, 64)
C1_BASELINE_TABLE = SCEN + "c1-latency-baseline.json"


def fit_c1_baseline(meshsim):
    """The server's service time of the C1 latency scenarios, per client
    connection count: a lognormal whose p90 and p99, added to meshsim's own
    no-mesh path (kernel hops and wire, a constant here: no queue at 1000
    rps), give that count's published no-mesh p90 and p99. What grows with
    the connections in the no-mesh rows (Fortio's client and server, the
    kernels) is the baseline every two-sidecar point is predicted on.
    Written to c1-latency-baseline.json, which tools/calibration_report.py
    applies per point; the scenarios carry the 4-connection one (C1's stated
    condition). The lognormal's quantiles are exp(mu + sigma z), solved in
    closed form."""
    from statistics import NormalDist
    base = C1_LATENCY[0]
    # The path without the application: the service time set to zero in a
    # copy next to the scenario (same directory, so relative names resolve).
    with open(base) as f:
        text = f.read()
    fd, tmp = tempfile.mkstemp(suffix=".yaml", dir=os.path.dirname(base))
    with os.fdopen(fd, "w") as f:
        f.write(text)
    try:
        set_service_time(tmp, "{distribution: fixed, mean: 0s}", "")
        c90, c99, sha = latency_percentiles_s(meshsim, tmp)
    finally:
        os.unlink(tmp)
    z90, z99 = NormalDist().inv_cdf(0.90), NormalDist().inv_cdf(0.99)
    table = {}
    for n, p90, p99 in zip(C1_CONNECTIONS, C1_NO_MESH_P90, C1_NO_MESH_P99):
        a, b = p90 * 1e-3 - c90, p99 * 1e-3 - c99
        if a <= 0 or b <= a:
            raise SystemExit(f"fit_meshes: C1 no-mesh rows at {n} connections leave no room "
                             f"for a lognormal baseline")
        sigma = math.log(b / a) / (z99 - z90)
        mu = math.log(a) - sigma * z90
        mean = math.exp(mu + sigma * sigma / 2)
        sd = mean * math.sqrt(math.expm1(sigma * sigma))
        table[str(n)] = {"mean_ns": int(round(mean * 1e8)) * 10,
                         "stddev_ns": int(round(sd * 1e8)) * 10}
    source = (f"fit: calibration.md C1 2023 charts, no-mesh p90 and p99 at each connection "
              f"count, less meshsim's no-mesh path ({c90 * 1e6:.1f} us): Fortio client+server, "
              f"kernels and wire; by tools/fit_meshes.py (make calibration), reference profile "
              f"{sha[:12]}")
    with open(C1_BASELINE_TABLE, "w") as f:
        json.dump({"source": source, "serviceTime": table}, f, indent=1, sort_keys=True)
        f.write("\n")
    four = table["4"]
    comment = (f"fit: calibration.md C1 2023 charts, no-mesh p90/p99 at 4 connections (C1's "
               f"condition; the report applies each count's from c1-latency-baseline.json), "
               f"less meshsim's no-mesh path ({c90 * 1e6:.1f} us) (make calibration, reference "
               f"profile {sha[:12]})")
    for path in C1_LATENCY:
        set_service_time(path, f"{{distribution: lognormal, mean: {four['mean_ns']}ns, "
                         f"stddev: {four['stddev_ns']}ns}}", comment)
    print("C1 latency baseline (lognormal mean/stddev, us, by connections): " +
          ", ".join(f"{n}: {table[str(n)]['mean_ns'] / 1e3:.1f}/{table[str(n)]['stddev_ns'] / 1e3:.1f}"
                    for n in C1_CONNECTIONS))


def fit_c1_wakeup(meshsim):
    """The Istio 1.20 sidecar's wake-up delay (latency, not CPU: an idle
    worker's wake-up) from one point of the 2023 chart, two sidecars, p90 at
    4 client connections (1.918 ms; 4 connections is C1's stated
    condition). Run after the baseline and frameworkPerRequest fits, which it
    builds on. The latency is not linear in the delay (a busy worker needs no
    wake-up) and is read from a histogram, so the search starts from fixed
    probes (0 and 50 us), never from the file's value: make calibration stays
    idempotent. The other chart points are predictions (the report's
    `compare`)."""
    target = 1.918e-3
    path = "configs/meshes/istio-sidecar-1.20.yaml"
    scenario = C1_LATENCY[1]
    with open(path) as f:
        lines = f.readlines()
    start, end, indent = block_span(lines, "sidecar", "wakeupDelay")

    def p90_at(delay_ns):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as tmp:
            tmp.writelines(with_value(lines, start, end, indent, delay_ns, "probe"))
        try:
            out = subprocess.run([meshsim, "run", scenario, "--output-format", "json",
                                  "--progress", "never", "--set", "spec.workloads[0].connections=4",
                                  "--set", "spec.mesh.profile=" + tmp.name],
                                 check=True, capture_output=True, text=True)
        finally:
            os.unlink(tmp.name)
        doc = json.loads(out.stdout)
        return doc["runs"][0]["workloads"][0]["latency"]["percentiles"]["90"], \
            doc["calibration"]["sha256"]

    x0, x1 = 0.0, 50000.0
    y0, sha = p90_at(x0)
    y1, _ = p90_at(x1)
    if y0 > target:
        raise SystemExit("fit_meshes: the 1.20 sidecars exceed the chart's p90 without a wake-up "
                         "delay; not fitted")
    for _ in range(6):  # secant steps from the fixed probes
        if y1 == y0:
            break
        x2 = max(0.0, x1 + (target - y1) * (x1 - x0) / (y1 - y0))
        x0, y0 = x1, y1
        x1 = round(x2 / 10) * 10
        y1, _ = p90_at(x1)
        if abs(y1 - target) < 0.5e-6:
            break
    source = (f"fit: calibration.md C1 2023 chart, two sidecars p90 at 4 client connections "
              f"(1.918 ms), by tools/fit_meshes.py on {scenario} with its fitted no-mesh "
              f"baseline, reference profile {sha[:12]}; the one two-sidecar point fitted, the "
              f"others predicted. Latency only, no CPU: it lumps what delays a request in an "
              f"idle sidecar beyond its CPU work (kernel-costs.md 6.1: wake-up latency is a "
              f"parameter, not this host's figure)")
    with open(path, "w") as f:
        f.writelines(with_value(lines, start, end, indent, x1, source))
    print(f"istio-sidecar-1.20 sidecar.wakeupDelay: {x1 / 1e3:.2f} us (p90 at 4 connections "
          f"{y1 * 1e3:.4f} ms, target {target * 1e3:.3f} ms)")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    meshsim = argv[1]
    fit_c2_kernel_speed(meshsim)
    fit_c2_latency(meshsim)
    fit_legacy_cpu(meshsim)
    # A tunnel's CPU per packet first (the stream does not depend on
    # latency), then its hops' delay to the round trip with that CPU in it.
    for fit in HOP_CPUS:
        fit_hop_cpu(meshsim, *fit)
    for fit in HOP_DELAYS:
        fit_hop_delay(meshsim, *fit)
    fit_c1_baseline(meshsim)
    for (mesh, component, param, scenario, figure, target) in TARGETS:
        path = f"configs/meshes/{mesh}.yaml"
        with open(path) as f:
            lines = f.readlines()
        start, end, indent = block_span(lines, component, param)
        v0 = read_value_ns(lines, start, end)
        m0, sha = measure(meshsim, scenario, path, component)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as tmp:
            tmp.writelines(with_value(lines, start, end, indent, v0 + STEP_NS, "probe"))
        try:
            m1, _ = measure(meshsim, scenario, tmp.name, component)
        finally:
            os.unlink(tmp.name)
        slope = (m1 - m0) / STEP_NS
        value = v0 + (target - m0) / slope
        if value < 0:
            raise SystemExit(f"fit_meshes: {mesh} {component}: the kernel operations alone exceed "
                             f"{figure} ({m0:.4f} vCPU at {v0:.0f} ns); not fitted")
        write_cpu_param(path, component, param, value,
                        f"fit: {figure}; by tools/fit_meshes.py (make calibration) on {scenario} "
                        f"with the reference calibration profile (sha256 {sha[:12]}); the hops' "
                        f"kernel operations give the rest")
        print(f"{mesh} {component}.{param}: {v0 / 1e3:.1f} us -> {value / 1e3:.1f} us "
              f"(measured {m0:.4f} vCPU per 1000 rps, target {target})")
    fit_c1_wakeup(meshsim)
    # After the C1 fits: C3's platform is what C3 shows beyond them.
    fit_c3_platform(meshsim)
    fit_c3_memory(meshsim)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
