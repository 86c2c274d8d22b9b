import Foundation
import RaftExplore
import TestGate
import Testing

/// `GET /`, `/explorer.js`, `/explorer.css`: the page is served whole by the binary.
@Suite(.serialized, .exclusive)
struct PageAPITests {
    @Test func pageAndAssetsAreServedWithTheirTypes() async throws {
        try await withExplorerServer { _, client in
            let page = try client.get("/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.text.contains("<script src=\"/explorer.js\"></script>"))
            #expect(page.text.contains("href=\"/explorer.css\""))
            #expect(try client.get("/index.html").text == page.text)
            let script = try client.get("/explorer.js")
            #expect(script.status == 200 && script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("fetch('/.states/'"))
            let style = try client.get("/explorer.css")
            #expect(style.status == 200 && style.headers["content-type"] == "text/css; charset=utf-8")
        }
    }

    @Test func nothingIsLoadedFromAnotherSite() async throws {
        try await withExplorerServer { _, client in
            for target in ["/", "/explorer.js", "/explorer.css"] {
                let text = try client.get(target).text
                // The SVG namespace is an identifier, not a resource: it is never fetched.
                let outside = text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
                #expect(!outside.contains("http://") && !outside.contains("https://") && !outside.contains("//cdn"),
                        "\(target) refers to another site")
                #expect(!outside.contains("@import"), "\(target) imports a style sheet")
            }
        }
    }
}
