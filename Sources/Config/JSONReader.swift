/// JSON (RFC 8259) read straight from its bytes, into a `Config` or only checked. Foundation's
/// readers were most of a restart and of a dashboard's first view at 100,000 trials:
/// `JSONDecoder` can reach a `Config` only by trying each case in turn, each miss a thrown
/// error, and `JSONSerialization` builds a whole tree of objects just to say the text is valid.
public struct JSONReader {
    /// Where and why the text is not JSON.
    public struct Failure: Error, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Deeper nesting is refused, not recursed into: no text can exhaust the stack.
    static let depthLimit = 512

    private let bytes: [UInt8]
    private var at = 0
    private var depth = 0

    private init(_ bytes: some Collection<UInt8>) { self.bytes = Array(bytes) }

    /// The value `bytes` hold (one JSON text, nothing after it but whitespace).
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> Config {
        var reader = JSONReader(bytes)
        let value = try reader.value(build: true)
        try reader.end()
        return value ?? .null
    }

    /// Whether `bytes` are one JSON object; what is inside is checked, not kept.
    public static func isObject(_ bytes: some Collection<UInt8>) -> Bool {
        var reader = JSONReader(bytes)
        reader.space()
        guard reader.peek == UInt8(ascii: "{") else { return false }
        do {
            _ = try reader.value(build: false)
            try reader.end()
            return true
        } catch { return false }
    }

    private var peek: UInt8? { at < bytes.count ? bytes[at] : nil }

    private func fail(_ reason: String) -> Failure { Failure(offset: at, reason: reason) }

    private mutating func space() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { at += 1 }
    }

    private mutating func end() throws(Failure) {
        space()
        if at != bytes.count { throw fail("unexpected text after the value") }
    }

    private mutating func expect(_ word: String) throws(Failure) {
        for b in word.utf8 {
            guard peek == b else { throw fail("expected '\(word)'") }
            at += 1
        }
    }

    /// The next value; nil when `build` is false (checked only).
    private mutating func value(build: Bool) throws(Failure) -> Config? {
        space()
        guard let b = peek else { throw fail("expected a value, found the end") }
        switch b {
        case UInt8(ascii: "{"): return try object(build: build)
        case UInt8(ascii: "["): return try array(build: build)
        case UInt8(ascii: "\""): return try string(build: build).map(Config.string)
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number(build: build).map(Config.number)
        default: throw fail("unexpected character '\(Unicode.Scalar(b))'")
        }
    }

    private mutating func nest() throws(Failure) {
        depth += 1
        if depth > Self.depthLimit { throw fail("nested deeper than \(Self.depthLimit)") }
        at += 1
    }

    /// Past the closing bracket of what `nest` opened.
    private mutating func close() {
        at += 1
        depth -= 1
    }

    private mutating func object(build: Bool) throws(Failure) -> Config? {
        try nest()
        var members: [String: Config] = [:]
        space()
        if peek == UInt8(ascii: "}") { close(); return build ? .object(members) : nil }
        while true {
            space()
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let key = try string(build: build)
            space()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
            at += 1
            let member = try value(build: build)
            // The first of repeated names wins, as with Foundation's decoder.
            if let key, let member, members[key] == nil { members[key] = member }
            space()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"): close(); return build ? .object(members) : nil
            default: throw fail("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array(build: Bool) throws(Failure) -> Config? {
        try nest()
        var items: [Config] = []
        space()
        if peek == UInt8(ascii: "]") { close(); return build ? .array(items) : nil }
        while true {
            if let item = try value(build: build) { items.append(item) }
            space()
            switch peek {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"): close(); return build ? .array(items) : nil
            default: throw fail("expected ',' or ']' in an array")
            }
        }
    }

    /// A quoted string, unescaped; its bytes must be UTF-8 with no raw control characters.
    private mutating func string(build: Bool) throws(Failure) -> String? {
        at += 1
        let start = at
        var plain = true, ascii = true
        while let b = peek, b != UInt8(ascii: "\"") {
            if b < 0x20 { throw fail("a control character inside a string (escape it)") }
            if b >= 0x80 { ascii = false }
            if b == UInt8(ascii: "\\") {
                plain = false
                at += 1
                guard let e = peek else { break }
                if e == UInt8(ascii: "u") {
                    for _ in 0..<4 {
                        at += 1
                        guard let h = peek, hex(h) != nil else { throw fail("expected 4 hex digits after \\u") }
                    }
                } else if !"\"\\/bfnrt".utf8.contains(e) {
                    throw fail("unknown escape '\\\(Unicode.Scalar(e))'")
                }
            }
            at += 1
        }
        guard peek == UInt8(ascii: "\"") else { throw fail("a string with no closing quote") }
        let end = at
        at += 1
        guard build || !ascii else { return nil }
        guard let text = String(validating: bytes[start..<end], as: UTF8.self) else {
            throw Failure(offset: start, reason: "a string that is not UTF-8")
        }
        return build ? (plain ? text : try unescape(bytes[start..<end], from: start)) : nil
    }

    private func hex(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The text of an escaped string (already checked by `string`); `\u` pairs join into one scalar.
    private func unescape(_ raw: ArraySlice<UInt8>, from start: Int) throws(Failure) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        func code(at i: Int) -> UInt32 { (0..<4).reduce(0) { $0 << 4 | hex(raw[i + $1])! } }
        func append(_ scalar: Unicode.Scalar) { out.append(contentsOf: String(Character(scalar)).utf8) }
        while i < raw.endIndex {
            let b = raw[i]
            guard b == UInt8(ascii: "\\") else { out.append(b); i += 1; continue }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var value = code(at: i)
                i += 4
                if (0xD800..<0xDC00).contains(value), i + 6 <= raw.endIndex, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                    let low = code(at: i + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        value = 0x10000 + (value - 0xD800) << 10 + (low - 0xDC00)
                        i += 6
                    }
                }
                guard let scalar = Unicode.Scalar(value) else {
                    throw Failure(offset: start + (i - raw.startIndex), reason: "\\u escape of a lone surrogate")
                }
                append(scalar)
            default: out.append(e) // " \ /
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A number as the grammar spells it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func number(build: Bool) throws(Failure) -> Double? {
        let start = at
        func digits() -> Int {
            let from = at
            while let b = peek, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) { at += 1 }
            return at - from
        }
        if peek == UInt8(ascii: "-") { at += 1 }
        if peek == UInt8(ascii: "0") {
            at += 1
        } else if digits() == 0 {
            throw fail("expected a digit")
        }
        if peek == UInt8(ascii: ".") {
            at += 1
            if digits() == 0 { throw fail("expected a digit after '.'") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            at += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { at += 1 }
            if digits() == 0 { throw fail("expected a digit in the exponent") }
        }
        guard build else { return nil }
        // The grammar is checked; the conversion (correctly rounded, tiny values to zero) is the standard library's.
        let value = Double(String(decoding: bytes[start..<at], as: UTF8.self))!
        if !value.isFinite { throw Failure(offset: start, reason: "a number beyond the range of a double") }
        return value
    }
}
