#!/usr/bin/env python3
"""Prints the README's zoo table: `imcsim estimate` of every zoo network on the default chips.
Usage: scripts/zoo_table.py [build/imcsim]"""
import json
import subprocess
import sys
import tempfile

imcsim = sys.argv[1] if len(sys.argv) > 1 else "build/imcsim"
nets = ["resnet18", "resnet50", "vgg16", "alexnet", "mobilenetv3_large", "densenet201", "vit_b16", "mobilebert",
        "gpt2_medium", "vgg8", "resnet20", "fmnist_cnn", "fmnist_small"]
print("| network | chip | GMAC | energy (uJ) | latency (us) | interval (us) | throughput (inf/s) | TOPS/W | "
      "EDAP (J·s·mm²) | utilization | reload groups |")
print("|---|---|---|---|---|---|---|---|---|---|---|")


def estimate(arch, batch):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        subprocess.run([imcsim, "estimate", "--arch", f"configs/arch/{arch}.toml", "--workload", ",".join(nets),
                        "--batch", str(batch), "--json", f.name], check=True, stdout=subprocess.DEVNULL)
        return {w["workload"]: w for w in json.load(open(f.name))["workloads"]}


# Batch 1 for one inference's energy and latency; the steady-state interval is measured over a batch of 4
# (batch 1 would give only the bottleneck stage's lower bound).
for arch in ["rram_default", "sram_default"]:
    one, four = estimate(arch, 1), estimate(arch, 4)
    for net in nets:
        t, t4 = one[net]["total"], four[net]["total"]
        print(f"| {net} | {arch} | {t['macs'] / 1e9:.3g} | {t['energy_pj'] / 1e6:.4g} | "
              f"{t['latency_ns'] / 1e3:.4g} | {t4['interval_ns'] / 1e3:.4g} | {t4['throughput_inf_per_s']:.4g} | "
              f"{t['tops_per_w']:.3g} | {t['edap']:.3g} | {100 * t['utilization']:.1f}% | "
              f"{one[net]['reload_groups']} |")
