import Foundation

/// One page of a `ChromiumProcess`, driven the way a user would: navigate, wait until the page
/// shows something, click an element at its position with the mouse, take a screenshot.
struct BrowserPage {
    let browser: ChromiumProcess
    let sessionID: String
    /// Seconds any single wait may take (the CI machine has two busy cores).
    var timeoutSeconds: Double = 60

    /// Opens a new page of `width` × `height` CSS pixels in `browser`.
    init(browser: ChromiumProcess, width: Int, height: Int) throws {
        self.browser = browser
        let target = try browser.devTools.call("Target.createTarget", ["url": "about:blank"], timeoutSeconds: 60)
        guard let targetID = target["targetId"] as? String else {
            throw DevToolsPipe.ProtocolError(description: "Target.createTarget returned no targetId: \(target)")
        }
        let attached = try browser.devTools.call("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let sessionID = attached["sessionId"] as? String else {
            throw DevToolsPipe.ProtocolError(description: "Target.attachToTarget returned no sessionId: \(attached)")
        }
        self.sessionID = sessionID
        try call("Page.enable")
        try call("Runtime.enable")
        try call("Emulation.setDeviceMetricsOverride",
                 ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
    }

    @discardableResult
    private func call(_ method: String, _ params: [String: Any] = [:]) throws -> [String: Any] {
        try browser.devTools.call(method, params, sessionID: sessionID, timeoutSeconds: timeoutSeconds)
    }

    /// Loads `url`.
    func navigate(_ url: String) throws {
        let result = try call("Page.navigate", ["url": url])
        if let error = result["errorText"] as? String { throw DevToolsPipe.ProtocolError(description: "loading \(url): \(error)") }
    }

    /// Reloads the page (the URL stays, fragment included).
    func reload() throws { try call("Page.reload", ["ignoreCache": true]) }

    /// The value of the JavaScript `expression` (JSON-compatible values only; promises awaited).
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let result = try call("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            let description = (exception["exception"] as? [String: Any])?["description"] ?? exception["text"] ?? exception
            throw DevToolsPipe.ProtocolError(description: "JavaScript `\(expression)` threw: \(description)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Polls until the JavaScript `condition` is true; throws naming `what` (and quoting the
    /// page's error banner, if any) after `timeoutSeconds`.
    func waitUntil(_ what: String, _ condition: String) throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            if (try? evaluate("Boolean(\(condition))")) as? Bool == true { return }
            if Date() > deadline {
                let banner = (try? evaluate("document.getElementById('error')?.hidden === false ? document.getElementById('error').textContent : ''")) as? String ?? ""
                throw DevToolsPipe.ProtocolError(description: "timed out after \(timeoutSeconds) s waiting for \(what)"
                                                 + (banner.isEmpty ? "" : "; the page shows: \(banner)"))
            }
            usleep(50_000)
        }
    }

    /// Clicks, with a real mouse press and release at its centre, the element that the
    /// JavaScript `element` expression finds (waiting until it exists and is enabled).
    func click(_ what: String, element: String) throws {
        try waitUntil("\(what) to be clickable", "(() => { const e = \(element); return e && !e.disabled; })()")
        let point = try evaluate("""
            (() => { const e = \(element); e.scrollIntoView({ block: 'center' });
                     const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()
            """) as? [Double]
        guard let point, point.count == 2 else { throw DevToolsPipe.ProtocolError(description: "\(what) has no position") }
        let base: [String: Any] = ["x": point[0], "y": point[1], "button": "left", "clickCount": 1]
        try call("Input.dispatchMouseEvent", base.merging(["type": "mouseMoved", "button": "none"]) { $1 })
        try call("Input.dispatchMouseEvent", base.merging(["type": "mousePressed"]) { $1 })
        try call("Input.dispatchMouseEvent", base.merging(["type": "mouseReleased"]) { $1 })
    }

    /// Clicks the action button whose label satisfies the JavaScript predicate `matches`
    /// (a function of the label string).
    func clickAction(_ what: String, matching matches: String) throws {
        try click(what, element: "[...document.querySelectorAll('button[data-label]')].find((b) => (\(matches))(b.dataset.label))")
    }

    /// A PNG of the page's content (the body, not the empty viewport below it), at most
    /// `heightMax` CSS pixels tall.
    func screenshot(heightMax: Double = 2000) throws -> Data {
        let size = try evaluate("(() => { const r = document.body.getBoundingClientRect(); return [Math.ceil(r.width), Math.ceil(r.height)]; })()") as? [Double]
        guard let size, size.count == 2, size[0] > 0, size[1] > 0 else {
            throw DevToolsPipe.ProtocolError(description: "the page has no size to capture")
        }
        let width = size[0], height = min(size[1], heightMax)
        let result = try call("Page.captureScreenshot", [
            "format": "png", "captureBeyondViewport": true,
            "clip": ["x": 0, "y": 0, "width": width, "height": height, "scale": 1],
        ])
        guard let base64 = result["data"] as? String, let png = Data(base64Encoded: base64) else {
            throw DevToolsPipe.ProtocolError(description: "Page.captureScreenshot returned no image")
        }
        return png
    }
}
