import CZlib
import Foundation

/// A ZIP file written entry by entry, each stored as it is (photos are compressed already):
/// what Windows' Explorer, macOS, WPS and `unzip` open. Names are UTF-8 (flag bit 11), so
/// Chinese names show as typed. Without ZIP64: an archive stays under 4 GiB and 65,535
/// entries, and a larger export is refused before it is written past the limit.
public final class ZipArchive {
    private struct Entry {
        let name: [UInt8]
        let crc: UInt32
        let size: UInt32
        let offset: UInt32
        let time: UInt16, date: UInt16
    }

    private let handle: FileHandle
    private let path: String
    private var entries: [Entry] = []
    private var offset = 0

    /// The most bytes an archive without ZIP64 holds.
    static let limit = Int(UInt32.max)

    /// Starts an empty archive at `path`, replacing any file there.
    ///
    /// - Throws: ``StoreError/Code/readOnly`` if it cannot be written.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw StoreError(.readOnly, "cannot write \(path): check the folder exists and may be written")
        }
        self.handle = handle
        self.path = path
    }

    /// Adds the file at `source` as `name`, dated `modified`.
    ///
    /// - Throws: ``StoreError/Code/fileUnreadable`` if it cannot be read, ``StoreError/Code/fileTooLarge``
    ///   if the archive would pass 4 GiB or 65,535 entries, or the disk's failure.
    public func add(contentsOf source: String, as name: String, modified: Date) throws {
        guard let bytes = FileManager.default.contents(atPath: source) else {
            throw StoreError(.fileUnreadable, "cannot read \(source) to put it in \(path)")
        }
        let nameBytes = Array(name.utf8)
        guard entries.count < Int(UInt16.max),
            offset + 30 + nameBytes.count + bytes.count + (entries.count + 1) * 100 < Self.limit
        else {
            throw StoreError(
                .fileTooLarge,
                "\(path) would be larger than a ZIP file holds (4 GB, 65,535 files): export fewer records, "
                    + "or give a folder instead of a .zip")
        }
        let crc = bytes.withUnsafeBytes { raw in
            UInt32(crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
        let (time, date) = Self.dosTime(modified)
        let entry = Entry(
            name: nameBytes, crc: crc, size: UInt32(bytes.count), offset: UInt32(offset), time: time, date: date)
        var header = Data()
        header.append(le32: 0x0403_4b50)
        Self.appendCommon(entry, to: &header)
        header.append(contentsOf: nameBytes)
        try write(header)
        try write(bytes)
        entries.append(entry)
    }

    /// Writes the central directory: the archive is whole once this returns.
    public func finish() throws {
        let start = offset
        var directory = Data()
        for entry in entries {
            directory.append(le32: 0x0201_4b50)
            directory.append(le16: 20)  // made by: version 2.0, MS-DOS attributes
            Self.appendCommon(entry, to: &directory)
            directory.append(le16: 0)  // comment length
            directory.append(le16: 0)  // disk number
            directory.append(le16: 0)  // internal attributes
            directory.append(le32: 0)  // external attributes
            directory.append(le32: entry.offset)
            directory.append(contentsOf: entry.name)
        }
        let directorySize = directory.count
        directory.append(le32: 0x0605_4b50)
        directory.append(le16: 0)
        directory.append(le16: 0)
        directory.append(le16: UInt16(entries.count))
        directory.append(le16: UInt16(entries.count))
        directory.append(le32: UInt32(directorySize))
        directory.append(le32: UInt32(start))
        directory.append(le16: 0)
        try write(directory)
        try handle.synchronize()
        try handle.close()
    }

    /// The fields a local header and a central directory entry share, from "version needed" on.
    private static func appendCommon(_ entry: Entry, to data: inout Data) {
        data.append(le16: 20)  // version needed: 2.0
        data.append(le16: 1 << 11)  // flags: the name is UTF-8
        data.append(le16: 0)  // stored
        data.append(le16: entry.time)
        data.append(le16: entry.date)
        data.append(le32: entry.crc)
        data.append(le32: entry.size)  // compressed size: stored
        data.append(le32: entry.size)
        data.append(le16: UInt16(entry.name.count))
        data.append(le16: 0)  // extra field length
    }

    private func write(_ data: Data) throws {
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw StoreError(.diskFull, "cannot write \(path) (\(error.localizedDescription)): free some space")
        }
        offset += data.count
    }

    /// MS-DOS time and date, in local time (what archive tools show), from 1980 on.
    static func dosTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        let parts = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = max(1980, parts.year ?? 1980)
        let time = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
        let day = UInt16((year - 1980) << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        return (time, day)
    }
}

extension Data {
    fileprivate mutating func append(le16 value: UInt16) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func append(le32 value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
