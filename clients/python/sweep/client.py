"""A SWEEP/1 client on pyzmq: one DEALER socket to the coordinator's client endpoint, CURVE
unless told `insecure`, every request answered by the reply that quotes its id."""
from __future__ import annotations

import json
import math
import os
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

import zmq
import zmq.auth

PROTOCOL = b"SWEEP/1"
MINOR = 1
Spec = Union[str, os.PathLike, Mapping[str, Any]]


class SweepError(Exception):
    """The coordinator's ERROR reply: `code`, `message` and, for a bad spec, `problems`."""

    def __init__(self, body: Mapping[str, Any]):
        self.code: str = body.get("code", "")
        self.message: str = body.get("message", "")
        self.problems: List[Dict[str, str]] = list(body.get("problems") or [])
        lines = [f"{self.code}: {self.message}"] + [f"  {p['path']} {p['message']}" for p in self.problems]
        super().__init__("\n".join(lines))


@dataclass
class Update:
    """A leaderboard as `follow` sees it after a SNAPSHOT or an UPDATE."""
    study: str
    seq: int
    rows: List[Dict[str, Any]]
    status: Dict[str, Any]


def _load(spec: Spec) -> Dict[str, Any]:
    if isinstance(spec, Mapping):
        return dict(spec)
    path = os.fspath(spec)
    with open(path) as handle:
        text = handle.read()
    if path.endswith(".json"):
        return json.loads(text)
    try:
        import yaml
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(f"reading {path} needs PyYAML (pip install pyyaml), or pass the spec as a dict or a .json file") from error
    return yaml.safe_load(text)


def _number(value: Any) -> Any:
    """Metrics as the protocol writes them: non-finite numbers as "nan", "inf", "-inf"."""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


