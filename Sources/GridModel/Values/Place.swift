import Foundation

/// Where a visit, a demand or a project is: latitude and longitude in degrees on WGS-84 (the
/// datum GPS receivers give, and the one GridSync stores and sends), and, when known, how far
/// off it may be, in whole metres.
///
/// Stored as text: `39.904200,116.407400` or `39.904200,116.407400,8`, six decimals (about
/// 10 cm), so every replica writes the same place the same way. Chinese map services show
/// GCJ-02 coordinates, a few hundred metres off WGS-84; a place read from such a map must be
/// converted before it is typed in (see the README).
public struct Place: Hashable, Sendable, CustomStringConvertible {
    /// Degrees north (negative: south), -90 to 90.
    public let latitude: Double
    /// Degrees east (negative: west), -180 to 180.
    public let longitude: Double
    /// How far off the place may be, in metres, when known (0 to 100,000).
    public let accuracy: Int?

    /// How a place is typed, for error messages and `--help`.
    public static let rule =
        "latitude,longitude in WGS-84 degrees, and optionally the accuracy in metres (39.9042,116.4074,8)"

    /// A place, if the numbers are on the earth.
    public init?(latitude: Double, longitude: Double, accuracy: Int? = nil) {
        guard (-90...90).contains(latitude), (-180...180).contains(longitude),
            accuracy.map({ (0...100_000).contains($0) }) ?? true
        else { return nil }
        // Rounded to the six decimals it is written with, so a place and its text agree; adding
        // zero turns -0 into 0, so the equator and the meridian are written one way.
        self.latitude = (latitude * 1_000_000).rounded() / 1_000_000 + 0
        self.longitude = (longitude * 1_000_000).rounded() / 1_000_000 + 0
        self.accuracy = accuracy
    }

    /// The place `text` gives: two or three numbers separated by commas (either width) or
    /// spaces; the accuracy may be written `±8`, `8m` or `8 米`.
    public init?(parsing text: String) {
        let parts = text.split { ",， ".contains($0) }.map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "±m米"))
        }.filter { !$0.isEmpty }
        guard parts.count == 2 || parts.count == 3, let latitude = Double(parts[0]), let longitude = Double(parts[1])
        else { return nil }
        var accuracy: Int?
        if parts.count == 3 {
            guard let metres = Double(parts[2]), metres.isFinite else { return nil }
            accuracy = Int(metres.rounded())
        }
        guard latitude.isFinite, longitude.isFinite else { return nil }
        self.init(latitude: latitude, longitude: longitude, accuracy: accuracy)
    }

    /// The place as it is stored: `39.904200,116.407400` or `39.904200,116.407400,8`.
    public var description: String {
        let degrees = String(format: "%.6f,%.6f", latitude, longitude)
        return accuracy.map { "\(degrees),\($0)" } ?? degrees
    }

    /// Whether `text` is a place written as it is stored.
    public static func isCanonical(_ text: String) -> Bool {
        Place(parsing: text)?.description == text
    }
}
