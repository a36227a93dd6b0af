import GridMerge
import GridModel
import GridTesting
import PropertyBased
import Testing

/// Reading canonical JSON payloads back: every payload written reads back as itself, and
/// anything else is refused without a crash.
@Suite struct CanonicalJSONParsingTests {
    static let alphabet: [Character] = Array("abz一中堆楼\"\\\n\r\t\u{01}\u{1F} 😀é")

    static func text(_ rng: inout SeededGenerator) -> String {
        String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func value(_ rng: inout SeededGenerator) -> FieldValue {
        switch Int.random(in: 0...3, using: &rng) {
        case 0: .text(text(&rng))
        case 1: .integer(Int64.random(in: Int64.min...Int64.max, using: &rng))
        case 2: .boolean(Bool.random(using: &rng))
        default: .null
        }
    }

    @Test func everyPayloadReadsBackAsItself() async {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var rng = SeededGenerator(seed: seed)
            let value = Self.value(&rng)
            let text = Self.text(&rng)
            let number = Int64.random(in: Int64.min...Int64.max, using: &rng)
            let entry = LogEntry(["text": .text(text), "n": .integer(number), "\(text)x": .text(Self.text(&rng))])
            for payload in [
                OpPayload.assign(value), .add(text), .remove(text), .change(number), .append(entry),
            ] {
                #expect(CanonicalJSON.payload(from: CanonicalJSON.text(payload)) == payload)
            }
        }
    }

    @Test(arguments: [
        "", "{}", "{\"assign\":}", "{\"assign\": 1}", "{\"assign\":01}", "{\"assign\":-}", "{\"assign\":1.5}",
        "{\"assign\":\"a}", "{\"assign\":\"\\x\"}", "{\"assign\":\"\\u0041\"}", "{\"assign\":\"a\u{01}\"}",
        "{\"assign\":tru}", "{\"copy\":1}", "{\"change\":\"1\"}", "{\"add\":1}", "{\"append\":{\"a\":1,\"a\":2}}",
        "{\"assign\":1}x", "{\"assign\":99999999999999999999}", "[\"assign\",1]",
    ])
    func nonPayloadsAreRefused(text: String) {
        #expect(CanonicalJSON.payload(from: text) == nil)
    }

    @Test func arbitraryTextNeverCrashes() async {
        await propertyCheck(count: 500, input: Gen<UInt8>.value(in: 0...255).array(of: 0...64)) { bytes in
            _ = CanonicalJSON.payload(from: String(decoding: bytes, as: UTF8.self))
            _ = CanonicalJSON.payload(from: "{\"assign\":\"" + String(decoding: bytes, as: UTF8.self) + "\"}")
        }
    }
}
