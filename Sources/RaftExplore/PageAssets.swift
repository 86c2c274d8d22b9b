/// The explorer's page, served by the binary (no CDN, no external asset). The files live in
/// `Page/` as what they are (HTML, CSS, JavaScript) and are embedded at build time.
///
/// - `explorer.html` (`GET /`): a shell the script fills from the JSON API.
/// - `explorer.js` (`GET /explorer.js`): navigation, rendering of a state document, the search
///   panel; then `diagram.js`, the path as an SVG sequence diagram. The URL's fragment is the
///   path (`#/` + one `encodeURIComponent`-encoded action label per step), so a link reopens
///   the same state and the browser's own back button works.
/// - `explorer.css` (`GET /explorer.css`): the style sheet.
enum PageAssets {
    static let html = String(decoding: PackageResources.explorer_html, as: UTF8.self)
    static let script = String(decoding: PackageResources.explorer_js, as: UTF8.self) + "\n"
        + String(decoding: PackageResources.diagram_js, as: UTF8.self)
    static let style = String(decoding: PackageResources.explorer_css, as: UTF8.self)
}
