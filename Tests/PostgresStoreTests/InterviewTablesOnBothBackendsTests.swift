import CalendarProviders
import Foundation
import InterviewScheduling
import SchedulingCore
import Testing

/// The interview tables' contract, asserted alike of SQLite and PostgreSQL: an interview
/// stored once per id and per request, cancelled once, moved only while confirmed, listed by
/// filters in start order; the first owner and the first use of an idempotency key stand,
/// also when two instances write them at once; the audit log filtered and ordered.
@Suite("Interview tables on SQLite and PostgreSQL")
struct InterviewTablesOnBothBackendsTests {
    static func at(_ minutes: Int64) -> Instant { Instant(secondsSinceEpoch: 1_800_000_000 + minutes * 60) }

    static func interview(
        _ id: String, request: String? = nil, candidate: String = "cand-1", owner: String = "recruiter-1", startingAt minutes: Int64 = 0
    ) -> InterviewRecord {
        InterviewRecord(
            id: id, requestID: request ?? "req-\(id)", candidateID: candidate, owner: owner,
            slot: Interval(start: at(minutes), end: at(minutes + 60)), status: .confirmed, sequence: 0, inviteRequest: "BEGIN:VCALENDAR \(id)",
            inviteCancel: nil,
            bookings: [
                ProviderEventReference(provider: "local", calendar: "alice@x.example", eventID: "e-\(id)-1"),
                ProviderEventReference(provider: "google", calendar: "bob@x.example", eventID: "e-\(id)-2"),
            ], createdAt: 1_700_000_000)
    }

    @Test(arguments: Backend.allCases)
    func anInterviewIsStoredOncePerIdAndPerRequestAndReadBackWhole(backend: Backend) async throws {
        let (tables, close) = try await backend.openInterviewTables()
        defer { close() }
        let first = Self.interview("iv-1")
        try await tables.insert(first, instance: 0)
        var repeated = first
        repeated.inviteRequest = "another text"
        try await tables.insert(repeated, instance: tables.instances - 1)
        try await tables.insert(Self.interview("iv-other", request: first.requestID), instance: 0)
        #expect(try await tables.interview(id: "iv-1") == first, "the first write stands, read back field by field")
        #expect(try await tables.interview(requestID: first.requestID) == first)
        #expect(try await tables.interview(id: "iv-other") == nil, "a second interview for the same request is not stored")
        #expect(try await tables.interview(id: "missing") == nil)
    }

    @Test(arguments: Backend.allCases)
    func anInterviewIsCancelledOnceAndMovedOnlyWhileConfirmed(backend: Backend) async throws {
        let (tables, close) = try await backend.openInterviewTables()
        defer { close() }
        try await tables.insert(Self.interview("moving"), instance: 0)
        try await tables.insert(Self.interview("cancelled"), instance: 0)
        let later = Interval(start: Self.at(120), end: Self.at(180))
        try await tables.move(id: "moving", to: later, sequence: 1, invite: "REQUEST v1")
        let moved = try #require(try await tables.interview(id: "moving"))
        #expect(moved.slot == later && moved.sequence == 1 && moved.inviteRequest == "REQUEST v1" && moved.candidateResponse == .needsAction)

        #expect(try await tables.cancel(id: "cancelled", cancelInvite: "CANCEL v1"))
        #expect(try await tables.cancel(id: "cancelled", cancelInvite: "CANCEL again") == false, "already cancelled")
        let cancelled = try #require(try await tables.interview(id: "cancelled"))
        #expect(cancelled.status == .cancelled && cancelled.inviteCancel == "CANCEL v1" && cancelled.sequence == 1)
        try await tables.move(id: "cancelled", to: later, sequence: 2, invite: "REQUEST v2")
        #expect(try await tables.interview(id: "cancelled")?.slot == Self.interview("cancelled").slot, "a cancelled interview does not move")
    }

