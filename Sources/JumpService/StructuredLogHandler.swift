import Foundation
import JumpCommandLine
import JumpKafka
import JumpWorker
import Logging
import Metrics
import Prometheus

extension StructuredLogHandler {
    /// Sets the process's log format and level (redacting `secrets` and the secret values among the librdkafka
    /// `overrides`) and makes a Prometheus registry its metrics backend; returns the registry, for `/metrics`. Once
    /// per process.
    package static func bootstrap(
        format: Format, level: Logger.Level, secrets: [String], overrides: [String: String]
    ) -> PrometheusCollectorRegistry {
        let redacted = secrets + overrides.filter { KafkaProperties.isSecret($0.key) }.map(\.value)
        Configuration.process.set(format: format, level: level, secrets: redacted)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // An event's age is seconds at best and hours behind a stopped worker: buckets up to an hour.
        factory.durationHistogramBuckets["jump_event_age_seconds"] =
            [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600].map { .seconds($0) }
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
