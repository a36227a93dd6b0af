extension RecordSchema {
    /// A micro-project (微项目): the unit of action that answers demands, run through the loop
    /// collect → design → review → implement → evaluate, reported on monthly, funded by
    /// government, society and residents, and judged by residents' satisfaction.
    public static let project = RecordSchema(
        type: .project,
        fields: [
            FieldSpec("title", Label("项目名称", "title"), .register(line), required: true),
            FieldSpec(
                "category", Label("类别", "category"), .register(.choice(Category.projectCategories)), required: true),
            FieldSpec("stage", Label("阶段", "stage"), .register(.choice(ProjectStage.choices)), required: true),
            FieldSpec("summary", Label("项目简介", "summary"), .register(paragraph)),
            FieldSpec("compound", Label("小区", "compound"), .register(.compound)),
            FieldSpec("proposer", Label("方案提出方", "proposed by"), .register(line)),
            FieldSpec("participants", Label("参与方", "participants"), .set(element: tag)),
            FieldSpec("demands", Label("回应诉求", "demands answered"), .set(element: .record(.demand))),
            FieldSpec(
                FundingSource.government.fieldName, Label("政府资金(元)", "government funding (yuan)"),
                .counter(change: -10_000_000...10_000_000)),
            FieldSpec(
                FundingSource.society.fieldName, Label("社会资金(元)", "society funding (yuan)"),
                .counter(change: -10_000_000...10_000_000)),
            FieldSpec(
                FundingSource.residents.fieldName, Label("居民筹资(元)", "residents' funding (yuan)"),
                .counter(change: -10_000_000...10_000_000)),
            FieldSpec(
                FundingSource.government.fenFieldName, Label("政府资金(分)", "government funding (fen)"),
                .counter(change: -1_000_000_000...1_000_000_000)),
            FieldSpec(
                FundingSource.society.fenFieldName, Label("社会资金(分)", "society funding (fen)"),
                .counter(change: -1_000_000_000...1_000_000_000)),
            FieldSpec(
                FundingSource.residents.fenFieldName, Label("居民筹资(分)", "residents' funding (fen)"),
                .counter(change: -1_000_000_000...1_000_000_000)),
            FieldSpec(
                "progress", Label("月度进展", "monthly progress"),
                .log(entry: [
                    FieldSpec("month", Label("月份", "month"), .register(.month), required: true),
                    FieldSpec("text", Label("进展", "progress"), .register(paragraph), required: true),
                    FieldSpec("percent", Label("完成度", "percent done"), .register(.integer(0...100))),
                ])),
            FieldSpec(
                "satisfaction", Label("满意度评估", "satisfaction"),
                .log(entry: [
                    FieldSpec(
                        "method", Label("方式", "method"), .register(.choice(SurveyMethod.choices)), required: true),
                    FieldSpec(
                        "respondents", Label("受访人数", "respondents"), .register(.integer(1...100_000)),
                        required: true),
                    FieldSpec(
                        "satisfied", Label("满意人数", "satisfied"), .register(.integer(0...100_000)), required: true,
                        atMost: "respondents"),
                    FieldSpec("text", Label("意见", "comments"), .register(paragraph)),
                ])),
            photos, place,
            notes,
        ])
}
