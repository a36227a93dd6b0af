import Foundation
import GridStore

/// The month's figures of the overview, kept for a minute: on a year of a street each report
/// reads every record of the month, and twenty people opening the overview at once ask for
/// the same figures. Requests that arrive while the figures are being computed wait for that
/// one computation.
actor FiguresCache {
    /// How long figures are shown before they are computed again.
    static let lifetime: TimeInterval = 60

    private var entries: [String: (made: Date, figures: Task<[MonthlyReport], any Error>)] = [:]

    /// The figures under `key`, from `compute` if there are none younger than ``lifetime``.
    func figures(
        _ key: String, now: Date = Date(), compute: @escaping @Sendable () async throws -> [MonthlyReport]
    ) async throws -> [MonthlyReport] {
        if let entry = entries[key], now.timeIntervalSince(entry.made) < Self.lifetime {
            return try await entry.figures.value
        }
        let task = Task { try await compute() }
        entries[key] = (now, task)
        do {
            return try await task.value
        } catch {
            entries[key] = nil
            throw error
        }
    }
}
