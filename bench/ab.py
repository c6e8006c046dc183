# usage: python3 bench/ab.py N LABEL=ICP_BINARY ... : N rounds, each running every build and the hand-written
# program of ../shared/perf once, in turn, on its 1M-row file (run run.sh once first to make the
# file and the program); prints the best and median wall time, their ratio to the hand-written
# program, and the median CPU time (user + sys). Alternating spreads a noisy machine evenly.
import subprocess, time, sys, os, resource
n=int(sys.argv[1]); b=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "perf", "bench.icp")
cmds={}
for spec in sys.argv[2:]:
    label,_,binary=spec.partition("=")
    cmds[label]=[os.path.abspath(binary or "target/release/icp"),"score",b,"a1000000.csv","--columns","id,score,tier","--format","csv","-o",f"out-{label}.csv"]
os.chdir(os.environ.get("PERF_CACHE", "/tmp/icp-perf"))
cmds["rust"]=["rust-baseline/release/rust-baseline","a1000000.csv","rust.csv"]
ts={k:[] for k in cmds}
for i in range(n):
    for k,c in cmds.items():
        r0=resource.getrusage(resource.RUSAGE_CHILDREN); s=time.perf_counter()
        subprocess.run(c,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,check=True)
        w=time.perf_counter()-s; r1=resource.getrusage(resource.RUSAGE_CHILDREN)
        ts[k].append((w, r1.ru_utime-r0.ru_utime+r1.ru_stime-r0.ru_stime))
r=min(x[0] for x in ts["rust"]); rm=sorted(x[0] for x in ts["rust"])[n//2]
for k,v in ts.items():
    w=sorted(x[0] for x in v); c=sorted(x[1] for x in v)
    print(f"{k:10} wall min {w[0]:.3f} median {w[n//2]:.3f} (ratio {w[0]/r:.2f} / {w[n//2]/rm:.2f})   cpu median {c[n//2]:.3f}")
