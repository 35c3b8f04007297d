import HTTPTypes

/// The API's path templates and the methods declared on each (`/api/v1/interviews/:id`:
/// GET), matched the way the router matches: empty segments are skipped and `:name` stands
/// for any one segment.
struct RouteTable: Sendable {
    struct Route: Sendable {
        let segments: [Substring]
        var methods: [HTTPRequest.Method]
    }

    private(set) var routes: [Route] = []

    mutating func declare(_ method: HTTPRequest.Method, _ path: String) {
        let segments = Self.segments(of: path)
        if let index = routes.firstIndex(where: { $0.segments == segments }) {
            if !routes[index].methods.contains(method) { routes[index].methods.append(method) }
        } else {
            routes.append(Route(segments: segments, methods: [method]))
        }
    }

    /// Every method declared on a template that matches `path`, or nil when none does.
    func methods(for path: String) -> [HTTPRequest.Method]? {
        let segments = Self.segments(of: path)
        let matching = routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { template, segment in template.hasPrefix(":") || template == segment }
        }
        guard !matching.isEmpty else { return nil }
        var methods: [HTTPRequest.Method] = []
        for method in matching.flatMap(\.methods) where !methods.contains(method) { methods.append(method) }
        return methods
    }

    private static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
