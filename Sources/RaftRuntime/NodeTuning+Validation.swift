import RaftCore

extension NodeTuning {
    /// The first option that cannot work with the wire's frame limit, or `nil`: a log
    /// request, a forward or a client proposal the options allow must fit
    /// `RuntimeLimits.frameBytesMax`, or replication would stop for good at the first one
    /// that does not (the encoder refuses it, and the node would send it again and again).
    public var problem: ProtocolOptions.Problem? {
        if let problem = options.problem { return problem }
        let frameMax = RuntimeLimits.frameBytesMax
        let logRequestMax = WireFrame.logRequestBytesMax(options)
        if logRequestMax > frameMax {
            let (option, value) = options.appendPayloadBytesMax >= options.proposalPayloadBytesMax
                ? ("appendPayloadBytesMax", options.appendPayloadBytesMax)
                : ("proposalPayloadBytesMax", options.proposalPayloadBytesMax)
            return ProtocolOptions.Problem(
                option: option, value: value,
                reason: "makes a log request of up to \(logRequestMax) bytes (with entriesPerAppendMax \(options.entriesPerAppendMax)), above the \(frameMax)-byte frame limit")
        }
        let forwardMax = WireFrame.forwardBytesMax(options)
        if forwardMax > frameMax {
            return ProtocolOptions.Problem(
                option: "appendPayloadBytesMax", value: options.appendPayloadBytesMax,
                reason: "makes a forward of up to \(forwardMax) bytes, above the \(frameMax)-byte frame limit")
        }
        let chunkMax = WireFrame.snapshotChunkFrameBytesMax(options)
        if chunkMax > frameMax {
            return ProtocolOptions.Problem(
                option: "snapshotChunkBytesMax", value: options.snapshotChunkBytesMax,
                reason: "makes a snapshot chunk of \(chunkMax) bytes, above the \(frameMax)-byte frame limit")
        }
        return nil
    }
}
