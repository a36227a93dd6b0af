/// What an account may do: work in its grids, or oversee every grid from the office.
public enum WorkerRole: String, LabelledKey {
    /// A grid worker: reads and writes the records of their own grids.
    case worker
    /// Community or street office staff: reads and writes every grid and settles conflicts.
    case office

    public var label: Label {
        switch self {
        case .worker: Label("网格员", "grid worker")
        case .office: Label("办公室", "office")
        }
    }
}
