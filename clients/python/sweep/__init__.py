"""Sweep's Python client: submit, steer and follow studies on a coordinator, and run trials
with ask/tell. See Protocols/SWEEP-1.md for the protocol it speaks."""
from .client import Client, SweepError, Trial, Update

__all__ = ["Client", "SweepError", "Trial", "Update"]
