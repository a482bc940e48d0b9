import Crypto
import Foundation
import SwiftASN1
import X509

/// The PEM files `aviary-server certs` writes into one directory:
///
///     ca.pem            the ensemble CA's certificate: every trust store
///     ca-key.pem        the CA's private key (PKCS#8): kept to issue more certificates later, never deployed
///     server.<id>.pem   a server's private key (PKCS#8), then its certificate: ssl.quorum.keyStore and ssl.keyStore
///     client.<name>.pem a client's private key, then its certificate (subject CN=<name>,O=Aviary)
///
/// An existing CA in the directory is reused, so certificates issued later join the same ensemble.
public enum EnsembleCertificates {
    public struct Server: Sendable {
        public var id: Int64
        public var hosts: [String]

        public init(id: Int64, hosts: [String]) {
            self.id = id
            self.hosts = hosts
        }
    }

    /// Names every server certificate carries besides its own hosts, so loopback ensembles and local tools
    /// verify without further flags.
    public static let loopbackNames = ["127.0.0.1", "localhost"]

    /// Writes the files and returns their paths, the CA's first (with whether the CA is new).
    public static func write(
        to directory: String, servers: [Server], clients: [String], validity: DateInterval
    ) throws -> (files: [String], createdAuthority: Bool) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let caPath = directory + "/ca.pem"
        let caKeyPath = directory + "/ca-key.pem"
        var files: [String] = []
        let issuer: CertificateIssuer
        let created: Bool
        if FileManager.default.fileExists(atPath: caPath) || FileManager.default.fileExists(atPath: caKeyPath) {
            issuer = try loadAuthority(certificatePath: caPath, keyPath: caKeyPath)
            created = false
        } else {
            // The CA outlives what it signs by a year, so certificates issued later fit inside it.
            let caValidity = DateInterval(start: validity.start, end: validity.end.addingTimeInterval(365 * 86_400))
            issuer = try CertificateIssuer.makeAuthority(validity: caValidity)
            try writeFile(caKeyPath, issuer.keyPEM, secret: true)
            try writeFile(caPath, try issuer.certificate.serializeAsPEM().pemString + "\n", secret: false)
            created = true
            files += [caPath, caKeyPath]
        }
        for server in servers {
            var hosts = server.hosts
            for name in loopbackNames where !hosts.contains(name) { hosts.append(name) }
            let issued = try issuer.issue(commonName: "server.\(server.id)", hosts: hosts, validity: validity)
            let path = directory + "/server.\(server.id).pem"
            try writeFile(path, try pem(issued), secret: true)
            files.append(path)
        }
        for client in clients {
            let issued = try issuer.issue(commonName: client, hosts: [], validity: validity)
            let path = directory + "/client.\(client).pem"
            try writeFile(path, try pem(issued), secret: true)
            files.append(path)
        }
        return (files, created)
    }

    private static func loadAuthority(certificatePath: String, keyPath: String) throws -> CertificateIssuer {
        func read(_ path: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CertificateFilesError("\(path): missing; the CA needs both ca.pem and ca-key.pem")
            }
            return String(decoding: data, as: UTF8.self)
        }
        do {
            return CertificateIssuer(
                certificate: try Certificate(pemEncoded: try read(certificatePath)),
                key: try P256.Signing.PrivateKey(pemRepresentation: try read(keyPath)))
        } catch let error as CertificateFilesError {
            throw error
        } catch {
            throw CertificateFilesError("cannot use the CA in \(certificatePath) and \(keyPath): \(error)")
        }
    }

    private static func pem(_ issued: (certificate: Certificate, key: P256.Signing.PrivateKey)) throws -> String {
        issued.key.pemRepresentation + "\n" + (try issued.certificate.serializeAsPEM().pemString) + "\n"
    }

    private static func writeFile(_ path: String, _ text: String, secret: Bool) throws {
        let temporary = path + ".tmp"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(text.utf8),
                attributes: [.posixPermissions: secret ? 0o600 : 0o644])
        else {
            throw CertificateFilesError("\(path): cannot write")
        }
        guard rename(temporary, path) == 0 else {
            throw CertificateFilesError("\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}

extension CertificateIssuer {
    var keyPEM: String { keyForExport.pemRepresentation + "\n" }
}

public struct CertificateFilesError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
