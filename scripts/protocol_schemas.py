"""Writes Protocols/schemas/<TYPE>.json (JSON Schema 2020-12 of each message body) and
Protocols/examples/<TYPE>.json (an example message) from the tables below, which follow
Protocols/SWEEP-1.md §4. Run: python3 scripts/protocol_schemas.py
"""
import json
import os

ROOT = os.path.join(os.path.dirname(__file__), "..", "Protocols")
NUM = {"type": ["number", "string"], "description": "a number, or \"nan\", \"inf\", \"-inf\""}
INT = {"type": "integer", "minimum": 0}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
OBJ = {"type": "object"}
METRICS = {"type": "object", "additionalProperties": NUM}
RULES = ["divergence", "median", "asha", "hyperband", "patience", "max_steps", "cancelled", "error", "timeout"]
REASON = {"type": "object", "required": ["rule", "detail"],
          "properties": {"rule": {"enum": RULES}, "detail": STR, "numbers": {"type": "object", "additionalProperties": {"type": "number"}}}}
RUNNING = {"type": "array", "items": {"type": "object", "required": ["trial", "attempt", "last_seq"],
                                      "properties": {"trial": INT, "attempt": INT, "last_seq": INT}}}
STATUSES = ["queued", "running", "completed", "pruned", "diverged", "failed", "cancelled"]
ROW = {"type": "object", "required": ["rank", "trial", "status"],
       "properties": {"rank": INT, "trial": INT, "status": {"enum": STATUSES}, "objective": {"type": ["number", "string", "null"]},
                      "epoch": {"type": ["integer", "null"]}, "params": OBJ, "worker": {"type": ["string", "null"]},
                      "elapsed_s": {"type": ["number", "null"]}, "epochs": {"type": ["integer", "null"]},
                      "reason": {"type": ["string", "null"], "description": "rule: detail, for a stopped or failed trial"}}}
STUDY_STATUS = {"type": "object", "required": ["study", "name", "state", "trials", "queued", "running", "completed", "pruned", "failed"],
                "properties": {"study": STR, "name": STR, "state": {"enum": ["running", "testing", "completed", "cancelled", "failed"]},
                               "trials": INT, "queued": INT, "running": INT, "completed": INT, "pruned": INT, "failed": INT,
                               "best": {"type": ["integer", "null"]}, "objective": {"type": ["number", "null"]},
                               "test": {"type": ["object", "null"], "description": "test_* metrics of the final trial, its status and trial"},
                               "reason": {"type": ["string", "null"], "description": "why a failed study failed"},
                               "budget": {"type": ["integer", "null"], "minimum": 1}, "metric": {"type": ["string", "null"]},
                               "elapsed_s": {"type": ["number", "null"], "minimum": 0},
                               "note": {"type": ["string", "null"]}, "tags": {"type": ["array", "null"], "items": STR},
                               "warm": {"type": ["integer", "null"], "minimum": 0, "description": "warm-start trials its samplers see"}}}
STATUS_EXAMPLE = {"study": "s-000001", "name": "fashion-mnist-mlp", "state": "running", "trials": 14, "queued": 0, "running": 2,
                  "completed": 5, "pruned": 7, "failed": 0, "best": 6, "objective": 0.8897, "test": None}

TRIAL_ROW = {"type": "object", "required": ["trial", "status", "epochs", "values", "params", "attempt", "origin"],
             "properties": {"trial": INT, "status": {"enum": STATUSES}, "value": {"type": ["number", "string", "null"]},
                            "epochs": {"type": "array", "items": INT}, "values": {"type": "array", "items": NUM}, "params": OBJ,
                            "worker": {"type": ["string", "null"]}, "started_at": {"type": ["number", "null"]},
                            "ended_at": {"type": ["number", "null"]}, "attempt": INT,
                            "origin": {"enum": ["suggested", "enqueued", "outside"]},
                            "reason": {"type": ["string", "null"], "description": "rule: detail, for a stopped or failed trial"}}}
