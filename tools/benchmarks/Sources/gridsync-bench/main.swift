// GridSync's benchmarks. Every figure is a ratio against a baseline measured in the same run.
//
// Usage: gridsync-bench [merge|store|wire|all]   (default: all)

let suite = CommandLine.arguments.dropFirst().first ?? "all"
if suite == "merge" || suite == "all" {
    MergeBenchmark.run(ops: 1_000_000, records: 20_000)
    print("")
}
if suite == "store" || suite == "all" {
    try await StoreBenchmark.run(records: 20_000, edits: 100_000, adds: 500)
    print("")
}
if suite == "wire" || suite == "all" {
    try await WireBenchmark.run(records: 10_000, edits: 50_000)
}
