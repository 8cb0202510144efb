"""What the bench scripts share (bench-asr, bench-memory): failing with one line, running a
command for its wall time, CPU time and the kernel's peak resident memory, and reading
--variant NAME=ARGS. Imported from the scripts' own folder, which Python puts on the path."""

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def die(message):
    """Exits with `message` on stderr, after the running script's name."""
    print(f"{Path(sys.argv[0]).name}: {message}", file=sys.stderr)
    sys.exit(1)


def timed_run(cmd, env, log, timeout=0):
    """Runs cmd in the repository root with its output in `log`; returns (wall s, max RSS
    bytes, CPU s). Dies with the log's end on failure, or when it runs past `timeout` seconds
    (0: no limit)."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        deadline = start + timeout if timeout else None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                die(f"timed out after {timeout} s: {shlex.join(cmd)}")
            time.sleep(0.05)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = Path(log).read_text(errors="replace")[-3000:]
        die(f"exit status {code}: {shlex.join(cmd)}\n{tail}")
    # ru_maxrss is in KiB on Linux
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def parse_variant(text):
    """(NAME, argument list) of a --variant NAME=ARGS; NAME also names its files."""
    name, sep, args = text.partition("=")
    if not sep or not name or not re.fullmatch(r"[A-Za-z0-9_.+-]+", name):
        die(f"--variant wants NAME=ARGS (NAME of letters, digits, _.+-), got {text!r}")
    return name, shlex.split(args)
