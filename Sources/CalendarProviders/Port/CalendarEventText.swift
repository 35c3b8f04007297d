/// Text shared by the adapters: the description with the meeting link, where an API has no
/// field of its own for a link the service did not create.
enum CalendarEventText {
    static func description(of event: CalendarEvent) -> String {
        guard let url = event.meetingURL, !url.isEmpty else { return event.description }
        return event.description.isEmpty ? "Join: \(url)" : "\(event.description)\n\nJoin: \(url)"
    }
}
