import Foundation
import GRDB
package import SagaCore
package import SagaStore

/// The erasure on the SQLite file: with `secure_delete` on, rewritten rows are zeroed in the
/// file, and a checkpoint afterwards removes the old pages from the write-ahead log too.
extension SQLiteInterviewSagaStorage: CandidateErasureStorage {
    package func traces(ofCandidate candidateID: String) async throws -> CandidateTraces {
        try await store.read { db in try CandidateRecords.traces(ofCandidate: candidateID, in: db) }
    }

    package func decision(
        erasingCandidate candidateID: String, then outcome: @escaping @Sendable (ErasureCounts) throws -> (StepOutcome, AuditEntry)
    ) -> SagaStore.Decision {
        { [tables] db in
            let traces = try CandidateRecords.traces(ofCandidate: candidateID, in: db)
            guard traces.unsettledSagas.isEmpty else { throw CandidateStillBusy.failure() }
            let redactions = traces.redactions
            let sagas = try SagaStore.rewrite(
                sagas: traces.sagaIDs, in: db, data: { value in redactions.reduce(value) { $1.json($0) } },
                text: { text in redactions.reduce(text) { $1.text($0) } },
                payload: { payload in redactions.reduce(payload) { $1.jsonText($0) } })
            let interviews = try CandidateRecords.erase(requests: traces.requestIDs, sagas: traces.sagaIDs, with: redactions, in: db)
            let (stepOutcome, audit) = try outcome(ErasureCounts(requests: traces.requests.count, sagas: sagas, interviews: interviews))
            try tables.append(audit, in: db)
            return stepOutcome
        }
    }

    package func purgeErasedBytes() async throws -> Bool {
        try await store.checkpoint()
    }
}
