import Foundation
import HTTPTypes
import Hummingbird
import InterviewScheduling
import NIOFoundationEssentialsCompat

/// The candidate's page: `GET /candidate/{token}` shows their interview in their zone;
/// `POST` there (a plain form) accepts, declines or asks for another time, then redirects back
/// (303); `POST /candidate/{token}/reply` takes an iTIP REPLY from a mail client. The token
/// is the whole authorisation, for one interview.
struct CandidatePageAPI {
    let services: APIServices

    func register(on routes: inout APIRoutes) {
        routes.get("/candidate/:token") { request, context in try await self.show(request, token: try context.parameters.require("token")) }
        routes.post("/candidate/:token") { request, context in try await self.answer(request, token: try context.parameters.require("token")) }
        routes.post("/candidate/:token/reply") { request, context in try await self.reply(request, token: try context.parameters.require("token")) }
    }

    func show(_ request: Request, token: String) async throws -> Response {
        guard let interviewID = await interview(token) else { return Self.invalidLink() }
        let notice = request.uri.queryParameters.get("done").flatMap(Self.notice)
        return try await page(interviewID, token: token, notice: notice, problem: nil, status: .ok)
    }

    func answer(_ request: Request, token: String) async throws -> Response {
        guard let interviewID = await interview(token) else { return Self.invalidLink() }
        let form = Self.form(try await services.body(of: request))
        // The version the page showed: an answer to a time that has moved since is refused.
        let version = form["sequence"].flatMap { Int($0) }
        let done: String
        do {
            switch form["answer"] {
            case "accept":
                try await services.application.respondAsCandidate(interviewID, .accepted, toVersion: version, via: "page")
                done = "accepted"
            case "decline":
                try await services.application.respondAsCandidate(interviewID, .declined, toVersion: version, via: "page")
                done = "declined"
            case "another-time":
                _ = try await services.application.candidateAsksAnotherTime(interviewID, from: form["from"] ?? "", to: form["to"] ?? "")
                done = "another-time"
            default:
                return try await page(interviewID, token: token, notice: nil, problem: "Choose accept, decline or another time.", status: .badRequest)
            }
        } catch let error as ApplicationError {
            let problem = APIProblem(error)
            return try await page(interviewID, token: token, notice: nil, problem: problem.detail, status: problem.status)
        }
        return Response(status: .seeOther, headers: Self.headers([.location: "\(token)?done=\(done)"]))
    }

    func reply(_ request: Request, token: String) async throws -> Response {
        guard let interviewID = await interview(token) else {
            throw APIProblem(.notFound, "Not found", detail: "the link is not valid or has expired")
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("text/calendar") == true else {
            throw APIProblem(.unsupportedMediaType, "Unsupported media type", detail: "send the REPLY as text/calendar")
        }
        let text = String(decoding: try await services.body(of: request), as: UTF8.self)
        let response = try await services.run { try await services.application.candidateReply(interviewID, calendar: text) }
        return try APIServices.json(.ok, ["interviewId": interviewID, "candidateResponse": response.rawValue])
    }

    private func interview(_ token: String) async -> String? {
        await services.candidateLinks?.interviewID(fromToken: token)
    }

    private func page(_ interviewID: String, token: String, notice: String?, problem: String?, status: HTTPResponse.Status) async throws -> Response {
        let view: CandidatePageView
        do {
            view = try await services.application.candidatePage(interviewID)
        } catch is ApplicationError {
            return Self.invalidLink()
        }
        let html = CandidatePageHTML.page(view, action: token, notice: notice, problem: problem)
        return Response(
            status: status, headers: Self.headers([.contentType: "text/html; charset=utf-8"]), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func invalidLink() -> Response {
        let html = CandidatePageHTML.message(
            "Link not valid", "This link is not valid or has expired. Please ask your recruiter for a new invitation.")
        return Response(
            status: .notFound, headers: headers([.contentType: "text/html; charset=utf-8"]), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func notice(_ done: String) -> String? {
        switch done {
        case "accepted": "Thank you: you accepted the interview."
        case "declined": "You declined the interview. The recruiter has been told."
        case "another-time": "Thank you: a new time is being looked for. You will receive an updated invitation by e-mail."
        default: nil
        }
    }

    /// No script, no framing, no caching, and the token never leaves in a Referer.
    static func headers(_ extra: HTTPFields) -> HTTPFields {
        var fields = extra
        fields[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        fields[.cacheControl] = "no-store"
        fields[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return fields
    }

    /// An `application/x-www-form-urlencoded` body as a dictionary (the last value of a name wins).
    static func form(_ body: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String { String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let name = parts.first else { continue }
            fields[decoded(name)] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return fields
    }
}