    @Test(arguments: Backend.allCases)
    func interviewsAreListedByCandidateTimeAndOwnerInStartOrder(backend: Backend) async throws {
        let (tables, close) = try await backend.openInterviewTables()
        defer { close() }
        try await tables.insert(Self.interview("b", candidate: "cand-1", startingAt: 60), instance: 0)
        try await tables.insert(Self.interview("a", candidate: "cand-1", startingAt: 60), instance: 0)
        try await tables.insert(Self.interview("c", candidate: "cand-1", owner: "recruiter-2", startingAt: 0), instance: 0)
        try await tables.insert(Self.interview("d", candidate: "cand-2", startingAt: 120), instance: 0)
        #expect(try await tables.interviews(candidateID: nil, from: nil, to: nil, owner: nil, limit: 10).map(\.id) == ["c", "a", "b", "d"])
        #expect(try await tables.interviews(candidateID: "cand-1", from: nil, to: nil, owner: nil, limit: 10).map(\.id) == ["c", "a", "b"])
        #expect(
            try await tables.interviews(candidateID: nil, from: Self.at(60), to: Self.at(120), owner: nil, limit: 10).map(\.id) == ["a", "b"],
            "from is inclusive, to exclusive")
        #expect(try await tables.interviews(candidateID: "cand-1", from: nil, to: nil, owner: "recruiter-2", limit: 10).map(\.id) == ["c"])
        #expect(try await tables.interviews(candidateID: nil, from: nil, to: nil, owner: nil, limit: 2).map(\.id) == ["c", "a"])
    }

    /// Two instances (on PostgreSQL) write the same interview, owner and idempotency key at
    /// once, twenty times each: every call succeeds and the rows are there once.
    @Test(arguments: Backend.allCases)
    func theSameRowsWrittenAtOnceAreStoredOnceWithoutAnError(backend: Backend) async throws {
        let (tables, close) = try await backend.openInterviewTables()
        defer { close() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<40 {
                group.addTask {
                    let instance = writer % tables.instances
                    try await tables.insert(Self.interview("iv-\(writer % 4)", request: "req-shared"), instance: instance)
                    try await tables.recordOwner(of: "req-shared", owner: "recruiter-\(writer)", instance: instance)
                    try await tables.recordIdempotentRequest(
                        .init(bodyFingerprint: "fp-\(writer)", requestID: "req-\(writer)"), owner: "recruiter-1", key: "key-1", instance: instance)
                }
            }
            try await group.waitForAll()
        }
        let stored = try await tables.interviews(candidateID: nil, from: nil, to: nil, owner: nil, limit: 100)
        #expect(stored.count == 1 && stored.first?.requestID == "req-shared", "\(stored.map(\.id))")
        let owner = try #require(try await tables.owner(ofRequest: "req-shared"))
        try await tables.recordOwner(of: "req-shared", owner: "late", instance: 0)
        #expect(try await tables.owner(ofRequest: "req-shared") == owner, "the owner written first stands")
        let first = try #require(try await tables.idempotentRequest(owner: "recruiter-1", key: "key-1"))
        #expect(first.bodyFingerprint == "fp-" + first.requestID.dropFirst("req-".count), "fingerprint and request of one writer: \(first)")
        #expect(try await tables.idempotentRequest(owner: "recruiter-2", key: "key-1") == nil, "keys are per owner")
    }

    @Test(arguments: Backend.allCases)
    func theFirstOwnerAndTheFirstUseOfAKeyStand(backend: Backend) async throws {
        let (tables, close) = try await backend.openInterviewTables()
        defer { close() }
        #expect(try await tables.owner(ofRequest: "req-1") == nil)
        try await tables.recordOwner(of: "req-1", owner: "recruiter-1", instance: 0)
        try await tables.recordOwner(of: "req-1", owner: "recruiter-2", instance: tables.instances - 1)
        #expect(try await tables.owner(ofRequest: "req-1") == "recruiter-1")

        try await tables.recordIdempotentRequest(.init(bodyFingerprint: "fp-a", requestID: "req-a"), owner: "r", key: "k", instance: 0)
        try await tables.recordIdempotentRequest(
            .init(bodyFingerprint: "fp-b", requestID: "req-b"), owner: "r", key: "k", instance: tables.instances - 1)
        #expect(try await tables.idempotentRequest(owner: "r", key: "k") == .init(bodyFingerprint: "fp-a", requestID: "req-a"))
    }

    @Test(arguments: Backend.allCases)
    func theAuditLogIsFilteredByActionPrefixAndTargetNewestFirst(backend: Backend) async throws {
        let (tables, close) = try await backend.openInterviewTables()
        defer { close() }
        let entries = [
            AuditEntry(actor: "r1", action: "interview.cancel", target: "iv-1", detail: "{}", at: 1),
            AuditEntry(actor: "r1", action: "interview.reschedule", target: "iv-1", detail: "{}", at: 2),
            AuditEntry(actor: "r2", action: "candidate.erase", target: "cand-1", detail: "{\"why\":\"asked\"}", at: 3),
            AuditEntry(actor: "r2", action: "interview.cancel", target: "iv-2", detail: "{}", at: 4),
            AuditEntry(actor: "r3", action: "interviewé.note", target: "iv-1", detail: "ü", at: 5),
        ]
        for entry in entries { try await tables.append(entry, instance: 0) }
        #expect(try await tables.auditLog(action: "interview.", target: nil, limit: 10).map(\.at) == [4, 2, 1])
        #expect(try await tables.auditLog(action: "interview", target: "iv-1", limit: 10).map(\.at) == [5, 2, 1])
        #expect(try await tables.auditLog(action: "", target: nil, limit: 2).map(\.at) == [5, 4])
        #expect(try await tables.auditLog(action: "interviewé", target: nil, limit: 10) == [entries[4]], "read back whole, accents included")
        #expect(try await tables.auditLog(target: "iv-1").map(\.at) == [1, 2, 5], "one target's trail, oldest first")
    }
}
