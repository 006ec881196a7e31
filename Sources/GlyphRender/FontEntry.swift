/// One font of the manifest (`fonts/manifest.json`): what it is, where its file
/// is, which scripts it covers and under which licence it is shipped.
public struct FontEntry: Codable, Hashable, Sendable {
    public var family: String
    public var style: String
    /// sans, serif, condensed-display, display, script, fallback.
    public var category: String
    /// Relative to the manifest's folder, or absolute for fonts referenced from a system package.
    public var file: String
    /// Face index inside a collection (.ttc).
    public var faceIndex: Int?
    public var scripts: [String]
    public var license: String
    public var package: String?
    public var licenseFile: String?
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case family, style, category, file, scripts, license, package, note
        case faceIndex = "face_index"
        case licenseFile = "license_file"
    }
}
