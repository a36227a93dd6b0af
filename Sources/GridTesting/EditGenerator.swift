import Foundation
import GridMerge
import GridModel

/// Makes random but valid edits of every record type, with Chinese text, for
/// property tests, simulations and benchmarks.
///
/// Values are drawn from small pools on purpose: two replicas often write the same value
/// concurrently, which must not count as a conflict, and often write different ones, which must.
public struct EditGenerator: Sendable {
    /// The reference data that compounds and workers are drawn from.
    public let street: Street

    /// Creates a generator over a street's reference data.
    public init(street: Street = StreetFixture.xStreet) {
        self.street = street
    }

    static let titles = ["楼道堆物清理", "消防栓缺水", "路灯不亮", "停车位不足", "垃圾分类点太远", "高空抛物隐患", "楼顶漏水", "快递柜设置"]
    static let sentences = [
        "居民反映楼道内堆放杂物，存在消防隐患。", "三单元门口路灯已坏两周，老人夜间出行不便。", "院内车辆乱停，消防通道被占。",
        "希望增设便民维修点，方便老年人。", "垃圾分类投放点离居民楼太远。", "建议成立自管小组，商议停车规则。",
    ]
    static let tags = ["老旧小区", "无物业", "消防", "停车", "环境", "老年人", "安全", "便民"]
    static let participants = ["社区居委会", "社会组织", "社工", "居民志愿者", "辖区商户", "物业公司", "业委会"]

    /// The record types made in the field, which random schedules create: the street's
    /// reference records have ids derived from their keys (``RecordID/init(reference:key:)``),
    /// so a schedule cannot make them under random ids; the office imports them from its sheets.
    public static let fieldTypes = RecordType.allCases.filter { !$0.isReference }

    /// The edits that create a new record of `type` in `scope`: every required field, and some others.
    public func newRecord(_ type: RecordType, in scope: GridScope, using rng: inout some RandomNumberGenerator)
        -> [Edit]
    {
        switch type {
        case .visit:
            let worker = scope.grid.flatMap { grid in
                street.workers.filter { $0.grids.contains(grid) }.randomElement(using: &rng)
            }
            return [
                .assign("visited-on", date(using: &rng)),
                .assign("worker", (worker ?? street.workers[0]).id.rawValue),
                .assign("purpose", VisitPurpose.allCases.randomElement(using: &rng)!.key),
                .assign("observations", Self.sentences.randomElement(using: &rng)!),
            ]
        case .demand:
            return [
                .assign("title", Self.titles.randomElement(using: &rng)!),
                .assign("category", Category.allCases.randomElement(using: &rng)!.key),
                .assign("status", DemandStatus.raised.key),
                .assign("urgency", Urgency.allCases.randomElement(using: &rng)!.key),
                .assign("description", Self.sentences.randomElement(using: &rng)!),
            ]
        case .project:
            return [
                .assign("title", Self.titles.randomElement(using: &rng)! + "微项目"),
                .assign("category", Category.allCases.filter { $0 != .other }.randomElement(using: &rng)!.key),
                .assign("stage", ProjectStage.collect.key),
            ]
        case .community:
            return [
                .assign(RecordSchema.keyField, scope.community.rawValue),
                .assign("name", Self.titles.randomElement(using: &rng)!),
            ]
        case .grid:
            return [
                .assign(RecordSchema.keyField, (scope.grid ?? street.grids[0].id).rawValue),
                .assign("community", scope.community.rawValue),
                .assign("name", Self.titles.randomElement(using: &rng)!),
            ]
        case .compound:
            let compound =
                street.compounds.filter { $0.grid == scope.grid }.randomElement(using: &rng) ?? street.compounds[0]
            return [
                .assign(RecordSchema.keyField, compound.id.rawValue),
                .assign("grid", compound.grid.rawValue),
                .assign("name", compound.name),
                .assign("property-management", .boolean(compound.hasPropertyManagement)),
            ]
        case .worker:
            let worker = street.workers.randomElement(using: &rng)!
            return [
                .assign(RecordSchema.keyField, worker.id.rawValue),
                .assign("name", worker.name),
            ]
        }
    }

