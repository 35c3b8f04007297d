import Synchronization

/// A relay's last-known leadership (it held the relays' lease at its last look), shared by the
/// copies of a relay's store: the Kafka relay's and the mail relay's.
package final class RelayLeadership: Sendable {
    private let value = Atomic<Bool>(false)

    package init() {}

    package var leads: Bool {
        get { value.load(ordering: .relaxed) }
    }

    package func record(_ leads: Bool) {
        value.store(leads, ordering: .relaxed)
    }
}
