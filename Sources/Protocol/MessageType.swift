/// The message types of SWEEP/1 (Protocols/SWEEP-1.md §4).
public enum MessageType: String, CaseIterable, Codable, Sendable {
    // Worker ↔ coordinator.
    case hello = "HELLO", welcome = "WELCOME", assign = "ASSIGN", accept = "ACCEPT", reject = "REJECT"
    case metric = "METRIC", done = "DONE", ack = "ACK", decision = "DECISION", stop = "STOP"
    case heartbeat = "HEARTBEAT", bye = "BYE", log = "LOG"
    // Client ↔ coordinator.
    case submit = "SUBMIT", submitted = "SUBMITTED", status = "STATUS", statusReply = "STATUS_REPLY"
    case cancel = "CANCEL", ok = "OK", follow = "FOLLOW", snapshot = "SNAPSHOT", update = "UPDATE"
    case unfollow = "UNFOLLOW", export = "EXPORT", exported = "EXPORTED", workers = "WORKERS"
    case workersReply = "WORKERS_REPLY", logs = "LOGS", logsReply = "LOGS_REPLY", error = "ERROR"
    // Steering (§4.3).
    case enqueue = "ENQUEUE", queued = "QUEUED", extend = "EXTEND", retry = "RETRY", describe = "DESCRIBE", delete = "DELETE"
    case release = "RELEASE"
    // Ask and tell (§4.4).
    case ask = "ASK", asked = "ASKED", report = "REPORT", reported = "REPORTED", tell = "TELL"
    // Watching every trial (§4.6).
    case watch = "WATCH", trials = "TRIALS"
}

extension MessageType {
    /// The type of this message's body (Protocols/schemas/<TYPE>.json).
    public var body: any MessageBody.Type {
        switch self {
        case .hello: Body.Hello.self
        case .welcome: Body.Welcome.self
        case .assign: Body.Assign.self
        case .accept: Body.Accept.self
        case .reject: Body.Reject.self
        case .metric: Body.Metric.self
        case .done: Body.Done.self
        case .ack: Body.Ack.self
        case .decision: Body.Decision.self
        case .stop: Body.Stop.self
        case .bye: Body.Bye.self
        case .log: Body.Log.self
        case .logs: Body.Logs.self
        case .logsReply: Body.LogsReply.self
        case .heartbeat, .ok, .workers: Body.Empty.self
        case .submit: Body.Submit.self
        case .submitted: Body.Submitted.self
        case .status, .cancel, .unfollow, .delete, .watch: Body.StudyRef.self
        case .export: Body.Export.self
        case .trials: Body.Trials.self
        case .enqueue: Body.Enqueue.self
        case .queued: Body.Queued.self
        case .extend: Body.Extend.self
        case .retry: Body.Retry.self
        case .describe: Body.Describe.self
        case .release: Body.Release.self
        case .ask: Body.Ask.self
        case .asked: Body.Asked.self
        case .report: Body.Metric.self
        case .reported: Body.Decision.self
        case .tell: Body.Tell.self
        case .statusReply: Body.StatusReply.self
        case .follow: Body.Follow.self
        case .snapshot, .update: Body.Rows.self
        case .exported: Body.Exported.self
        case .workersReply: Body.WorkersReply.self
        case .error: ProtocolError.Body.self
        }
    }
}
