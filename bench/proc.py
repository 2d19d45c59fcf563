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
    peak_rss: int  # bytes, from the kernel's accounting of the child (wait4)
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


def answer(data: dict) -> None:
    """In a child: hand ``data`` to the parent (one marked JSON line on stdout)."""
    print(MARK + json.dumps(data, default=str), flush=True)


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
    peak = rusage.ru_maxrss * 1024 if rusage else 0
    if proc.returncode != 0:
        raise ChildFailed(f"{module} {' '.join(args)} exited {proc.returncode}:\n{err[-3000:]}")
    for line in out.splitlines():
        if line.startswith(MARK):
            return ChildResult(json.loads(line[len(MARK):]), seconds, peak, err)
    raise ChildFailed(f"{module} {' '.join(args)} printed no result:\n{out[-2000:]}\n{err[-2000:]}")
