import Foundation
import Testing

/// Photos and places as grid workers record them with the real `gridsync`: a photo stored once
/// however many records name it, one over the limit refused with nothing stored, a place
/// typed as a GPS shows it and stored one way, and a photo attached again on one laptop while
/// another detaches it staying on both (add wins), while one detached alone goes from both.
///
/// The files travel with the sync (gridsync/4): the grid's other laptop holds them after its
/// own sync, byte for byte; another grid's laptop never receives them.
@Suite struct PhotosAndPlacesTests {
    /// Files like photos, in a folder of their own.
    static func photos(_ sizes: [Int]) throws -> (folder: URL, paths: [String]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-photos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let paths = try sizes.enumerated().map { index, size in
            let path = folder.appendingPathComponent("photo-\(index + 1).jpg")
            // A JPEG's first bytes, then a pattern of the photo's own.
            try Data([0xFF, 0xD8, 0xFF, 0xE0] + (4..<size).map { UInt8(truncatingIfNeeded: $0 &* (index + 7)) })
                .write(to: path)
            return path.path
        }
        return (folder, paths)
    }

    /// The ids of a record's photos, as `open --json` lists them.
    static func photoIDs(_ laptop: GridsyncBinary, _ id: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> [String]
    {
        let opened = try #require(
            try laptop.json("open", id, "--json") as? [[String: Any]], sourceLocation: sourceLocation)
        return opened.compactMap { $0["id"] as? String }
    }

    @Test func photosAreStoredOnceAndAPlaceIsStoredOneWay() throws {
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try #require(try laptop.run("init", "--worker", "w001", "--grid", "c01/g01").status == 0)
        let (folder, paths) = try Self.photos([2_000_000, 150_000, 11 * 1_048_576])
        defer { try? FileManager.default.removeItem(at: folder) }

        let added = try #require(
            try laptop.json(
                "demand", "add", "--title", "楼道堆物清理", "--category", "消防安全", "--photo", paths[0],
                "--place", "39.9042, 116.4074, 8", "--json") as? [String: Any])
        let id = try #require(added["id"] as? String)
        let values = added["values"] as? [String: Any]
        #expect(values?["place"] as? String == "39.904200,116.407400,8", "\(added)")
        #expect((added["sets"] as? [String: [String]])?["photos"]?.count == 1, "\(added)")

