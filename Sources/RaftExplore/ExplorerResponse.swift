import Foundation

/// One HTTP response of the explorer, before NIO writes it.
public struct ExplorerResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// `Content-Type` header.
    public var contentType: String
    /// Other headers (e.g. `Allow` on a 405).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// A response of `status` with `body` of `contentType`.
    public init(status: Int, contentType: String, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// Text (HTML, JavaScript, CSS) with status 200.
    static func text(_ text: String, contentType: String) -> ExplorerResponse {
        ExplorerResponse(status: 200, contentType: contentType + "; charset=utf-8", body: Array(text.utf8))
    }

    /// `value` as JSON with `status`.
    static func json<Value: Encodable>(_ value: Value, status: Int = 200) -> ExplorerResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return ExplorerResponse(status: status, contentType: "application/json", body: Array(try encoder.encode(value)))
        } catch {
            preconditionFailure("the explorer's documents always encode: \(error)")
        }
    }

    /// `error` as a JSON body with its status.
    static func error(_ error: ExplorerError, headers: [(name: String, value: String)] = []) -> ExplorerResponse {
        var response = json(error, status: error.status)
        response.headers = headers
        return response
    }
}
