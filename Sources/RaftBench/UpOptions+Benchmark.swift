import RaftLab

extension UpOptions {
    /// A cluster for a benchmark: `nodes` node processes under `root` with `clients` clients
    /// sending `payloadBytes` each, no status line (the benchmark prints its own progress).
    static func benchmark(nodes: Int, clients: Int, payloadBytes: Int? = nil, root: String) -> UpOptions {
        var options = UpOptions()
        options.nodes = nodes
        options.clients = clients
        if let payloadBytes { options.payloadBytes = payloadBytes }
        options.showsStatus = false
        options.tracesRoot = root
        return options
    }
}
