import ArgumentParser

@main
struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Schedules job interviews: finds slots that fit everyone, books calendars, sends invitations.",
        subcommands: [
            ServeCommand.self, AvailabilityResponderCommand.self, TokenCommand.self, SlotsCommand.self, ICSCommand.self, SagasCommand.self,
            AuditCommand.self,
            CalendarsCommand.self, DevClusterCommand.self, VersionCommand.self,
        ]
    )
}
