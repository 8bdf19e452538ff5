extension Duration {
    /// Whole milliseconds, rounded up so that a positive duration never becomes 0 (which libzmq
    /// reads as "do not wait"), clamped to Int32 for socket options. The one place durations
    /// become milliseconds.
    var zmqMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis)
    }
}
