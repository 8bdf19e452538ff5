import Foundation

/// Runs `handler` (on a dispatch queue) when the process gets SIGINT or SIGTERM, instead of the
/// default of dying mid-write. Keep the returned sources alive as long as the handler applies.
public func onTermination(_ handler: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { signal in
        Foundation.signal(signal, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signal)
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
