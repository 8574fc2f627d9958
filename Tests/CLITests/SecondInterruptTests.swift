#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// A second Ctrl-C ends the process at once, even when the first one's summary
/// cannot be written (`mpps recv | less`, with less paused).
@Suite struct SecondInterruptTests {
    /// `F_SETPIPE_SZ` from <linux/fcntl.h>, which Glibc's module does not export.
    static let setPipeSize: Int32 = 1031
    /// The `write` system call's number, as /proc/PID/task/TID/syscall shows it.
    #if arch(x86_64)
    static let writeCall = "1"
    #elseif arch(arm64)
    static let writeCall = "64"
    #endif

    /// Whether one of `pid`'s threads is blocked in `write`.
    func isBlockedInWrite(_ pid: pid_t) -> Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.contains { task in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/syscall", encoding: .utf8)) ?? ""
            return text.split(separator: " ").first.map(String.init) == Self.writeCall
        }
    }

    @Test func aSecondInterruptWhileTheSummaryIsBlockedEndsTheProcess() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd); close(writeEnd) }
        // One page of pipe: the test fills it below so the summary's write blocks.
        #expect(fcntl(writeEnd, Self.setPipeSize, 4096) == 4096)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Program.path("mpps"))
        process.arguments = ["recv", "127.0.0.1:\(freePort())", "--json", "--quiet"]
        process.standardOutput = FileHandle(fileDescriptor: writeEnd, closeOnDealloc: false)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        // The ready line, read whole, leaves the pipe empty.
        var ready: [UInt8] = []
        var byte: UInt8 = 0
        while ready.last != UInt8(ascii: "\n"), read(readEnd, &byte, 1) == 1 { ready.append(byte) }
        #expect(String(decoding: ready, as: UTF8.self).hasPrefix(#"{"type":"ready""#))
        // All but 16 bytes of the page: the summary (a few hundred bytes) cannot go in.
        let filler = [UInt8](repeating: UInt8(ascii: " "), count: 4096 - 16)
        #expect(write(writeEnd, filler, filler.count) == filler.count)

        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while !isBlockedInWrite(process.processIdentifier) && process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(process.isRunning, "the first SIGINT's summary should be waiting for the pipe")
        #expect(isBlockedInWrite(process.processIdentifier))

        kill(process.processIdentifier, SIGINT)
        let end = Date().addingTimeInterval(3)
        while process.isRunning && Date() < end { usleep(10_000) }
        #expect(!process.isRunning, "a second SIGINT should end the process at once")
        if !process.isRunning {
            // Reaped through Foundation, which otherwise keeps the Process and its handles (LeakSanitizer sees them).
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(process.terminationStatus == SIGINT)
        }
    }
}
