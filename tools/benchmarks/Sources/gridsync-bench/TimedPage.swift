import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One page asked of a web screen (the console, the worker's screen) and how long it took,
/// redirects followed; anything but 200 fails the benchmark.
enum TimedPage {
    static func fetch(_ request: URLRequest, with session: URLSession) async throws -> (seconds: Double, body: String) {
        let start = DispatchTime.now().uptimeNanoseconds
        let (data, response) = try await session.data(for: request)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw BenchFailure(
                "\(request.url?.path ?? "?") answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return (seconds, String(decoding: data, as: UTF8.self))
    }
}