WARM_START = {"type": "object", "description": "a study on this coordinator, or the trials of an export (one of the two)",
              "properties": {"study": STR, "metric": STR, "source": STR,
                             "trials": {"type": "array", "items": {"type": "object", "required": ["config"],
                                                                    "properties": {"config": OBJ, "status": {"enum": STATUSES}, "value": {"type": "number"}}}}}}
ATTEMPT = {"type": "object", "required": ["attempt", "outcome"],
           "properties": {"attempt": INT, "outcome": {"enum": ["completed", "pruned", "diverged", "failed", "cancelled", "requeued"]},
                          "worker": STR, "cause": {"enum": ["trial", "worker"]}, "value": {"type": "number"}, "stop_reason": REASON,
                          "elapsed_s": {"type": "number"}}}
LINES = {"type": "array", "items": {"type": "object", "required": ["stream", "text"],
                                    "properties": {"stream": {"enum": ["stdout", "stderr"]}, "text": STR}}}
# type: (required fields, optional fields, example body)
MESSAGES = {
    "HELLO": ({"worker": STR, "boot_id": STR, "host": STR, "cores": INT, "threads": INT, "version": STR,
               "proto_min": INT, "proto_max": INT, "running": RUNNING}, {},
              {"worker": "gpu-node-3/1", "boot_id": "5b0c…", "host": "gpu-node-3", "cores": 2, "threads": 2, "version": "0.1.0",
               "proto_min": 1, "proto_max": 1, "running": [{"trial": 12, "attempt": 1, "last_seq": 4}]}),
    "WELCOME": ({"proto": INT, "coordinator_session": STR, "heartbeat_ms": INT, "liveness": INT, "lease_grace_ms": INT,
                 "adopt": RUNNING, "stop": RUNNING}, {},
                {"proto": 1, "coordinator_session": "c7f1…", "heartbeat_ms": 2000, "liveness": 5, "lease_grace_ms": 60000,
                 "adopt": [{"trial": 12, "attempt": 1, "last_seq": 4}], "stop": []}),
    "ASSIGN": ({"trial": INT, "attempt": INT, "study": STR, "kind": {"enum": ["builtin", "command"]}, "seed": INT, "metric": STR},
               {"config": OBJ, "command": {"type": "array", "items": STR}, "env": {"type": "object", "additionalProperties": STR},
                "test": BOOL, "number": {"type": "integer", "minimum": -1}},
               {"trial": 13, "attempt": 1, "study": "fashion-mnist-mlp", "kind": "builtin", "seed": 20, "metric": "validation_accuracy",
                "config": {"data": {"dataset": "fashion-mnist"}, "model": {"kind": "mlp", "hidden": [256, 128]},
                           "optimizer": {"name": "adam", "lr": 0.0014}, "epochs": 9, "seed": 20}, "number": 13}),
    "ACCEPT": ({"trial": INT, "attempt": INT}, {}, {"trial": 13, "attempt": 1}),
    "REJECT": ({"trial": INT, "attempt": INT, "reason": STR}, {}, {"trial": 13, "attempt": 1, "reason": "busy with trial 12"}),
    "METRIC": ({"trial": INT, "attempt": INT, "seq": INT, "epoch": INT, "metrics": METRICS}, {},
               {"trial": 13, "attempt": 1, "seq": 3, "epoch": 3,
                "metrics": {"train_loss": 0.31, "train_accuracy": 0.886, "validation_loss": 0.34, "validation_accuracy": 0.879,
                            "learning_rate": 0.0014, "seconds": 0.9}}),
    "DONE": ({"trial": INT, "attempt": INT, "seq": INT, "status": {"enum": ["completed", "stopped", "diverged", "failed"]}},
             {"metrics": METRICS, "error": STR, "cause": {"enum": ["trial", "worker"], "description": "whose failure: worker = this machine's"}},
             {"trial": 13, "attempt": 1, "seq": 10, "status": "completed", "metrics": {"validation_accuracy": 0.889}}),
    "ACK": ({"trial": INT, "attempt": INT, "seq": INT}, {}, {"trial": 13, "attempt": 1, "seq": 3}),
    "DECISION": ({"trial": INT, "attempt": INT, "epoch": INT, "continue": BOOL}, {"reason": REASON},
                 {"trial": 13, "attempt": 1, "epoch": 3, "continue": False,
                  "reason": {"rule": "asha", "detail": "ranked 5 of 6 at rung 3; only the top 2 continue",
                             "numbers": {"step": 3, "rank": 5, "trials": 6, "keep": 2}}}),
    "STOP": ({"trial": INT, "attempt": INT, "reason": {"enum": ["early_stop", "cancelled", "superseded", "lease_lost", "timeout"]}}, {},
             {"trial": 13, "attempt": 1, "reason": "cancelled"}),
    "HEARTBEAT": ({}, {}, {}),
    "BYE": ({"reason": STR}, {}, {"reason": "SIGTERM: draining"}),
    "SUBMIT": ({"spec": OBJ}, {"warm_start": WARM_START},
               {"spec": {"study": "fashion-mnist-mlp", "objective": {"metric": "validation_accuracy", "direction": "maximize"},
                         "trial": {"model": {"kind": "mlp"}}, "space": {"optimizer.lr": {"type": "float", "low": 0.0001, "high": 0.3, "log": True}},
                         "budget": {"max_trials": 30}}}),
    "SUBMITTED": ({"study": STR}, {"warm": {"type": "object", "required": ["taken", "skipped"],
                                            "properties": {"taken": INT, "skipped": {"type": "array", "items": {
                                                "type": "object", "required": ["reason", "count"], "properties": {"reason": STR, "count": INT}}}}}},
                  {"study": "s-000002", "warm": {"taken": 28, "skipped": [{"reason": "model.depth is not a parameter of the study's space", "count": 2}]}}),
    "STATUS": ({}, {"study": STR}, {"study": "s-000001"}),
    "STATUS_REPLY": ({"studies": {"type": "array", "items": STUDY_STATUS}}, {}, {"studies": [STATUS_EXAMPLE]}),
    "CANCEL": ({"study": STR}, {}, {"study": "s-000001"}),
    "OK": ({}, {}, {}),
    "FOLLOW": ({"study": STR}, {"top": INT}, {"study": "s-000001", "top": 10}),
    "SNAPSHOT": ({"study": STR, "seq": INT, "count": INT, "rows": {"type": "array", "items": ROW}, "status": STUDY_STATUS}, {},
                 {"study": "s-000001", "seq": 0, "count": 1, "status": STATUS_EXAMPLE, "rows": [{"rank": 1, "trial": 6, "status": "completed", "objective": 0.8897, "epoch": 9,
                                                           "params": {"optimizer.lr": 0.0014, "optimizer.name": "adam"}, "worker": "node-2/1",
                                                           "elapsed_s": 7.9}]}),
    "UPDATE": ({"study": STR, "seq": INT, "count": INT, "rows": {"type": "array", "items": ROW}, "status": STUDY_STATUS}, {},
               {"study": "s-000001", "seq": 1, "count": 4, "status": STATUS_EXAMPLE, "rows": [{"rank": 4, "trial": 13, "status": "running", "objective": 0.879, "epoch": 3,
                                                         "params": {"optimizer.lr": 0.0031, "optimizer.name": "adam"}, "worker": "node-3/1",
                                                         "elapsed_s": 2.7}]}),
    "UNFOLLOW": ({"study": STR}, {}, {"study": "s-000001"}),
    "EXPORT": ({"study": STR}, {"trials": {"type": "array", "items": INT}}, {"study": "s-000001"}),
    "WATCH": ({"study": STR}, {}, {"study": "s-000001"}),
    "TRIALS": ({"study": STR, "seq": INT, "full": BOOL, "trials": {"type": "array", "items": TRIAL_ROW}, "status": STUDY_STATUS}, {"spec": OBJ},
               {"study": "s-000001", "seq": 3, "full": False, "status": STATUS_EXAMPLE,
                "trials": [{"trial": 13, "status": "running", "epochs": [1, 2, 3], "values": [0.81, 0.85, 0.879],
                            "params": {"optimizer.lr": 0.0031, "optimizer.name": "adam"}, "worker": "node-3/1",
                            "started_at": 1764650000.5, "attempt": 0, "origin": "suggested"}]}),
    "EXPORTED": ({"study": STR, "name": STR, "metric": STR, "direction": {"enum": ["minimize", "maximize"]},
                  "trials": {"type": "array", "items": {"type": "object", "required": ["trial", "status", "attempt", "config", "metrics"],
                                                        "properties": {"trial": {"type": "integer", "minimum": -1}, "final": BOOL,
                                                                       "status": {"enum": STATUSES}, "attempt": INT, "worker": STR,
                                                                       "value": {"type": "number"}, "config": OBJ, "elapsed_s": {"type": "number"}, "started_at": {"type": "number"}, "ended_at": {"type": "number"},
                                                                       "stop_reason": {"type": "object"},
                                                                       "origin": {"enum": ["suggested", "enqueued", "outside"]},
                                                                       "attempts": {"type": "array", "items": ATTEMPT},
                                                                       "metrics": {"type": "array", "items": METRICS}}}}},
                 {"test": {"type": ["object", "null"]}, "spec": {"type": ["object", "null"], "description": "the study's spec as it stands"}},
                 {"study": "s-000001", "name": "fashion-mnist-mlp", "metric": "validation_accuracy", "direction": "maximize", "test": None,
                  "trials": [{"trial": 0, "status": "pruned", "attempt": 1, "worker": "node-2", "value": 0.77, "config": {"optimizer.lr": 0.2},
                              "elapsed_s": 1.9, "stop_reason": {"rule": "asha", "detail": "ranked 10 of 24 at rung 1"},
                              "metrics": [{"epoch": 1, "validation_accuracy": 0.77}]}]}),
    "LOG": ({"trial": INT, "attempt": INT, "lines": LINES}, {},
            {"trial": 13, "attempt": 1, "lines": [{"stream": "stdout", "text": "loading data"},
                                                 {"stream": "stderr", "text": "Traceback (most recent call last):"}]}),
    "LOGS": ({"study": STR, "trial": {"type": "integer", "minimum": -1}}, {"after": INT},
             {"study": "s-000001", "trial": 13, "after": 0}),
    "LOGS_REPLY": ({"study": STR, "trial": {"type": "integer", "minimum": -1}, "lines": LINES, "next": INT, "running": BOOL}, {},
                   {"study": "s-000001", "trial": 13, "lines": [{"stream": "stderr", "text": "Traceback (most recent call last):"}],
                    "next": 2, "running": False}),
    "WORKERS": ({}, {}, {}),
    "WORKERS_REPLY": ({"workers": {"type": "array", "items": {"type": "object", "required": ["worker", "host", "state"],
                                                              "properties": {"worker": STR, "host": STR, "cores": INT, "threads": INT,
                                                                             "state": {"enum": ["idle", "busy", "lost", "left", "quarantined"]},
                                                                             "reason": {"type": ["string", "null"], "description": "why it is quarantined"},
                                                                             "trial": {"type": ["integer", "null"]}, "study": {"type": ["string", "null"]},
                                                                             "number": {"type": ["integer", "null"], "minimum": -1}, "last_seen_ms": INT}}}}, {},
                      {"workers": [{"worker": "node-2/1", "host": "node-2", "cores": 2, "threads": 2, "state": "busy", "trial": 13,
                                    "study": "s-000001", "number": 13, "last_seen_ms": 420}]}),
    "ENQUEUE": ({"study": STR, "trials": {"type": "array", "minItems": 1, "items": OBJ}}, {"allow_outside": BOOL},
                {"study": "s-000001", "trials": [{"optimizer.lr": 0.01, "optimizer.name": "adam"}]}),
    "QUEUED": ({"study": STR, "trials": {"type": "array", "items": INT}}, {}, {"study": "s-000001", "trials": [14]}),
    "EXTEND": ({"study": STR}, {"trials": {"type": "integer", "minimum": 1}, "wall_time_s": {"type": "number", "minimum": 1}},
               {"study": "s-000001", "trials": 20}),
    "RETRY": ({"study": STR}, {"failed": BOOL, "trials": {"type": "array", "items": INT}}, {"study": "s-000001", "failed": True}),
    "DESCRIBE": ({"study": STR}, {"name": STR, "note": STR, "tags": {"type": "array", "items": STR}},
                 {"study": "s-000001", "note": "lr above 0.05 diverges", "tags": ["baseline"]}),
    "DELETE": ({"study": STR}, {}, {"study": "s-000001"}),
    "RELEASE": ({"worker": STR}, {}, {"worker": "node-3/1"}),
    "ASK": ({"study": STR}, {"worker": STR}, {"study": "s-000003", "worker": "notebook"}),
    "ASKED": ({"study": STR, "over": BOOL}, {"trial": INT, "number": INT, "attempt": INT, "config": OBJ, "seed": INT, "lease_s": {"type": "number"}},
              {"study": "s-000003", "trial": 41, "number": 0, "attempt": 1, "config": {"lr": 0.003, "width": 64}, "seed": 7, "lease_s": 600,
               "over": False}),
    "REPORT": ({"trial": INT, "attempt": INT, "seq": INT, "epoch": INT, "metrics": METRICS}, {},
               {"trial": 41, "attempt": 1, "seq": 1, "epoch": 1, "metrics": {"loss": 0.62}}),
    "REPORTED": ({"trial": INT, "attempt": INT, "epoch": INT, "continue": BOOL}, {"reason": REASON},
                 {"trial": 41, "attempt": 1, "epoch": 1, "continue": True}),
    "TELL": ({"trial": INT, "attempt": INT, "status": {"enum": ["completed", "stopped", "diverged", "failed"]}}, {"metrics": METRICS, "error": STR},
             {"trial": 41, "attempt": 1, "status": "completed", "metrics": {"loss": 0.31}}),
    "ERROR": ({"code": {"enum": ["unsupported_protocol", "bad_request", "unknown_type", "unknown_peer", "invalid_spec",
                                 "unknown_study", "stale_attempt", "too_large", "internal"]}, "message": STR},
              {"supported": {"type": "array", "items": INT},
               "problems": {"type": "array", "items": {"type": "object", "required": ["path", "message"], "properties": {"path": STR, "message": STR}}}},
              {"code": "invalid_spec", "message": "the spec has 1 problem",
               "problems": [{"path": "space.optimizer.lr.low", "message": "must be > 0 when log: true (got 0)"}]}),
}

for name, (required, optional, example) in MESSAGES.items():
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": f"SWEEP/1 {name} body", "type": "object",
              "required": sorted(required), "properties": {**required, **optional}}
    with open(os.path.join(ROOT, "schemas", f"{name}.json"), "w") as f:
        json.dump(schema, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    message = {"header": {"type": name, "id": f"{name.lower()}-1", "re": None, "ts": "2026-11-28T08:00:00Z", "minor": 1}, "body": example}
    with open(os.path.join(ROOT, "examples", f"{name}.json"), "w") as f:
        json.dump(message, f, indent=1, ensure_ascii=False)
        f.write("\n")
print(len(MESSAGES), "messages")
