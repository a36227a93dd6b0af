import Foundation

/// Refuses sign-in for a while after repeated failures: per account (someone guessing one
/// office account's password from anywhere) and per address (someone trying many accounts).
/// A locked account is refused even with the right password, and says for how long.
actor SignInGuard {
    /// Failures allowed within ``window`` before a key is locked.
    static let accountFailures = 5
    static let addressFailures = 20
    /// How long failures are remembered, and how long a lock lasts.
    static let window: TimeInterval = 15 * 60

    private var failures: [String: [Date]] = [:]

    /// How long `account` from `address` must wait before trying again; `nil` if it may try now.
    func wait(account: String, address: String, now: Date = Date()) -> TimeInterval? {
        let limits = [("account:" + account, Self.accountFailures), ("address:" + address, Self.addressFailures)]
        var longest: TimeInterval?
        for (key, limit) in limits {
            let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
            failures[key] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let last = recent.last else { continue }
            longest = max(longest ?? 0, Self.window - now.timeIntervalSince(last))
        }
        return longest
    }

    /// Notes a failed sign-in. Failures older than ``window`` are forgotten once many keys are
    /// held, so that names made up by the thousand cannot fill the daemon's memory.
    func failed(account: String, address: String, now: Date = Date()) {
        failures["account:" + account, default: []].append(now)
        failures["address:" + address, default: []].append(now)
        if failures.count > 10_000 {
            failures = failures.compactMapValues { dates in
                let recent = dates.filter { now.timeIntervalSince($0) < Self.window }
                return recent.isEmpty ? nil : recent
            }
        }
    }

    /// Forgets an account's failures after it signed in.
    func succeeded(account: String) {
        failures["account:" + account] = nil
    }
}
