import Foundation

/// Figures of the overview (the month's report, how far behind each laptop is), computed at
/// most once a minute and never while a page waits, except the first time: on a year of a
/// street a report reads every record of the month, and twenty people opening the overview
/// at once ask for the same figures.
///
/// Figures older than ``lifetime`` are still shown while their successor is computed in the
/// background; requests that find no figures at all wait for the one computation under way.
actor FiguresCache<Figures: Sendable> {
    /// How long figures are shown before they are computed again.
    static var lifetime: TimeInterval { 60 }

    /// The latest figures computed under each key, with when their computation began.
    private var kept: [String: (asOf: Date, figures: Figures)] = [:]
    /// The computation under way for each key.
    private var computing: [String: Task<Figures, any Error>] = [:]

    /// The figures under `key`: those kept if there are any (computed again in the background
    /// once older than ``lifetime``), else those `compute` returns.
    func figures(
        _ key: String, now: Date = Date(), compute: @escaping @Sendable () async throws -> Figures
    ) async throws -> (asOf: Date, figures: Figures) {
        if let figures = kept[key] {
            if now.timeIntervalSince(figures.asOf) >= Self.lifetime, computing[key] == nil {
                _ = start(key, at: now, compute)
            }
            return figures
        }
        let task = computing[key] ?? start(key, at: now, compute)
        return (now, try await task.value)
    }

    /// Starts computing the figures under `key`, to be kept when done (a failure keeps the
    /// previous figures, and the next request tries again).
    private func start(
        _ key: String, at now: Date, _ compute: @escaping @Sendable () async throws -> Figures
    ) -> Task<Figures, any Error> {
        let task = Task { try await compute() }
        computing[key] = task
        Task {
            let result = await task.result
            self.finished(key, asOf: now, result)
        }
        return task
    }

    private func finished(_ key: String, asOf: Date, _ result: Result<Figures, any Error>) {
        computing[key] = nil
        if case .success(let figures) = result { kept[key] = (asOf, figures) }
    }
}
