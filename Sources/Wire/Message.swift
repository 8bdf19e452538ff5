import Foundation

/// One whole multipart message.
public struct Message: Equatable, Sendable {
    /// The frames, in order. Frames may be empty and of any size.
    public var frames: [Data]
    /// The sender's routing id when received on a ROUTER socket; the destination when sent on one.
    public var peer: Data?
    /// The `User-Id` metadata a ZAP handler set for the sender's connection (with CURVE: the
    /// sender's public key in Z85), when there is one.
    public var userID: String?
    /// Set when the message was over its socket's `messageLimit`: its size in bytes. Its frames
    /// were dropped (a ROUTER keeps the peer).
    public var oversize: Int?

    public init(_ frames: [Data], peer: Data? = nil, userID: String? = nil) {
        self.frames = frames
        self.peer = peer
        self.userID = userID
    }

    /// A message of UTF-8 text frames.
    public init(strings: [String], peer: Data? = nil) {
        self.init(strings.map { Data($0.utf8) }, peer: peer)
    }

    /// The frames decoded as UTF-8 (invalid bytes replaced).
    public var strings: [String] { frames.map { String(decoding: $0, as: UTF8.self) } }
}
