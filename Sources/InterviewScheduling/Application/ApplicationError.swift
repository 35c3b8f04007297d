/// Why a command or query was refused. The HTTP layer maps each case to a status.
package enum ApplicationError: Error, Hashable, Sendable {
    /// The input is unusable; `field` names where (empty for the whole body).
    case invalid(field: String, reason: String)
    /// It does not exist, or it is not the caller's (the two are not told apart).
    case notFound(String)
    /// The state does not allow it now (cancelled already, being rescheduled).
    case conflict(String)
    /// An `Idempotency-Key` was used before with another body.
    case idempotencyKeyReused(String)
    /// The caller's role does not allow it.
    case forbidden(String)
}
