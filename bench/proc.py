"""Child processes: run ``python -m bench.<module>``, read its JSON answer and peak RSS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "BENCH-RESULT "


@dataclass
class ChildResult:
    data: dict
    seconds: float  # wall clock of the whole child, interpreter start included
    peak_rss: int  # bytes: the child's VmHWM when it answered (else wait4's ru_maxrss)
    stderr: str


class ChildFailed(RuntimeError):
    """A child process exited non-zero or printed no result."""


class _Popen(subprocess.Popen):
    """A Popen that reaps its child with ``os.wait4`` and keeps the child's rusage.

    ``os.wait4`` gives the resource usage of exactly this child (``ru_maxrss``, KiB on
    Linux), unlike ``RUSAGE_CHILDREN``, which is the maximum over every child so far.
    """

    rusage = None

    def _try_wait(self, wait_flags):
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.rusage = usage
        return pid, status


def vm_hwm(pid: int | str = "self") -> int | None:
    """Peak resident memory of a process (VmHWM, bytes), or None where /proc has none.

    This is the figure to use for a child: ``ru_maxrss`` also counts what the process
    inherited at fork, i.e. the parent's RSS, before exec replaced its memory.
    """
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def answer(data: dict) -> None:
    """In a child: hand ``data`` (plus its peak RSS) to the parent as one marked JSON line."""
    print(MARK + json.dumps({**data, "_vm_hwm": vm_hwm()}, default=str), flush=True)


def run_child(module: str, *args: str, env: dict | None = None, timeout: float = 3600) -> ChildResult:
    """Run ``python -m <module> args…`` and return its answer, wall time and peak RSS."""
    cmd = [sys.executable, "-m", module, *args]
    full_env = {**os.environ, **(env or {})}
    started = time.perf_counter()
    proc = _Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise ChildFailed(f"{module} {' '.join(args)}: over {timeout:.0f} s") from None
    rusage = proc.rusage
    seconds = time.perf_counter() - started
    peak = rusage.ru_maxrss * 1024 if rusage else 0  # fallback: may include the parent's RSS at fork
    if proc.returncode != 0:
        raise ChildFailed(f"{module} {' '.join(args)} exited {proc.returncode}:\n{err[-3000:]}")
    for line in out.splitlines():
        if line.startswith(MARK):
            data = json.loads(line[len(MARK):])
            return ChildResult(data, seconds, data.pop("_vm_hwm", None) or peak, err)
    raise ChildFailed(f"{module} {' '.join(args)} printed no result:\n{out[-2000:]}\n{err[-2000:]}")
