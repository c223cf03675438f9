import JumpState
import Logging
import ServiceLifecycle

/// One role of the daemon as a swift-service-lifecycle `Service`: its loop runs until a graceful shutdown
/// (SIGTERM, SIGINT) asks it to finish the work in hand.
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
        var services: [RoleService] = []
        if let stateWorker {
            services.append(
                RoleService(
                    description: "state worker", body: { _ = try await stateWorker.run() },
                    stop: { stateWorker.requestStop() }))
        }
        if let relay {
            services.append(
                RoleService(
                    description: "outbox relay",
                    body: {
                        await relay.run()
                        await relay.close()
                    }, stop: { relay.requestStop() }))
        }
        if let notifier, let service {
            services.append(
                RoleService(
                    description: "notifier",
                    body: {
                        do {
                            _ = try await notifier.run()
                        } catch {
                            await service.close()
                            throw error
                        }
                        await service.close()
                    }, stop: { notifier.requestStop() }))
        }
        return services.map {
            .init(
                service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.description)
        }
    }

    /// The status of every role this process runs.
    package func status() -> [WorkerStatus] {
        [stateWorker?.status(), notifier?.status()].compactMap { $0 }
    }
}
