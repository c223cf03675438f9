import NIOCore
import NIOSSL
import Synchronization

/// A certificate chain and its private key, read from PEM files and checked to belong together.
package struct TLSIdentity: Sendable {
    let chain: [NIOSSLCertificate]
    let key: NIOSSLPrivateKey
}

/// The identity `serve` presents: read at start, read again on SIGHUP (a renewed certificate is in force for the
/// connections made after it; a file that cannot be read leaves the previous identity in force).
package final class ServedIdentity: Sendable {
    private let settings: PublishServerSettings
    private let current: Mutex<TLSIdentity>

    /// The identity of `settings`' certificate and key, `nil` for plain HTTP.
    /// - Throws: ``SettingsError`` naming the file that cannot be read, or a key that is not the certificate's.
    package init?(_ settings: PublishServerSettings) throws(SettingsError) {
        guard let identity = try settings.tlsIdentity() else { return nil }
        self.settings = settings
        current = Mutex(identity)
    }

    /// Reads the files again and, when they make an identity, presents it from the next handshake on.
    /// - Throws: ``SettingsError`` naming what cannot be read; the previous identity stays in force.
    package func reload() throws(SettingsError) {
        guard let identity = try settings.tlsIdentity() else { return }
        current.withLock { $0 = identity }
    }

    /// The server's TLS configuration: TLS 1.2 or later, each handshake presenting the identity in force then.
    package var configuration: TLSConfiguration {
        let identity = current.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { _, promise in
            let identity = self.current.withLock { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = identity.chain.map { .certificate($0) }
            override.privateKey = .privateKey(identity.key)
            promise.succeed(override)
        }
        return configuration
    }
}

extension PublishServerSettings {
    /// The identity of ``tlsCertificate`` and ``tlsKey``, `nil` for plain HTTP.
    /// - Throws: ``SettingsError`` naming the file that cannot be read as PEM, or a key that is not the
    ///   certificate's.
    func tlsIdentity() throws(SettingsError) -> TLSIdentity? {
        guard let tlsCertificate, let tlsKey else { return nil }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tlsCertificate)
        } catch {
            throw SettingsError(
                key: "serve.tlsCertificate", value: tlsCertificate,
                allowed: "must be a readable PEM certificate chain (\(error))")
        }
        guard !chain.isEmpty else {
            throw SettingsError(
                key: "serve.tlsCertificate", value: tlsCertificate, allowed: "must hold at least one PEM certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tlsKey, format: .pem)
        } catch {
            throw SettingsError(
                key: "serve.tlsKey", value: tlsKey,
                allowed: "must be a readable, unencrypted PEM private key (\(error))")
        }
        do {
            // A context made once here, so that a key that does not match the certificate is refused with the
            // settings' words.
            _ = try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        } catch {
            throw SettingsError(
                key: "serve.tlsKey", value: tlsKey,
                allowed: "must be the private key of serve.tlsCertificate (\(error))")
        }
        return TLSIdentity(chain: chain, key: key)
    }
}
