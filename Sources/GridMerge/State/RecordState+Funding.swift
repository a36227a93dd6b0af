import GridModel

extension RecordState {
    /// The money a project has from `source`: the whole yuan that gridsync/2 recorded and
    /// the fen recorded since, together.
    public func funding(from source: FundingSource) -> Money {
        Money(yuan: counters[source.fieldName]?.value ?? 0) + Money(fen: counters[source.fenFieldName]?.value ?? 0)
    }

    /// The money a project has from every source.
    public var totalFunding: Money {
        FundingSource.allCases.reduce(Money(fen: 0)) { $0 + funding(from: $1) }
    }
}
