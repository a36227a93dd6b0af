import GridModel
import GridNet
import GridProtocol
import Testing

/// The daemon's gate against a model of its rules: connections in all, per address and per
/// worker, and the wait after wrong tokens.
@Suite struct ConnectionGateTests {
    @Test func countsConnectionsInAllPerAddressAndPerWorker() throws {
        let gate = ConnectionGate(limits: ConnectionGate.Limits(connections: 5, perAddress: 3, perWorker: 2))
        var passes = try (0..<3).map { _ in try gate.enter(from: "10.0.0.1").get() }
        #expect(Self.code(gate.enter(from: "10.0.0.1")) == .tooManyConnections)
        passes.append(try gate.enter(from: "10.0.0.2").get())
        passes.append(try gate.enter(from: "10.0.0.3").get())
        #expect(Self.code(gate.enter(from: "10.0.0.4")) == .unavailable, "five are open in all")
        gate.leave(passes.removeFirst())
        passes.append(try gate.enter(from: "10.0.0.1").get())

        let worker = WorkerID("w001")!
        #expect(gate.claim(worker) == nil)
        #expect(gate.claim(worker) == nil)
        #expect(gate.claim(worker)?.code == .tooManyConnections)
        #expect(gate.claim(WorkerID("w002")!) == nil, "another worker is not held back")
        gate.release(worker)
        #expect(gate.claim(worker) == nil)
        for pass in passes { gate.leave(pass) }
        #expect(gate.open == 0)
        gate.close()
        #expect(Self.code(gate.enter(from: "10.0.0.9")) == .unavailable, "a closed gate lets nobody in")
    }

    @Test func anAddressWaitsAfterTooManyWrongTokensAndOthersDoNot() async throws {
        let gate = ConnectionGate(limits: ConnectionGate.Limits(failures: 3, failureWindow: .milliseconds(300)))
        for _ in 0..<3 {
            let pass = try gate.enter(from: "10.0.0.1").get()
            gate.authenticationFailed(pass)
            gate.leave(pass)
        }
        #expect(Self.code(gate.enter(from: "10.0.0.1")) == .tooManyFailures)
        gate.leave(try gate.enter(from: "10.0.0.2").get())
        // Once the window is over, the address may try again.
        try await Task.sleep(for: .milliseconds(350))
        gate.leave(try gate.enter(from: "10.0.0.1").get())
    }

    private static func code(_ result: Result<ConnectionGate.Pass, ProtocolError>) -> ProtocolError.Code? {
        if case .failure(let error) = result { return error.code }
        return nil
    }
}

/// Fingerprints as the office hands them over: copied, retyped, grouped.
@Suite struct CertificateFingerprintTests {
    @Test func readsTheWaysAPersonMayWriteIt() throws {
        let hex = "d586296ba52ae58bc5adba206792533c0688d6d8be2d3c68eedcb8454b62f508"
        let printed = try #require(CertificateFingerprint("sha256:" + hex))
        #expect(printed.description == "sha256:" + hex)
        #expect(CertificateFingerprint(hex) == printed)
        #expect(CertificateFingerprint("SHA256:" + hex.uppercased()) == printed)
        let grouped = stride(from: 0, to: 64, by: 2).map { i in
            String(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 2)])
        }
        #expect(CertificateFingerprint(grouped.joined(separator: ":")) == printed)
        #expect(CertificateFingerprint(grouped.joined(separator: " ")) == printed)
        for wrong in [String(hex.dropLast()), hex + "0", "sha1:" + hex, String(hex.dropLast()) + "g", ""] {
            #expect(CertificateFingerprint(wrong) == nil, "\(wrong)")
        }
    }
}
