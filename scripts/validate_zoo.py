#!/usr/bin/env python3
"""Prints the validate table of the zoo: `imcsim validate` (analytical model vs SystemC) of every zoo
network on the given chips, one run per network, in parallel.
Usage: scripts/validate_zoo.py [--imcsim build/imcsim] [--jobs 2] [--arch rram_default,sram_default]
                               [--nets a,b] [extra imcsim flags after --]"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

NETS = ["vgg8", "resnet20", "fmnist_small", "fmnist_cnn", "alexnet", "resnet18", "vgg16", "resnet50",
        "mobilenetv3_large", "densenet201", "vit_b16", "mobilebert", "gpt2_medium"]
TRANSFORMERS = {"vit_b16", "mobilebert", "gpt2_medium"}

ap = argparse.ArgumentParser()
ap.add_argument("--imcsim", default="build/imcsim")
ap.add_argument("--jobs", type=int, default=2)
ap.add_argument("--arch", default="rram_default,sram_default")
ap.add_argument("--nets", default=",".join(NETS))
ap.add_argument("extra", nargs="*")
a = ap.parse_args()


def validate(arch, net):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "v.json")
        p = subprocess.run([a.imcsim, "validate", "--arch", f"configs/arch/{arch}.toml", "--workload", net,
                            "--json", out] + a.extra, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode not in (0, 1) or not os.path.exists(out):
            return arch, net, None, p.stderr.strip()[-300:]
        return arch, net, json.load(open(out)), p.returncode


jobs = [(arch, net) for arch in a.arch.split(",") for net in a.nets.split(",")]
with ThreadPoolExecutor(a.jobs) as ex:
    results = list(ex.map(lambda j: validate(*j), jobs))
print(json.dumps([{"arch": r[0], "net": r[1], "rc": r[3]} for r in results if r[2] is None]))
for arch in a.arch.split(","):
    print(f"\n{arch}:\n")
    print("| network | analytical cycles | SystemC cycles | gap | main stall | latency bound | SystemC wall s |")
    print("|---|---|---|---|---|---|---|")
    cnn = []
    for r in results:
        if r[0] != arch or r[2] is None:
            continue
        n = r[2]["workloads"][0]
        keys = ["analytical_cycles", "systemc_cycles", "gap_pct", "main_stall", "latency_bound_cycles"]
        an, sc, gap, stall, bound = (n.get(k) for k in keys)
        wall = n.get("systemc_wall_s", 0)
        if r[1] not in TRANSFORMERS:
            cnn.append(abs(gap))
        print(f"| {r[1]} | {an:,} | {sc:,} | {gap:.1f} % | {stall} | {bound:,} | {wall:.2f} |")
    if cnn:
        print(f"\nCNN median |gap| {statistics.median(cnn):.1f} %, max {max(cnn):.1f} %")
