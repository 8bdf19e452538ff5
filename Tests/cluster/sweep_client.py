"""A SWEEP/1 client in Python with pyzmq and the standard library only, written from
Protocols/SWEEP-1.md: it submits studies, reads status, follows leaderboards and exports."""
import json
import time
import uuid
from datetime import datetime, timezone

import zmq

PROTOCOL = b"SWEEP/1"


class ProtocolError(Exception):
    def __init__(self, body):
        super().__init__(f"{body.get('code')}: {body.get('message')}")
        self.body = body


def curve_client(socket, certificate, server_certificate):
    """Makes `socket` a CURVE client: its own secret certificate file (NAME.key_secret) and the
    coordinator's public one (NAME.key), as `sweep keygen` or zmq.auth.create_certificates write them."""
    import zmq.auth
    public, secret = zmq.auth.load_certificate(certificate)
    server, _ = zmq.auth.load_certificate(server_certificate)
    socket.curve_publickey, socket.curve_secretkey, socket.curve_serverkey = public, secret, server


class Client:
    def __init__(self, endpoint, context=None, certificate=None, server_certificate=None):
        self.context = context or zmq.Context.instance()
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        if certificate:
            curve_client(self.socket, certificate, server_certificate)
        self.socket.setsockopt(zmq.ROUTING_ID, f"py-{uuid.uuid4()}".encode())
        self.socket.connect(endpoint)

    def close(self):
        self.socket.close()

    def send(self, type_, body=None):
        """Sends one message (three frames); returns its id."""
        id_ = str(uuid.uuid4())
        header = {"type": type_, "id": id_, "re": None, "minor": 0,
                  "ts": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
        self.socket.send_multipart([PROTOCOL, json.dumps(header).encode(), json.dumps(body or {}).encode()])
        return id_

    def receive(self, timeout=10.0):
        """The next message as (header, body); None after `timeout` seconds."""
        if not self.socket.poll(int(timeout * 1000)):
            return None
        frames = self.socket.recv_multipart()
        assert frames[0] == PROTOCOL, frames
        return json.loads(frames[1]), json.loads(frames[2])

    def request(self, type_, body=None, timeout=10.0):
        """Sends a request and returns the body of the reply that quotes it; ERROR raises."""
        id_ = self.send(type_, body)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive(deadline - time.monotonic())
            if message is None:
                break
            header, reply = message
            if header.get("re") != id_:
                continue
            if header["type"] == "ERROR":
                raise ProtocolError(reply)
            return header["type"], reply
        raise TimeoutError(f"no reply to {type_} within {timeout} s")

    def submit(self, spec):
        return self.request("SUBMIT", {"spec": spec})[1]["study"]

    def status(self, study=None):
        return self.request("STATUS", {"study": study} if study else {})[1]["studies"]

    def export(self, study):
        return self.request("EXPORT", {"study": study}, timeout=30)[1]

    def follow(self, study, top=10, timeout=120.0):
        """Follows a leaderboard until the study ends; returns (rows, status, updates seen)."""
        kind, snapshot = self.request("FOLLOW", {"study": study, "top": top})
        assert kind == "SNAPSHOT", kind
        rows = {row["rank"]: row for row in snapshot["rows"]}
        seq, status, updates = snapshot["seq"], snapshot["status"], 0
        deadline = time.monotonic() + timeout
        last_heartbeat = time.monotonic()
        while status["state"] in ("running", "testing"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"study {study} still {status['state']} after {timeout} s")
            if time.monotonic() - last_heartbeat > 1:
                self.send("HEARTBEAT")
                last_heartbeat = time.monotonic()
            message = self.receive(1.0)
            if message is None or message[0]["type"] != "UPDATE":
                continue
            update = message[1]
            if update["seq"] != seq + 1:  # a gap: start again from a snapshot
                return self.follow(study, top, deadline - time.monotonic())
            seq, status, updates = update["seq"], update["status"], updates + 1
            for row in update["rows"]:
                rows[row["rank"]] = row
            rows = {rank: row for rank, row in rows.items() if rank <= update["count"]}
        self.request("UNFOLLOW", {"study": study})
        return [rows[rank] for rank in sorted(rows)], status, updates
