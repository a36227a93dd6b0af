import GridAccounts
import ArgumentParser
import Foundation
import GridCommandLine
import GridModel

/// `gridsyncd worker`: the accounts of the grid workers and the office.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Add, list and revoke the accounts that may sync.",
        subcommands: [Add.self, List.self, Revoke.self, Password.self])

    /// `gridsyncd worker add`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an account and print its token, once: give it to the worker for `gridsync sync`.",
            discussion: """
                Only a hash of the token is kept: if it is lost, revoke it and add the worker again. A grid worker \
                reads and writes the grids given; the office may be given whole communities.

                Examples:
                  gridsyncd worker add w001 --grid c01/g01 --grid c01/g02
                  gridsyncd worker add office-1 --role office --scope c01 --scope c02
                  gridsyncd worker add w002 --grid c02/g05 --json
                """)

        @Argument(help: ArgumentHelp("The worker's key, for example w001.", valueName: "worker"))
        var worker: String

        @Option(
            name: .customLong("grid"), help: ArgumentHelp("A grid, community/grid (repeatable).", valueName: "scope"))
        var grids: [String] = []

        @Option(
            name: .customLong("scope"),
            help: ArgumentHelp(
                "A community, or community/grid (repeatable; communities for the office).", valueName: "scope"))
        var scopes: [String] = []

        @Option(help: ArgumentHelp("worker (default) or office.", valueName: "role"))
        var role: String = "worker"

        @OptionGroup var daemon: DaemonOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let worker = WorkerID(worker) else {
                throw DaemonError(.badConfiguration, "'\(worker)' is not a worker key: use \(WorkerID.rule)")
            }
            guard let role = WorkerRole(parsing: role) else {
                throw DaemonError(.badConfiguration, "'\(role)' is not a role: use worker or office")
            }
            var parsed: [GridScope] = []
            for text in grids + scopes {
                guard let scope = GridScope(text) else {
                    throw DaemonError(
                        .badConfiguration, "'\(text)' is not a scope: use community/grid, for example c01/g01")
                }
                parsed.append(scope)
            }
            guard !parsed.isEmpty else {
                throw DaemonError(
                    .badConfiguration,
                    "give the account at least one grid: --grid community/grid (or --scope community)")
            }
            if role == .worker, let community = parsed.first(where: { $0.grid == nil }) {
                throw DaemonError(
                    .badConfiguration,
                    "a grid worker works in grids, not the whole community \(community): give --grid \(community)/<grid>, "
                        + "or --role office")
            }
            let configuration = try daemon.configuration()
            // The fingerprint laptops pin: the daemon's own certificate is made now if it does not exist yet.
            let fingerprint = try configuration.certificateFiles.map { try DaemonCertificate.load($0).fingerprint }
            let (account, token) = try await DaemonFolder.withAccounts(configuration) { accounts in
                try await accounts.add(worker: worker, role: role, scopes: parsed)
            }
            if output.json {
                print(
                    try OutputOptions.json(
                        WorkerJSON.Added(account: account, token: token, fingerprint: fingerprint?.description)))
                return
            }
            print("account:      \(account.worker) (\(account.role.rawValue))")
            print("scopes:       \(account.scopes.map(\.description).joined(separator: ", "))")
            print("token:        \(token)")
            print("server:       <this server>:\(configuration.listen.port)")
            print("fingerprint:  \(fingerprint.map(\.description) ?? "none: the server serves plain TCP")")
            print("")
            let grids = account.scopes.map { "--grid \($0)" }.joined(separator: " ")
            print("The token is shown once. On the worker's laptop:")
            print("  gridsync init --worker \(account.worker) \(grids)   (once, if the laptop is new)")
            print(
                "  gridsync sync --server <this server>:\(configuration.listen.port) "
                    + (fingerprint.map { "--fingerprint \($0)" } ?? "--plain"))
            print("and paste the token when it asks.")
        }
    }

    /// `gridsyncd worker list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the accounts, their scopes, tokens (first characters) and replicas.",
            discussion: """
                Examples:
                  gridsyncd worker list
                  gridsyncd worker list --json
                """)

        @OptionGroup var daemon: DaemonOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let accounts = try await DaemonFolder.withAccounts(try daemon.configuration()) { try await $0.list() }
            if output.json {
                print(try OutputOptions.json(accounts))
                return
            }
            guard !accounts.isEmpty else {
                print("no accounts yet: add one with `gridsyncd worker add w001 --grid c01/g01`")
                return
            }
            var table = TextTable(headers: ["worker", "role", "scopes", "token", "state", "replicas"])
            table.rows = accounts.map { account in
                [
                    account.worker.rawValue, account.role.rawValue,
                    account.scopes.map(\.description).joined(separator: ","), account.tokenHint + "…",
                    account.revokedAt.map { "revoked \($0)" } ?? "active", "\(account.replicas.count)",
                ]
            }
            print(table.render())
        }
    }

    /// `gridsyncd worker revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a worker's token: their next sync is refused.",
            discussion: """
                A connection already open finishes; the next one is refused with `unauthorized`. Add the worker \
                again to issue a new token.

                Examples:
                  gridsyncd worker revoke w001
                """)

        @Argument(help: ArgumentHelp("The worker's key.", valueName: "worker"))
        var worker: String

        @OptionGroup var daemon: DaemonOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let worker = WorkerID(worker) else {
                throw DaemonError(.badConfiguration, "'\(worker)' is not a worker key: use \(WorkerID.rule)")
            }
            let account = try await DaemonFolder.withAccounts(try daemon.configuration()) {
                try await $0.revoke(worker: worker)
            }
            if output.json {
                print(try OutputOptions.json(account))
                return
            }
            print("revoked the token of \(account.worker) (\(account.tokenHint)…) at \(account.revokedAt ?? "")")
        }
    }
}

