import Foundation
internal import CZeroMQ

/// A CURVE key pair in Z85 text (40 characters each), as `zmq_curve_keypair` makes them.
public struct CurveKeyPair: Equatable, Sendable {
    public let publicKey: String
    public let secretKey: String

    /// A fresh random key pair.
    public static func generate() throws(WireError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        try zmqCheck("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
        return CurveKeyPair(publicKey: zmqText(publicKey), secretKey: zmqText(secretKey))
    }

    /// The pair of a known secret key (its public key is derived).
    public init(secretKey: String) throws(WireError) {
        try Z85.checkKey(secretKey, role: "secret key")
        var publicKey = [CChar](repeating: 0, count: 41)
        try zmqCheck("zmq_curve_public") { zmq_curve_public(&publicKey, secretKey) }
        self.init(publicKey: zmqText(publicKey), secretKey: secretKey)
    }

    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

/// ZeroMQ's Z85 text encoding of binary keys (RFC 32).
public enum Z85 {
    /// Encodes bytes whose count is a multiple of 4.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { return nil }
        return zmqText(text)
    }

    /// Decodes text whose length is a multiple of 5; nil for invalid text.
    public static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 5 == 0 else { return nil }
        guard text.utf8.allSatisfy({ alphabet.contains($0) }) else { return nil }
        var bytes = [UInt8](repeating: 0, count: text.utf8.count * 4 / 5)
        guard zmq_z85_decode(&bytes, text) != nil else { return nil }
        return bytes
    }

    private static let alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// Throws unless `key` is 40 Z85 characters encoding 32 bytes.
    static func checkKey(_ key: String, role: String) throws(WireError) {
        guard key.utf8.count == 40, decode(key)?.count == 32 else {
            throw WireError(code: EINVAL, operation: "CURVE \(role) must be 40 Z85 characters (got \(key.utf8.count) characters)")
        }
    }
}

extension Socket {
    /// Makes this socket a CURVE server with `secretKey`; its connections are checked by the
    /// `Authenticator` under `domain`. Call before `bind`.
    public func makeCurveServer(secretKey: String, domain: String) throws(WireError) {
        try Z85.checkKey(secretKey, role: "server secret key")
        try set(.zapDomain, domain)
        try set(.curveServer, true)
        try set(.curveSecretKey, secretKey)
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey`.
    /// Call before `connect`.
    public func makeCurveClient(keyPair: CurveKeyPair, serverKey: String) throws(WireError) {
        try Z85.checkKey(serverKey, role: "server public key")
        try Z85.checkKey(keyPair.publicKey, role: "client public key")
        try Z85.checkKey(keyPair.secretKey, role: "client secret key")
        try set(.curveServerKey, serverKey)
        try set(.curvePublicKey, keyPair.publicKey)
        try set(.curveSecretKey, keyPair.secretKey)
    }
}

/// A NUL-terminated C string filled in by libzmq.
func zmqText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
