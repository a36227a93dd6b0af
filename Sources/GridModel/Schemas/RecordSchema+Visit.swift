extension RecordSchema {
    /// A household or compound visit (入户走访): who visited where and when, why, what was
    /// seen, and which demands came out of it.
    public static let visit = RecordSchema(
        type: .visit,
        fields: [
            FieldSpec("visited-on", Label("走访日期", "visited on"), .register(.date), required: true),
            FieldSpec("worker", Label("网格员", "worker"), .register(.worker), required: true),
            FieldSpec("purpose", Label("走访事由", "purpose"), .register(.choice(VisitPurpose.choices)), required: true),
            FieldSpec("compound", Label("小区", "compound"), .register(.compound)),
            FieldSpec("household", Label("住户", "household"), .register(line)),
            FieldSpec("observations", Label("走访情况", "observations"), .register(paragraph)),
            FieldSpec("demands", Label("形成诉求", "demands raised"), .set(element: .record(.demand))),
            photos, place,
            notes,
        ])
}
