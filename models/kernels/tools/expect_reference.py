#!/usr/bin/env python3
"""Print the exact costs tests/models/kernels/test_reference.c asserts,
computed from configs/calibration/reference.json independently of the C
code (same formulas as models/kernels/cost.c; llround = half away from 0).
Run from the repository root after regenerating the reference profile:
  python3 models/kernels/tools/expect_reference.py          # print the values
  python3 models/kernels/tools/expect_reference.py --write  # rewrite the test
"""
import sys
import json, math
d = json.load(open('configs/calibration/reference.json'))
ops = d['operations']
def llround(x): return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))
def exact(name, size, speed=1.0):
    o = ops[name]; m = o['model']; kf = o['kernel_fraction']
    unit = o['unit']
    if m == 'const': t = o['fixed_ns'] / speed
    elif m == 'linear': t = o['fixed_ns'] / speed + (o['per_unit_ns'] / speed) * float(size)
    else:
        px = [p['size'] for p in o['points']]; py = [p['median_ns'] / speed for p in o['points']]
        x = float(size); n = len(px); lin = unit != 'entry'
        if n == 1 or x <= px[0]: t = py[0]
        elif x >= px[-1]:
            # Above the last point: the linear fit's slope (the marginal
            # cost), or proportional without a fit.
            fit = o.get('fit') or {}
            tail = (fit.get('per_unit_ns') or 0.0) / speed
            if lin and tail > 0: t = py[-1] + tail * (x - px[-1])
            elif lin: t = py[-1] * (x / px[-1])
            else: t = py[-1]
        else:
            k = 1
            while k < n - 1 and x > px[k]: k += 1
            x0, x1, y0, y1 = px[k-1], px[k], py[k-1], py[k]
            f = (x - x0) / (x1 - x0) if lin else (math.log2(x) - math.log2(x0)) / (math.log2(x1) - math.log2(x0))
            t = y0 + f * (y1 - y0)
    if t < 0: t = 0.0
    k = t * kf; u = t - k
    return u, k
def cost(name, size, speed=1.0):
    u, k = exact(name, size, speed)
    ki = llround(k); tot = llround(u + k)
    return tot, tot - ki, ki
cases = [("TLS13_MTLS_CLIENT","tls13.mtls.x25519.ecdsa.client",0),
         ("TLS13_MTLS_SERVER","tls13.mtls.x25519.ecdsa.server",0),
         ("TLS13_RESUME_SERVER","tls13.resume.mtls.server",0),
         ("TLS_RECORD_WRITE","tls13.record.write",1024),
         ("AES128GCM_SEAL","aead.aes128gcm.seal",64),
         ("AES128GCM_SEAL","aead.aes128gcm.seal",16384),
         ("CHACHA_OPEN","aead.chacha20poly1305.open",1420),
         ("WG_ENCRYPT","wg.packet.encrypt",1420),
         ("WG_HANDSHAKE_INITIATOR","wg.handshake.initiator",0),
         ("HTTP1_PARSE_REQUEST","http1.parse.request",320),
         ("H2_CONNECT_CLIENT","h2.connect.client",0),
         ("H2_DATA_RECV","h2.data.recv",16384),
         ("POLICY_RBAC_DENY","policy.rbac.deny",10),
         ("POLICY_RBAC_ALLOW","policy.rbac.allow_last",50),
         ("POLICY_MAP_LOOKUP","policy.map.hash",50000),
         ("POLICY_IPCACHE_LPM","policy.ipcache.lpm",5000000),
         ("EBPF_NEW_FLOW","ebpf.policy.new_flow",0),
         ("SYSCALL","sys.syscall",0),
         ("EPOLL_WAIT","sys.epoll_wait",0),
         ("TCP_LOOPBACK_WRITE_READ","sys.tcp_loopback.write_read",1024),
         ("CONTEXT_SWITCH","sys.context_switch",0),
         ("MEMCPY","sys.memcpy",1000),
         ("MEMCPY","sys.memcpy",1<<25),
         ("IPTABLES_REDIRECT_CONN","net.iptables_redirect.connection",0),
         ("PROXY_HOP","proxy.epoll_hop",0)]
OUT = []
def emit(s): OUT.append(s)
emit("\tstatic const struct { cost_op op; uint64_t size; int64_t total, user, kernel; } want[] = {")
for e, n, s in cases:
    t, u, k = cost(n, s)
    emit("\t\t{COST_%s, %d, %d, %d, %d}," % (e, s, t, u, k))
emit("\t};")
# an operation list: one sidecar request, 1 KiB, pooled mTLS connection
lst = [("EPOLL_WAIT","sys.epoll_wait",0)]*2 + [("SYSCALL","sys.syscall",0)]*4 + [
       ("HTTP1_PARSE_REQUEST","http1.parse.request",320), ("TLS_RECORD_WRITE","tls13.record.write",320),
       ("TLS_RECORD_READ","tls13.record.read",1024), ("HTTP1_PARSE_RESPONSE","http1.parse.response",1168),
       ("POLICY_RBAC_ALLOW","policy.rbac.allow_last",10), ("TCP_LOOPBACK_WRITE_READ","sys.tcp_loopback.write_read",1024),
       ("CONTEXT_SWITCH","sys.context_switch",0)]
su = sk = 0.0
for e, n, s in lst:
    u, k = exact(n, s); su += u; sk += k
ki = llround(sk); tot = llround(su + sk)
emit("\tcost_item req[] = {" + ", ".join("{COST_%s, %d}" % (e, s) for e, n, s in lst) + "};")
emit("\t/* list: total %d user %d kernel %d */" % (tot, tot - ki, ki))
# speed 2
for e, n, s in [("TLS13_MTLS_SERVER","tls13.mtls.x25519.ecdsa.server",0),("AES128GCM_SEAL","aead.aes128gcm.seal",1024),("MEMCPY","sys.memcpy",1000)]:
    t,u,k = cost(n, s, 2.0)
    emit("\t/* speed 2: COST_%s %d -> %d %d %d */" % (e, s, t, u, k))
emit(' '.join([d['created'], d['host']['cpu_model'], d['host']['kernel']['release']]))

TEMPLATE = open(__file__.replace('expect_reference.py', 'test_reference.c.in')).read()

def render():
    import re
    want = "\n".join(l for l in OUT if l.startswith("\t") and ("want[]" in l or l.startswith("\t\t{") or l == "\t};"))
    req = [l for l in OUT if l.startswith("\tcost_item req[]")][0]
    t, u, k = map(int, re.findall(r"total (\d+) user (\d+) kernel (\d+)", [l for l in OUT if "list: total" in l][0])[0])
    sp = [tuple(map(int, re.findall(r"-> (\d+) (\d+) (\d+)", l)[0])) for l in OUT if "speed 2" in l]
    created = OUT[-1].split()[0]
    return (TEMPLATE.replace("@CREATED@", created).replace("@WANT@", want).replace("@REQ@", req)
            .replace("@LIST_TOTAL@", str(t)).replace("@LIST_USER@", str(u)).replace("@LIST_KERNEL@", str(k))
            .replace("@S2_TLS@", str(sp[0][0])).replace("@S2_AES@", str(sp[1][0]))
            .replace("@S2_AES_U@", str(sp[1][1])).replace("@S2_AES_K@", str(sp[1][2]))
            .replace("@S2_MEMCPY@", str(sp[2][0])))

if "--write" in sys.argv:
    open("tests/models/kernels/test_reference.c", "w").write(render())
else:
    print("\n".join(OUT))
