import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Undeclared methods and paths")
struct MethodNotAllowedTests {
    @Test(arguments: [
        ("TRACE", "/api/v1/interviews/iv-1", "GET, HEAD"),
        ("PATCH", "/api/v1/scheduling-requests", "POST"),
        ("DELETE", "/api/v1/scheduling-requests/req-1/cancel", "POST"),
        ("PUT", "/api/v1/interviews/iv-1/reschedule", "POST"),
        ("POST", "/health", "GET, HEAD"),
        ("OPTIONS", "/api/v1/interviews", "GET, HEAD"),
    ])
    func anUndeclaredMethodOnAKnownPathIs405WithAllow(method: String, path: String, allow: String) async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            try await client.execute(uri: path, method: try #require(HTTPRequest.Method(method))) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == allow)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.json["status"] as? Int == 405)
                #expect((response.json["detail"] as? String)?.contains(method) == true)
            }
        }
    }

    @Test func aPathThatDoesNotExistStays404() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            for (method, path) in [(HTTPRequest.Method.get, "/api/v1/nothing"), (.trace, "/api/v1/interviews/iv-1/other"), (.get, "/")] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .notFound, "\(method) \(path)")
                    #expect(response.headers[.allow] == nil)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    @Test func declaredMethodsStillReachTheirHandlersAndHeadFollowsGet() async throws {
        let fixture = try await APIFixture()
        try await fixture.test { client in
            try await client.execute(uri: "/health/live", method: .head) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/interviews/iv-unknown", method: .get, headers: [.authorization: "Bearer \(fixture.token)"]) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/scheduling-requests/req-unknown/cancel", method: .post) { #expect($0.status == .unauthorized) }
        }
    }
}
