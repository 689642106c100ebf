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
print("| network | chip | GMAC | energy (uJ) | latency (us) | TOPS/W | EDAP (J·s·mm²) | utilization | reload groups |")
print("|---|---|---|---|---|---|---|---|---|")
for arch in ["rram_default", "sram_default"]:
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        subprocess.run([imcsim, "estimate", "--arch", f"configs/arch/{arch}.toml", "--workload", ",".join(nets),
                        "--json", f.name], check=True, stdout=subprocess.DEVNULL)
        for w in json.load(open(f.name))["workloads"]:
            t = w["total"]
            print(f"| {w['workload']} | {arch} | {t['macs'] / 1e9:.3g} | {t['energy_pj'] / 1e6:.4g} | "
                  f"{t['latency_ns'] / 1e3:.4g} | {t['tops_per_w']:.3g} | {t['edap']:.3g} | "
                  f"{100 * t['utilization']:.1f}% | {w['reload_groups']} |")
