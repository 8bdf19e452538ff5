"""For a command trial (a study's `command:` run by a worker): its parameters and seed, reports
in the format the worker reads, and a hook for the SIGTERM that stops it."""
from __future__ import annotations

import json
import math
import os
import signal
import sys
from typing import Any, Callable, Dict, Optional


def params() -> Dict[str, Any]:
    """The trial's parameters by their dotted names (`optimizer.lr`), with their types."""
    text = os.environ.get("SWEEP_PARAMS")
    if text is None:
        raise RuntimeError("SWEEP_PARAMS is not set: this program is not running as a Sweep command trial")
    return json.loads(text)


def seed() -> int:
    """The trial's seed: seed every generator with it, so a rerun repeats the trial."""
    return int(os.environ.get("SWEEP_SEED", "0"))


def trial() -> Optional[int]:
    """The trial's number in its study (-1: the final retraining), when the worker says."""
    value = os.environ.get("SWEEP_TRIAL")
    return int(value) if value is not None else None


def report(epoch: int, metrics: Optional[Dict[str, float]] = None, **more: float) -> None:
    """One JSON line on standard output, as the worker reads reports."""
    values = {**(metrics or {}), **more}
    line: Dict[str, Any] = {"epoch": int(epoch)}
    for name, value in values.items():
        value = float(value)
        line[name] = value if math.isfinite(value) else ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def on_stop(callback: Callable[[], Any], exit_code: int = 0) -> None:
    """Calls `callback` when the worker stops the trial (an early stop, a cancel, a lost lease
    all send SIGTERM, then SIGKILL two seconds later), then exits."""
    def handler(number: int, frame: Any) -> None:
        try:
            callback()
        finally:
            sys.exit(exit_code)
    signal.signal(signal.SIGTERM, handler)
