import ArgumentParser
import GridMerge
import GridStore

/// `--place`, for the commands that record or change a visit, a demand or a project.
struct PlaceOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where: latitude,longitude in WGS-84 degrees, and the accuracy in metres if known; or gps.",
            discussion: "39.9042,116.4074,8 as a GPS shows it; gps reads the receiver through gpsd.",
            valueName: "place"))
    var place: String?

    /// Sets the record's place: as typed, or from the GPS receiver for `gps`.
    func edits(into builder: inout EditBuilder) throws {
        try builder.set("place", try GPSFix.resolve(place))
    }
}
