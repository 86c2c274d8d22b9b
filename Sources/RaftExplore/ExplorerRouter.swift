import Foundation

/// One HTTP request as the router sees it.
public struct ExplorerRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The request target as sent, e.g. `/.states/Crash(1)?x=1`.
    public var uri: String
    /// The `Host` header, if any.
    public var host: String?
    /// The body.
    public var body: [UInt8]

    /// A request of `method` for `uri`.
    public init(method: String, uri: String, host: String? = nil, body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.host = host
        self.body = body
    }
}

/// Maps requests to responses: the page and its assets, and the JSON API (docs/EXPLORER.md).
/// Pure apart from starting and cancelling searches, so tests can call it without a socket.
public struct ExplorerRouter: Sendable {
    /// Largest request body accepted (a search request with a long `from` path fits easily).
    public static let requestBodyBytesMax = 256 * 1024

    /// What is served.
    public let explorer: Explorer

    /// A router for `explorer`.
    public init(explorer: Explorer) {
        self.explorer = explorer
    }

    /// The response to `request`. Never fails: bad input gets a 4xx with a JSON body naming it.
    public func respond(to request: ExplorerRequest) -> ExplorerResponse {
        if let host = request.host, !Self.isLoopbackHost(host) {
            return .error(ExplorerError(status: 403, "Host \"\(host)\" refused: the explorer answers only to 127.0.0.1 or localhost"))
        }
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        switch path {
        case "/", "/index.html":
            return only("GET", request) { .text(PageAssets.html, contentType: "text/html") }
        case "/explorer.js":
            return only("GET", request) { .text(PageAssets.script, contentType: "text/javascript") }
        case "/explorer.css":
            return only("GET", request) { .text(PageAssets.style, contentType: "text/css") }
        case "/.model":
            return only("GET", request) { .json(explorer.modelDocument) }
        case "/.search":
            return search(request)
        default:
            if path == "/.states" || path.hasPrefix("/.states/") {
                return only("GET", request) { states(segments: path.dropFirst("/.states/".count)) }
            }
            return .error(ExplorerError(status: 404, "no such resource: \(path); the API is /.model, /.states/…, /.search (docs/EXPLORER.md)"))
        }
    }

    private func states(segments: Substring) -> ExplorerResponse {
        do throws(ExplorerError) {
            let labels: [String]
            do {
                labels = try ExplorerPath.labels(fromSegments: segments.split(separator: "/", omittingEmptySubsequences: false))
            } catch {
                throw ExplorerError.malformed(error)
            }
            return .json(try explorer.stateDocument(at: labels))
        } catch {
            return .error(error)
        }
    }

    private func search(_ request: ExplorerRequest) -> ExplorerResponse {
        switch request.method {
        case "GET":
            return .json(explorer.search.status)
        case "DELETE":
            return .json(explorer.search.cancel())
        case "POST":
            let searchRequest: SearchRequest
            do {
                searchRequest = try JSONDecoder().decode(SearchRequest.self, from: Data(request.body))
            } catch {
                return .error(ExplorerError(status: 400, "the body must be JSON like {\"depth\": 8, \"from\": [\"Timeout(0, election)\"], "
                                            + "\"stopAtCounterexample\": false}: \(Self.describe(error))"))
            }
            do {
                return .json(try explorer.search.start(searchRequest), status: 202)
            } catch {
                return .error(error)
            }
        default:
            return methodNotAllowed(request, allowed: ["GET", "POST", "DELETE"])
        }
    }

    private func only(_ method: String, _ request: ExplorerRequest, _ respond: () -> ExplorerResponse) -> ExplorerResponse {
        request.method == method ? respond() : methodNotAllowed(request, allowed: [method])
    }

    private func methodNotAllowed(_ request: ExplorerRequest, allowed: [String]) -> ExplorerResponse {
        let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
        return .error(ExplorerError(status: 405, "\(request.method) is not allowed on \(path); use \(allowed.joined(separator: " or "))"),
                      headers: [("Allow", allowed.joined(separator: ", "))])
    }

    /// `127.0.0.1`, `localhost` or `[::1]`, with or without a port: a page served under another
    /// name (DNS rebinding) cannot drive the explorer.
    static func isLoopbackHost(_ host: String) -> Bool {
        var name = Substring(host.lowercased())
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            name = name[name.startIndex...close]
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        return name == "127.0.0.1" || name == "localhost" || name == "[::1]"
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "\(error)"
        }
    }
}
