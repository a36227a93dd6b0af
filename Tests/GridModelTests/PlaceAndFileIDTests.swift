import Foundation
import GridModel
import Testing

/// Places and files' ids as typed, stored and checked: one way to write each, whatever was
/// typed; nothing off the earth, nothing that is not a SHA-256.
@Suite struct PlaceAndFileIDTests {
    @Test(arguments: [
        ("39.9042,116.4074", "39.904200,116.407400"),
        ("39.9042, 116.4074, 8", "39.904200,116.407400,8"),
        ("39.9042，116.4074，±8米", "39.904200,116.407400,8"),
        ("39.90420049 116.40740051 7.6m", "39.904200,116.407401,8"),
        ("-33.8688,151.2093", "-33.868800,151.209300"),
        ("90,180,0", "90.000000,180.000000,0"),
        ("-0.0000001,0", "0.000000,0.000000"),
    ])
    func aPlaceIsStoredOneWay(_ typed: String, _ stored: String) throws {
        let place = try #require(Place(parsing: typed))
        #expect(place.description == stored)
        #expect(Place.isCanonical(stored) && Place(parsing: stored) == place)
        #expect(try ValueDomain.place.parse(typed, field: "place") == .text(stored))
    }

    @Test(arguments: [
        "", "39.9", "北京", "91,116", "39.9,181", "39.9,116.4,-1", "39.9,116.4,100001", "nan,116", "39.9,inf",
        "39.9,116.4,8,9", "=SUM(A1)",
    ])
    func aPlaceOffTheEarthOrMistypedIsRefused(_ typed: String) {
        #expect(Place(parsing: typed) == nil)
        #expect(throws: ValidationError.self) { try ValueDomain.place.parse(typed, field: "place") }
    }

    @Test func onlyTheStoredFormPassesTheCheckOfAReceivedOp() {
        for other in ["39.9042,116.4074", "-0.000000,0.000000", "39.904200,116.407400,08", "+39.904200,116.407400"] {
            #expect(throws: ValidationError.self, "\(other)") {
                try ValueDomain.place.check(.text(other), field: "place")
            }
        }
        #expect(throws: ValidationError.self) { try ValueDomain.place.check(.integer(3), field: "place") }
        #expect((try? ValueDomain.place.check(.text("39.904200,116.407400"), field: "place")) != nil)
    }

    @Test func aFilesIdIsTheSHA256OfItsBytes() throws {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        let id = FileID(of: Data("abc".utf8))
        #expect(id.rawValue == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FileID(id.rawValue) == id && id.hex.count == 64)
        #expect(
            try ValueDomain.file.parse(
                "SHA256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", field: "photos")
                == .text(id.rawValue))
        for bad in [
            "ba7816bf", "sha256:" + String(repeating: "g", count: 64), "sha1:" + String(repeating: "a", count: 64),
            "sha256:" + String(repeating: "a", count: 63), "sha256:" + String(repeating: "A", count: 64),
        ] {
            #expect(FileID(bad) == nil, "\(bad)")
            #expect(throws: ValidationError.self) { try ValueDomain.file.check(.text(bad), field: "photos") }
        }
    }
}
