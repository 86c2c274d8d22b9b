import Dispatch
import Foundation
import RaftCore
import RaftRuntime
import RaftTrace

/// The body of `raftlab node`: one cluster member as an operating-system process.
///
/// Runs until SIGTERM or SIGINT (clean stop: the trace ends with `stop`), or, with
/// `exitWithParent`, until its standard input reaches end-of-file (the launcher died).
public enum NodeProcess {
    /// Runs node `id` of the cluster in `clusterFile`; returns when it has stopped.
    public static func run(clusterFile path: String, id: NodeID, exitWithParent: Bool) async throws {
        let file = try ClusterFile.read(path: path)
        if try file.node(id).isActive == false {
            throw LabError("node \(id) was removed from the cluster in \(path) (raftlab member remove); add a new member instead")
        }
        var config = try file.raftConfig(for: id, path: path)
        // Clients hear of their commits over the client socket. Without a reader there is no
        // application state to rebuild either, so a restarted node delivers nothing again: its
        // trace resumes after its durable commit index, as the analyzer's delivery checks and
        // the failover figures assume, instead of replaying the whole log on every restart.
        config.deliversMessages = false
        if let every = file.snapshotEvery {
            // Snapshots need a state to snapshot: the node's own, rebuilt at a restart from its
            // snapshot and the log after it (the deliveries after the snapshot are traced again).
            config.stateMachine = LabStateMachine()
            config.snapshotEveryEntries = every
        }
        config.traceCompressor = .raftlab(executable: NodeProcessSet.currentExecutable())
        try FileManager.default.createDirectory(atPath: file.traceDirectory, withIntermediateDirectories: true)
        // Partitions are the lab's: the launcher's control commands set which peers the
        // transport drops (docs/CHAOS.md).
        let rules = PartitionRules()
        let raft = Raft(config: config, transport: { PartitionedTransport(wrapping: SocketTransport(context: $0), rules: rules) },
                        control: { command in
                            let (dropOut, dropIn) = rules.apply(command)
                            log("node \(id): network rules changed: drop out \(dropOut), drop in \(dropIn)")
                        })
        let session = try await raft.run()
        let status = try await session.status()
        log("node \(id) up: peers at \(config.peers[id]!), clients at \(config.clientAddress.map(String.init(describing:)) ?? "-"), metrics at \(session.metricsServer?.url ?? "-"); \(status); incarnation \(session.incarnation)")
        if let report = session.recovery { log("node \(id): \(report)") }

        let stop = StopSignal()
        let sources = stop.fireOnSignals()
        session.whenFailed { reason in stop.fire(reason) }
        if exitWithParent {
            Thread.detachNewThread {
                var byte: UInt8 = 0
                while read(STDIN_FILENO, &byte, 1) > 0 {}
                stop.fire("the launcher is gone")
            }
        }
        let reason = await stop.wait()
        log("node \(id) stopping: \(reason)")
        if reason == "SIGTERM" {
            // A leader stopped on its own (an operator, systemd) hands over first, so the
            // cluster does not wait out an election timeout. The launcher stops a whole
            // cluster with SIGINT: nobody would be there to take over.
            let wait = Duration.milliseconds(min(file.timing.electionTimeoutMs.upperBound, 1_000))
            if let successor = await session.handOverLeadership(timeout: wait) {
                log("node \(id): handed leadership to node \(successor) before stopping")
            }
        }
        await session.shutdown()
        for source in sources { source.cancel() }
        if let failure = session.failure { throw NodeFailure(description: failure) }
    }

    /// The node stopped on its own (its durable write failed): `raftlab node` exits 1 with
    /// this one line.
    public struct NodeFailure: Error, CustomStringConvertible {
        public var description: String
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
