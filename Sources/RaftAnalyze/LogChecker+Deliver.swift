import RaftTrace

/// Deliveries and client acknowledgements: what the application saw.
extension LogChecker {
    func deliver(_ id: Int, index: Int, term: UInt64, digest: UInt64, request: UInt64, _ record: TraceRecord, _ location: EventLocation) {
        var node = nodes[id]
        if let last = node.lastDelivered {
            if index != last + 1 {
                violations.report(.deliveryOrder, index <= last
                                  ? "node \(id) delivered index \(index) again after \(last) in incarnation \(record.incarnation)"
                                  : "node \(id) delivered index \(index) right after \(last): indexes \(last + 1)...\(index - 1) skipped",
                                  [(record, location)])
            }
        } else if index > max(node.maxDelivered, node.durableCommitAtStart) + 1 {
            // Deliveries up to the durable commit index may have happened with their events
            // lost in the crash; beyond it, a gap is a gap.
            violations.report(.deliveryOrder, "node \(id) delivered index \(index) first in incarnation \(record.incarnation), but had delivered only up to \(node.maxDelivered) and restarted with commit index \(node.durableCommitAtStart)", [(record, location)])
        }
        if index > node.commitIndex {
            violations.report(.deliveryOrder, "node \(id) delivered index \(index) beyond its commit index \(node.commitIndex)", [(record, location)])
        }
        node.lastDelivered = index
        node.maxDelivered = max(node.maxDelivered, index)
        // The node's own entry there, if its events were lost: the one it delivered.
        node.shadow.fillUnknown(index, term: term, digest: digest)
        nodes[id] = node

        guard index >= 1, committed.extend(to: index) else {
            violations.note(.stateMachineSafety, "a delivery at an implausible index was ignored")
            return
        }
        if committed.isKnown(index) {
            if committed.term(index) != term || committed.digest(index) != digest {
                violations.report(.stateMachineSafety,
                                  "node \(id) delivered index \(index) as term \(term) digest \(TraceDigest.hex(digest)), "
                                  + "but node \(committed.node(index)) has term \(committed.term(index)) digest \(TraceDigest.hex(committed.digest(index))) there",
                                  earlier: committed.location(index), record, location)
                return
            }
        } else {
            committed.set(index, term: term, digest: digest, node: id, location: location)
        }
        let known = committed.request(index)
        if known == CommittedLog.unknownRequest {
            committed.setRequest(index, request)
            guard request != 0 else { return }
            if let other = requestIndexes.updateValue(index, forKey: request), other != index {
                violations.report(.durability, "request \(TraceRequestID.describe(request)) was delivered at index \(index) and at index \(other)",
                                  earlier: committed.location(other), record, location)
            }
        } else if known != request {
            violations.report(.stateMachineSafety, "node \(id) delivered request \(TraceRequestID.describe(request)) at index \(index), node \(committed.node(index)) delivered request \(TraceRequestID.describe(known)) there",
                              earlier: committed.location(index), record, location)
        }
    }

    /// Durability at the end: every acknowledged request is in the committed sequence, at the
    /// index its acknowledgement named. An acknowledgement the trace can neither confirm nor
    /// refute (the entry's commit and deliveries were all lost with crashed nodes' unflushed
    /// events, or the trace ends first) is a note, not a violation.
    ///
    /// `everyNodeStopped`: every node's last incarnation ended with `stop`, so no node's final
    /// events were lost. The committed sequence the trace shows is then the final one, and an
    /// acknowledged request missing from it is lost, not unconfirmed (a node acknowledges a
    /// request only after its own `deliver` event, which its clean stop flushed).
    func finishDurability(everyNodeStopped: Bool) {
        var unknownRequests = 0
        for index in stride(from: 1, through: committed.count, by: 1) where committed.request(index) == CommittedLog.unknownRequest {
            unknownRequests += 1
        }
        var unconfirmed = 0
        for ack in acknowledged {
            guard let index = requestIndexes[ack.request] else {
                let refuted: Bool
                // Indexes are 1-based: an `ok` naming index 0 (another writer's) names none.
                if let claimed = ack.index, claimed >= 1 {
                    refuted = committed.count >= claimed
                        ? committed.request(claimed) != CommittedLog.unknownRequest
                        : everyNodeStopped
                } else {
                    refuted = unknownRequests == 0 && (committed.count > ack.committedAtAck || everyNodeStopped)
                }
                if refuted {
                    let detail: String
                    if let claimed = ack.index, claimed >= 1, claimed <= committed.count {
                        detail = " (index \(claimed) holds request \(TraceRequestID.describe(committed.request(claimed))))"
                    } else if let claimed = ack.index, claimed >= 1 {
                        detail = " (acknowledged at index \(claimed); the committed sequence ends at \(committed.count) and every node stopped cleanly)"
                    } else {
                        detail = " (the committed sequence ends at \(committed.count)" + (everyNodeStopped ? " and every node stopped cleanly)" : ")")
                    }
                    violations.report(.durability, "request \(TraceRequestID.describe(ack.request)) was acknowledged ok but is not in the committed sequence" + detail,
                                      [(ack.record, ack.location)])
                } else {
                    unconfirmed += 1
                }
                continue
            }
            if let claimed = ack.index, claimed != index {
                violations.report(.durability, "request \(TraceRequestID.describe(ack.request)) was acknowledged at index \(claimed) but committed at index \(index)",
                                  earlier: committed.location(index), ack.record, ack.location)
            }
        }
        if unconfirmed > 0 {
            violations.note(.durability, "\(unconfirmed) acknowledged request(s) could not be confirmed: no surviving event shows their index committed with a request (lost with a crashed node's unflushed events, or the trace ends first)")
        }
    }
}
