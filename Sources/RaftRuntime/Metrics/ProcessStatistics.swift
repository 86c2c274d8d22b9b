#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `/proc/self` says about this process: the figures behind Prometheus's standard
/// `process_*` metrics (resident and virtual memory, CPU seconds, start time, descriptors).
/// `nil` where the system has no `/proc` (macOS).
struct ProcessStatistics: Equatable {
    var residentBytes: Int
    var virtualBytes: Int
    /// User plus system CPU time.
    var cpuSeconds: Double
    /// Seconds since the Unix epoch.
    var startTimeSeconds: Double
    var openFileDescriptors: Int
    var fileDescriptorsMax: Int

    /// Reads the current figures.
    static func current() -> ProcessStatistics? {
        #if os(Linux)
        guard let stat = readFile("/proc/self/stat"),
              let bootTime = readFile("/proc/stat").flatMap(bootTimeSeconds) else { return nil }
        return parse(stat: stat, bootTimeSeconds: bootTime, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
                     pageBytes: Int(sysconf(Int32(_SC_PAGESIZE))),
                     openFileDescriptors: countEntries(in: "/proc/self/fd"),
                     fileDescriptorsMax: fileDescriptorsMax())
        #else
        return nil
        #endif
    }

    /// Parses `/proc/self/stat` (proc(5)): the command name may hold spaces and parentheses,
    /// so fields are counted from the last `)`.
    static func parse(stat: String, bootTimeSeconds: Double, ticksPerSecond: Double, pageBytes: Int,
                      openFileDescriptors: Int, fileDescriptorsMax: Int) -> ProcessStatistics? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // Field 3 (state) is the first after the name; utime is field 14.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? {
            let position = number - 3
            return fields.indices.contains(position) ? Double(fields[position]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
              let residentPages = field(24), ticksPerSecond > 0 else { return nil }
        return ProcessStatistics(residentBytes: Int(residentPages) * pageBytes, virtualBytes: Int(virtual),
                                 cpuSeconds: (user + system) / ticksPerSecond,
                                 startTimeSeconds: bootTimeSeconds + start / ticksPerSecond,
                                 openFileDescriptors: openFileDescriptors, fileDescriptorsMax: fileDescriptorsMax)
    }

    /// The `btime` line of `/proc/stat`.
    static func bootTimeSeconds(_ procStat: String) -> Double? {
        for line in procStat.split(separator: "\n") where line.hasPrefix("btime ") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    #if os(Linux)
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func countEntries(in directory: String) -> Int {
        guard let handle = opendir(directory) else { return 0 }
        defer { closedir(handle) }
        var count = 0
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(3)) }
            if name[0] != UInt8(ascii: ".") { count += 1 } // skips "." and ".."
        }
        return count
    }

    private static func fileDescriptorsMax() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return limit.rlim_cur > UInt64(Int.max) ? Int.max : Int(limit.rlim_cur)
    }
    #endif
}
