import ArgumentParser
import GridMerge
import GridModel
import GridStore

/// `--sort`: the order a list is printed in.
enum ListOrder: String, ExpressibleByArgument, CaseIterable {
    /// Newest first (a visit by its day, the others by when they were made): the default.
    case newest
    /// Oldest first: the longest-waiting demands at the top.
    case oldest
    /// Most recently changed first: what moved lately.
    case changed

    static let help = ArgumentHelp(
        "newest (the default), oldest, or changed (most recently changed first).", valueName: "order")

    /// `records`, as the store lists them (newest first), put in this order.
    func apply(_ records: [RecordState], timelines: [RecordID: RecordTimeline]) -> [RecordState] {
        switch self {
        case .newest: records
        case .oldest: records.reversed()
        case .changed:
            records.enumerated().sorted { left, right in
                let (a, b) = (timelines[left.element.id]?.changed, timelines[right.element.id]?.changed)
                // Ties, and records without a timeline, keep the store's order.
                if a != b, let a, let b { return a > b }
                return left.offset < right.offset
            }.map(\.element)
        }
    }
}