    /// A random edit of an existing record, of any merge kind; `nil` if the record's type has no such field.
    public func edit(
        of record: RecordState, kind: MergeKind? = nil, using rng: inout some RandomNumberGenerator
    ) -> Edit? {
        // A reference record's key is its id's, never written again.
        let fields = record.type.schema.fields.filter {
            $0.name != RecordSchema.deletedField && (kind == nil || $0.kind == kind)
                && !(record.type.isReference && $0.name == RecordSchema.keyField)
        }
        guard let field = fields.randomElement(using: &rng) else { return nil }
        switch field.shape {
        case .register(let domain):
            return .assign(field.name, value(of: domain, using: &rng))
        case .set(let element):
            let present = record.sets[field.name]?.elements ?? []
            if let element = present.randomElement(using: &rng), Bool.random(using: &rng) {
                return .remove(field.name, element)
            }
            return .add(field.name, value(of: element, using: &rng).text!)
        case .counter:
            return .change(field.name, by: Int64.random(in: -2...5, using: &rng) | 1)
        case .log(let parts):
            var entry: [String: FieldValue] = [:]
            for part in parts where part.isRequired || Bool.random(using: &rng) {
                if case .register(let domain) = part.shape { entry[part.name] = value(of: domain, using: &rng) }
            }
            if let respondents = entry["respondents"]?.integer {
                entry["satisfied"] = .integer(Int64.random(in: 0...respondents, using: &rng))
            }
            return .append(field.name, LogEntry(entry))
        }
    }

    /// A random edit as a worker or the office makes them: mostly field edits, sometimes a
    /// delete or a restore, and sometimes settling a conflict by rewriting one of its values.
    public func workerEdit(of record: RecordState, using rng: inout some RandomNumberGenerator) -> Edit? {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: return .delete
        case 1: return .restore
        case 2, 3:
            if let field = record.conflictedFields.first,
                let value = record.registers[field]?.heads.randomElement(using: &rng)?.value
            {
                return .assign(field, value)
            }
            return edit(of: record, using: &rng)
        default: return edit(of: record, using: &rng)
        }
    }

    /// A random canonical value of a domain.
    public func value(of domain: ValueDomain, using rng: inout some RandomNumberGenerator) -> FieldValue {
        switch domain {
        case .text(let maxLength, _):
            let pool = maxLength <= 40 ? Self.tags + Self.participants : maxLength <= 80 ? Self.titles : Self.sentences
            return .text(pool.randomElement(using: &rng)!)
        case .choice(let choices): return .text(choices.choices.randomElement(using: &rng)!.key)
        case .integer(let range):
            return .integer(
                Int64.random(in: range.lowerBound...min(range.upperBound, range.lowerBound + 200), using: &rng))
        case .date: return date(using: &rng)
        case .month:
            return .text(
                "2026-\(["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"].randomElement(using: &rng)!)"
            )
        case .record: return .text(RecordID(using: &rng).description)
        case .community: return .text(street.communities.randomElement(using: &rng)!.id.rawValue)
        case .grid: return .text(street.grids.randomElement(using: &rng)!.id.rawValue)
        case .compound: return .text(street.compounds.randomElement(using: &rng)!.id.rawValue)
        case .worker: return .text(street.workers.randomElement(using: &rng)!.id.rawValue)
        case .boolean: return .boolean(Bool.random(using: &rng))
        // A few photos, so that one laptop's attach and another's detach meet on the same file.
        case .file: return .text(FileID(of: Data([UInt8.random(in: 0..<4, using: &rng)])).rawValue)
        case .place:
            let place = Place(
                latitude: Double.random(in: 39.8...40.0, using: &rng),
                longitude: Double.random(in: 116.3...116.5, using: &rng),
                accuracy: Bool.random(using: &rng) ? Int.random(in: 3...50, using: &rng) : nil)!
            return .text(place.description)
        }
    }

    private func date(using rng: inout some RandomNumberGenerator) -> FieldValue {
        let month = Int.random(in: 1...12, using: &rng)
        let day = Int.random(in: 1...28, using: &rng)
        return .text("2026-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)")
    }
}
