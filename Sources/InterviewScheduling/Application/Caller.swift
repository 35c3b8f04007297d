/// Who asks: an authenticated subject and the role its token grants.
package struct Caller: Sendable, Hashable {
    package enum Role: String, Sendable, Codable {
        case recruiter, admin
    }

    package var subject: String
    package var role: Role

    package init(subject: String, role: Role) {
        self.subject = subject
        self.role = role
    }

    /// Admins see everything; recruiters their own requests.
    package func mayAccess(ownedBy owner: String) -> Bool {
        role == .admin || owner == subject
    }

    /// The owner to filter by: none for an admin.
    var ownerFilter: String? { role == .admin ? nil : subject }
}
