extension RecordSchema {
    /// The field of every reference record that holds its key (`c01`, `g01`, `k001`, `w001`):
    /// written once, when the record is made, since the record's id is derived from it.
    public static let keyField = "key"

    /// A community (社区): its key and the name residents use.
    public static let community = RecordSchema(
        type: .community,
        fields: [
            FieldSpec(keyField, Label("社区编号", "key"), .register(.community), required: true),
            FieldSpec("name", Label("社区", "name"), .register(line), required: true),
            notes,
        ])

    /// A grid (网格) of a community: its key, its community and the name people use.
    public static let grid = RecordSchema(
        type: .grid,
        fields: [
            FieldSpec(keyField, Label("网格编号", "key"), .register(.grid), required: true),
            FieldSpec("community", Label("社区编号", "community"), .register(.community), required: true),
            FieldSpec("name", Label("网格", "name"), .register(line), required: true),
            notes,
        ])

    /// A compound (小区): where it is, whether a property company looks after it, and its
    /// buildings as residents name them.
    public static let compound = RecordSchema(
        type: .compound,
        fields: [
            FieldSpec(keyField, Label("小区编号", "key"), .register(.compound), required: true),
            FieldSpec("grid", Label("网格编号", "grid"), .register(.grid), required: true),
            FieldSpec("name", Label("小区", "name"), .register(line), required: true),
            FieldSpec("address", Label("地址", "address"), .register(line)),
            FieldSpec(
                "property-management", Label("物业", "property management"), .register(.boolean), required: true),
            FieldSpec("buildings", Label("楼栋", "buildings"), .set(element: tag)),
            notes,
        ])

    /// A grid worker (网格员): the account key that ops carry as their author, the person's
    /// name, and the grids they walk.
    public static let worker = RecordSchema(
        type: .worker,
        fields: [
            FieldSpec(keyField, Label("网格员编号", "key"), .register(.worker), required: true),
            FieldSpec("name", Label("姓名", "name"), .register(tag), required: true),
            FieldSpec("grids", Label("网格", "grids"), .set(element: .grid)),
            notes,
        ])
}
