import Foundation
import Testing
import Config
import Search

@Suite("JSON reader")
struct JSONReaderTests {
    /// What Foundation's decoder reads, the old way to a Config.
    func foundation(_ text: String) -> Config? { try? JSONDecoder().decode(Config.self, from: Data(text.utf8)) }

    @Test("reads what Foundation reads, to the same value: nesting, escapes, surrogate pairs, numbers in every spelling")
    func sameValues() throws {
        let texts = [
            #"{"lr":0.001,"width":128,"dropout":0.25,"optimizer":"adam","nested":{"a":[1,2,{"b":null}],"t":true,"f":false}}"#,
            #"{"s":"quote \" backslash \\ slash \/ \b\f\n\r\t end","u":"\u00e9\u4e2d\ud83d\ude00","raw":"é中😀"}"#,
            #"[-0, 0, 1, -1, 1.5, -1.5e3, 2E-2, 1e+308, 5e-324, 123456789012345678901234567890, 0.1, 1.7976931348623157e308]"#,
            " \n\t{ \"spaced\" : [ ] , \"empty\" : { } } \r\n", #""text""#, "3.25", "null", "true", "[]",
            #"{"dup":1,"dup":2}"#,
        ]
        for text in texts {
            let read = try JSONReader.parse(Data(text.utf8))
            #expect(read == foundation(text), "\(text)")
        }
        #expect(try JSONReader.parse(Data(#"{"dup":1,"dup":2}"#.utf8)) == .object(["dup": .number(1)]))
        #expect(try JSONReader.parse(Data("1e-400".utf8)) == .number(0))
    }

    @Test("refuses what is not JSON, saying where, and never recurses past its limit")
    func refusals() {
        let bad = ["", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}", "'x'", "01", "1.", ".5", "-", "1e", "+1",
                   "tru", "nul", "1e400", "-1e400", "\"open", "\"bad \\x escape\"", "\"\\u12g4\"", "\"tab\there\"", "{} {}", "[1]]", "NaN", "\"\\ud800\""]
        for text in bad {
            #expect(throws: JSONReader.Failure.self, "\(text)") { try JSONReader.parse(Data(text.utf8)) }
            #expect(!JSONReader.isObject(Data(text.utf8)))
        }
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(Data([0x22, 0xC3, 0x28, 0x22])) } // not UTF-8
        #expect(!JSONReader.isObject(Data(#"{"k":""#.utf8) + Data([0xFF]) + Data(#""}"#.utf8)))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(Data(deep.utf8)) }
        #expect(!JSONReader.isObject(Data(("{\"a\":" + deep + "}").utf8)))
        #expect(JSONReader.isObject(Data(("{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}").utf8)))
        do { _ = try JSONReader.parse(Data(#"{"a":[1,2,x]}"#.utf8)) } catch { #expect(error.offset == 10) }
    }

    @Test("on texts mutated byte by byte, agrees with Foundation on what is a JSON object")
    func mutations() {
        let seed = Array(#"{"trial":7,"params":{"lr":0.001,"opt":"adam","u":"\u00e9"},"values":[1.5,-2e-3,0],"ok":true,"w":null}"#.utf8)
        var generator = SplitMix64(seed: 11)
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \"tfnulrsa"#.utf8)
        for _ in 0..<3000 {
            var text = seed
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let at = Int(generator.next() % UInt64(text.count))
                switch generator.next() % 3 {
                case 0: text.remove(at: at)
                case 1: text.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                default: text[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                }
            }
            let data = Data(text)
            // Foundation also takes a comma before a closing bracket, which RFC 8259 does not (nor this reader).
            do { _ = try JSONReader.parse(data) } catch {
                let before = text[..<error.offset].last { $0 != UInt8(ascii: " ") }
                if before == UInt8(ascii: ","), error.offset < text.count, [UInt8(ascii: "]"), UInt8(ascii: "}")].contains(text[error.offset]) { continue }
            }
            let expected = (try? JSONSerialization.jsonObject(with: data)) is [String: Any]
            #expect(JSONReader.isObject(data) == expected, "\(String(decoding: text, as: UTF8.self))")
            // Foundation's decoder refuses numbers that round to zero, where this reader reads 0.
            if expected, foundation(String(decoding: text, as: UTF8.self)) != nil {
                #expect((try? JSONReader.parse(data)) == foundation(String(decoding: text, as: UTF8.self)), "\(String(decoding: text, as: UTF8.self))")
            }
        }
    }
}
