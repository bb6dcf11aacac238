#!/usr/bin/env python3
"""Time from spawn to the first complete frame (end of the first synchronized update) of
`BIN --demo` in a 120x35 pseudo-terminal, for two or more binaries launched alternately, so a
busy machine weighs on each the same. Usage: startup-interleaved.py BIN [BIN...]"""
import os, pty, time, sys, select, signal, tempfile, statistics
END=b"\x1b[?2026l"
def once(binary):
    d=tempfile.mkdtemp()
    env=dict(os.environ, TERM="xterm-256color", XDG_CONFIG_HOME=d, XDG_STATE_HOME=d, XDG_DATA_HOME=d, COLUMNS="120", LINES="35")
    t0=time.perf_counter()
    pid,fd=pty.fork()
    if pid==0:
        import fcntl, termios, struct
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH",35,120,0,0))
        os.execve(binary,[binary,"--demo"],env)
    buf=b""
    while True:
        r,_,_=select.select([fd],[],[],10)
        if not r: t=None; break
        try: data=os.read(fd,4096)
        except OSError: t=None; break
        if not data: t=None; break
        buf+=data
        if END in buf: t=time.perf_counter()-t0; break
    os.kill(pid, signal.SIGKILL); os.waitpid(pid,0); os.close(fd)
    return t
bins=sys.argv[1:]
res={b:[] for b in bins}
for i in range(20):
    for b in bins:
        t=once(b)
        if t: res[b].append(t*1000)
for b in bins:
    v=sorted(res[b]); print(b, "n=%d median %.1f ms  p25 %.1f  p75 %.1f"%(len(v), statistics.median(v), v[len(v)//4], v[3*len(v)//4]))
