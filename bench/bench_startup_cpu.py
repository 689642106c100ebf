#!/usr/bin/env python3
"""CPU time (user + system, microsecond resolution from getrusage) beside wall time of the start-up
commands of bench/bench_startup.sh, whose /usr/bin/time CPU column has 10 ms resolution. On a loaded
machine the wall time is mostly waiting for a core; the CPU time is what the process itself costs.
    bench/bench_startup_cpu.py [BIN] [RUNS]        defaults: build/imcsim, 15 (run from the repository root)
As root, `chrt -f 50 bench/bench_startup_cpu.py` runs the commands (children inherit the policy) at a
real-time priority, ahead of the machine's other work: their wall time then is what it would be on a
quiet machine, a way to tell the process's own start-up from waiting for a core.
"""
import resource, subprocess, sys, time, statistics
cmds = {"--version": ["--version"], "arch": ["arch", "--arch", "configs/arch/rram_default.toml"],
        "estimate vgg8": ["estimate", "--arch", "configs/arch/rram_default.toml", "--workload", "vgg8"],
        "simulate vgg8": ["simulate", "--arch", "configs/arch/rram_default.toml", "--workload", "vgg8"]}
binary = sys.argv[1] if len(sys.argv) > 1 else "build/imcsim"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
print(f"median (min) of {runs} runs; load average {open('/proc/loadavg').read().split()[:3]}")
for name, args in cmds.items():
    cpu, wall = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    print(f"{name:15s} wall median {1000*statistics.median(wall):6.1f} ms  min {1000*min(wall):6.1f}  cpu median {1000*statistics.median(cpu):6.1f} ms  min {1000*min(cpu):6.1f}")
