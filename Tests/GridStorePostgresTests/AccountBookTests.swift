import GridAccounts
import GridMerge
import GridModel
import GridStore
import GridStorePostgres
import Testing

/// The accounts contract, played on both books: the daemon folder's `accounts.sqlite` and the
/// accounts table several daemons share. Both must answer every step alike.
@Suite(.enabled(if: PostgresTestDatabase.available, "GRIDSYNC_TEST_POSTGRES is not set"))
struct AccountBookTests {
    /// What a book answered at one step: a worker and its scopes, or a refusal's code and words.
    static func answer(_ body: () async throws -> Account) async -> String {
        do {
            let account = try await body()
            return "\(account.worker) \(account.role) \(account.scopes) revoked: \(account.revokedAt != nil)"
        } catch let error as AccountError {
            return "\(error.code): \(error.message)"
        } catch {
            return "unexpected \(error)"
        }
    }

    /// The scenario: what an office does with accounts over a year, and what a hostile
    /// token tries; the answers, in order.
    static func play(_ book: any AccountBook) async throws -> [String] {
        let w1 = WorkerID("w001")!
        let w2 = WorkerID("w002")!
        let laptop = ReplicaID(rawValue: 0xa1)
        let other = ReplicaID(rawValue: 0xa2)
        var answers: [String] = []
        let (_, token1) = try await book.add(worker: w1, role: .worker, scopes: [GridScope("c01/g01")!])
        let (_, token2) = try await book.add(worker: w2, role: .office, scopes: [GridScope("c01")!])
        answers.append(await answer { try await book.add(worker: w1, role: .worker, scopes: []).0 })
        answers.append(await answer { try await book.authorize(replica: laptop, token: token1) })
        answers.append(await answer { try await book.authorize(replica: laptop, token: token1) })
        answers.append(await answer { try await book.authorize(replica: laptop, token: "gst_guess") })
        answers.append(await answer { try await book.authorize(replica: laptop, token: token2) })
        answers.append(await answer { try await book.authorize(replica: other, token: token2) })
        try await book.recordSync(
            of: laptop, ending: "bye", pushed: 5, pulled: 7, pulledThrough: 42, givenBack: 0, recovered: 1)
        try await book.recordSync(
            of: laptop, ending: "cut", pushed: 99, pulled: 99, pulledThrough: 99, givenBack: 2, recovered: 0)
        try await book.recordSync(
            of: ReplicaID(rawValue: 0xdead), ending: "bye", pushed: 1, pulled: 1, pulledThrough: 1, givenBack: 0,
            recovered: 0)
        for device in try await book.devices() {
            answers.append(
                "device \(device.replica) of \(device.worker): \(device.lastEnding ?? "-") pushed \(device.lastPushed) "
                    + "pulled \(device.lastPulled) through \(device.pulledThrough) back \(device.givenBack) "
                    + "recovered \(device.recovered) synced: \(device.lastSyncAt != nil)")
        }
        answers.append(await answer { try await book.revoke(worker: w1) })
        answers.append(
            await answer { try await book.revoke(worker: w1) }.replacingOccurrences(
                of: #"at .*"#, with: "at …", options: .regularExpression))
        answers.append(await answer { try await book.revoke(worker: WorkerID("w404")!) })
        answers.append(await answer { try await book.authorize(replica: laptop, token: token1) })
        let (_, renewed) = try await book.add(worker: w1, role: .worker, scopes: [GridScope("c01/g02")!])
        answers.append(await answer { try await book.authorize(replica: laptop, token: renewed) })
        answers.append(await answer { try await book.authorize(replica: laptop, token: token1) })
        answers.append(await answer { try #require(try await book.account(w1)) })
        answers.append("\(try await book.account(WorkerID("w404")!) == nil)")
        for account in try await book.list() {
            answers.append(
                "\(account.worker) \(account.scopes) \(account.replicas) \(account.tokenHint.hasPrefix("gst_"))")
        }
        // Console passwords: office accounts only; gone with a revoked token.
        let password = try PasswordHash(password: "桂花巷 十二号 院子")
        for worker in [w1, WorkerID("w404")!, w2] {
            do {
                try await book.setPassword(of: worker, to: password)
                answers.append("password of \(worker) set")
            } catch let error as AccountError {
                answers.append("\(error.code): \(error.message)")
            }
        }
        let kept = try await book.password(of: w2)
        answers.append(
            "\(kept?.matches("桂花巷 十二号 院子") == true) \(kept?.matches("桂花巷 十二号 院") == false) "
                + "\(try await book.password(of: w1) == nil)")
        _ = try await book.revoke(worker: w2)
        answers.append("\(try await book.password(of: w2) == nil)")
        return answers
    }

    @Test func bothBooksAnswerEveryStepAlike() async throws {
        let sqlite = try await withTemporaryFolder { folder in try await Self.play(try AccountStore.open(in: folder)) }
        #expect(sqlite.count == 23)
        #expect(sqlite[18].hasPrefix("not-an-office-account") && sqlite[19].hasPrefix("unknown-worker"))
        #expect(sqlite[20] == "password of w002 set" && sqlite[21] == "true true true" && sqlite[22] == "true")
        #expect(sqlite[0].hasPrefix("account-exists") && sqlite[3].hasPrefix("token-refused"))
        #expect(sqlite[4].contains("syncs for w001") && sqlite[9].hasPrefix("already-revoked"))
        #expect(sqlite[11].contains("was revoked") && sqlite[12].hasPrefix("w001 worker [c01/g02]"))
        try await PostgresTestDatabase.with { database in
            try await database.withDaemons(1) { daemons in
                let postgres = try await Self.play(daemons[0].accounts)
                #expect(postgres == sqlite)
                for (step, (a, b)) in zip(postgres, sqlite).enumerated() where a != b {
                    Issue.record("step \(step): PostgreSQL \(a); SQLite \(b)")
                }
            }
        }
    }

    @Test func aTokenRevokedThroughOneDaemonIsRefusedByTheOthers() async throws {
        try await PostgresTestDatabase.with { database in
            try await database.withDaemons(3) { daemons in
                let worker = WorkerID("w001")!
                let (_, token) = try await daemons[0].accounts.add(
                    worker: worker, role: .worker, scopes: [GridScope("c01/g01")!])
                let laptop = ReplicaID(rawValue: 0xa1)
                #expect(try await daemons[1].accounts.authorize(replica: laptop, token: token).worker == worker)
                _ = try await daemons[2].accounts.revoke(worker: worker)
                let answer = await Self.answer {
                    try await daemons[1].accounts.authorize(replica: laptop, token: token)
                }
                #expect(answer.hasPrefix("token-refused") && answer.contains("was revoked"))
            }
        }
    }
}
