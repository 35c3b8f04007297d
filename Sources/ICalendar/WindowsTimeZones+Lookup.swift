extension WindowsTimeZones {
    /// The IANA zone of a Windows zone name (`"W. Europe Standard Time"` → `"Europe/Berlin"`).
    package static func ianaName(forWindowsName name: String) -> String? {
        ianaName[name]
    }

    /// The Windows name whose representative zone is `iana`, if any.
    package static func windowsName(forIANA iana: String) -> String? {
        windowsName[iana]
    }

    private static let windowsName: [String: String] = Dictionary(
        ianaName.map { ($0.value, $0.key) }, uniquingKeysWith: { first, second in min(first, second) })
}