        // The same photo again, and another: the record names two, the laptop holds two files.
        _ = try laptop.succeed("attach", id, paths[0], paths[1])
        let shown = try laptop.succeed("demand", "show", id)
        #expect(shown.contains("照片 photos: 2") && shown.contains("1.9 MB") && shown.contains("0.1 MB"), "\(shown)")
        #expect(shown.contains("39.904200, 116.407400（±8 米，WGS-84）"), "\(shown)")
        let files = laptop.data.appendingPathComponent("files")
        func held() -> Int {
            (FileManager.default.enumerator(atPath: files.path)?.allObjects as? [String])?
                .filter { $0.count == 67 }.count ?? 0
        }
        #expect(held() == 2)
        // A second record with the same photo: still stored once.
        let visit = try #require(
            try laptop.json("visit", "add", "--household", "3栋2单元401", "--photo", paths[0], "--json")
                as? [String: Any])
        #expect((visit["sets"] as? [String: [String]])?["photos"] == ["sha256:" + (try Self.hex(of: paths[0]))])
        #expect(held() == 2, "the same photo was stored twice")

        // Over the limit: refused in words, nothing stored, nothing written.
        func unsent() throws -> Int? {
            (try laptop.json("status", "--json") as? [String: Any])?["unsyncedOpCount"] as? Int
        }
        let before = try unsent()
        let big = try laptop.run("attach", id, paths[2])
        #expect(big.status != 0 && big.error.contains("larger than 10.0 MB"), "\(big.error)")
        #expect(held() == 2)
        #expect(try unsent() == before)

        // A place off the earth, or a mistyped one, is refused, and nothing is written.
        let offEarth = try laptop.run("demand", "update", id, "--place", "139.9,116.4")
        #expect(offEarth.status != 0 && offEarth.error.contains("latitude,longitude"), "\(offEarth.error)")

        // Detach by the number show gives: one photo left.
        _ = try laptop.succeed("detach", id, "2")
        #expect(try Self.photoIDs(laptop, id).count == 1)
        let wrong = try laptop.run("detach", id, "7")
        #expect(wrong.status != 0 && wrong.error.contains("is not one of the record's photos"), "\(wrong.error)")

        // The office's export: the photo beside the sheet, named by the record's id (its 编号 column).
        let exported = folder.appendingPathComponent("照片")
        let sheet = try laptop.run("export", "--format", "csv", "--type", "demand", "--files", exported.path)
        #expect(sheet.status == 0 && sheet.error.contains("wrote 1 photos"), "\(sheet.error)")
        #expect(sheet.output.contains(id) && sheet.output.contains("1 张"), "\(sheet.output)")
        let kept = try Self.photoIDs(laptop, id)
        let written = try FileManager.default.contentsOfDirectory(atPath: exported.path)
        #expect(written == ["\(id)-1.jpg"], "\(written)")
        let bytes = try Data(contentsOf: exported.appendingPathComponent("\(id)-1.jpg"))
        #expect(kept == ["sha256:" + (try Self.hex(of: exported.appendingPathComponent("\(id)-1.jpg").path))])
        #expect(bytes.count == 2_000_000)
        // Or one ZIP file, read back by Python's zipfile (an independent reader): the name as
        // written, in UTF-8, each byte checked against its CRC.
        let zip = folder.appendingPathComponent("照片.zip")
        let zipped = try laptop.run("export", "--format", "csv", "--type", "demand", "--files", zip.path)
        #expect(zipped.status == 0 && zipped.error.contains("wrote 1 photos"), "\(zipped.error)")
        let check = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/python3"),
            [
                "-c",
                """
                import hashlib, sys, zipfile
                z = zipfile.ZipFile(sys.argv[1])
                assert z.testzip() is None
                for i in z.infolist():
                    print(i.filename, i.flag_bits & 0x800, i.compress_type, hashlib.sha256(z.read(i)).hexdigest())
                """,
                zip.path,
            ], environment: [:])
        #expect(check.status == 0, "\(check.error)")
        #expect(check.output == "\(id)-1.jpg 2048 0 \(kept[0].dropFirst(7))\n", "\(check.output)")
    }

    @Test func aPhotoAttachedAgainOnOneLaptopWhileAnotherDetachesItStays() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let first = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        let elsewhere = try FieldLaptop(daemon: daemon, worker: "w005", scope: "c02/g05")
        defer { [first, second, elsewhere].forEach { $0.cleanUp() } }
        let (folder, paths) = try Self.photos([40_000, 150_000])
        defer { try? FileManager.default.removeItem(at: folder) }

        let id = try first.addDemand("楼道灯坏了")
        _ = try first.gridsync.succeed("attach", id, paths[0], paths[1])
        try first.sync()
        try second.sync()
        let both = try Self.photoIDs(second.gridsync, id)
        #expect(both.count == 2)
        // The files came with the sync, whole: the same bytes, under the same ids.
        let opened = try #require(try second.gridsync.json("open", id, "--json") as? [[String: Any]])
        #expect(opened.allSatisfy { $0["held"] as? Bool == true }, "\(opened)")
        for entry in opened {
            let path = try #require(entry["path"] as? String)
            #expect(entry["id"] as? String == "sha256:" + (try Self.hex(of: path)))
        }
        let printed = try second.gridsync.run(["open", id, "1"])
        #expect(printed.status == 0 && printed.output.contains("/files/"), "without a desktop, the path: \(printed)")
        // Another grid's laptop receives neither the record nor its photos.
        try elsewhere.sync()
        let elsewhereFiles = elsewhere.gridsync.data.appendingPathComponent("files")
        #expect(
            ((try? FileManager.default.subpathsOfDirectory(atPath: elsewhereFiles.path)) ?? []).filter {
                $0.count == 67
            }
            .isEmpty)

        // Offline: the first laptop attaches photo 1 again, the second detaches it and photo 2.
        _ = try first.gridsync.succeed("attach", id, paths[0])
        let photo1 = "sha256:" + (try Self.hex(of: paths[0]))
        #expect(try Self.photoIDs(first.gridsync, id).contains(photo1))
        let photo2 = try #require(both.first { $0 != photo1 })
        _ = try second.gridsync.succeed("detach", id, photo1, String(photo2.dropFirst(7).prefix(8)))
        #expect(try Self.photoIDs(second.gridsync, id).isEmpty)
        for laptop in [first, second, first] { try laptop.sync() }
        for laptop in [first, second] {
            #expect(
                try Self.photoIDs(laptop.gridsync, id) == [photo1], "\(laptop.name): the re-attached photo should win")
        }
    }

    /// The office's limit on one photo holds at the daemon: a larger one is refused there and
    /// nothing of it is kept, the laptop keeps it and says why, and the sync otherwise goes on.
    @Test func aPhotoOverTheDaemonsLimitIsRefusedThereAndKeptOnTheLaptop() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_MAX_FILE_BYTES": "100000"])
        defer { daemon.cleanUp() }
        let laptop = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        defer { laptop.cleanUp() }
        let (folder, paths) = try Self.photos([150_000, 20_000])
        defer { try? FileManager.default.removeItem(at: folder) }
        let id = try laptop.addDemand("楼道灯坏了")
        try laptop.sync()  // the first sync keeps the server and the token
        _ = try laptop.gridsync.succeed("attach", id, paths[0], paths[1])
        let synced = try laptop.gridsync.run(["sync", "--json"])
        #expect(synced.status == 0, "\(synced.error)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(synced.output.utf8)) as? [String: Any])
        let photos = try #require(summary["photos"] as? [String: Any])
        #expect(photos["sent"] as? Int == 1, "\(photos)")
        let refused = (photos["refused"] as? [[String: Any]]) ?? []
        #expect(refused.map { $0["code"] as? String } == ["file-too-large"], "\(refused)")
        let text = try laptop.gridsync.run(["sync"])
        #expect(text.output.contains("a photo was not sent (file-too-large)"), "\(text.output)")
        let held =
            ((try? FileManager.default.subpathsOfDirectory(atPath: daemon.data.appendingPathComponent("files").path))
            ?? []).filter { $0.count == 67 }
        #expect(held.count == 1, "the daemon kept \(held)")
        let metrics = try daemon.metrics()
        #expect(metrics.contains("gridsync_files_received_total 1"), "\(metrics)")
        #expect(metrics.contains("gridsync_file_bytes_received_total 20000"), "\(metrics)")
        #expect(metrics.contains(#"gridsync_errors_total{code="file-too-large"} 2"#), "\(metrics)")
        #expect(try Self.photoIDs(laptop.gridsync, id).count == 2)
    }

    /// `--place gps` reads gpsd (here a stand-in speaking its JSON protocol): the first report
    /// with a fix, its horizontal error as the accuracy. Without gpsd, the command says how to
    /// start it or to type the place, and writes nothing.
    @Test func aPlaceComesFromTheGPSReceiverThroughGpsd() throws {
        var laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try #require(try laptop.run("init", "--worker", "w001", "--grid", "c01/g01").status == 0)
        let gpsd = Process()
        gpsd.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        gpsd.arguments = [
            "-c",
            """
            import socket
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
            print(s.getsockname()[1], flush=True)
            c, _ = s.accept(); c.recv(1024)
            c.sendall(b'{"class":"VERSION","release":"3.25"}\\n{"class":"TPV","mode":1}\\n'
                      b'{"class":"TPV","mode":3,"lat":39.90421234,"lon":116.40738765,"eph":6.4}\\n')
            c.recv(1024)
            """,
        ]
        let output = Pipe()
        gpsd.standardOutput = output
        try gpsd.run()
        defer { gpsd.terminate() }
        let port = try #require(
            String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).split(separator: "\n").first)
        laptop.environment["GRIDSYNC_GPSD"] = "127.0.0.1:\(port)"
        let added = try #require(
            try laptop.json("visit", "add", "--household", "5号楼", "--place", "gps", "--json") as? [String: Any])
        #expect((added["values"] as? [String: Any])?["place"] as? String == "39.904212,116.407388,6", "\(added)")

        // No gpsd on that port any more: refused in words, nothing written.
        gpsd.terminate()
        gpsd.waitUntilExit()
        let refused = try laptop.run("visit", "add", "--household", "6号楼", "--place", "gps")
        #expect(refused.status != 0 && refused.error.contains("gpsd is not running"), "\(refused.error)")
        #expect((try laptop.json("visit", "list", "--json") as? [Any])?.count == 1)
    }

    /// A laptop on a slow link or a small disk leaves large photos on the server (a setting
    /// kept for next time), fetches a record's photos when the worker asks, and all of them
    /// again once the setting is taken back.
    @Test func largePhotosWaitOnTheServerUntilTheWorkerAsks() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let first = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [first, second].forEach { $0.cleanUp() } }
        let (folder, paths) = try Self.photos([40_000, 300_000, 250_000])
        defer { try? FileManager.default.removeItem(at: folder) }
        let stairs = try first.addDemand("楼道堆物")
        _ = try first.gridsync.succeed("attach", stairs, paths[0], paths[1])
        try first.sync()

        // Over 0.2 MB (209,715 bytes) waits: the small photo comes, the large one does not.
        let deferring = try second.sync("--defer-photos-over", "0.2")
        #expect(deferring.photos.received == 1 && deferring.photos.deferred == 1, "\(deferring.photos)")
        func held(_ id: String) throws -> [Bool] {
            let opened = try #require(try second.gridsync.json("open", id, "--json") as? [[String: Any]])
            return opened.map { $0["held"] as? Bool ?? false }.sorted { !$0 && $1 }
        }
        #expect(try held(stairs) == [false, true])
        let listed = try #require(try second.gridsync.json("open", stairs, "--json") as? [[String: Any]])
        let waiting = try #require(listed.firstIndex { $0["held"] as? Bool == false })
        let missing = try second.gridsync.run(["open", stairs, "\(waiting + 1)"])
        #expect(missing.status != 0 && missing.error.contains("gridsync sync --fetch \(stairs)"), "\(missing)")
        // The setting is kept: a later photo over it waits too, at a plain sync.
        let lift = try first.addDemand("电梯故障")
        _ = try first.gridsync.succeed("attach", lift, paths[2])
        try first.sync()
        let kept = try second.sync()
        #expect(kept.photos.deferred == 2 && kept.photos.received == 0, "\(kept.photos)")
        // Asked for: that record's photos come, whatever their size; the other still waits.
        let fetched = try second.sync("--fetch", stairs)
        #expect(fetched.photos.received == 1 && fetched.photos.deferred == 1, "\(fetched.photos)")
        #expect(try held(stairs) == [true, true] && held(lift) == [false])
        // Taken back: every photo comes.
        let all = try second.sync("--defer-photos-over", "0")
        #expect(all.photos.received == 1 && all.photos.deferred == 0, "\(all.photos)")
        #expect(try held(lift) == [true])
        let bad = try second.gridsync.run(["sync", "--defer-photos-over", "20000"])
        #expect(bad.status != 0 && bad.error.contains("--defer-photos-over is in MB"), "\(bad)")
    }

    /// The monthly report, as one HTML file, carries a project's photos before and after its
    /// work (as `data:` URLs: the file has nothing beside it), and counts them in its CSV.
    @Test func theMonthlyReportShowsAProjectsPhotosBeforeAndAfter() throws {
        let laptop = GridsyncBinary()
        defer { laptop.cleanUp() }
        try #require(try laptop.run("init", "--worker", "w001", "--grid", "c01/g01").status == 0)
        let (folder, paths) = try Self.photos([30_000, 40_000])
        defer { try? FileManager.default.removeItem(at: folder) }
        let added = try #require(
            try laptop.json(
                "project", "add", "--title", "楼道微消防站", "--category", "fire-safety", "--stage", "design",
                "--photo", paths[0], "--json") as? [String: Any])
        let id = try #require(added["id"] as? String)
        _ = try laptop.succeed("project", "stage", id, "implement", "--reason", "方案已论证")
        _ = try laptop.succeed("project", "stage", id)
        _ = try laptop.succeed("attach", id, paths[1])
        let today = Calendar.current.dateComponents([.year, .month], from: Date())
        let month = String(format: "%04d-%02d", today.year ?? 0, today.month ?? 0)
        let page = try laptop.succeed("report", "--month", month, "--format", "html")
        for path in paths {
            let base64 = try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()
            #expect(page.contains("src=\"data:image/jpeg;base64,\(base64)\""), "\(path) is not on the page")
        }
        #expect(page.contains("alt=\"实施前\"") && page.contains("alt=\"完成后\""))
        let sheet = try laptop.succeed("report", "--month", month, "--format", "csv")
        #expect(sheet.contains("\(id),楼道微消防站,1,0,1"), "\(sheet)")
    }

    /// Photos are placed before, during or after a project's work by when they were attached,
    /// in the street's time, whatever the clocks of the laptops that attached them: one whose
    /// battery went flat (its clock a year behind) attaches a photo during the work, and one
    /// whose date was typed a year ahead attaches one after it; the monthly report places both
    /// where they belong, in this month.
    @Test func photosFromLaptopsWhoseClocksWentWrongArePlacedByWhenTheyWereAttached() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let office = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let flat = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        let typed = try FieldLaptop(daemon: daemon, worker: "w003", scope: "c01/g01")
        defer { [office, flat, typed].forEach { $0.cleanUp() } }
        let (folder, paths) = try Self.photos([30_000, 40_000, 50_000])
        defer { try? FileManager.default.removeItem(at: folder) }
        let ids = try paths.map { "sha256:" + (try Self.hex(of: $0)) }

        let added = try #require(
            try office.gridsync.json(
                "project", "add", "--title", "楼道微消防站", "--category", "fire-safety", "--stage", "design",
                "--photo", paths[0], "--json") as? [String: Any])
        let project = try #require(added["id"] as? String)
        _ = try office.gridsync.succeed("project", "stage", project, "implement", "--reason", "方案已论证")
        try office.sync()
        try flat.sync()
        // The battery goes flat: the laptop's clock is a year behind, its offset from the last sync ~0.
        let behind = flat.withClock("-365d")
        _ = try behind.gridsync.succeed("attach", project, paths[1])
        try behind.sync()
        try office.sync()
        _ = try office.gridsync.succeed("project", "stage", project, "evaluate", "--reason", "施工完成")
        try office.sync()
        try typed.sync()
        // A year ahead, typed into the BIOS after a repair: the photo is stamped a year ahead, and
        // restamped to the street's time before it is pushed.
        let ahead = typed.withClock("+365d")
        _ = try ahead.gridsync.succeed("attach", project, paths[2])
        let sent = try ahead.sync()
        #expect(sent.restamped > 0, "the photo stamped a year ahead was not restamped")
        try office.sync()

        let today = Calendar.current.dateComponents([.year, .month], from: Date())
        let month = String(format: "%04d-%02d", today.year ?? 0, today.month ?? 0)
        let report = try #require(
            try office.gridsync.json("report", "--month", month, "--format", "json") as? [String: Any])
        let photos = try #require((report["projects"] as? [String: Any])?["photos"] as? [[String: Any]], "\(report)")
        let placed = try #require(photos.first { $0["project"] as? String == project }, "\(photos)")
        #expect(placed["before"] as? [String] == [ids[0]], "\(placed)")
        #expect(placed["during"] as? [String] == [ids[1]], "the flat battery's photo: \(placed)")
        #expect(placed["after"] as? [String] == [ids[2]], "the photo typed a year ahead: \(placed)")
        // Nothing of it was left a year ahead: that month's report has no photos of the project.
        let nextYear = String(format: "%04d-%02d", (today.year ?? 0) + 1, today.month ?? 0)
        let later = try #require(
            try office.gridsync.json("report", "--month", nextYear, "--format", "json") as? [String: Any])
        let laterPhotos = (later["projects"] as? [String: Any])?["photos"] as? [[String: Any]] ?? []
        #expect(laterPhotos.isEmpty, "a photo was left stamped a year ahead: \(laterPhotos)")
    }

    /// The server's disk is lost and it is put back from last night's backup, `files/` included
    /// (the operator's guide, section 8): a photo sent after the backup is gone from it, and
    /// comes back with the next sync of the laptop that took it; a colleague then receives both.
    @Test func aPhotoTheRestoredServerLostComesBackFromTheLaptopThatTookIt() throws {
        let daemon = try DaemonProcess()
        defer { daemon.cleanUp() }
        let first = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [first, second].forEach { $0.cleanUp() } }
        let (folder, paths) = try Self.photos([70_000, 90_000])
        defer { try? FileManager.default.removeItem(at: folder) }
        let backups = folder.appendingPathComponent("backup")
        let serverFiles = daemon.data.appendingPathComponent("files")

        let stairs = try first.addDemand("楼道堆物")
        _ = try first.gridsync.succeed("attach", stairs, paths[0])
        try first.sync()
        // The nightly backup: the databases, and the photos copied beside them.
        let backup = try daemon.backUp(into: backups)
        try FileManager.default.copyItem(at: serverFiles, to: backups.appendingPathComponent("files"))
        let lamp = try first.addDemand("路灯不亮")
        _ = try first.gridsync.succeed("attach", lamp, paths[1])
        #expect(try first.sync().photos.sent == 1)

        // The disk is lost: everything is put back from the backup.
        #expect(daemon.stop() == 0)
        let restore = try daemon.command(
            "restore", "--replica", backup.replica.path, "--accounts", backup.accounts.path)
        #expect(restore.status == 0, "gridsyncd restore failed: \(restore.error)")
        try FileManager.default.removeItem(at: serverFiles)
        try FileManager.default.copyItem(at: backups.appendingPathComponent("files"), to: serverFiles)
        let restarted = try daemon.restarted()
        defer { restarted.stop() }
        let lost = try Self.hex(of: paths[1])
        func serverHoldsIt() throws -> Bool {
            try FileManager.default.subpathsOfDirectory(atPath: serverFiles.path).contains { $0.hasSuffix("/" + lost) }
        }
        #expect(try !serverHoldsIt(), "the backup held the later photo")

        let again = try first.sync()
        #expect(again.givenBack > 0 && again.photos.sent == 1, "\(again)")
        #expect(try serverHoldsIt())
        let received = try second.sync()
        #expect(received.photos.received == 2, "\(received.photos)")
        for (id, path) in [(stairs, paths[0]), (lamp, paths[1])] {
            let opened = try #require(try second.gridsync.json("open", id, "--json") as? [[String: Any]])
            #expect(opened.first?["held"] as? Bool == true && opened.count == 1)
            #expect(opened.first?["id"] as? String == "sha256:" + (try Self.hex(of: path)))
        }
    }

    /// The hexadecimal SHA-256 of a file, as `sha256sum` prints it.
    static func hex(of path: String) throws -> String {
        let result = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/sha256sum"), [path], environment: [:])
        return String(result.output.prefix(64))
    }
}
