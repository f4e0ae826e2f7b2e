#!/usr/bin/env python3
"""Fits the parameters that no kernel measures to the figures of
../shared/reference/calibration.md, and writes each fitted value, with the
figure it came from, into configs/meshes/ (and the C2 cluster's wire
latency into configs/scenarios/calibration/c2-*.yaml):

  C2 node-to-node TCP_RR      -> the wire's one-way latency of C2's cluster
  C2 WireGuard TCP_RR (1500)  -> cilium's WireGuard hops' delay
  C2 IPsec TCP_RR (1500)      -> cilium-ipsec's IPsec hops' delay
  C2 legacy routing TCP_RR    -> cilium-legacy-routing's host stack hops' delay
  C1 sidecar/ztunnel/waypoint -> their frameworkPerRequest

C2's MTU 9000 TCP_RR figures are not fitted: they are predictions
(tools/calibration_report.py compares them).

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
                SCEN + "c2-cilium-legacy-routing.yaml", SCEN + "c2-cilium-32-processes.yaml"]
LATENCY_RE = re.compile(r"^(\s*latency: )(\S+)( # .*)?$")


def round_trip_s(meshsim, scenario, extra=()):
    out = subprocess.run([meshsim, "run", scenario, "--output-format", "json", "--progress",
                          "never", *extra], check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return doc["runs"][0]["workloads"][0]["latency"]["mean"], doc["calibration"]["sha256"]


def set_latency(path, ns, comment):
    with open(path) as f:
        lines = f.readlines()
    for i, line in enumerate(lines):
        m = LATENCY_RE.match(line.rstrip("\n"))
        if m:
            lines[i] = f"{m.group(1)}{int(round(ns / 10) * 10)}ns # {comment}\n"
            break
    else:
        raise SystemExit(f"fit_meshes: no network latency line in {path}")
    with open(path, "w") as f:
        f.writelines(lines)


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


def set_hop_delay(path, hop_re, nhops, ns, source):
    """Writes `delay` into every hop of path whose name line matches hop_re
    (there must be nhops of them), replacing an old delay."""
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
        # Copy the hop's lines up to its ops, dropping an old delay.
        while i < len(lines) and not lines[i].startswith(indent + "ops:"):
            if not lines[i].startswith(indent + "delay:"):
                out.append(lines[i])
            i += 1
        out.append(f'{indent}delay: {{value: {int(round(ns / 10) * 10)}ns, source: "{source}"}}\n')
        n += 1
    if n != nhops:
        raise SystemExit(f"fit_meshes: expected {nhops} hops matching {hop_re.pattern} in {path}, "
                         f"found {n}")
    with open(path, "w") as f:
        f.writelines(out)


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
    ("cilium-legacy-routing host stack delay", ["configs/meshes/cilium-legacy-routing.yaml"],
     re.compile(r"^(\s*)- name: .*host stack \(legacy routing"), 4,
     SCEN + "c2-cilium-legacy-routing.yaml", 34000,
     "fit: calibration.md C2 Cilium legacy host routing TCP_RR 34,000/s (chart), by "
     "tools/fit_meshes.py on {scenario}, reference profile {sha}",
     "the host stack pass (routing, netfilter, veth hand-off) that no kernel measures; "
     "latency only, its CPU is not charged"),
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


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    meshsim = argv[1]
    fit_c2_latency(meshsim)
    for fit in HOP_DELAYS:
        fit_hop_delay(meshsim, *fit)
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
        source = (f"fit: {figure}; by tools/fit_meshes.py (make calibration) on {scenario} with "
                  f"the reference calibration profile (sha256 {sha[:12]}); the hops' kernel "
                  f"operations give the rest")
        lines = with_value(lines, start, end, indent, value, source)
        with open(path, "w") as f:
            f.writelines(lines)
        print(f"{mesh} {component}.{param}: {v0 / 1e3:.1f} us -> {value / 1e3:.1f} us "
              f"(measured {m0:.4f} vCPU per 1000 rps, target {target})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
