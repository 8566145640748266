"""The machine a benchmark ran on, printed with its figures: a figure means little without it."""

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name as the kernel reports it (``platform.processor()`` elsewhere)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def describe() -> str:
    """One line: CPU model, the cores this process may use, and how busy the machine is."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    busy = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"machine: {cpu_model()}, {cores} cores{busy}"
