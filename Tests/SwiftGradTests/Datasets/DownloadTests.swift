import Datasets
import Foundation
import Testing

@Suite(.serialized) struct DownloadTests {
    @Test func md5MatchesKnownDigests() {
        #expect(MD5.hex([UInt8]()) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(Array(String(repeating: "a", count: 1000).utf8)) == "cabe45dcc9ae5b66ba86600cca6b8ba8")
    }

    /// A `python3 -m http.server` on 127.0.0.1 serving `folder`, stopped when the test ends.
    final class LocalServer {
        let process = Process()
        let port: Int

        init(serving folder: URL) throws {
            port = Int.random(in: 20_000..<40_000)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-u", "-m", "http.server", String(port), "--bind", "127.0.0.1",
                                 "--directory", folder.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // It prints "Serving HTTP on 127.0.0.1 port …" once it listens.
            var banner = Data()
            while !String(decoding: banner, as: UTF8.self).contains("Serving HTTP") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                banner.append(chunk)
            }
        }

        var url: URL { URL(string: "http://127.0.0.1:\(port)/")! }

        deinit {
            // SIGKILL: the test runner starts children with SIGTERM blocked, so terminate() would not stop it.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    @Test func fetchesVerifiesAndWritesOnlyGoodFiles() throws {
        let served = try temporaryFolder(), target = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: served); try? FileManager.default.removeItem(at: target) }
        let sample = DataSource.embeddedSample.directory
        let names = ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
        var files: [(name: String, md5: String)] = []
        for name in names {
            let data = try Data(contentsOf: sample.appendingPathComponent(name))
            try data.write(to: served.appendingPathComponent(name))
            files.append((name, MD5.hex(data)))
        }
        let server = try LocalServer(serving: served)

        try DatasetDownload.fetch(files, from: server.url, to: target)
        for (name, md5) in files {
            #expect(MD5.hex(try Data(contentsOf: target.appendingPathComponent(name))) == md5)
        }

        // A wrong checksum: an error naming the address, and nothing written.
        let elsewhere = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        #expect {
            try DatasetDownload.fetch([(names[0], String(repeating: "0", count: 32))], from: server.url, to: elsewhere)
        } throws: { error in
            "\(error)".contains("checksum mismatch") && "\(error)".contains("127.0.0.1")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)

        // A missing file: the HTTP status.
        #expect {
            try DatasetDownload.fetch([("missing.gz", "x")], from: server.url, to: elsewhere)
        } throws: { error in
            "\(error)".contains("HTTP status 404")
        }
        _ = server
    }
}
