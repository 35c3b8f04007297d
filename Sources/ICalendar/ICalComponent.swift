import CLibical

/// The one owner of a root `icalcomponent` and everything under it; frees it exactly once.
///
/// Children are reached through the owner and never outlive it; they are not freed on
/// their own (libical frees them with the root).
final class ICalComponent {
    let pointer: OpaquePointer

    /// Takes ownership of a root component (one without a parent).
    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        icalcomponent_free(pointer)
    }

    /// The component's iCalendar text (CRLF line ends, folded at 75 octets).
    var text: String {
        guard let buffer = icalcomponent_as_ical_string_r(pointer) else { return "" }
        defer { icalmemory_free_buffer(buffer) }
        return String(cString: buffer)
    }
}

/// Visits the direct children of `parent` of `kind`, using a component iterator (nested
/// first/next loops over one parent end each other early in libical).
func forEachChild<Failure: Error>(of parent: OpaquePointer, kind: icalcomponent_kind, _ body: (OpaquePointer) throws(Failure) -> Void) throws(Failure)
{
    var iterator = icalcomponent_begin_component(parent, kind)
    while let child = icalcompiter_deref(&iterator) {
        try body(child)
        _ = icalcompiter_next(&iterator)
    }
}

/// Visits `container` itself when it is of `kind` (a bare VEVENT file), else its children of `kind`.
func forEachComponent<Failure: Error>(
    in container: OpaquePointer, kind: icalcomponent_kind, _ body: (OpaquePointer) throws(Failure) -> Void
) throws(Failure) {
    if icalcomponent_isa(container) == kind {
        try body(container)
    } else {
        try forEachChild(of: container, kind: kind, body)
    }
}

/// Visits the properties of `component` of `kind`.
func forEachProperty<Failure: Error>(
    of component: OpaquePointer, kind: icalproperty_kind, _ body: (OpaquePointer) throws(Failure) -> Void
) throws(Failure) {
    var property = icalcomponent_get_first_property(component, kind)
    while let current = property {
        try body(current)
        property = icalcomponent_get_next_property(component, kind)
    }
}
