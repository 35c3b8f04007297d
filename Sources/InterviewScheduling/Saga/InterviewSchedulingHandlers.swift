package import CalendarProviders
import Events
import Foundation
import ICalendar
package import Logging
package import Mail
import SagaCore
package import SagaEngine
package import SagaStore
import SchedulingCore

/// The step handlers of the interview sagas in `sagas/` and the candidate erasure. Each reads its saga's typed
/// data (`SchedulingSagaData`, `CancellationSagaData`, `ReschedulingSagaData`); the steps
/// live in the extensions beside this file. They reach their database through `storage`, on
/// SQLite or PostgreSQL.
package struct InterviewSagaHandlers<Storage: InterviewSagaStorage>: Sendable {
    package struct Organizer: Sendable {
        package var email: String
        package var name: String

        package init(email: String, name: String) {
            self.email = email
            self.name = name
        }
    }

    let calendars: CalendarDirectory
    /// The saga database, which also holds the interview tables, the ledger and the mail outbox.
    let storage: Storage
    let organizer: Organizer
    /// The right-hand side of every invitation's UID.
    let invitationDomain: String
    /// The service's caps and gap, where a request gives none.
    let defaultLoad: InterviewerLoad
    /// Signs the candidate's page links for their e-mail; nil: no page.
    let pageLinks: (any CandidatePageLinks)?
    /// Where the candidate's mail goes, for an erasure to remove the copies it kept.
    let mailTransport: (any MailTransport)?
    let logger: Logger

    package init(
        calendars: CalendarDirectory, storage: Storage, organizer: Organizer,
        invitationDomain: String = Invitation.defaultUIDDomain, defaultLoad: InterviewerLoad = .unlimited,
        pageLinks: (any CandidatePageLinks)? = nil, mailTransport: (any MailTransport)? = nil, logger: Logger = Logger(label: "interview-saga")
    ) {
        self.logger = logger
        self.mailTransport = mailTransport
        self.pageLinks = pageLinks
        self.defaultLoad = defaultLoad
        self.calendars = calendars
        self.storage = storage
        self.organizer = organizer
        self.invitationDomain = invitationDomain
    }

    /// Registers the handlers of scheduling, cancellation and rescheduling under the names
    /// the definitions use.
    package func registerInterviewSagas(in handlers: inout SagaHandlers<Storage.Decision>) {
        registerScheduling(in: &handlers)
        registerCancellation(in: &handlers)
        registerRescheduling(in: &handlers)
    }

    /// A log line that names the saga and the request it serves.
    func log(_ context: StepContext, requestID: String, _ message: Logger.Message, _ metadata: Logger.Metadata = [:], level: Logger.Level = .info) {
        logger.log(
            level: level, message,
            metadata: metadata.merging(["sagaId": "\(context.sagaID)", "correlationId": "\(requestID)", "step": "\(context.step)"]) { new, _ in new })
    }

    // MARK: Provider errors as step failures

    static func stepFailure(_ error: any Error) -> StepFailure {
        guard let error = error as? ProviderError else { return StepFailure(.transient, "\(error)") }
        switch error.kind {
        case .rejected, .authentication: return StepFailure(.permanent, error.description)
        case .unavailable: return StepFailure(.unavailable, error.description)
        case .timeout: return StepFailure(.timeout, error.description)
        case .transient, .rateLimited: return StepFailure(.transient, error.description)
        }
    }

    /// Input that cannot be used will not become usable on a retry.
    static func permanent<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let failure as StepFailure {
            throw failure
        } catch {
            throw StepFailure(.permanent, "\(error)")
        }
    }

    static func providerCall<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch {
            throw stepFailure(error)
        }
    }
}

/// The handlers on the service's SQLite file.
package typealias InterviewSchedulingHandlers = InterviewSagaHandlers<SQLiteInterviewSagaStorage>

extension InterviewSagaHandlers where Storage == SQLiteInterviewSagaStorage {
    package init(
        calendars: CalendarDirectory, store: SagaStore, organizer: Organizer,
        invitationDomain: String = Invitation.defaultUIDDomain, defaultLoad: InterviewerLoad = .unlimited,
        pageLinks: (any CandidatePageLinks)? = nil, mailTransport: (any MailTransport)? = nil, logger: Logger = Logger(label: "interview-saga")
    ) {
        self.init(
            calendars: calendars, storage: SQLiteInterviewSagaStorage(store: store), organizer: organizer, invitationDomain: invitationDomain,
            defaultLoad: defaultLoad, pageLinks: pageLinks, mailTransport: mailTransport, logger: logger)
    }

    /// The saga database.
    var store: SagaStore { storage.store }
}

extension InterviewSagaHandlers where Storage: CandidateErasureStorage {
    /// Registers every handler under the names the definitions use: the interview sagas' and the erasure's.
    package func register(in handlers: inout SagaHandlers<Storage.Decision>) {
        registerInterviewSagas(in: &handlers)
        registerErasure(in: &handlers)
    }
}
