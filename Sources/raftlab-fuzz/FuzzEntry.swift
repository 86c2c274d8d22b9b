import Foundation
import RaftFuzz

// The fuzz target (docs/FUZZING.md). Built with libFuzzer (`scripts/fuzz.sh`: `-sanitize=fuzzer,address`
// and `-D FUZZING`), libFuzzer's own `main` drives `LLVMFuzzerTestOneInput`. Built normally, it is a
// replay tool: `raftlab-fuzz FILE|DIR...` runs each input once (a crash file libFuzzer wrote, or a
// whole corpus), and `raftlab-fuzz --write-corpus DIR` writes the seed corpus of real frames.

private let harness = FuzzHarness()

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    harness.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

#if FUZZING
/// libFuzzer's driver (`LLVMFuzzerRunDriver`, LLVM 12 and later): parses libFuzzer's
/// arguments and fuzzes `LLVMFuzzerTestOneInput`.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The entry point SwiftPM links an executable product with: hands over to libFuzzer.
@_cdecl("raftlab_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
#else
@main
struct FuzzReplay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--write-corpus", arguments.count == 2 {
            let directory = arguments[1]
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let inputs = FuzzHarness.seedInputs()
            for (number, bytes) in inputs.enumerated() {
                try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/seed-\(number)"))
            }
            print("wrote \(inputs.count) seed inputs to \(directory)")
            return
        }
        guard !arguments.isEmpty else {
            FileHandle.standardError.write(Data("usage: raftlab-fuzz FILE|DIR... | --write-corpus DIR\n".utf8))
            exit(2)
        }
        var files: [String] = []
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("\(path): no such file\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += names.map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            bytes.withUnsafeBytes { harness.run($0) }
        }
        print("ran \(files.count) inputs: \(harness.framesDecoded) frames decoded, \(harness.messagesStepped) messages stepped, no crash")
    }
}
#endif
