import ArgumentParser
import Foundation
import SwiftGrad

/// `swiftgrad download`: fetches MNIST or Fashion-MNIST over HTTPS, verifying checksums.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download MNIST or Fashion-MNIST (checksums verified, files written atomically)."
    )

    @Argument(help: "mnist or fashion-mnist.")
    var dataset: String

    @Option(help: "Folder to write the four .gz files to.")
    var to: String

    @Option(help: "Fetch from this address instead of the dataset's default (the files must match the published checksums).")
    var mirror: String?

    func run() throws {
        guard let catalog = DatasetDownload.catalogs[dataset] else {
            throw ValidationError("unknown dataset '\(dataset)'; choose \(DatasetDownload.catalogs.keys.sorted().joined(separator: " or "))")
        }
        var base = catalog.baseURL
        if let mirror {
            guard let url = URL(string: mirror.hasSuffix("/") ? mirror : mirror + "/"), url.scheme != nil else {
                throw ValidationError("--mirror '\(mirror)' is not an address")
            }
            base = url
        }
        let folder = URL(fileURLWithPath: to)
        try DatasetDownload.fetch(catalog.files, from: base, to: folder) { name in
            print("fetching \(base.appendingPathComponent(name).absoluteString)")
            fflush(nil)
        }
        print("\(dataset): \(catalog.files.count) files verified in \(folder.path); train with --data \(folder.path)")
    }
}
