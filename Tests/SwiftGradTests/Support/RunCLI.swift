import Foundation

/// The result of running the `swiftgrad` executable.
struct CLIResult {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Standard error without the kernel-family warning a debug build without `-march=native` prints.
    var errors: String {
        stderr.split(separator: "\n").filter { !$0.hasPrefix("warning: this build runs") }.joined(separator: "\n")
    }
}

/// Bytes read on another thread.
private final class StderrBuffer: @unchecked Sendable {
    var data = Data()
}

/// The built `swiftgrad` beside the test bundle.
func swiftgradExecutable() -> URL {
    // Linux runs the test binary itself from the build folder; macOS runs a bundle inside it.
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("swiftgrad")
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("swiftgrad")
}

/// Runs `swiftgrad arguments` (or `executable`'s) to completion, or until `interruptWhen` sees a stdout line it
/// accepts, in which case the process gets `signal` (SIGINT, as from Ctrl-C) and runs on until it exits.
/// `environment` is added to this process's environment.
func runCLI(_ arguments: [String], executable: URL? = nil, environment: [String: String] = [:], signal: Int32 = SIGINT,
            interruptWhen: ((String) -> Bool)? = nil) throws -> CLIResult {
    let process = Process()
    process.executableURL = executable ?? swiftgradExecutable()
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    // The test runner blocks SIGINT and SIGTERM, and a child inherits the spawning thread's mask: unblocked here so
    // that the interrupt reaches a child that does not unblock them itself (`mpirun`).
    var interrupts = sigset_t(), previous = sigset_t()
    sigemptyset(&interrupts)
    sigaddset(&interrupts, SIGINT)
    sigaddset(&interrupts, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &interrupts, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    try process.run()
    // Standard error is drained on another thread: a child that fills the stderr pipe (64 KB) while we wait for
    // stdout to end would otherwise block forever.
    let stderrData = StderrBuffer()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        stderrData.data = err.fileHandleForReading.readDataToEndOfFile()
        drained.signal()
    }
    var stdout = Data()
    if let interruptWhen {
        var interrupted = false
        while case let chunk = out.fileHandleForReading.availableData, !chunk.isEmpty {
            stdout.append(chunk)
            if !interrupted, String(decoding: stdout, as: UTF8.self).split(separator: "\n").contains(where: { interruptWhen(String($0)) }) {
                kill(process.processIdentifier, signal)
                interrupted = true
            }
        }
    } else {
        stdout = out.fileHandleForReading.readDataToEndOfFile()
    }
    drained.wait()
    let stderr = stderrData.data
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                     stderr: String(decoding: stderr, as: UTF8.self))
}

/// Starts `swiftgrad arguments` (or `executable`'s) with standard output piped and standard error discarded, and
/// returns it, still running, once its output contains `marker` (or has ended).
func startCLI(_ arguments: [String], executable: URL? = nil, until marker: String) throws -> Process {
    let process = Process()
    process.executableURL = executable ?? swiftgradExecutable()
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    var output = ""
    while !output.contains(marker) {
        let chunk = pipe.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        output += String(decoding: chunk, as: UTF8.self)
    }
    return process
}

/// A fresh empty folder under the temporary directory.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftgrad-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
