import JumpState
import Logging
import ServiceLifecycle

/// A role whose loop is not a `Service` itself (the state worker, whose loop and lifecycle its second design
/// rewrites), as one: the loop runs until a graceful shutdown (SIGTERM, SIGINT) asks it to finish the work in hand.
/// The outbox relay and the notifier are services themselves.
struct RoleService: Service, CustomStringConvertible {
    let description: String
    let body: @Sendable () async throws -> Void
    let stop: @Sendable () -> Void

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await body()
        } onGracefulShutdown: {
            stop()
        }
    }
}

extension ConsumerDaemon {
    /// The roles as services for a `ServiceGroup`: the state worker, the outbox relay, the notifier. Each one
    /// that returns or throws shuts the whole group down gracefully (the supervisor restarts the process).
    package func services() -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [(name: String, service: any Service)] = []
        if let stateWorker {
            services.append(
                (
                    "state worker",
                    RoleService(
                        description: "state worker", body: { _ = try await stateWorker.run() },
                        stop: { stateWorker.requestStop() })
                ))
        }
        if let relay { services.append(("outbox relay", relay)) }
        if let notifier { services.append(("notifier", notifier)) }
        return services.map {
            .init(
                service: $0.service, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.name)
        }
    }

    /// The status of every role this process runs.
    package func status() -> [WorkerStatus] {
        [stateWorker?.status(), notifier?.status()].compactMap { $0 }
    }
}
