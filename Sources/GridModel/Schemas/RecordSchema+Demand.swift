extension RecordSchema {
    /// A resident's demand (居民诉求): a need with a category, a place, how many residents back
    /// it, its urgency and status, and the micro-project that answers it.
    public static let demand = RecordSchema(
        type: .demand,
        fields: [
            FieldSpec("title", Label("诉求", "title"), .register(line), required: true),
            FieldSpec("category", Label("类别", "category"), .register(.choice(Category.choices)), required: true),
            FieldSpec("status", Label("状态", "status"), .register(.choice(DemandStatus.choices)), required: true),
            FieldSpec("urgency", Label("紧急程度", "urgency"), .register(.choice(Urgency.choices)), required: true),
            FieldSpec("description", Label("详细描述", "description"), .register(paragraph)),
            FieldSpec("compound", Label("小区", "compound"), .register(.compound)),
            FieldSpec("building", Label("楼栋", "building"), .register(line)),
            FieldSpec("visit", Label("来源走访", "from visit"), .register(.record(.visit))),
            FieldSpec("project", Label("对应微项目", "answered by project"), .register(.record(.project))),
            FieldSpec("backers", Label("支持居民数", "backing residents"), .counter(change: -10_000...10_000)),
            FieldSpec("tags", Label("标签", "tags"), .set(element: tag)),
            photos, place,
            notes,
        ])
}