class Client:
    """A connection to a coordinator.

    `cluster` is the cluster file the coordinator wrote (default `$SWEEP_CLUSTER`) and `key` this
    client's secret certificate from `sweep keygen` (default `$SWEEP_KEY`); or give `endpoint`
    and `server_key` (the coordinator's public key, Z85) directly. `insecure` talks to a
    coordinator running without CURVE on loopback.
    """

    def __init__(self, cluster: Optional[str] = None, key: Optional[str] = None, *, endpoint: Optional[str] = None,
                 server_key: Optional[str] = None, insecure: bool = False, timeout: float = 10.0):
        cluster = cluster or os.environ.get("SWEEP_CLUSTER")
        key = key or os.environ.get("SWEEP_KEY")
        if cluster:
            with open(cluster) as handle:
                entries = dict(line.split(":", 1) for line in handle.read().splitlines()
                               if ":" in line and not line.lstrip().startswith("#"))
            endpoint = endpoint or entries.get("clients", "").strip()
            server_key = server_key or entries.get("server_key", "").strip().strip('"') or None
        if not endpoint:
            raise ValueError("no coordinator: give a cluster file (or $SWEEP_CLUSTER), or endpoint=")
        self.endpoint, self.timeout = endpoint, timeout
        self._lock = threading.RLock()
        self._socket: "zmq.Socket[bytes]" = zmq.Context.instance().socket(zmq.DEALER)
        self._socket.setsockopt(zmq.LINGER, 0)
        if not insecure:
            if not key or not server_key:
                raise ValueError("CURVE needs this client's key (key= or $SWEEP_KEY) and the coordinator's public key "
                                 "(in the cluster file, or server_key=); insecure=True for a coordinator run with --insecure")
            public, secret = zmq.auth.load_certificate(key)
            if secret is None:
                raise ValueError(f"{key} holds no secret key: give the NAME.key_secret file sweep keygen wrote")
            self._socket.setsockopt(zmq.CURVE_PUBLICKEY, public)
            self._socket.setsockopt(zmq.CURVE_SECRETKEY, secret)
            self._socket.setsockopt(zmq.CURVE_SERVERKEY, server_key.encode())
        self._socket.setsockopt(zmq.ROUTING_ID, f"py-{uuid.uuid4()}".encode())
        self._socket.connect(endpoint)
        self._held: Dict[int, "Trial"] = {}
        self._beating = threading.Event()
        self._beat = threading.Thread(target=self._heartbeats, daemon=True)
        self._beat.start()

    # Connection

    def close(self) -> None:
        self._beating.set()
        with self._lock:
            self._socket.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _send(self, kind: str, body: Optional[Mapping[str, Any]] = None) -> str:
        id_ = str(uuid.uuid4())
        header = {"type": kind, "id": id_, "re": None, "minor": MINOR,
                  "ts": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
        with self._lock:
            self._socket.send_multipart([PROTOCOL, json.dumps(header).encode(), json.dumps(body or {}).encode()])
        return id_

    def _receive(self, timeout: float) -> Optional[tuple]:
        with self._lock:
            if not self._socket.poll(max(0, int(timeout * 1000))):
                return None
            frames = self._socket.recv_multipart()
        if len(frames) != 3 or frames[0] != PROTOCOL:
            return None
        return json.loads(frames[1]), json.loads(frames[2])

    def request(self, kind: str, body: Optional[Mapping[str, Any]] = None, timeout: Optional[float] = None) -> tuple:
        """Sends one request; returns (type, body) of its reply. ERROR raises SweepError."""
        id_ = self._send(kind, body)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            message = self._receive(left) if left > 0 else None
            if message is None:
                raise TimeoutError(f"no answer to {kind} from the coordinator at {self.endpoint} within {timeout or self.timeout} s "
                                   "(is it running? is this its client endpoint? is this client's key on its allow-list?)")
            header, reply = message
            if header.get("re") != id_:
                continue
            if header["type"] == "ERROR":
                raise SweepError(reply)
            return header["type"], reply

    def _heartbeats(self) -> None:
        # Renews the leases of asked trials while a long epoch runs between reports.
        while not self._beating.wait(20):
            if self._held:
                try:
                    self._send("HEARTBEAT")
                except zmq.ZMQError:
                    return

    # Studies

    def submit(self, spec: Spec, warm_start: Optional[Union[str, List[Mapping[str, Any]]]] = None) -> str:
        """Submits a spec (a dict, or a .yaml/.json path); returns the study id. `warm_start`: a
        study id on this coordinator, or trials as `export` returns them."""
        body: Dict[str, Any] = {"spec": _load(spec)}
        if isinstance(warm_start, str):
            body["warm_start"] = {"study": warm_start}
        elif warm_start is not None:
            body["warm_start"] = {"trials": [t for t in warm_start if not t.get("final")], "source": "python"}
        _, reply = self.request("SUBMIT", body)
        self.last_warm = reply.get("warm")
        return reply["study"]

    def status(self, study: Optional[str] = None) -> Any:
        """One study's status (a dict), or every study's (a list)."""
        _, reply = self.request("STATUS", {"study": study} if study else {})
        return reply["studies"][0] if study else reply["studies"]

    def follow(self, study: str, top: int = 10) -> Iterator[Update]:
        """The study's leaderboard, once now and again at every change, until the study ends."""
        _, snapshot = self.request("FOLLOW", {"study": study, "top": top})
        rows = {row["rank"]: row for row in snapshot["rows"]}
        seq, status = snapshot["seq"], snapshot["status"]
        yield Update(study, seq, [rows[r] for r in sorted(rows)], status)
        last = time.monotonic()
        try:
            while status["state"] in ("running", "testing"):
                if time.monotonic() - last > 5:
                    self._send("HEARTBEAT")
                    last = time.monotonic()
                message = self._receive(1.0)
                if message is None or message[0]["type"] != "UPDATE" or message[1]["study"] != study:
                    continue
                update = message[1]
                if update["seq"] != seq + 1:  # a gap: start again from a snapshot
                    yield from self.follow(study, top)
                    return
                seq, status = update["seq"], update["status"]
                for row in update["rows"]:
                    rows[row["rank"]] = row
                rows = {rank: row for rank, row in rows.items() if rank <= update["count"]}
                yield Update(study, seq, [rows[r] for r in sorted(rows)], status)
        finally:
            try:
                self.request("UNFOLLOW", {"study": study})
            except (SweepError, TimeoutError, zmq.ZMQError):
                pass

    def export(self, study: str) -> List[Dict[str, Any]]:
        """Every trial: `trial`, `status`, `config`, `value`, `metrics` (per epoch), `attempts`, …"""
        return self.request("EXPORT", {"study": study}, timeout=max(60, self.timeout))[1]["trials"]

    def dataframe(self, study: str) -> Any:
        """The export as a pandas DataFrame: one row per trial, parameters as `param.NAME` columns;
        with several objectives, each as a `value.METRIC` column, with `front` and `dominated`; with
        constraints, `feasible` (None while a trial runs) and how far past each bound as
        `violation.METRIC` (≤ 0 within it)."""
        import pandas
        exported = self.request("EXPORT", {"study": study}, timeout=max(60, self.timeout))[1]
        objective = (exported.get("spec") or {}).get("objective")
        metrics = [o.get("metric") for o in objective] if isinstance(objective, list) else []
        bounded = [c.get("metric") for c in (exported.get("spec") or {}).get("constraints") or []]
        rows = []
        for t in exported["trials"]:
            row = {k: t.get(k) for k in ("trial", "status", "value", "attempt", "worker", "origin", "elapsed_s")}
            if len(metrics) > 1:
                values = t.get("values") or [None] * len(metrics)
                row.update({f"value.{m}": v for m, v in zip(metrics, values)})
                row.update({"front": t.get("front"), "dominated": t.get("dominated")})
            if bounded:
                violations = t.get("violations") or [None] * len(bounded)
                row["feasible"] = t.get("feasible")
                # A metric bounded from both sides has two columns: its upper and lower bound.
                names = [f"violation.{m}" if bounded.count(m) == 1 else f"violation.{m}.{i}" for i, m in enumerate(bounded)]
                row.update(dict(zip(names, violations)))
            row.update({f"param.{k}": v for k, v in t.get("config", {}).items()})
            rows.append(row)
        return pandas.DataFrame(rows)

    def enqueue(self, study: str, *configs: Mapping[str, Any], allow_outside: bool = False) -> List[int]:
        """Queues configurations to run next; returns their trial numbers."""
        body: Dict[str, Any] = {"study": study, "trials": [dict(c) for c in configs]}
        if allow_outside:
            body["allow_outside"] = True
        return self.request("ENQUEUE", body)[1]["trials"]

    def extend(self, study: str, trials: Optional[int] = None, wall_time: Optional[float] = None) -> None:
        """More budget: `trials` more search trials, `wall_time` more seconds from now."""
        body: Dict[str, Any] = {"study": study}
        if trials is not None:
            body["trials"] = trials
        if wall_time is not None:
            body["wall_time_s"] = wall_time
        self.request("EXTEND", body)

    def retry(self, study: str, failed: bool = False, trials: Optional[List[int]] = None) -> List[int]:
        body: Dict[str, Any] = {"study": study}
        if failed:
            body["failed"] = True
        if trials:
            body["trials"] = list(trials)
        return self.request("RETRY", body)[1]["trials"]

    def cancel(self, study: str) -> None:
        self.request("CANCEL", {"study": study})

    def workers(self) -> List[Dict[str, Any]]:
        return self.request("WORKERS", {})[1]["workers"]

    # Ask and tell

    def ask(self, study: str, worker: str = "python", wait: bool = True, poll: float = 0.5) -> Optional["Trial"]:
        """The next trial of a `runner: external` study, or None once the study gives no more.
        With `wait`, asks again while nothing can start yet (the study's `max_concurrent`)."""
        while True:
            _, asked = self.request("ASK", {"study": study, "worker": worker})
            if asked.get("trial") is not None:
                trial = Trial(self, study, asked["trial"], asked["number"], asked["attempt"], asked.get("config") or {}, asked["seed"])
                self._held[trial.id] = trial
                return trial
            if asked.get("over") or not wait:
                return None
            time.sleep(poll)

    def trials(self, study: str, worker: str = "python") -> Iterator["Trial"]:
        """Asked trials one after another until the study is over."""
        while (trial := self.ask(study, worker)) is not None:
            yield trial


@dataclass
class Trial:
    """A trial leased to this program: run it with `config` and `seed`, `report` each epoch,
    `tell` how it ended (or use it as a context manager, which tells for you)."""
    client: Client
    study: str
    id: int
    number: int
    attempt: int
    config: Dict[str, Any]
    seed: int
    stopped: Optional[Dict[str, Any]] = None
    ended: bool = False
    _seq: int = field(default=0, repr=False)
    _last: Dict[str, Any] = field(default_factory=dict, repr=False)

    def report(self, epoch: int, metrics: Optional[Mapping[str, float]] = None, **more: float) -> bool:
        """Reports one epoch; False when the trial must stop (`stopped` holds the reason)."""
        values = {**(metrics or {}), **more}
        self._seq += 1
        self._last = {k: _number(v) for k, v in values.items()}
        try:
            _, decision = self.client.request("REPORT", {"trial": self.id, "attempt": self.attempt, "seq": self._seq, "epoch": epoch,
                                                         "metrics": self._last})
        except SweepError as error:
            if error.code != "stale_attempt":
                raise
            # The lease is gone (expired, or the trial ran elsewhere): nothing more counts here.
            self.stopped, self.ended = {"rule": "cancelled", "detail": error.message}, True
            self.client._held.pop(self.id, None)
            return False
        if not decision["continue"]:
            self.stopped = decision.get("reason")
        return decision["continue"]

    def tell(self, status: str = "completed", metrics: Optional[Mapping[str, float]] = None, error: Optional[str] = None) -> None:
        """Ends the trial: `completed`, `stopped` (after a report said stop), `diverged` or `failed`."""
        if self.ended:
            return
        self.ended = True
        self.client._held.pop(self.id, None)
        body: Dict[str, Any] = {"trial": self.id, "attempt": self.attempt, "status": status}
        final = {k: _number(v) for k, v in (metrics or self._last).items()}
        if final:
            body["metrics"] = final
        if error:
            body["error"] = error
        self.client.request("TELL", body)

    def __enter__(self) -> "Trial":
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        if kind is None:
            self.tell("stopped" if self.stopped else "completed")
        elif not self.ended:
            self.tell("failed", error="".join(traceback.format_exception(kind, value, tb))[-2000:])
