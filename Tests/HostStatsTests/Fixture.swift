import Foundation
import HostStats

/// The captured host trees under Fixtures/ (see Fixtures/README.md).
enum Fixture {
    /// The 2-socket, 24-CPU host of the article with a Solarflare NIC `eth2` (11 queues).
    static let article = "article-sfc"
    /// A 1-socket, 16-CPU host (CPU 3 offline) with a two-port mlx5 NIC.
    static let mlx5 = "mlx5-1socket"
    /// This VM (2 CPUs, virtio_net `eth0`, two ifb devices), captured live.
    static let vm = "vm-virtio"

    /// The directory of a fixture host, to read as `/`.
    static func root(_ host: String) -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("the Fixtures resource folder is missing from the test bundle")
        }
        return url.appendingPathComponent(host).path
    }

    /// The files of a fixture host.
    static func files(_ host: String) -> HostFiles { HostFiles(root: root(host)) }

    /// The text of one file of a fixture host, by its host path.
    static func text(_ host: String, _ path: String) throws -> String {
        try files(host).read(path)
    }
}