extension WorkerCommand {
    /// `gridsyncd worker passwd`.
    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd",
            abstract: "Set an office account's password for the web console.",
            discussion: """
                Asks for the password twice in the terminal, not shown as it is typed; a script gives it on \
                standard input (--password-stdin), never on the command line. At least 10 characters. Only \
                a hash is kept (scrypt, memory-hard). Grid workers' accounts have tokens for their laptops, \
                and no password.

                Examples:
                  gridsyncd worker passwd office-1
                  printf '%s\\n' "$PASSWORD" | gridsyncd worker passwd office-1 --password-stdin
                """)

        @Argument(help: ArgumentHelp("The office account's key.", valueName: "worker"))
        var worker: String

        @Flag(help: "Read the password from standard input (its first line) instead of asking.")
        var passwordStdin = false

        @OptionGroup var daemon: DaemonOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let worker = WorkerID(worker) else {
                throw DaemonError(.badConfiguration, "'\(worker)' is not a worker key: use \(WorkerID.rule)")
            }
            let hash = try PasswordHash(password: try readPassword(for: worker))
            try await DaemonFolder.withAccounts(try daemon.configuration()) {
                try await $0.setPassword(of: worker, to: hash)
            }
            if output.json {
                print(try OutputOptions.json(["worker": worker.rawValue, "password": "set"]))
                return
            }
            print("set the console password of \(worker)")
        }

        /// The password, from standard input or asked twice in the terminal.
        private func readPassword(for worker: WorkerID) throws -> String {
            if passwordStdin {
                return readLine(strippingNewline: true) ?? ""
            }
            guard let first = HiddenInput.ask("New console password for \(worker) (not shown): ") else {
                throw DaemonError(
                    .badConfiguration,
                    "no terminal to ask the password in: give it on standard input with --password-stdin")
            }
            guard HiddenInput.ask("The same again: ") == first else {
                throw DaemonError(.badConfiguration, "the two passwords differ: nothing was changed; try again")
            }
            return first
        }
    }
}

/// JSON for the worker commands.
enum WorkerJSON {
    /// A new account with its token.
    struct Added: Encodable {
        let account: Account
        let token: String
        /// The server certificate's fingerprint, which the laptop pins; `nil` for plain TCP.
        let fingerprint: String?
    }
}
